package appliance

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Kernel is the kernel an appliance boots, with its modules.
type Kernel struct {
	Path    string // the kernel image
	Version string // its release (uname -r)
	Modules string // its module folder (/lib/modules/VERSION)
}

// FindKernel chooses the kernel: the override when it names one (its
// version read from the image, its modules in /lib/modules/VERSION unless
// given), else the newest bootable kernel of the host that has modules.
func FindKernel(h Host, override Kernel) (*Kernel, error) {
	if override.Path != "" {
		k := override
		if err := readable(k.Path); err != nil {
			return nil, err
		}
		if k.Version == "" {
			v, err := kernelVersion(k.Path)
			if err != nil && k.Modules != "" {
				v = filepath.Base(k.Modules)
			} else if err != nil {
				return nil, fmt.Errorf("kernel %s: %w; give its module folder (--modules-dir)", k.Path, err)
			}
			k.Version = v
		}
		if k.Modules == "" {
			k.Modules = h.path("/lib/modules/" + k.Version)
		}
		if !isFile(filepath.Join(k.Modules, "modules.dep")) {
			return nil, fmt.Errorf("kernel %s: no modules.dep in %s (is its modules package installed, or depmod not run?)", k.Path, k.Modules)
		}
		return &k, nil
	}
	type cand struct{ path, ver string }
	var cands []cand
	mods, _ := filepath.Glob(h.path("/lib/modules/*/vmlinuz"))
	for _, m := range mods {
		cands = append(cands, cand{m, filepath.Base(filepath.Dir(m))})
	}
	boots, _ := filepath.Glob(h.path("/boot/vmlinu[xz]-*"))
	for _, b := range boots {
		cands = append(cands, cand{b, strings.TrimPrefix(strings.TrimPrefix(filepath.Base(b), "vmlinuz-"), "vmlinux-")})
	}
	var ok []cand
	for _, c := range cands {
		n := filepath.Base(c.path) + " " + c.ver
		if strings.Contains(n, "xen") || strings.Contains(n, "zfcpdump") || strings.Contains(n, "+debug") || strings.HasSuffix(c.ver, "-dbg") {
			continue
		}
		if st, err := os.Stat(c.path); err != nil || st.Size() < 10000 {
			continue
		}
		if !isFile(h.path("/lib/modules/" + c.ver + "/modules.dep")) {
			continue
		}
		ok = append(ok, c)
	}
	if len(ok) == 0 {
		return nil, fmt.Errorf("no kernel found on this host (looked for /boot/vmlinuz-VERSION and /lib/modules/VERSION/vmlinuz with modules.dep): install one (apt-get install linux-image-amd64) or give --kernel")
	}
	sort.Slice(ok, func(i, j int) bool { return versionLess(ok[j].ver, ok[i].ver) })
	k := &Kernel{Path: ok[0].path, Version: ok[0].ver, Modules: h.path("/lib/modules/" + ok[0].ver)}
	if err := readable(k.Path); err != nil {
		return nil, err
	}
	return k, nil
}

func readable(p string) error {
	f, err := os.Open(p)
	if err != nil {
		if os.IsPermission(err) {
			return fmt.Errorf("kernel %s is not readable by you (some distributions install kernels 0600): run `sudo chmod 0644 %s`, or give --kernel a readable copy", p, p)
		}
		return fmt.Errorf("kernel: %w", err)
	}
	return f.Close()
}

// kernelVersion reads the release string from an x86 bzImage header.
func kernelVersion(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	hdr := make([]byte, 1024)
	if _, err := f.ReadAt(hdr, 0); err != nil {
		return "", fmt.Errorf("read kernel header: %w", err)
	}
	if string(hdr[514:518]) != "HdrS" || binary.LittleEndian.Uint16(hdr[518:]) < 0x1ff {
		return "", fmt.Errorf("not an x86 bzImage, cannot read its version")
	}
	off := int64(binary.LittleEndian.Uint16(hdr[526:])) + 0x200
	buf := make([]byte, 132)
	if _, err := f.ReadAt(buf, off); err != nil {
		return "", err
	}
	if i := bytes.IndexAny(buf, "\x00 \t\n"); i >= 0 {
		buf = buf[:i]
	}
	if len(buf) == 0 {
		return "", fmt.Errorf("empty version string in kernel header")
	}
	return string(buf), nil
}

