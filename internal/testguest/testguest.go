// Package testguest builds the small guest govirt's tests boot under QEMU:
// Debian's kernel (linux-image-amd64) and an initramfs holding busybox-static,
// the virtio and ACPI modules, and an init of our own that reports on the
// serial console what the tests need to see (boot, ACPI power-down, disks,
// a memory token that must survive save/restore, a crash on request).
//
// The guest is built from packages fetched with apt-get into a cache outside
// the repository ($GOVIRT_CACHE, else $XDG_CACHE_HOME/govirt, else
// ~/.cache/govirt) and rebuilt only when its recipe changes.
package testguest

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/govirt/govirt/internal/cpio"
)

// Guest is a built test guest.
type Guest struct {
	Kernel string // path of the kernel image
	Initrd string // path of the initramfs
	// Cmdline is the kernel command line the guest expects (serial console).
	Cmdline string
}

// Modules are the kernel modules loaded at boot, with their dependencies.
var Modules = []string{
	"virtio_pci", "virtio_blk", "virtio_net", "virtio_console", "virtio_balloon",
	"virtio_rng", "virtio_scsi", "sd_mod", "button", "evdev", "pvpanic_pci", "ext4",
}

// recipe changes whenever the guest's content would: it keys the cache.
const recipe = "testguest-v5"

// CacheDir returns the cache folder for built artefacts.
func CacheDir() string {
	if d := os.Getenv("GOVIRT_CACHE"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "govirt")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "govirt-cache")
	}
	return filepath.Join(home, ".cache", "govirt")
}

// Ensure returns the test guest, building it first if the cache lacks it.
// Concurrent callers (parallel test binaries) wait on a lock file.
func Ensure(ctx context.Context) (*Guest, error) {
	dir := filepath.Join(CacheDir(), "testguest")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("test guest cache: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("test guest lock: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return nil, fmt.Errorf("test guest lock: %w", err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)

	g := &Guest{
		Kernel:  filepath.Join(dir, "vmlinuz"),
		Initrd:  filepath.Join(dir, "initrd.gz"),
		Cmdline: "console=ttyS0 panic=-1 quiet loglevel=3",
	}
	stamp := filepath.Join(dir, "stamp")
	if b, err := os.ReadFile(stamp); err == nil && string(b) == recipeKey() {
		return g, nil
	}
	if err := build(ctx, dir, g); err != nil {
		return nil, fmt.Errorf("build test guest: %w", err)
	}
	if err := writeAtomic(stamp, []byte(recipeKey())); err != nil {
		return nil, err
	}
	return g, nil
}

func recipeKey() string {
	h := sha256.Sum256([]byte(recipe + "\n" + initScript + "\n" + strings.Join(Modules, ",")))
	return hex.EncodeToString(h[:])
}

func build(ctx context.Context, dir string, g *Guest) error {
	work, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	kpkg, err := kernelPackage(ctx)
	if err != nil {
		return err
	}
	debs := filepath.Join(work, "debs")
	root := filepath.Join(work, "root")
	for _, d := range []string{debs, root} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if err := run(ctx, debs, "apt-get", "download", kpkg, "busybox-static"); err != nil {
		return err
	}
	ents, err := os.ReadDir(debs)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if err := run(ctx, work, "dpkg-deb", "-x", filepath.Join(debs, e.Name()), root); err != nil {
			return err
		}
	}
	kernels, _ := filepath.Glob(filepath.Join(root, "boot", "vmlinuz-*"))
	if len(kernels) != 1 {
		return fmt.Errorf("expected one kernel in %s, found %d", kpkg, len(kernels))
	}
	kver := strings.TrimPrefix(filepath.Base(kernels[0]), "vmlinuz-")
	mods, err := moduleOrder(filepath.Join(root, "lib", "modules", kver), Modules)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := writeInitramfs(&buf, root, kver, mods); err != nil {
		return err
	}
	kernel, err := os.ReadFile(kernels[0])
	if err != nil {
		return err
	}
	if err := writeAtomic(g.Kernel, kernel); err != nil {
		return err
	}
	return writeAtomic(g.Initrd, buf.Bytes())
}

// kernelPackage finds the versioned kernel package linux-image-amd64 points at.
func kernelPackage(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "apt-cache", "depends", "--no-recommends", "--no-suggests", "linux-image-amd64").Output()
	if err != nil {
		return "", fmt.Errorf("apt-cache depends linux-image-amd64: %w", err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		if p, ok := strings.CutPrefix(line, "Depends: "); ok && strings.HasPrefix(p, "linux-image-") {
			return p, nil
		}
	}
	return "", fmt.Errorf("linux-image-amd64 depends on no kernel package")
}

