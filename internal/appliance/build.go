package appliance

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Formats a description can be built to.
const (
	FormatExt2   = "ext2"
	FormatInitrd = "initrd"
	FormatChroot = "chroot"
)

// BuildOptions tune Build.
type BuildOptions struct {
	Host   Host
	Format string // FormatExt2 (default), FormatInitrd or FormatChroot
	// Kernel overrides the host's kernel (Path, and optionally Version and
	// Modules); $GOVIRT_KERNEL and $GOVIRT_MODULES do the same.
	Kernel Kernel
	// Size is the minimum size of an ext2 root in bytes (0: what the files
	// need plus some room).
	Size int64
	// Force rebuilds even when the cached appliance is up to date.
	Force bool
	// Modules, when not nil, replaces DefaultModules (the description's
	// "modules" file still adds to it).
	Modules []string
	// NoInit leaves govirt's init out of an initrd appliance: the
	// description supplies its own /init (which finds the modules to load
	// listed in /etc/govirt/modules).
	NoInit bool
	// Progress receives progress lines (nil: none).
	Progress io.Writer
}

// Result tells what Build did.
type Result struct {
	Out      string
	UpToDate bool // nothing to do: the appliance in Out is current
	Stamp    *Stamp
	Elapsed  time.Duration
}

// Build builds the appliance described by desc (description folders or
// files) into out, unless out already holds the same build. Out is a
// folder: for ext2, out/kernel, out/initrd and out/root; for initrd,
// out/kernel and out/initrd; for chroot, the tree itself. Each holds
// StampFile.
func Build(ctx context.Context, desc []string, out string, o BuildOptions) (*Result, error) {
	start := time.Now()
	if o.Format == "" {
		o.Format = FormatExt2
	}
	switch o.Format {
	case FormatExt2, FormatInitrd, FormatChroot:
	case "fs", "filesystem":
		o.Format = FormatExt2
	default:
		return nil, fmt.Errorf("unknown appliance format %q (use ext2, initrd or chroot)", o.Format)
	}
	if o.Kernel.Path == "" {
		o.Kernel.Path = os.Getenv("GOVIRT_KERNEL")
	}
	if o.Kernel.Modules == "" {
		o.Kernel.Modules = os.Getenv("GOVIRT_MODULES")
	}
	pr := newProgress(o.Progress)
	out = filepath.Clean(out)
	d, err := ReadDescription(desc...)
	if err != nil {
		return nil, err
	}
	unlock, err := lockFor(out)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := replaceable(out, StampFile); err != nil {
		return nil, err
	}

	be, err := OpenBackend(o.Host)
	if err != nil {
		return nil, err
	}
	var k *Kernel
	if o.Format != FormatChroot {
		if k, err = FindKernel(o.Host, o.Kernel); err != nil {
			return nil, err
		}
	}
	// The cache check: options plus content hashes of every input.
	inputs := append([]string(nil), d.Files...)
	inputs = append(inputs, be.DatabaseFiles()...)
	if o.Modules == nil {
		o.Modules = DefaultModules
	}
	opts := fmt.Sprintf("format=%s size=%d backend=%s root=%s init=%s/%v modules=%s ondemand=%s", o.Format, o.Size, be.Name(), o.Host.root(), initHashOnce(), o.NoInit, strings.Join(o.Modules, ","), strings.Join(OnDemandModules, ","))
	if k != nil {
		inputs = append(inputs, k.Path, filepath.Join(k.Modules, "modules.dep"))
		opts += " kernel=" + k.Path + " version=" + k.Version
	}
	for _, g := range d.HostFiles {
		m, _ := filepath.Glob(o.Host.path(g))
		inputs = append(inputs, m...)
	}
	prev, _ := ReadStamp(out)
	hashed, err := hashInputs(inputs, prev)
	if err != nil {
		return nil, err
	}
	key := cacheKey(opts, hashed)
	if prev != nil && prev.Key == key && !o.Force && outputsPresent(out, prev.Format) {
		if !sameInputs(prev.Inputs, hashed) {
			// Same content, new times (a touch): remember the new times so
			// the next check hashes nothing.
			prev.Inputs = hashed
			writeStamp(out, prev)
		}
		return &Result{Out: out, UpToDate: true, Stamp: prev, Elapsed: time.Since(start)}, nil
	}

	// Assemble the tree.
	t := newTree(o.Host, pr.warn)
	for _, b := range d.Bases {
		if err := t.addBase(b); err != nil {
			return nil, err
		}
	}
	var pkgs []Package
	if len(d.Packages) > 0 {
		var missing []string
		pkgs, missing, err = be.Resolve(ctx, d.Packages)
		if err != nil {
			return nil, err
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("the description names packages this host does not have installed: %s (install them, or prepare the description again)", strings.Join(missing, ", "))
		}
	}
	files, err := be.Files(ctx, pkgs)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, f := range files {
		if f.Config || excluded(d.Excludes, f.Path) {
			continue
		}
		if err := t.addHost(f.Path, f.Source); err != nil {
			return nil, fmt.Errorf("%s: %w", f.Path, err)
		}
		n++
		if n%500 == 0 {
			pr.status("collecting files: %d", n)
		}
	}
	for _, g := range d.HostFiles {
		m, _ := filepath.Glob(o.Host.path(g))
		for _, p := range m {
			rp, _ := filepath.Rel(o.Host.root(), p)
			if err := t.addHost("/"+rp, ""); err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
		}
	}
	t.skeleton()
	t.accounts()
	pr.stage("collected %d files of %d packages", len(t.items), len(pkgs))

	tmp, err := os.MkdirTemp(filepath.Dir(out), "."+filepath.Base(out)+".tmp-")
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", out, err)
	}
	done := false
	defer func() {
		if !done {
			removeAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, err
	}
	st := &Stamp{Key: key, Format: o.Format, Inputs: hashed}
	for _, p := range pkgs {
		st.Packages = append(st.Packages, p.String())
	}
	b := &builder{t: t, k: k, d: d, pr: pr, dir: tmp, opt: o}
	if err := b.build(ctx, st); err != nil {
		return nil, err
	}
	if err := writeStamp(tmp, st); err != nil {
		return nil, err
	}
	if err := replaceDir(tmp, out); err != nil {
		return nil, err
	}
	done = true
	el := time.Since(start)
	pr.stage("built %s (%s, %d files, %s) in %v", out, o.Format, st.Files, mib(st.Bytes), el.Round(time.Millisecond))
	return &Result{Out: out, Stamp: st, Elapsed: el}, nil
}

