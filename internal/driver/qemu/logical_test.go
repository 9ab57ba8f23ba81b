package qemu_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLogicalPool builds a logical pool on a loop device through the CLI
// (each command a connection of its own): volumes are created, cloned,
// resized and deleted with the real LVM tools, data uploaded into one is
// read back by a real guest that runs with it as its disk, and a volume
// made with lvcreate behind govirt's back shows up. The volume
// group, the loop devices and every file are removed at the end, even
// when the test fails.
func TestLogicalPool(t *testing.T) {
	need := func(tool string) {
		if _, err := exec.LookPath(tool); err != nil || os.Geteuid() != 0 {
			msg := fmt.Sprintf("logical pools need root and %s (see scripts/setup.sh): %v", tool, err)
			if os.Getenv("GOVIRT_REQUIRE_QEMU") == "1" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	for _, tool := range []string{"lvcreate", "losetup"} {
		need(tool)
	}
	g := needGuest(t)
	root, govirt := cliRoot(t)
	must := func(want string, args ...string) string {
		t.Helper()
		out, code := govirt(args...)
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("govirt %s: exit %d, output:\n%s\nwant %q", strings.Join(args, " "), code, out, want)
		}
		return out
	}
	var rnd [3]byte
	rand.Read(rnd[:])
	vg := "gvtest" + hex.EncodeToString(rnd[:])
	img := filepath.Join(root, "pv.img")
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Truncate(img, 256<<20)
	out, err := exec.Command("losetup", "--find", "--show", img).CombinedOutput()
	if err != nil {
		t.Fatalf("losetup: %v: %s", err, out)
	}
	loop := strings.TrimSpace(string(out))
	t.Cleanup(func() {
		govirt("destroy", "lvguest")
		govirt("pool-destroy", vg)
		env := append(os.Environ(), "LVM_SUPPRESS_FD_WARNINGS=1")
		conf := "global { activation = 0 } activation { udev_sync = 0 udev_rules = 0 }"
		// Loop devices govirt mapped volumes to, if the pool did not stop.
		links, _ := filepath.Glob(filepath.Join("/dev", vg, "*"))
		for _, l := range links {
			if dev, err := os.Readlink(l); err == nil {
				exec.Command("losetup", "-d", dev).Run()
			}
			os.Remove(l)
		}
		os.Remove(filepath.Join("/dev", vg))
		cmd := exec.Command("vgremove", "--config", conf, "-f", vg)
		cmd.Env = env
		cmd.Run()
		cmd = exec.Command("pvremove", "--config", conf, "-y", loop)
		cmd.Env = env
		cmd.Run()
		exec.Command("losetup", "-d", loop).Run()
	})

	must("Pool "+vg+" defined", "pool-define-as", vg, "logical", "--source-dev", loop, "--source-name", vg, "--target", "/dev/"+vg)
	must("Pool "+vg+" built", "pool-build", vg)
	must("Pool "+vg+" started", "pool-start", vg)
	must("Vol disk0 created", "vol-create-as", vg, "disk0", "16M")
	// Data for the guest to read from its disk.
	marker := filepath.Join(root, "marker")
	os.WriteFile(marker, []byte("govirt-lvm-"+hex.EncodeToString(rnd[:])+"\n"), 0o644)
	must("", "vol-upload", "--pool", vg, "disk0", marker)
	must("Vol disk1 cloned from disk0", "vol-clone", "--pool", vg, "disk0", "disk1")
	must("Size of volume 'disk1' successfully changed to 32M", "vol-resize", "--pool", vg, "disk1", "32M")
	info := must("Capacity:       32.00 MiB", "vol-info", "--pool", vg, "disk1")
	if !strings.Contains(info, "Type:           block") {
		t.Errorf("vol-info:\n%s", info)
	}
	path := strings.TrimSpace(must("/dev/"+vg+"/disk1", "vol-path", "--pool", vg, "disk1"))

	// The guest runs with the clone as its disk and reads the marker.
	serial := filepath.Join(root, "lv.serial")
	xml := fmt.Sprintf(`<domain type='qemu'><name>lvguest</name><memory unit='MiB'>160</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel><initrd>%s</initrd><cmdline>%s govirt.peek=vda</cmdline></os>
<features><acpi/></features><devices>
<disk type='block' device='disk'><driver name='qemu' type='raw'/><source dev='%s'/><target dev='vda' bus='virtio'/></disk>
<serial type='file'><source path='%s'/></serial><console type='file'><source path='%s'/><target type='serial'/></console>
</devices></domain>`, g.Kernel, g.Initrd, g.Cmdline, path, serial, serial)
	dfile := filepath.Join(root, "lvguest.xml")
	os.WriteFile(dfile, []byte(xml), 0o644)
	must("Domain 'lvguest' defined", "define", dfile)
	must("Domain 'lvguest' started", "start", "lvguest")
	waitFile(t, serial, `govirt-guest: booted token=[0-9a-f]+ disks=vda`, 2*time.Minute)
	waitFile(t, serial, `govirt-guest: peek vda govirt-lvm-`+hex.EncodeToString(rnd[:]), time.Minute)
	must("Domain 'lvguest' destroyed", "destroy", "lvguest")
	must("", "undefine", "lvguest")

	// A volume made behind govirt's back.
	conf := "activation { udev_sync = 0 udev_rules = 0 }"
	args := []string{"--config", conf, "-y", "-n", "outside", "-L", "8M", vg}
	if _, err := os.Stat("/sys/class/misc/device-mapper"); err != nil {
		args = []string{"--config", "global { activation = 0 } " + conf, "-y", "--alloc", "contiguous", "-Zn", "-n", "outside", "-L", "8M", vg}
	}
	cmd := exec.Command("lvcreate", args...)
	cmd.Env = append(os.Environ(), "LVM_SUPPRESS_FD_WARNINGS=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("lvcreate: %v: %s", err, out)
	}
	// (Each CLI command reads the running pool anew, as a daemon does when
	// it starts; TestDirPool checks that one connection needs a refresh.)
	must("Pool "+vg+" refreshed", "pool-refresh", vg)
	must("outside", "vol-list", vg)
	for _, v := range []string{"disk0", "disk1", "outside"} {
		must("Vol "+v+" deleted", "vol-delete", "--pool", vg, v)
	}
	if out := must("", "vol-list", vg); strings.Contains(out, "disk") {
		t.Errorf("volumes left:\n%s", out)
	}
	must("Pool "+vg+" destroyed", "pool-destroy", vg)
	must("Pool "+vg+" deleted", "pool-delete", vg)
	must("Pool "+vg+" has been undefined", "pool-undefine", vg)
	if left, _ := filepath.Glob(filepath.Join("/dev", vg, "*")); len(left) > 0 {
		t.Errorf("devices left: %v", left)
	}
}