func run(ctx context.Context, dir, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// moduleOrder finds the named modules under moddir and returns their paths
// (relative to moddir) with dependencies first, reading each module's
// "depends=" from its .modinfo section.
func moduleOrder(moddir string, names []string) ([]string, error) {
	index := map[string]string{}
	err := filepath.WalkDir(moddir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".ko") {
			name := strings.ReplaceAll(strings.TrimSuffix(d.Name(), ".ko"), "-", "_")
			index[name] = p
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var order []string
	seen := map[string]bool{}
	var visit func(name string, depth int) error
	visit = func(name string, depth int) error {
		name = strings.ReplaceAll(name, "-", "_")
		if seen[name] {
			return nil
		}
		if depth > 64 {
			return fmt.Errorf("module dependency loop at %s", name)
		}
		p, ok := index[name]
		if !ok {
			return nil // built into the kernel
		}
		deps, err := moduleDepends(p)
		if err != nil {
			return fmt.Errorf("module %s: %w", name, err)
		}
		for _, d := range deps {
			if err := visit(d, depth+1); err != nil {
				return err
			}
		}
		seen[name] = true
		rel, _ := filepath.Rel(moddir, p)
		order = append(order, rel)
		return nil
	}
	for _, n := range names {
		if err := visit(n, 0); err != nil {
			return nil, err
		}
	}
	return order, nil
}

func moduleDepends(path string) ([]string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s := f.Section(".modinfo")
	if s == nil {
		return nil, nil
	}
	data, err := s.Data()
	if err != nil {
		return nil, err
	}
	for _, kv := range bytes.Split(data, []byte{0}) {
		if v, ok := bytes.CutPrefix(kv, []byte("depends=")); ok {
			if len(v) == 0 {
				return nil, nil
			}
			return strings.Split(string(v), ","), nil
		}
	}
	return nil, nil
}

// writeInitramfs writes the gzip'ed cpio archive of the guest's root.
func writeInitramfs(out *bytes.Buffer, root, kver string, mods []string) error {
	zw := gzip.NewWriter(out)
	cw := cpio.NewWriter(zw)
	dirs := []string{"bin", "sbin", "dev", "proc", "sys", "tmp", "mnt", "etc", "etc/acpi", "lib", "lib/modules", "lib/modules/" + kver}
	for _, d := range dirs {
		if err := cw.WriteHeader(&cpio.Header{Name: d, Mode: fs.ModeDir | 0o755}); err != nil {
			return err
		}
	}
	if err := cw.WriteHeader(&cpio.Header{Name: "dev/console", Mode: fs.ModeDevice | fs.ModeCharDevice | 0o600, Major: 5, Minor: 1}); err != nil {
		return err
	}
	busybox, err := os.ReadFile(filepath.Join(root, "bin", "busybox"))
	if err != nil {
		return err
	}
	files := []struct {
		name string
		mode fs.FileMode
		data []byte
	}{
		{"bin/busybox", 0o755, busybox},
		{"init", 0o755, []byte(initScript)},
		{"etc/acpid.conf", 0o644, []byte("PWRF powerdown\n")},
		{"etc/acpi/powerdown", 0o755, []byte("#!/bin/sh\necho 'govirt-guest: acpi powerdown' > /dev/ttyS0\nsync\npoweroff -f\n")},
		{"etc/modules", 0o644, []byte(strings.Join(mods, "\n") + "\n")},
	}
	seen := map[string]bool{}
	for _, m := range mods {
		d := filepath.Dir(filepath.Join("lib/modules", kver, m))
		var parts []string
		for ; d != "lib/modules/"+kver && d != "."; d = filepath.Dir(d) {
			parts = append(parts, d)
		}
		sort.Strings(parts)
		for _, p := range parts {
			if !seen[p] {
				seen[p] = true
				if err := cw.WriteHeader(&cpio.Header{Name: p, Mode: fs.ModeDir | 0o755}); err != nil {
					return err
				}
			}
		}
		data, err := os.ReadFile(filepath.Join(root, "lib", "modules", kver, m))
		if err != nil {
			return err
		}
		files = append(files, struct {
			name string
			mode fs.FileMode
			data []byte
		}{filepath.Join("lib/modules", kver, m), 0o644, data})
	}
	for _, f := range files {
		if err := cw.WriteHeader(&cpio.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.data))}); err != nil {
			return err
		}
		if _, err := cw.Write(f.data); err != nil {
			return err
		}
	}
	if err := cw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// initScript is the guest's /init. It reports on ttyS0 lines starting with
// "govirt-guest: " that tests wait for, and then serves a shell on ttyS0.
const initScript = `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
kver=$(uname -r)
while read m; do insmod /lib/modules/$kver/$m 2>/dev/null; done < /etc/modules
say() { echo "govirt-guest: $*" > /dev/ttyS0; }
# A token kept in memory only: it survives save/restore, not a reboot.
token=$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "$token" > /tmp/token
# acpid scans /dev/input once: wait for devtmpfs to create the event nodes.
for i in 1 2 3 4 5 6 7 8 9 10; do
  [ "$(ls /sys/class/input | grep -c event)" = "$(ls /dev/input 2>/dev/null | grep -c event)" ] && break
  sleep 0.2
done
acpid -f -c /etc/acpi -a /etc/acpid.conf -p /tmp/acpid.pid -l /tmp/acpid.log &
for p in $(cat /proc/cmdline); do
  case "$p" in
    govirt.crash=*) (sleep "${p#govirt.crash=}"; say "crashing"; echo c > /proc/sysrq-trigger) & ;;
    govirt.poweroff=*) (sleep "${p#govirt.poweroff=}"; say "powering off"; poweroff -f) & ;;
  esac
done
say "booted token=$token disks=$(ls /sys/block | tr '\n' ' ')"
# Report disks as they come and go (hotplug).
(old=$(ls /sys/block | tr '\n' ' '); while sleep 0.5; do new=$(ls /sys/block | tr '\n' ' '); [ "$new" != "$old" ] && say "disks=$new"; old=$new; done) &
while true; do setsid cttyhack sh -l < /dev/ttyS0 > /dev/ttyS0 2>&1; done
`
