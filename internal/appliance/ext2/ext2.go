// Package ext2 writes ext2 filesystem images without root privileges and
// without mke2fs: the whole tree is described in memory first (owners,
// modes with setuid/setgid/sticky bits, device numbers, symlinks, hard
// links), then laid out and written in one pass into a sparse file.
//
// The image is revision 1 ext2 with 4 KiB blocks, 256-byte inodes, the
// filetype and sparse_super features and no journal: every Linux kernel
// mounts it (as ext2, or through the ext4 driver), and e2fsck -fn finds
// nothing to fix. Blocks that are never written (free space, unused inode
// table entries) stay holes in the file.
package ext2

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

// Entry is one file of the image.
type Entry struct {
	Path  string      // slash-separated, relative to the root ("usr/bin/ls"); "" or "." is the root
	Mode  fs.FileMode // type and permission bits, including setuid, setgid and sticky
	UID   uint32
	GID   uint32
	MTime time.Time
	// Link is a symlink's target.
	Link string
	// Major and Minor are a device node's numbers.
	Major, Minor uint32
	// Size is a regular file's length; its content comes from Data or,
	// when Data is nil, from Open.
	Size int64
	Data []byte
	Open func() (io.ReadCloser, error)
}

type node struct {
	Entry
	name     string
	children map[string]*node
	ino      uint32
	nlink    uint32
	links    []*node // hard links pointing at this node (the first name holds the inode)
	target   *node   // for a hard link: the node holding the inode
	dirBytes []byte  // directories: laid-out entries
	// laid out
	iblock   [15]uint32
	nblocks  uint32 // data + mapping blocks, in filesystem blocks
	data     []uint32
	meta     []metaBlock
	parent   *node
	isLostFd bool
}

type metaBlock struct {
	block uint32
	ptrs  []uint32
}

// Image collects a tree and writes it as an ext2 filesystem.
type Image struct {
	root  *node
	count int
	bytes int64
}

// New returns an empty image holding only its root directory (0755,
// owned by root) and lost+found.
func New() *Image {
	r := &node{Entry: Entry{Mode: fs.ModeDir | 0o755}, children: map[string]*node{}}
	r.parent = r
	im := &Image{root: r}
	lf := &node{Entry: Entry{Path: "lost+found", Mode: fs.ModeDir | 0o700}, name: "lost+found", children: map[string]*node{}, parent: r, isLostFd: true}
	r.children["lost+found"] = lf
	im.count = 2
	return im
}

func clean(p string) string {
	p = path.Clean("/" + p)
	return strings.TrimPrefix(p, "/")
}

func (im *Image) lookup(p string) *node {
	if p == "" {
		return im.root
	}
	n := im.root
	for _, part := range strings.Split(p, "/") {
		c := n.children[part]
		if c == nil {
			return nil
		}
		n = c
	}
	return n
}

// Add adds or replaces an entry. A directory that exists keeps its
// children and takes the new metadata; a missing parent is an error.
func (im *Image) Add(e Entry) error {
	p := clean(e.Path)
	e.Path = p
	if p == "" {
		if !e.Mode.IsDir() {
			return fmt.Errorf("ext2: the root must be a directory")
		}
		im.root.Entry = e
		return nil
	}
	if e.Mode&fs.ModeSymlink != 0 && len(e.Link) >= 4096 {
		return fmt.Errorf("ext2: %s: symlink target too long", p)
	}
	parent := im.root
	if d := path.Dir(p); d != "." {
		parent = im.lookup(d)
	}
	if parent == nil || !parent.Mode.IsDir() {
		return fmt.Errorf("ext2: %s: parent directory missing", p)
	}
	name := path.Base(p)
	if len(name) > 255 {
		return fmt.Errorf("ext2: %s: name longer than 255 bytes", p)
	}
	if old := parent.children[name]; old != nil {
		if old.Mode.IsDir() && e.Mode.IsDir() {
			old.Entry = e
			return nil
		}
		im.remove(old)
	}
	n := &node{Entry: e, name: name, parent: parent}
	if e.Mode.IsDir() {
		n.children = map[string]*node{}
	}
	parent.children[name] = n
	im.count++
	if e.Mode.IsRegular() {
		im.bytes += e.Size
	}
	return nil
}

// Link adds a hard link at p to the existing non-directory entry target.
func (im *Image) Link(p, target string) error {
	t := im.lookup(clean(target))
	if t == nil {
		return fmt.Errorf("ext2: hard link %s: %s does not exist", p, target)
	}
	if t.Mode.IsDir() {
		return fmt.Errorf("ext2: hard link %s: %s is a directory", p, target)
	}
	if t.target != nil {
		t = t.target
	}
	p = clean(p)
	parent := im.root
	if d := path.Dir(p); d != "." {
		parent = im.lookup(d)
	}
	if parent == nil || !parent.Mode.IsDir() {
		return fmt.Errorf("ext2: %s: parent directory missing", p)
	}
	name := path.Base(p)
	if old := parent.children[name]; old != nil {
		if old == t {
			return nil
		}
		if old.Mode.IsDir() {
			return fmt.Errorf("ext2: hard link %s: a directory is in the way", p)
		}
		im.remove(old)
	}
	n := &node{Entry: Entry{Path: p, Mode: t.Mode}, name: name, parent: parent, target: t}
	t.links = append(t.links, n)
	parent.children[name] = n
	return nil
}

// Has reports whether p exists in the image, and whether it is a directory.
func (im *Image) Has(p string) (exists, dir bool) {
	n := im.lookup(clean(p))
	if n == nil {
		return false, false
	}
	return true, n.Mode.IsDir()
}

func (im *Image) remove(n *node) {
	delete(n.parent.children, n.name)
	if n.target != nil {
		t := n.target
		for i, l := range t.links {
			if l == n {
				t.links = append(t.links[:i], t.links[i+1:]...)
				break
			}
		}
		return
	}
	im.count--
	if n.Mode.IsRegular() {
		im.bytes -= n.Size
	}
	// A removed inode that still has other names: the first link takes over.
	if len(n.links) > 0 {
		heir := n.links[0]
		heir.Entry = Entry{Path: heir.Path, Mode: n.Mode, UID: n.UID, GID: n.GID, MTime: n.MTime, Size: n.Size, Data: n.Data, Open: n.Open}
		heir.target = nil
		heir.links = n.links[1:]
		for _, l := range heir.links {
			l.target = heir
		}
		im.count++
		im.bytes += n.Size
	}
	for _, c := range n.children {
		im.remove(c)
	}
}

// Len returns the number of inodes the tree needs (without the reserved
// ones).
func (im *Image) Len() int { return im.count }

// walk visits every node depth-first in byte-wise name order.
func (im *Image) walk(fn func(n *node)) {
	var rec func(n *node)
	rec = func(n *node) {
		fn(n)
		if n.children == nil {
			return
		}
		names := make([]string, 0, len(n.children))
		for k := range n.children {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			rec(n.children[k])
		}
	}
	rec(im.root)
}

// ErrNoSpace is returned when the tree does not fit in the requested size.
var ErrNoSpace = errors.New("ext2: the files do not fit in the requested size")
