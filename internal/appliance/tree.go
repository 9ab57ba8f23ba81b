package appliance

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"syscall"
	"time"
)

// item is one file of the appliance tree.
type item struct {
	path         string // relative to the appliance root, no leading "/"
	mode         fs.FileMode
	uid, gid     uint32
	mtime        time.Time
	size         int64
	link         string // symlink target
	major, minor uint32
	src          string // host file holding a regular file's content
	data         []byte // content from a base archive
	hardlink     string // path of the earlier item this is a hard link of
	placeholder  bool   // a directory made up because a child needed it
}

// tree is the appliance's file set.
type tree struct {
	host   Host
	items  map[string]*item
	inodes map[[2]uint64]string // host (dev, ino) -> first path, for hard links
	warn   func(format string, a ...any)
	euid   int
}

func newTree(h Host, warn func(string, ...any)) *tree {
	return &tree{host: h, items: map[string]*item{}, inodes: map[[2]uint64]string{}, warn: warn, euid: os.Geteuid()}
}

func rel(p string) string { return strings.TrimPrefix(path.Clean("/"+p), "/") }

// ensureDir makes sure dir exists as a directory item, taking the host's
// metadata when the host has it.
func (t *tree) ensureParents(p string) {
	d := path.Dir(p)
	if d == "." || d == "" {
		return
	}
	if it := t.items[d]; it != nil {
		return
	}
	t.ensureParents(d)
	t.items[d] = &item{path: d, mode: fs.ModeDir | 0o755, placeholder: true}
}

// addBase adds the members of a base archive; later archives and entries
// replace earlier ones.
func (t *tree) addBase(p string) error {
	tr, done, err := openBase(p)
	if err != nil {
		return fmt.Errorf("base archive %s: %w", p, err)
	}
	defer done()
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("base archive %s: %w", p, err)
		}
		name := rel(h.Name)
		if name == "" {
			continue
		}
		it := &item{path: name, uid: uint32(h.Uid), gid: uint32(h.Gid), mtime: h.ModTime}
		perm := fs.FileMode(h.Mode) & fs.ModePerm
		if h.Mode&0o4000 != 0 {
			perm |= fs.ModeSetuid
		}
		if h.Mode&0o2000 != 0 {
			perm |= fs.ModeSetgid
		}
		if h.Mode&0o1000 != 0 {
			perm |= fs.ModeSticky
		}
		switch h.Typeflag {
		case tar.TypeDir:
			it.mode = fs.ModeDir | perm
		case tar.TypeReg:
			it.mode = perm
			it.data, err = io.ReadAll(tr)
			if err != nil {
				return fmt.Errorf("base archive %s: %s: %w", p, name, err)
			}
			it.size = int64(len(it.data))
		case tar.TypeSymlink:
			it.mode = fs.ModeSymlink | 0o777
			it.link = h.Linkname
		case tar.TypeLink:
			target := rel(h.Linkname)
			tg := t.items[target]
			if tg == nil || !tg.mode.IsRegular() {
				return fmt.Errorf("base archive %s: hard link %s to %s, which is not an earlier regular file", p, name, h.Linkname)
			}
			for tg.hardlink != "" {
				tg = t.items[tg.hardlink]
			}
			it.mode, it.hardlink = tg.mode, tg.path
		case tar.TypeChar:
			it.mode = fs.ModeDevice | fs.ModeCharDevice | perm
			it.major, it.minor = uint32(h.Devmajor), uint32(h.Devminor)
		case tar.TypeBlock:
			it.mode = fs.ModeDevice | perm
			it.major, it.minor = uint32(h.Devmajor), uint32(h.Devminor)
		case tar.TypeFifo:
			it.mode = fs.ModeNamedPipe | perm
		default:
			continue
		}
		t.ensureParents(name)
		if old := t.items[name]; old != nil && old.mode.IsDir() && it.mode.IsDir() {
			*old = *it
			continue
		}
		t.items[name] = it
	}
}

// resolveDir returns where directory d really is in the appliance,
// following symbolic links (merged /usr: /lib -> usr/lib) and adding
// every component it meets, with the host's metadata.
func (t *tree) resolveDir(d string, depth int) (string, error) {
	if depth > 40 {
		return "", fmt.Errorf("%s: too many levels of symbolic links", d)
	}
	cur := ""
	for _, comp := range strings.Split(rel(d), "/") {
		if comp == "" {
			continue
		}
		cand := path.Join(cur, comp)
		it := t.items[cand]
		if it == nil {
			st, err := os.Lstat(t.host.path(cand))
			switch {
			case err != nil:
				it = &item{path: cand, mode: fs.ModeDir | 0o755, placeholder: true}
			case st.Mode()&fs.ModeSymlink != 0:
				it, err = t.hostItem(cand, t.host.path(cand), st)
				if err != nil {
					return "", err
				}
			case st.IsDir():
				it, _ = t.hostItem(cand, t.host.path(cand), st)
			default:
				return "", fmt.Errorf("%s: %s is not a directory on the host", d, cand)
			}
			t.items[cand] = it
		} else if it.placeholder {
			if st, err := os.Lstat(t.host.path(cand)); err == nil && st.IsDir() {
				it, _ = t.hostItem(cand, t.host.path(cand), st)
				t.items[cand] = it
			}
		}
		if it.mode&fs.ModeSymlink != 0 {
			target := it.link
			if !strings.HasPrefix(target, "/") {
				target = path.Join(cur, target)
			}
			r, err := t.resolveDir(target, depth+1)
			if err != nil {
				return "", err
			}
			cur = r
			continue
		}
		if !it.mode.IsDir() {
			return "", fmt.Errorf("%s: %s is not a directory", d, cand)
		}
		cur = cand
	}
	return cur, nil
}

