package appliance

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// rpmBackend asks the rpm command (one query for the whole database) about
// the packages installed under a root.
type rpmBackend struct {
	root   string
	dbpath string // inside root

	loaded   bool
	err      error
	pkgs     map[string]*rpmPkg
	provides map[string][]*rpmPkg
	owners   map[string][]*rpmPkg // file path -> owning packages
}

type rpmPkg struct {
	name, version, arch string
	requires            []string
	files               []File
}

// rpmDBPath returns the rpm database folder under root ("" if none).
func rpmDBPath(root string) string {
	for _, d := range []string{"usr/lib/sysimage/rpm", "var/lib/rpm"} {
		for _, f := range []string{"rpmdb.sqlite", "Packages", "Packages.db"} {
			if isFile(filepath.Join(root, d, f)) {
				return "/" + d
			}
		}
	}
	return ""
}

func newRPM(root string) *rpmBackend {
	db := rpmDBPath(root)
	if db == "" {
		db = "/var/lib/rpm"
	}
	return &rpmBackend{root: root, dbpath: db}
}

// Name implements Backend.
func (r *rpmBackend) Name() string { return "rpm" }

// DatabaseFiles implements Backend.
func (r *rpmBackend) DatabaseFiles() []string {
	var out []string
	for _, f := range []string{"rpmdb.sqlite", "Packages", "Packages.db"} {
		if p := filepath.Join(r.root, r.dbpath, f); isFile(p) {
			out = append(out, p)
		}
	}
	return out
}

const rpmQueryFormat = `@\t%{NAME}\t%{EPOCH}\t%{VERSION}-%{RELEASE}\t%{ARCH}\n` +
	`[P\t%{PROVIDENAME}\n]` +
	`[R\t%{REQUIRENAME}\n]` +
	`[F\t%{FILEFLAGS}\t%{=FILEDIGESTALGO}\t%{FILEDIGESTS}\t%{FILENAMES}\n]`

// rpmDigestAlgos maps rpm's PGP hash numbers to names.
var rpmDigestAlgos = map[string]string{"1": "md5", "2": "sha1", "8": "sha256", "9": "sha384", "10": "sha512"}

func (r *rpmBackend) load(ctx context.Context) error {
	if r.loaded {
		return r.err
	}
	r.loaded = true
	args := []string{"--root", r.root, "--dbpath", r.dbpath, "-qa", "--qf", rpmQueryFormat}
	cmd := exec.CommandContext(ctx, "rpm", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		r.err = fmt.Errorf("query the rpm database under %s: rpm: %v: %s", r.root, err, bytes.TrimSpace(stderr.Bytes()))
		return r.err
	}
	r.pkgs = map[string]*rpmPkg{}
	r.provides = map[string][]*rpmPkg{}
	r.owners = map[string][]*rpmPkg{}
	var cur *rpmPkg
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		switch f[0] {
		case "@":
			if len(f) < 5 {
				continue
			}
			ver := f[3]
			if f[2] != "(none)" {
				ver = f[2] + ":" + ver
			}
			cur = &rpmPkg{name: f[1], version: ver, arch: f[4]}
			// Several arches of one name: prefer noarch, then the host's.
			if old := r.pkgs[cur.name]; old == nil || rpmArchWeight(cur.arch) > rpmArchWeight(old.arch) {
				r.pkgs[cur.name] = cur
			}
			r.provides[cur.name] = append(r.provides[cur.name], cur)
		case "P":
			if cur != nil && len(f) > 1 && f[1] != "(none)" {
				r.provides[f[1]] = append(r.provides[f[1]], cur)
			}
		case "R":
			if cur != nil && len(f) > 1 && f[1] != "(none)" && !strings.HasPrefix(f[1], "rpmlib(") {
				cur.requires = append(cur.requires, f[1])
			}
		case "F":
			if cur == nil || len(f) < 5 || !strings.HasPrefix(f[4], "/") {
				continue
			}
			flags, _ := strconv.Atoi(f[1])
			file := File{Path: f[4], Config: flags&1 != 0}
			if f[3] != "" {
				if algo, ok := rpmDigestAlgos[f[2]]; ok {
					file.Digest = algo + ":" + f[3]
				} else if f[2] == "(none)" {
					file.Digest = "md5:" + f[3]
				}
			}
			cur.files = append(cur.files, file)
			r.owners[file.Path] = append(r.owners[file.Path], cur)
		}
	}
	return sc.Err()
}

