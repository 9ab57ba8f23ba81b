// Package appliance builds small bootable appliances (a kernel, an initrd
// and a root) straight from a list of distribution packages, the supermin
// way: no chroot, no fakeroot, no package installation. The host's
// package manager says which files the packages own; the appliance is
// rebuilt from the host's own copies of those files at the last moment.
//
// Two steps:
//
//   - Prepare resolves package names on the host and writes a small,
//     host-independent description (a folder in supermin's "supermin.d"
//     format: packages, hostfiles, excludefiles, base archives of files
//     that must not come from the host, such as configuration files as
//     the packages ship them).
//   - Build turns a description into an appliance in one of three
//     formats: "ext2" (kernel, a minimal initrd holding only the modules
//     needed to reach the root, and an ext2 root image written by our own
//     code, without root privileges), "initrd" (kernel and one initramfs
//     holding everything) or "chroot" (a directory tree). The init is our
//     own static Go program (package guestinit). Builds are cached by
//     content: a rebuild happens only when the description, the package
//     database, the kernel or the builder changed; the output is replaced
//     atomically under a lock.
//
// Run boots a built appliance under govirt's QEMU driver, runs one command
// inside and streams its output and exit status back over virtio-serial.
//
// Package managers are Backends: dpkg (reads /var/lib/dpkg directly) and
// rpm (one rpm query), chosen by the database found under the host root.
package appliance

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// Description is a parsed appliance description: one or more supermin.d
// style folders (or files). Every file's kind is told by its content, as
// supermin does: a tar archive (plain, gzip or xz) is a base archive,
// lines starting with "/" are host files (globs), lines starting with "-"
// are exclusion patterns, other text is package names. A file named
// "modules" is govirt's own: kernel module names or globs, one a line, to
// add to the appliance's default set.
type Description struct {
	Packages  []string
	HostFiles []string
	Excludes  []string // fnmatch patterns without the leading "-"; "*" matches "/" too
	Modules   []string
	Bases     []string // base archives, in the order they apply
	Files     []string // every file read, for the build cache
}

// ReadDescription reads description folders or files, visiting folders'
// entries in byte-wise name order.
func ReadDescription(inputs ...string) (*Description, error) {
	d := &Description{}
	for _, in := range inputs {
		if err := d.read(in); err != nil {
			return nil, err
		}
	}
	if len(d.Packages) == 0 && len(d.Bases) == 0 && len(d.HostFiles) == 0 {
		return nil, fmt.Errorf("appliance description %s is empty (no packages, base archives or host files): run `govirt appliance prepare PKG... -o DIR` first", strings.Join(inputs, " "))
	}
	return d, nil
}

func (d *Description) read(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("appliance description: %w", err)
	}
	if st.IsDir() {
		ents, err := os.ReadDir(p)
		if err != nil {
			return fmt.Errorf("appliance description: %w", err)
		}
		names := make([]string, 0, len(ents))
		for _, e := range ents {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		for _, n := range names {
			if strings.HasPrefix(n, ".") {
				continue
			}
			if err := d.read(filepath.Join(p, n)); err != nil {
				return err
			}
		}
		return nil
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return fmt.Errorf("appliance description: %w", err)
	}
	d.Files = append(d.Files, p)
	if len(b) == 0 {
		return nil
	}
	if filepath.Base(p) == "modules" {
		d.Modules = append(d.Modules, lines(b)...)
		return nil
	}
	head := b
	switch {
	case bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("appliance description %s: %w", p, err)
		}
		head = make([]byte, 512)
		n, _ := io.ReadFull(zr, head)
		head = head[:n]
	case bytes.HasPrefix(b, []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		out, err := exec.Command("xz", "-dc", p).Output()
		if err != nil {
			return fmt.Errorf("appliance description %s: xz: %w", p, err)
		}
		head = out
	}
	switch {
	case len(head) >= 262 && string(head[257:262]) == "ustar":
		d.Bases = append(d.Bases, p)
	case bytes.HasPrefix(head, []byte("070701")):
		return fmt.Errorf("appliance description %s: cpio archives are not supported; use a tar archive", p)
	case head[0] == '/':
		d.HostFiles = append(d.HostFiles, lines(b)...)
	case head[0] == '-':
		for _, l := range lines(b) {
			if !strings.HasPrefix(l, "-") {
				return fmt.Errorf("appliance description %s: exclusion %q does not start with '-'", p, l)
			}
			d.Excludes = append(d.Excludes, l[1:])
		}
	case isAlnum(head[0]):
		d.Packages = append(d.Packages, lines(b)...)
	default:
		return fmt.Errorf("appliance description %s: unknown kind of file (not a tar archive, package list, host file list or exclusion list)", p)
	}
	return nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func lines(b []byte) []string {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// openBase opens a base archive as a tar stream.
func openBase(p string) (*tar.Reader, func(), error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, nil, err
	}
	var magic [6]byte
	n, _ := io.ReadFull(f, magic[:])
	if _, err := f.Seek(0, 0); err != nil {
		f.Close()
		return nil, nil, err
	}
	switch {
	case n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		zr, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("%s: %w", p, err)
		}
		return tar.NewReader(zr), func() { f.Close() }, nil
	case n == 6 && bytes.Equal(magic[:], []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		cmd := exec.Command("xz", "-dc")
		cmd.Stdin = f
		out, err := cmd.StdoutPipe()
		if err != nil {
			f.Close()
			return nil, nil, err
		}
		if err := cmd.Start(); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("%s: xz: %w", p, err)
		}
		return tar.NewReader(out), func() { io.Copy(io.Discard, out); cmd.Wait(); f.Close() }, nil
	}
	return tar.NewReader(f), func() { f.Close() }, nil
}

// matchExclude reports whether p matches an fnmatch pattern in which "*"
// and "?" also match "/" (supermin's excludefiles semantics).
func matchExclude(pattern, p string) bool {
	for len(pattern) > 0 {
		switch pattern[0] {
		case '*':
			for len(pattern) > 0 && pattern[0] == '*' {
				pattern = pattern[1:]
			}
			if pattern == "" {
				return true
			}
			for i := 0; i <= len(p); i++ {
				if matchExclude(pattern, p[i:]) {
					return true
				}
			}
			return false
		case '?':
			if p == "" {
				return false
			}
			pattern, p = pattern[1:], p[1:]
		case '[':
			end := strings.IndexByte(pattern[1:], ']')
			if end < 0 || p == "" {
				return false
			}
			class := pattern[1 : end+1]
			neg := strings.HasPrefix(class, "!") || strings.HasPrefix(class, "^")
			if neg {
				class = class[1:]
			}
			ok := false
			for i := 0; i < len(class); i++ {
				if i+2 < len(class) && class[i+1] == '-' {
					if p[0] >= class[i] && p[0] <= class[i+2] {
						ok = true
					}
					i += 2
				} else if class[i] == p[0] {
					ok = true
				}
			}
			if ok == neg {
				return false
			}
			pattern, p = pattern[end+2:], p[1:]
		default:
			if p == "" || p[0] != pattern[0] {
				return false
			}
			pattern, p = pattern[1:], p[1:]
		}
	}
	return p == ""
}
