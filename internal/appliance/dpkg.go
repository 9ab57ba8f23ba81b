package appliance

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
)

// dpkg reads Debian's package database directly (/var/lib/dpkg/status,
// info/*.list, diversions): no dpkg-query process per package.
type dpkg struct {
	root  string
	admin string

	loaded   bool
	err      error
	native   string
	pkgs     map[string]*debPkg   // by name (native or all arch preferred)
	provides map[string][]*debPkg // virtual name -> providers
	divert   map[string]string    // diverted path -> where the file really is
}

type debPkg struct {
	name, version, arch string
	deps                []string // dependency groups, "a|b|c"
	size                int      // Installed-Size, KiB
	conffiles           map[string]string
}

func newDpkg(root string) *dpkg {
	return &dpkg{root: root, admin: filepath.Join(root, "var/lib/dpkg")}
}

// Name implements Backend.
func (d *dpkg) Name() string { return "dpkg" }

// DatabaseFiles implements Backend.
func (d *dpkg) DatabaseFiles() []string {
	return []string{filepath.Join(d.admin, "status"), filepath.Join(d.admin, "diversions")}
}

func debArch() string {
	switch runtime.GOARCH {
	case "386":
		return "i386"
	case "arm":
		return "armhf"
	case "ppc64le":
		return "ppc64el"
	}
	return runtime.GOARCH
}

func (d *dpkg) load() error {
	if d.loaded {
		return d.err
	}
	d.loaded = true
	b, err := os.ReadFile(filepath.Join(d.admin, "status"))
	if err != nil {
		d.err = fmt.Errorf("read dpkg database: %w", err)
		return d.err
	}
	d.pkgs = map[string]*debPkg{}
	d.provides = map[string][]*debPkg{}
	d.native = debArch()
	type stanza = map[string]string
	var all []stanza
	for _, para := range bytes.Split(b, []byte("\n\n")) {
		st := stanza{}
		var key string
		for _, line := range strings.Split(string(para), "\n") {
			if line == "" {
				continue
			}
			if line[0] == ' ' || line[0] == '\t' {
				st[key] += "\n" + strings.TrimSpace(line)
				continue
			}
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			key = k
			st[k] = strings.TrimSpace(v)
		}
		if st["Package"] != "" {
			all = append(all, st)
		}
	}
	for _, st := range all {
		if st["Package"] == "dpkg" && st["Architecture"] != "" {
			d.native = st["Architecture"]
		}
	}
	for _, st := range all {
		if !strings.HasSuffix(st["Status"], " installed") {
			continue
		}
		arch := st["Architecture"]
		if arch != d.native && arch != "all" {
			continue // multiarch: only the native architecture and all
		}
		p := &debPkg{name: st["Package"], version: st["Version"], arch: arch, conffiles: map[string]string{}}
		p.size, _ = strconv.Atoi(st["Installed-Size"])
		for _, f := range []string{"Pre-Depends", "Depends"} {
			for _, g := range strings.Split(st[f], ",") {
				var alts []string
				for _, a := range strings.Split(g, "|") {
					if n := depName(a); n != "" {
						alts = append(alts, n)
					}
				}
				if len(alts) > 0 {
					p.deps = append(p.deps, strings.Join(alts, "|"))
				}
			}
		}
		for _, line := range strings.Split(st["Conffiles"], "\n") {
			f := strings.Fields(line)
			if len(f) >= 2 && strings.HasPrefix(f[0], "/") {
				if len(f) >= 3 && f[2] == "obsolete" {
					continue
				}
				p.conffiles[f[0]] = f[1]
			}
		}
		d.pkgs[p.name] = p
		for _, v := range strings.Split(st["Provides"], ",") {
			if n := depName(v); n != "" {
				d.provides[n] = append(d.provides[n], p)
			}
		}
	}
	d.divert = map[string]string{}
	if db, err := os.ReadFile(filepath.Join(d.admin, "diversions")); err == nil {
		lines := strings.Split(string(db), "\n")
		for i := 0; i+2 < len(lines); i += 3 {
			d.divert[lines[i]] = lines[i+1]
		}
	}
	return nil
}

