package appliance

import (
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
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
	return fetchDebianKernel(ctx, filepath.Join(CacheDir(), "appliance", "debian-kernel"))
}

// fetchDebianKernel unpacks Debian's kernel package into dir, once.
func fetchDebianKernel(ctx context.Context, dir string) (Kernel, error) {
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
	// modules.dep is made by the package's postinst (depmod), which an
	// unpacked package never ran.
	ks, _ := filepath.Glob(filepath.Join(root, "lib", "modules", "*", "kernel"))
	for _, k := range ks {
		if err := writeModulesDep(filepath.Dir(k)); err != nil {
			return Kernel{}, err
		}
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

// writeModulesDep writes modules.dep for a module folder from each
// module's "depends=" in its .modinfo section (uncompressed modules only).
func writeModulesDep(dir string) error {
	index := map[string]string{} // name -> path relative to dir
	direct := map[string][]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".ko") {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		name := modName(rel)
		index[name] = rel
		f, err := elf.Open(p)
		if err != nil {
			return fmt.Errorf("module %s: %w", rel, err)
		}
		defer f.Close()
		if sec := f.Section(".modinfo"); sec != nil {
			data, err := sec.Data()
			if err != nil {
				return fmt.Errorf("module %s: %w", rel, err)
			}
			for _, kv := range bytes.Split(data, []byte{0}) {
				if v, ok := bytes.CutPrefix(kv, []byte("depends=")); ok && len(v) > 0 {
					for _, dep := range strings.Split(string(v), ",") {
						direct[name] = append(direct[name], strings.ReplaceAll(dep, "-", "_"))
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	names := make([]string, 0, len(index))
	for n := range index {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		// All dependencies, transitively, as depmod lists them.
		seen := map[string]bool{n: true}
		var deps []string
		queue := append([]string(nil), direct[n]...)
		for len(queue) > 0 {
			d := queue[0]
			queue = queue[1:]
			if seen[d] || index[d] == "" {
				continue
			}
			seen[d] = true
			deps = append(deps, index[d])
			queue = append(queue, direct[d]...)
		}
		b.WriteString(index[n] + ":")
		for _, d := range deps {
			b.WriteString(" " + d)
		}
		b.WriteString("\n")
	}
	return os.WriteFile(filepath.Join(dir, "modules.dep"), []byte(b.String()), 0o644)
}
