package appliance

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// DebianKernel returns the kernel of this host when it has one, else
// Debian's current kernel package (the one linux-image-amd64 depends on),
// fetched with apt-get download and unpacked once into a cache folder,
// without installing it. Tests and test guests use it on hosts without a
// kernel, such as containers.
func DebianKernel(ctx context.Context) (Kernel, error) {
	if k, err := FindKernel(Host{}, Kernel{}); err == nil {
		return *k, nil
	}
	dir := filepath.Join(CacheDir(), "appliance", "debian-kernel")
	unlock, err := lockFor(dir)
	if err != nil {
		return Kernel{}, err
	}
	defer unlock()
	if k, ok := unpackedKernel(dir); ok {
		return k, nil
	}
	out, err := exec.CommandContext(ctx, "apt-cache", "depends", "--no-recommends", "--no-suggests", "linux-image-amd64").Output()
	if err != nil {
		return Kernel{}, fmt.Errorf("apt-cache depends linux-image-amd64: %w", err)
	}
	pkg := ""
	for _, l := range strings.Split(string(out), "\n") {
		if p, ok := strings.CutPrefix(strings.TrimSpace(l), "Depends: "); ok && strings.HasPrefix(p, "linux-image-") {
			pkg = p
		}
	}
	if pkg == "" {
		return Kernel{}, fmt.Errorf("linux-image-amd64 depends on no kernel package")
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".kernel-")
	if err != nil {
		return Kernel{}, err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.CommandContext(ctx, "apt-get", "-q", "download", pkg)
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		return Kernel{}, fmt.Errorf("apt-get download %s: %v: %s", pkg, err, bytes.TrimSpace(out))
	}
	debs, _ := filepath.Glob(filepath.Join(tmp, "*.deb"))
	if len(debs) != 1 {
		return Kernel{}, fmt.Errorf("apt-get download %s: %d files", pkg, len(debs))
	}
	root := filepath.Join(tmp, "root")
	if out, err := exec.CommandContext(ctx, "dpkg-deb", "-x", debs[0], root).CombinedOutput(); err != nil {
		return Kernel{}, fmt.Errorf("dpkg-deb -x %s: %v: %s", debs[0], err, bytes.TrimSpace(out))
	}
	os.RemoveAll(dir)
	if err := os.Rename(root, dir); err != nil {
		return Kernel{}, err
	}
	k, ok := unpackedKernel(dir)
	if !ok {
		return Kernel{}, fmt.Errorf("no kernel with modules.dep in %s", pkg)
	}
	return k, nil
}

func unpackedKernel(dir string) (Kernel, bool) {
	ks, _ := filepath.Glob(filepath.Join(dir, "boot", "vmlinuz-*"))
	if len(ks) != 1 {
		return Kernel{}, false
	}
	v := strings.TrimPrefix(filepath.Base(ks[0]), "vmlinuz-")
	mods := filepath.Join(dir, "lib", "modules", v)
	if !isFile(filepath.Join(mods, "modules.dep")) {
		return Kernel{}, false
	}
	return Kernel{Path: ks[0], Version: v, Modules: mods}, true
}