// depName strips a dependency's version, architecture qualifier and
// restrictions: "python3:any (>= 3.9) [amd64]" -> "python3".
func depName(s string) string {
	if i := strings.IndexAny(s, "([<"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	return s
}

// lookup maps a name to an installed package, through Provides when no
// package has that name; several providers: the smallest (mawk rather
// than gawk for awk), then the first by name.
func (d *dpkg) lookup(name string) *debPkg {
	if p := d.pkgs[name]; p != nil {
		return p
	}
	prov := d.provides[name]
	if len(prov) == 0 {
		return nil
	}
	sort.Slice(prov, func(i, j int) bool {
		if prov[i].size != prov[j].size {
			return prov[i].size < prov[j].size
		}
		return prov[i].name < prov[j].name
	})
	return prov[0]
}

// Resolve implements Backend.
func (d *dpkg) Resolve(ctx context.Context, names []string) ([]Package, []string, error) {
	if err := d.load(); err != nil {
		return nil, nil, err
	}
	var roots, missing []string
	for _, n := range names {
		if p := d.lookup(n); p != nil {
			roots = append(roots, p.name)
		} else {
			missing = append(missing, n)
		}
	}
	names = closure(roots, func(n string) []string {
		var out []string
		for _, g := range d.pkgs[n].deps {
			// The first alternative that is installed (by name or through
			// Provides) satisfies the group.
			for _, alt := range strings.Split(g, "|") {
				if p := d.lookup(alt); p != nil {
					out = append(out, p.name)
					break
				}
			}
		}
		return out
	})
	out := make([]Package, len(names))
	for i, n := range names {
		p := d.pkgs[n]
		out[i] = Package{Name: p.name, Version: p.version, Arch: p.arch}
	}
	return out, missing, nil
}

func (d *dpkg) listFile(p Package) string {
	for _, n := range []string{p.Name + ":" + p.Arch + ".list", p.Name + ".list"} {
		if f := filepath.Join(d.admin, "info", n); isFile(f) {
			return f
		}
	}
	return filepath.Join(d.admin, "info", p.Name+".list")
}

// Files implements Backend.
func (d *dpkg) Files(ctx context.Context, pkgs []Package) ([]File, error) {
	if err := d.load(); err != nil {
		return nil, err
	}
	var out []File
	for _, p := range pkgs {
		f, err := os.Open(d.listFile(p))
		if err != nil {
			return nil, fmt.Errorf("files of %s: %w", p.Name, err)
		}
		conf := d.pkgs[p.Name].conffiles
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := sc.Text()
			if !strings.HasPrefix(line, "/") || line == "/." {
				continue
			}
			file := File{Path: line}
			if md5, ok := conf[line]; ok {
				file.Config = true
				file.Digest = "md5:" + md5
			}
			if to, ok := d.divert[line]; ok {
				file.Source = to
			}
			out = append(out, file)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("files of %s: %w", p.Name, err)
		}
	}
	return out, nil
}

// Pristine extracts configuration files from the package's .deb: the one
// in apt's cache, else one apt-get downloads (the installed version, not
// the candidate).
func (d *dpkg) Pristine(ctx context.Context, p Package, files []string, dir string) error {
	ver := strings.ReplaceAll(url.PathEscape(p.Version), ":", "%3a")
	deb := filepath.Join(d.root, "var/cache/apt/archives", p.Name+"_"+ver+"_"+p.Arch+".deb")
	if !isFile(deb) {
		if d.root != "/" {
			return fmt.Errorf("%s: modified configuration files %s and no %s to take the originals from", p, strings.Join(files, ", "), deb)
		}
		tmp, err := os.MkdirTemp("", "govirt-deb-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		cmd := exec.CommandContext(ctx, "apt-get", "-q", "-q", "download", p.Name+":"+p.Arch+"="+p.Version)
		cmd.Dir = tmp
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%s: fetch the package for its original configuration files (%s): apt-get download: %v: %s", p, strings.Join(files, ", "), err, bytes.TrimSpace(out))
		}
		debs, _ := filepath.Glob(filepath.Join(tmp, "*.deb"))
		if len(debs) != 1 {
			return fmt.Errorf("%s: apt-get download fetched %d packages", p, len(debs))
		}
		deb = debs[0]
	}
	cmd := exec.CommandContext(ctx, "dpkg-deb", "--fsys-tarfile", deb)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("dpkg-deb: %w", err)
	}
	want := map[string]bool{}
	for _, f := range files {
		want[strings.TrimPrefix(f, "/")] = true
	}
	err = extractTar(out, dir, func(name string) bool { return want[name] })
	io.Copy(io.Discard, out)
	if werr := cmd.Wait(); werr != nil && err == nil {
		err = fmt.Errorf("dpkg-deb --fsys-tarfile %s: %v: %s", deb, werr, bytes.TrimSpace(stderr.Bytes()))
	}
	return err
}

// extractTar writes the regular files of a tar stream that keep accepts
// into dir.
func extractTar(r io.Reader, dir string, keep func(name string) bool) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(filepath.Clean("/"+h.Name), "/")
		if h.Typeflag != tar.TypeReg || !keep(name) {
			continue
		}
		dst := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		f, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, os.FileMode(h.Mode)&0o7777)
		if err != nil {
			return err
		}
		_, err = io.Copy(f, tr)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
}