// hostItem describes host file src placed at p.
func (t *tree) hostItem(p, src string, st fs.FileInfo) (*item, error) {
	it := &item{path: p, mode: st.Mode(), mtime: st.ModTime(), size: st.Size()}
	sys, _ := st.Sys().(*syscall.Stat_t)
	if sys != nil {
		it.uid, it.gid = sys.Uid, sys.Gid
	}
	switch {
	case st.Mode()&fs.ModeSymlink != 0:
		l, err := os.Readlink(src)
		if err != nil {
			return nil, err
		}
		it.link = l
		it.size = 0
	case st.Mode()&fs.ModeDevice != 0 && sys != nil:
		it.major = uint32((sys.Rdev>>8)&0xfff) | uint32((sys.Rdev>>32)&^0xfff)
		it.minor = uint32(sys.Rdev&0xff) | uint32((sys.Rdev>>12)&^0xff)
		it.size = 0
	case st.Mode().IsRegular():
		it.src = src
		if sys != nil && sys.Nlink > 1 {
			key := [2]uint64{uint64(sys.Dev), sys.Ino}
			if first, ok := t.inodes[key]; ok && t.items[first] != nil && t.items[first].src != "" {
				it.hardlink = first
			} else {
				t.inodes[key] = p
			}
		}
		if t.euid != 0 && syscall.Access(src, 4) != nil {
			t.warn("warning: %s is not readable by you: the appliance gets an empty file (run as root, or make it readable)", src)
			it.src, it.data, it.size, it.hardlink = "", []byte{}, 0, ""
		}
	case st.IsDir():
		it.size = 0
	default:
		it.size = 0
	}
	return it, nil
}

// addHost adds the host's file at p (read from source when the file is
// diverted). A path missing on the host is skipped (ghost files).
func (t *tree) addHost(p, source string) error {
	p = rel(p)
	if p == "" {
		return nil
	}
	dir, err := t.resolveDir(path.Dir(p), 0)
	if err != nil {
		return err
	}
	final := path.Join(dir, path.Base(p))
	if old := t.items[final]; old != nil && !old.placeholder {
		return nil // base archives and earlier names win
	}
	src := t.host.path(final)
	if source != "" {
		src = t.host.path(source)
	}
	st, err := os.Lstat(src)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return err
	}
	it, err := t.hostItem(final, src, st)
	if err != nil {
		return err
	}
	t.items[final] = it
	return nil
}

// skeleton adds the directories every appliance needs, where missing.
func (t *tree) skeleton() {
	for _, d := range []struct {
		name string
		mode fs.FileMode
	}{
		{"dev", 0o755}, {"proc", 0o555}, {"sys", 0o555}, {"run", 0o755}, {"tmp", 0o1777 | fs.ModeSticky},
		{"mnt", 0o755}, {"root", 0o700}, {"etc", 0o755}, {"var", 0o755}, {"etc/govirt", 0o755},
	} {
		if _, ok := t.items[d.name]; !ok {
			t.items[d.name] = &item{path: d.name, mode: fs.ModeDir | d.mode.Perm() | d.mode&fs.ModeSticky}
		}
	}
}

// accounts adds a minimal /etc/passwd and /etc/group when the
// appliance has none (no package owns them: Debian and Fedora generate
// them at installation), so that tools show owners by name.
func (t *tree) accounts() {
	for name, data := range map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
		"etc/group":  "root:x:0:\ntty:x:5:\ndisk:x:6:\nnogroup:x:65534:\n",
	} {
		if _, ok := t.items[name]; !ok {
			t.items[name] = &item{path: name, mode: 0o644, data: []byte(data), size: int64(len(data))}
		}
	}
}

// sorted returns the items with parents before children.
func (t *tree) sorted() []*item {
	out := make([]*item, 0, len(t.items))
	for _, it := range t.items {
		out = append(out, it)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	// A hard link whose first name sorts later: make the earlier name the
	// holder of the content.
	pos := map[string]int{}
	for i, it := range out {
		pos[it.path] = i
	}
	for _, it := range out {
		if it.hardlink == "" {
			continue
		}
		first := t.items[it.hardlink]
		if first == nil {
			it.hardlink = ""
			continue
		}
		if pos[it.path] < pos[first.path] {
			// swap roles
			it.src, it.data, it.size, it.mtime, it.uid, it.gid, it.mode = first.src, first.data, first.size, first.mtime, first.uid, first.gid, first.mode
			for _, o := range out {
				if o.hardlink == first.path || o == first {
					o.hardlink = it.path
				}
			}
			it.hardlink = ""
		}
	}
	return out
}

// open returns a regular file item's content.
func (it *item) open() (io.ReadCloser, error) {
	if it.data != nil || it.src == "" {
		return io.NopCloser(strings.NewReader(string(it.data))), nil
	}
	return os.Open(it.src)
}
