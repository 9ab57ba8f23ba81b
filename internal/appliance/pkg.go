package appliance

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Package is one installed package.
type Package struct {
	Name    string
	Version string
	Arch    string
}

// String returns the package as name_version_arch.
func (p Package) String() string { return p.Name + "_" + p.Version + "_" + p.Arch }

// File is one path a package owns.
type File struct {
	Path string // absolute, as the package lists it
	// Config marks a configuration file: it comes from the package's
	// payload (the base archive written by Prepare), never from the host,
	// where an administrator may have edited it.
	Config bool
	// Digest is the package's checksum of the file ("md5:...",
	// "sha256:..."), when the package database records one.
	Digest string
	// Source, when set, is where the file really is on the host (a dpkg
	// diversion).
	Source string
}

// Backend is a package manager as the appliance builder sees it. Backends
// read the installed-package database of a host root and never modify it.
type Backend interface {
	// Name is the backend's name ("dpkg", "rpm").
	Name() string
	// Resolve maps names (package names, or names a package provides) to
	// installed packages and returns the dependency closure, sorted by
	// name. Names that nothing installed provides are returned in
	// missing.
	Resolve(ctx context.Context, names []string) (closure []Package, missing []string, err error)
	// Files lists the files of the packages.
	Files(ctx context.Context, pkgs []Package) ([]File, error)
	// Pristine writes the payload's version of the given configuration
	// files of pkg into dir (same relative paths). Backends that cannot
	// fetch packages return an error naming the files.
	Pristine(ctx context.Context, pkg Package, files []string, dir string) error
	// DatabaseFiles lists the files whose content identifies the state of
	// the package database (hashed for the build cache).
	DatabaseFiles() []string
}

// Host describes where packages and files are read from.
type Host struct {
	// Root is the host's root directory ("/" unless testing).
	Root string
	// Backend forces a backend by name; "" chooses automatically.
	Backend string
}

func (h Host) root() string {
	if h.Root == "" {
		return "/"
	}
	return h.Root
}

// path returns the host location of an absolute appliance path.
func (h Host) path(p string) string { return filepath.Join(h.root(), p) }

// backends lists the known backends with their detection.
var backends = []struct {
	name   string
	detect func(root string) bool
	open   func(root string) Backend
}{
	{"dpkg", func(root string) bool { return isFile(filepath.Join(root, "var/lib/dpkg/status")) }, func(root string) Backend { return newDpkg(root) }},
	{"rpm", func(root string) bool { return rpmDBPath(root) != "" }, func(root string) Backend { return newRPM(root) }},
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// OpenBackend returns the host's package manager: the one forced by
// h.Backend, else the first whose database exists under the root
// (preferring the distribution's own by /etc/os-release when several do).
func OpenBackend(h Host) (Backend, error) {
	root := h.root()
	if h.Backend != "" {
		for _, b := range backends {
			if b.name == h.Backend {
				return b.open(root), nil
			}
		}
		return nil, fmt.Errorf("unknown package backend %q (known: dpkg, rpm)", h.Backend)
	}
	var found []string
	for _, b := range backends {
		if b.detect(root) {
			found = append(found, b.name)
		}
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("no package database found under %s (looked for dpkg's /var/lib/dpkg/status and an rpm database); use --backend", root)
	}
	pick := found[0]
	if len(found) > 1 {
		id := osReleaseIDs(root)
		for _, f := range found {
			if f == "rpm" && (id["fedora"] || id["rhel"] || id["centos"] || id["suse"] || id["opensuse"]) {
				pick = f
			}
		}
	}
	for _, b := range backends {
		if b.name == pick {
			return b.open(root), nil
		}
	}
	return nil, fmt.Errorf("backend %s vanished", pick)
}

func osReleaseIDs(root string) map[string]bool {
	ids := map[string]bool{}
	b, _ := os.ReadFile(filepath.Join(root, "etc/os-release"))
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok || (k != "ID" && k != "ID_LIKE") {
			continue
		}
		for _, f := range strings.Fields(strings.Trim(v, `"'`)) {
			ids[f] = true
		}
	}
	return ids
}

// closure computes the dependency closure of roots over deps, sorted.
func closure(roots []string, deps func(string) []string) []string {
	seen := map[string]bool{}
	queue := append([]string(nil), roots...)
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if seen[n] {
			continue
		}
		seen[n] = true
		queue = append(queue, deps(n)...)
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