// versionLess compares versions by runs of digits (numerically) and of
// other characters.
func versionLess(a, b string) bool {
	ta, tb := vtokens(a), vtokens(b)
	for i := 0; i < len(ta) && i < len(tb); i++ {
		x, y := ta[i], tb[i]
		if isDigits(x) && isDigits(y) {
			x, y = strings.TrimLeft(x, "0"), strings.TrimLeft(y, "0")
			if len(x) != len(y) {
				return len(x) < len(y)
			}
		}
		if x != y {
			return x < y
		}
	}
	return len(ta) < len(tb)
}

func isDigits(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

func vtokens(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		j := i + 1
		switch {
		case s[i] >= '0' && s[i] <= '9':
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
		case isAlnum(s[i]):
			for j < len(s) && isAlnum(s[j]) && !(s[j] >= '0' && s[j] <= '9') {
				j++
			}
		}
		out = append(out, s[i:j])
		i = j
	}
	return out
}

// modIndex is a kernel's modules.dep.
type modIndex struct {
	deps   map[string][]string // relative path -> dependency paths
	byName map[string]string   // normalised name -> relative path
	names  []string
}

// modName normalises a module file name: "kernel/fs/ext4/ext4.ko.xz" -> "ext4".
func modName(p string) string {
	b := path.Base(p)
	if i := strings.Index(b, ".ko"); i >= 0 {
		b = b[:i]
	}
	return strings.ReplaceAll(b, "-", "_")
}

func readModulesDep(dir string) (*modIndex, error) {
	f, err := os.Open(filepath.Join(dir, "modules.dep"))
	if err != nil {
		return nil, fmt.Errorf("kernel modules: %w", err)
	}
	defer f.Close()
	ix := &modIndex{deps: map[string][]string{}, byName: map[string]string{}}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		mod, deps, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue // not a dependency line
		}
		ix.deps[mod] = strings.Fields(deps)
		n := modName(mod)
		ix.byName[n] = mod
		ix.names = append(ix.names, n)
	}
	return ix, sc.Err()
}

// selectModules returns the modules matching patterns (names or globs) and
// their dependencies, dependencies first. Patterns that match nothing
// are built into the kernel or absent: they are ignored.
func (ix *modIndex) selectModules(patterns []string) []string {
	var out []string
	seen := map[string]bool{}
	var visit func(p string, depth int)
	visit = func(p string, depth int) {
		if seen[p] || depth > 64 {
			return
		}
		seen[p] = true
		for _, d := range ix.deps[p] {
			visit(d, depth+1)
		}
		out = append(out, p)
	}
	for _, pat := range patterns {
		pat = strings.ReplaceAll(pat, "-", "_")
		if p, ok := ix.byName[pat]; ok {
			visit(p, 0)
			continue
		}
		var hits []string
		for _, n := range ix.names {
			if ok, _ := path.Match(pat, n); ok {
				hits = append(hits, ix.byName[n])
			}
		}
		sort.Strings(hits)
		for _, h := range hits {
			visit(h, 0)
		}
	}
	return out
}

// BootModules are the modules the ext2 format's initrd loads to reach its
// root (with their dependencies).
var BootModules = []string{"virtio_pci", "virtio_blk", "crc32c_generic", "crc32c_intel", "ext2", "ext4"}

// DefaultModules are the modules every appliance loads at boot (with their
// dependencies); a description's "modules" file adds to them.
var DefaultModules = []string{
	"virtio_pci", "virtio_blk", "virtio_console", "crc32c_generic", "crc32c_intel", "ext4", "overlay",
}

// OnDemandModules are in every appliance (with govirt's init) but loaded
// only when the kernel asks for them (mounting a filesystem of that type
// with -t, or a tool that detects the type first, as util-linux's mount
// does): the init serves as the kernel's modprobe helper.
var OnDemandModules = []string{"vfat", "nls_cp437", "nls_iso8859_1", "nls_utf8", "isofs"}

// readModulesAlias reads a kernel's modules.alias: pattern -> module name.
func readModulesAlias(dir string) ([][2]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "modules.alias"))
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("kernel modules: %w", err)
	}
	var out [][2]string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && f[0] == "alias" {
			out = append(out, [2]string{f[1], strings.ReplaceAll(f[2], "-", "_")})
		}
	}
	return out, nil
}
