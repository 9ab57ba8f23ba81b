package appliance

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const hello = "hello from the attached disk\n"

// runIn boots an appliance and returns the command's output and status.
func runIn(t *testing.T, out string, argv []string, o RunOptions) (stdout, stderr string, code int) {
	t.Helper()
	var so, se, console bytes.Buffer
	o.Stdout, o.Stderr, o.Console = &so, &se, &console
	res, err := Run(t.Context(), out, argv, o)
	if err != nil {
		t.Fatalf("run %q: %v", argv, err)
	}
	t.Logf("run %q: exit %d, guest ready at %v uptime, result after %v", argv, res.ExitCode, res.GuestBoot, res.Total)
	if res.ExitCode != 0 && o.Debug {
		t.Logf("console:\n%s", console.String())
	}
	return so.String(), se.String(), res.ExitCode
}

// TestRunBusyboxInitrd builds busybox-static as an initrd appliance,
// boots it with a partitioned disk read-only and a blank one read-write,
// lists the partition table, mounts the partition read-only, reads a file
// back and writes to the second disk.
func TestRunBusyboxInitrd(t *testing.T) {
	needQEMU(t)
	needPackages(t, "busybox-static")
	k := testKernel(t)
	ctx := t.Context()
	work := t.TempDir()
	desc := filepath.Join(work, "desc")
	if err := Prepare(ctx, []string{"busybox-static"}, desc, PrepareOptions{}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(work, "out")
	if _, err := Build(ctx, []string{desc}, out, BuildOptions{Format: FormatInitrd, Kernel: k}); err != nil {
		t.Fatal(err)
	}
	disk := makeDisk(t, map[string]string{"hello.txt": hello})
	blank := filepath.Join(work, "blank.img")
	if err := os.WriteFile(blank, make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	script := `fdisk -l /dev/vda; mount -o ro /dev/vda1 /mnt && cat /mnt/hello.txt; ` +
		`echo written-by-the-appliance | dd of=/dev/vdb conv=notrunc 2>/dev/null; sync; ` +
		`if echo x | dd of=/dev/vda 2>/dev/null; then echo ro-disk-writable; fi; ` +
		`grep -c vfat /proc/filesystems; mount -t vfat /dev/vdb /mnt 2>/dev/null; grep -w vfat /proc/filesystems; ` +
		`echo "$GREETING" >&2; exit 7`
	stdout, stderr, code := runIn(t, out, []string{"sh", "-c", script}, RunOptions{Env: []string{"GREETING=to-stderr"}, Disks: []Disk{{Path: disk, ReadOnly: true}, {Path: blank}}})
	if code != 7 {
		t.Errorf("exit status: got %d, want 7", code)
	}
	if !regexp.MustCompile(`/dev/vda1\s+\d+\s+\d+\s+\d+\s+\d+\s+\S+\s+83 Linux`).MatchString(stdout) && !regexp.MustCompile(`/dev/vda1 .*83 Linux`).MatchString(stdout) {
		t.Errorf("fdisk -l: no Linux partition vda1 in\n%s", stdout)
	}
	if !strings.Contains(stdout, hello) {
		t.Errorf("file read back: got\n%s\nwant it to contain %q", stdout, hello)
	}
	if !strings.Contains(stdout, "0\nnodev\tvfat\n") && !strings.Contains(stdout, "0\n\tvfat\n") {
		t.Errorf("vfat: want it absent at boot and loaded on demand by mount -t vfat; got\n%s", stdout)
	}
	if strings.Contains(stdout, "ro-disk-writable") {
		t.Errorf("the read-only disk took a write")
	}
	if stderr != "to-stderr\n" {
		t.Errorf("stderr: got %q, want %q", stderr, "to-stderr\n")
	}
	b, _ := os.ReadFile(blank)
	if !bytes.HasPrefix(b, []byte("written-by-the-appliance\n")) {
		t.Errorf("read-write disk: got %q, want what the appliance wrote", b[:40])
	}
}

// TestRunDebianExt2 builds bash, coreutils, util-linux, e2fsprogs (and
// mount, which Debian 12 splits out of util-linux) as an ext2 appliance
// and compares what three tools return about the same disk.
func TestRunDebianExt2(t *testing.T) {
	needQEMU(t)
	pkgs := []string{"bash", "coreutils", "util-linux", "e2fsprogs", "mount"}
	needPackages(t, pkgs...)
	k := testKernel(t)
	ctx := t.Context()
	work := t.TempDir()
	desc := filepath.Join(work, "desc")
	if err := Prepare(ctx, pkgs, desc, PrepareOptions{}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(work, "out")
	res, err := Build(ctx, []string{desc}, out, BuildOptions{Format: FormatExt2, Kernel: k})
	if err != nil {
		t.Fatal(err)
	}
	var size int64
	filepath.Walk(out, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			size += fi.Size()
		}
		return nil
	})
	t.Logf("built in %v: %d files, %d MiB apparent", res.Elapsed, res.Stamp.Files, size>>20)
	disk := makeDisk(t, map[string]string{"hello.txt": hello})
	script := `set -e; partx --show --noheadings -o NR,START,TYPE /dev/vdb; ` +
		`echo ==; mount -o ro /dev/vdb1 /mnt; cat /mnt/hello.txt; umount /mnt; ` +
		`echo ==; debugfs -R 'cat /hello.txt' /dev/vdb1 2>/dev/null; ` +
		`echo ==; stat -c '%a %U' /usr/bin/su; ls /lib/modules; echo written > /etc/new; cat /etc/new; tr a-z A-Z`
	stdout, stderr, code := runIn(t, out, []string{"bash", "-c", script}, RunOptions{Stdin: strings.NewReader("from stdin\n"), Disks: []Disk{{Path: disk, ReadOnly: true}}})
	if code != 0 {
		t.Fatalf("exit status %d; stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	parts := strings.Split(stdout, "==\n")
	if len(parts) != 4 {
		t.Fatalf("output: got\n%s", stdout)
	}
	if f := strings.Fields(parts[0]); len(f) < 3 || f[0] != "1" || f[1] != "2048" || f[2] != "0x83" {
		t.Errorf("partx: got %q, want partition 1 at 2048 of type 0x83", parts[0])
	}
	if parts[1] != hello || parts[2] != hello {
		t.Errorf("file through mount: %q, through debugfs: %q, want both %q", parts[1], parts[2], hello)
	}
	if want := "4755 root\n" + k.Version + "\nwritten\nFROM STDIN\n"; parts[3] != want {
		t.Errorf("setuid su, modules, writable root, standard input: got %q, want %q", parts[3], want)
	}
}