func sameInputs(a, b []stampInput) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func outputsPresent(out, format string) bool {
	switch format {
	case FormatExt2:
		return isFile(filepath.Join(out, "kernel")) && isFile(filepath.Join(out, "initrd")) && isFile(filepath.Join(out, "root"))
	case FormatInitrd:
		return isFile(filepath.Join(out, "kernel")) && isFile(filepath.Join(out, "initrd"))
	}
	st, err := os.Stat(out)
	return err == nil && st.IsDir()
}

func writeStamp(dir string, s *Stamp) error {
	b, err := json.MarshalIndent(s, "", " ")
	if err != nil {
		return err
	}
	p := filepath.Join(dir, StampFile)
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("write stamp: %w", err)
	}
	return os.Rename(tmp, p)
}

func excluded(patterns []string, p string) bool {
	for _, e := range patterns {
		if matchExclude(e, p) {
			return true
		}
	}
	return false
}

// builder writes one appliance.
type builder struct {
	t   *tree
	k   *Kernel
	d   *Description
	pr  *progress
	dir string
	opt BuildOptions
}

func (b *builder) build(ctx context.Context, st *Stamp) error {
	if b.k != nil {
		st.Kernel, st.KernelVersion = b.k.Path, b.k.Version
	}
	if b.opt.Format == FormatChroot {
		return b.writeChroot(st)
	}
	var initBin string
	if !b.opt.NoInit || b.opt.Format == FormatExt2 {
		var err error
		if initBin, err = InitBinary(ctx); err != nil {
			return err
		}
	}
	ix, err := readModulesDep(b.k.Modules)
	if err != nil {
		return err
	}
	mods := ix.selectModules(append(append([]string(nil), b.opt.Modules...), b.d.Modules...))
	for _, in := range st.Inputs {
		if in.Path == b.k.Path && len(in.Sum) >= 24 {
			st.KernelSum = in.Sum
			// Warm the shared cache of the kernel's uncompressed payload,
			// which Run boots instead of the bzImage.
			_, st.KernelELF = directKernel(b.k.Path, in.Sum)
		}
	}
	if err := copyFile(b.k.Path, filepath.Join(b.dir, "kernel")); err != nil {
		return fmt.Errorf("copy the kernel: %w", err)
	}
	if b.opt.Format == FormatExt2 {
		// The initrd loads these already: the root need not hold them.
		boot := map[string]bool{}
		for _, m := range ix.selectModules(BootModules) {
			boot[m] = true
		}
		var rest []string
		for _, m := range mods {
			if !boot[m] {
				rest = append(rest, m)
			}
		}
		mods = rest
	}
	var demand []string
	if !b.opt.NoInit {
		loaded := map[string]bool{}
		for _, m := range mods {
			loaded[m] = true
		}
		if b.opt.Format == FormatExt2 {
			for _, m := range ix.selectModules(BootModules) {
				loaded[m] = true
			}
		}
		for _, m := range ix.selectModules(OnDemandModules) {
			if !loaded[m] {
				demand = append(demand, m)
			}
		}
	}
	if err := b.addModules(mods); err != nil {
		return err
	}
	if err := b.addOnDemand(ix, demand); err != nil {
		return err
	}
	switch b.opt.Format {
	case FormatInitrd:
		if !b.opt.NoInit {
			if err := b.addInit(initBin); err != nil {
				return err
			}
		} else if _, ok := b.t.items["init"]; !ok {
			return fmt.Errorf("the description has no /init, and the build was told to add none")
		}
		return b.writeInitrd(filepath.Join(b.dir, "initrd"), b.t.sorted(), st)
	default:
		// The root, then a minimal initrd to reach it.
		if err := b.writeExt2(filepath.Join(b.dir, "root"), st); err != nil {
			return err
		}
		boot := newTree(Host{Root: "/nonexistent"}, b.pr.warn)
		bt := &builder{t: boot, k: b.k, d: b.d, pr: b.pr, dir: b.dir, opt: b.opt}
		if err := bt.addModules(ix.selectModules(BootModules)); err != nil {
			return err
		}
		if err := bt.addInit(initBin); err != nil {
			return err
		}
		var ist Stamp
		return bt.writeInitrd(filepath.Join(b.dir, "initrd"), boot.sorted(), &ist)
	}
}