func rpmArchWeight(a string) int {
	switch a {
	case "noarch":
		return 100
	case "x86_64", "aarch64", "ppc64le", "s390x":
		return 50
	}
	return 0
}

// provider picks the installed package satisfying a requirement: by
// name, by a Provides, or (for paths) by file ownership; several: the
// shortest name, then the first by name.
func (r *rpmBackend) provider(req string) *rpmPkg {
	if p := r.pkgs[req]; p != nil {
		return p
	}
	cands := r.provides[req]
	if len(cands) == 0 && strings.HasPrefix(req, "/") {
		cands = r.owners[req]
	}
	if len(cands) == 0 {
		return nil
	}
	best := cands[0]
	for _, c := range cands[1:] {
		if len(c.name) < len(best.name) || (len(c.name) == len(best.name) && c.name < best.name) {
			best = c
		}
	}
	return best
}

// Resolve implements Backend.
func (r *rpmBackend) Resolve(ctx context.Context, names []string) ([]Package, []string, error) {
	if err := r.load(ctx); err != nil {
		return nil, nil, err
	}
	var roots, missing []string
	for _, n := range names {
		if p := r.provider(n); p != nil {
			roots = append(roots, p.name)
		} else {
			missing = append(missing, n)
		}
	}
	all := closure(roots, func(n string) []string {
		var out []string
		for _, req := range r.pkgs[n].requires {
			if p := r.provider(req); p != nil {
				out = append(out, p.name)
			}
		}
		return out
	})
	out := make([]Package, len(all))
	for i, n := range all {
		p := r.pkgs[n]
		out[i] = Package{Name: p.name, Version: p.version, Arch: p.arch}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, missing, nil
}

// Files implements Backend.
func (r *rpmBackend) Files(ctx context.Context, pkgs []Package) ([]File, error) {
	if err := r.load(ctx); err != nil {
		return nil, err
	}
	var out []File
	for _, p := range pkgs {
		rp := r.pkgs[p.Name]
		if rp == nil {
			return nil, fmt.Errorf("files of %s: not installed", p.Name)
		}
		out = append(out, rp.files...)
	}
	return out, nil
}

// Pristine needs the package file; rpm-based hosts fetch it with dnf.
func (r *rpmBackend) Pristine(ctx context.Context, p Package, files []string, dir string) error {
	if r.root != "/" {
		return fmt.Errorf("%s: configuration files %s differ from the package and packages cannot be fetched for a root other than /", p, strings.Join(files, ", "))
	}
	dnf, err := exec.LookPath("dnf")
	if err != nil {
		return fmt.Errorf("%s: configuration files %s differ from the package and dnf is not installed to fetch it", p, strings.Join(files, ", "))
	}
	tmp, err := os.MkdirTemp("", "govirt-rpm-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	nevra := p.Name + "-" + p.Version + "." + p.Arch
	if out, err := exec.CommandContext(ctx, dnf, "download", "-q", "--destdir", tmp, nevra).CombinedOutput(); err != nil {
		return fmt.Errorf("%s: dnf download: %v: %s", p, err, bytes.TrimSpace(out))
	}
	rpms, _ := filepath.Glob(filepath.Join(tmp, "*.rpm"))
	if len(rpms) != 1 {
		return fmt.Errorf("%s: dnf download fetched %d packages", p, len(rpms))
	}
	want := map[string]bool{}
	for _, f := range files {
		want[strings.TrimPrefix(f, "/")] = true
	}
	return extractRPM(ctx, rpms[0], dir, func(n string) bool { return want[n] })
}
