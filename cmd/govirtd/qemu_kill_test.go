package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govirt/govirt/internal/driver/qemu"
	"github.com/govirt/govirt/virt"
)

// waitFile waits until the file at path holds want and returns its text.
func waitFile(t *testing.T, path, want string, limit time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		b, _ := os.ReadFile(path)
		if strings.Contains(string(b), want) {
			return string(b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never showed %q; it holds:\n%s", path, want, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestVirshQEMUDaemonKilled is the QEMU driver's acceptance run through
// govirtd with the real virsh: a guest from plain libvirt XML (direct
// kernel boot, serial console to a file, ACPI) is defined and started;
// govirtd is killed with SIGKILL and started again, and the guest is still
// running and manageable; it is destroyed, then created again as a
// transient domain, powered off through ACPI from virsh, and the daemon
// notices: the transient domain goes away.
func TestVirshQEMUDaemonKilled(t *testing.T) {
	g := needGuest(t)
	virsh, err := exec.LookPath("virsh")
	if err != nil {
		t.Fatalf("virsh is required: %v", err)
	}
	bin := buildDaemon(t)
	root, err := os.MkdirTemp("", "gvk") // short: QMP socket paths have a length limit
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		var reg virt.Registry
		reg.Register(qemu.New(qemu.Options{Root: root, LockTimeout: 30 * time.Second}))
		if c, err := reg.Open(context.Background(), "qemu:///system", 0); err == nil {
			doms, _ := c.ListAllDomains(context.Background(), virt.ListDomainsActive)
			for _, d := range doms {
				d.Destroy(context.Background(), 0)
			}
			c.Close()
		}
		os.RemoveAll(root)
	})
	dir := t.TempDir()
	serial := filepath.Join(dir, "serial.log")
	xml := fmt.Sprintf(`<domain type='qemu'>
  <name>kguest</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>%s</kernel>
    <initrd>%s</initrd>
    <cmdline>%s</cmdline>
  </os>
  <features><acpi/></features>
  <devices>
    <serial type='file'>
      <source path='%s'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
`, g.Kernel, g.Initrd, g.Cmdline, serial)
	if err := os.WriteFile(filepath.Join(dir, "guest.xml"), []byte(xml), 0o644); err != nil {
		t.Fatal(err)
	}
	d := startRoot(t, bin, root)
	uri := "qemu+unix:///system?socket=" + filepath.Join(root, "run", "govirt", "govirt-sock")
	virshRun := func(cmds string) (string, error) {
		cmd := exec.Command(virsh, "-c", uri, cmds)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	run := func(cmds string) string {
		t.Helper()
		out, err := virshRun(cmds)
		if err != nil {
			t.Fatalf("virsh %q: %v\n%s\ndaemon log:\n%s", cmds, err, out, d.logs)
		}
		return string(out)
	}

	run("define guest.xml; start kguest")
	if out := strings.TrimSpace(run("domstate kguest")); out != "running" {
		t.Fatalf("domstate after start: %q", out)
	}
	waitFile(t, serial, "govirt-guest: booted", 90*time.Second)

	// SIGKILL: no chance to clean up. The guest must not notice.
	d.cmd.Process.Kill()
	<-d.done
	d = startRoot(t, bin, root)
	if out := strings.TrimSpace(run("domstate kguest --reason")); out != "running (booted)" {
		t.Errorf("after govirtd was killed and restarted: domstate %q, want running (booted)", out)
	}
	if out := run("list --all"); !strings.Contains(out, "kguest") || !strings.Contains(out, "running") {
		t.Errorf("list after the restart:\n%s", out)
	}
	run("destroy kguest")
	if out := strings.TrimSpace(run("domstate kguest --reason")); out != "shut off (destroyed)" {
		t.Errorf("after destroy: domstate %q", out)
	}
	run("undefine kguest")

	// A transient guest from the same XML, powered off from inside through
	// ACPI: the daemon notices and the domain is gone.
	os.Remove(serial)
	run("create guest.xml")
	waitFile(t, serial, "govirt-guest: booted", 90*time.Second)
	run("shutdown kguest")
	waitFile(t, serial, "govirt-guest: acpi powerdown", 30*time.Second)
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := virshRun("domstate kguest")
		if err != nil && strings.Contains(out, "failed to get domain 'kguest'") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the transient guest powered off but is still listed: %q", out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if out := run("list --all --name"); strings.Contains(out, "kguest") {
		t.Errorf("list after the power-off still shows the guest:\n%s", out)
	}
	d.stop(t)
}