// addModules adds kernel modules under lib/modules/VERSION and the list
// the init loads.
func (b *builder) addModules(mods []string) error {
	base := "lib/modules/" + b.k.Version
	for _, m := range mods {
		src := filepath.Join(b.k.Modules, m)
		fi, err := os.Stat(src)
		if err != nil {
			return fmt.Errorf("kernel module %s: %w", m, err)
		}
		dst := path.Join(base, m)
		dir, err := b.t.resolveDir(path.Dir(dst), 0)
		if err != nil {
			return err
		}
		dst = path.Join(dir, path.Base(dst))
		it := &item{path: dst, mode: 0o644, size: fi.Size(), mtime: fi.ModTime(), src: src}
		b.t.items[dst] = it
	}
	list := []byte(strings.Join(mods, "\n") + "\n")
	b.t.ensureParents("etc/govirt/modules")
	if it := b.t.items["etc/govirt"]; it != nil && it.placeholder {
		it.placeholder = false
	}
	b.t.items["etc/govirt/modules"] = &item{path: "etc/govirt/modules", mode: 0o644, data: list, size: int64(len(list))}
	return nil
}

// addOnDemand adds modules that the init loads when the kernel asks for
// them, with the dependency and alias lists it needs for that
// (etc/govirt/modules.dep and etc/govirt/modules.alias).
func (b *builder) addOnDemand(ix *modIndex, mods []string) error {
	if len(mods) == 0 {
		return nil
	}
	base := "lib/modules/" + b.k.Version
	names := map[string]bool{}
	var dep strings.Builder
	for _, m := range mods {
		src := filepath.Join(b.k.Modules, m)
		fi, err := os.Stat(src)
		if err != nil {
			return fmt.Errorf("kernel module %s: %w", m, err)
		}
		dir, err := b.t.resolveDir(path.Dir(path.Join(base, m)), 0)
		if err != nil {
			return err
		}
		dst := path.Join(dir, path.Base(m))
		b.t.items[dst] = &item{path: dst, mode: 0o644, size: fi.Size(), mtime: fi.ModTime(), src: src}
		names[modName(m)] = true
		dep.WriteString(m + ":")
		for _, d := range ix.deps[m] {
			dep.WriteString(" " + d)
		}
		dep.WriteString("\n")
	}
	aliases, err := readModulesAlias(b.k.Modules)
	if err != nil {
		return err
	}
	var al strings.Builder
	for _, a := range aliases {
		if names[a[1]] {
			al.WriteString("alias " + a[0] + " " + a[1] + "\n")
		}
	}
	for name, data := range map[string]string{"etc/govirt/modules.dep": dep.String(), "etc/govirt/modules.alias": al.String()} {
		b.t.items[name] = &item{path: name, mode: 0o644, data: []byte(data), size: int64(len(data))}
	}
	return nil
}

func (b *builder) addInit(initBin string) error {
	fi, err := os.Stat(initBin)
	if err != nil {
		return fmt.Errorf("appliance init: %w", err)
	}
	b.t.items["init"] = &item{path: "init", mode: 0o755, size: fi.Size(), mtime: fi.ModTime(), src: initBin}
	return nil
}

// copyFile copies a file, keeping holes (never a hard link: that would
// change the host file's link count and ctime).
func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return writeSparse(dst, b)
}

// replaceable refuses to replace an existing folder that is not empty
// and lacks marker: a mistyped -o must not wipe someone's files.
func replaceable(out, marker string) error {
	ents, err := os.ReadDir(out)
	if err != nil || len(ents) == 0 {
		return nil
	}
	if _, err := os.Lstat(filepath.Join(out, marker)); err == nil {
		return nil
	}
	return fmt.Errorf("%s exists and was not written by govirt appliance (no %s in it): remove it or choose another output folder", out, marker)
}
