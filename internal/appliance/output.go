package appliance

import (
	"bufio"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/govirt/govirt/internal/appliance/ext2"
	"github.com/govirt/govirt/internal/cpio"
)

// writeExt2 writes the tree as an ext2 image.
func (b *builder) writeExt2(p string, st *Stamp) error {
	im := ext2.New()
	for _, it := range b.t.sorted() {
		if it.hardlink != "" {
			if err := im.Link(it.path, it.hardlink); err != nil {
				return err
			}
			continue
		}
		e := ext2.Entry{Path: it.path, Mode: it.mode, UID: it.uid, GID: it.gid, MTime: it.mtime, Link: it.link, Major: it.major, Minor: it.minor}
		if it.mode.IsRegular() {
			e.Size = it.size
			if it.data != nil || it.src == "" {
				e.Data = it.data
				if e.Data == nil {
					e.Data = []byte{}
				}
			} else {
				e.Open = it.open
			}
			st.Bytes += it.size
		}
		if err := im.Add(e); err != nil {
			return err
		}
		st.Files++
	}
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	var uuid [16]byte
	sum := sha256.Sum256([]byte(st.Key))
	copy(uuid[:], sum[:16])
	uuid[6] = uuid[6]&0x0f | 0x40
	uuid[8] = uuid[8]&0x3f | 0x80
	total := st.Bytes
	size, err := im.WriteTo(f, ext2.Options{Size: b.opt.Size, UUID: uuid, Label: "appliance", Progress: func(n int64) {
		b.pr.status("writing root: %s of %s", mib(n), mib(total))
	}})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if errors.Is(err, syscall.ENOSPC) {
			return fmt.Errorf("write the root image %s: the disk is full (it needs about %s): free some space or build elsewhere", p, mib(st.Bytes))
		}
		return fmt.Errorf("write the root image: %w", err)
	}
	b.pr.stage("wrote root: %d files, %s of data, image %s", st.Files, mib(st.Bytes), mib(size))
	return nil
}

// writeInitrd writes items as an uncompressed newc cpio archive (the
// kernel unpacks it faster than it decompresses, under emulation most of
// all).
func (b *builder) writeInitrd(p string, items []*item, st *Stamp) error {
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	cw := cpio.NewWriter(bw)
	inos := map[string]uint32{}
	links := map[string]uint32{}
	for _, it := range items {
		if it.hardlink != "" {
			links[it.hardlink]++
		}
	}
	var ino uint32 = 1
	buf := make([]byte, 256<<10)
	werr := func() error {
		for _, it := range items {
			h := &cpio.Header{Name: it.path, Mode: it.mode, UID: it.uid, GID: it.gid, MTime: it.mtime.Unix(), Link: it.link, Major: it.major, Minor: it.minor}
			if it.mtime.IsZero() {
				h.MTime = 0
			}
			if it.hardlink != "" {
				// Later names of a hard link carry no data; the kernel links
				// them to the first name with the same inode number.
				h.Ino = inos[it.hardlink]
				h.NLink = links[it.hardlink] + 1
				tg := b.t.items[it.hardlink]
				h.Mode, h.UID, h.GID, h.MTime = tg.mode, tg.uid, tg.gid, tg.mtime.Unix()
				if err := cw.WriteHeader(h); err != nil {
					return err
				}
				continue
			}
			ino++
			h.Ino = ino
			inos[it.path] = ino
			if it.mode.IsRegular() {
				h.Size = it.size
				if n := links[it.path]; n > 0 {
					h.NLink = n + 1
				}
			}
			if err := cw.WriteHeader(h); err != nil {
				return err
			}
			st.Files++
			if !it.mode.IsRegular() || it.size == 0 {
				continue
			}
			r, err := it.open()
			if err != nil {
				return err
			}
			n, err := io.CopyBuffer(cw, io.LimitReader(r, it.size), buf)
			r.Close()
			if err != nil {
				return fmt.Errorf("%s: %w", it.path, err)
			}
			if n != it.size {
				return fmt.Errorf("%s: the file changed size while building (%d bytes, expected %d)", it.src, n, it.size)
			}
			st.Bytes += n
			b.pr.status("writing initrd: %s", mib(st.Bytes))
		}
		if err := cw.Close(); err != nil {
			return err
		}
		return bw.Flush()
	}()
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		if errors.Is(werr, syscall.ENOSPC) {
			return fmt.Errorf("write %s: the disk is full: free some space or build elsewhere", p)
		}
		return fmt.Errorf("write %s: %w", p, werr)
	}
	fi, _ := os.Stat(p)
	b.pr.stage("wrote %s: %d files, %s", filepath.Base(p), st.Files, mib(fi.Size()))
	return nil
}

// writeChroot writes the tree as a directory. Owners and device nodes
// need root; without it they are skipped with a warning.
func (b *builder) writeChroot(st *Stamp) error {
	root := os.Geteuid() == 0
	warnedOwner, warnedDev := false, false
	var dirs []*item
	for _, it := range b.t.sorted() {
		dst := filepath.Join(b.dir, it.path)
		if it.hardlink != "" {
			if err := os.Link(filepath.Join(b.dir, it.hardlink), dst); err != nil {
				return fmt.Errorf("hard link %s: %w", it.path, err)
			}
			continue
		}
		st.Files++
		switch {
		case it.mode.IsDir():
			if err := os.Mkdir(dst, 0o700); err != nil && !os.IsExist(err) {
				return err
			}
			dirs = append(dirs, it)
			continue
		case it.mode&fs.ModeSymlink != 0:
			if err := os.Symlink(it.link, dst); err != nil {
				return err
			}
		case it.mode.IsRegular():
			if err := writeRegular(it, dst); err != nil {
				return err
			}
			st.Bytes += it.size
		case it.mode&(fs.ModeDevice|fs.ModeNamedPipe|fs.ModeSocket) != 0:
			if err := mknod(dst, it); err != nil {
				if !warnedDev {
					b.pr.warn("warning: cannot create device nodes and FIFOs without root (%s: %v): skipped", it.path, err)
					warnedDev = true
				}
				continue
			}
		}
		if root {
			os.Lchown(dst, int(it.uid), int(it.gid))
		} else if (it.uid != uint32(os.Geteuid()) || it.gid != uint32(os.Getegid())) && !warnedOwner {
			b.pr.warn("warning: building a chroot as a normal user: files keep your ownership")
			warnedOwner = true
		}
		if it.mode&fs.ModeSymlink == 0 {
			os.Chmod(dst, chmodBits(it.mode))
			os.Chtimes(dst, it.mtime, it.mtime)
		}
	}
	// Folders last, deepest first: their modes may forbid writing.
	for i := len(dirs) - 1; i >= 0; i-- {
		it := dirs[i]
		dst := filepath.Join(b.dir, it.path)
		if root {
			os.Lchown(dst, int(it.uid), int(it.gid))
		}
		os.Chmod(dst, chmodBits(it.mode))
		mt := it.mtime
		if mt.IsZero() {
			mt = time.Unix(0, 0)
		}
		os.Chtimes(dst, mt, mt)
	}
	b.pr.stage("wrote chroot: %d files, %s", st.Files, mib(st.Bytes))
	return nil
}

func chmodBits(m fs.FileMode) fs.FileMode {
	return m & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
}

func writeRegular(it *item, dst string) error {
	if it.src != "" && it.data == nil {
		if err := copyFileData(it.src, dst); err != nil {
			return err
		}
		return nil
	}
	return os.WriteFile(dst, it.data, 0o600)
}

func copyFileData(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in) // copy_file_range where the kernel allows
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, syscall.ENOSPC) {
		return fmt.Errorf("write %s: the disk is full", dst)
	}
	return err
}

func mknod(dst string, it *item) error {
	mode := uint32(it.mode.Perm())
	switch {
	case it.mode&fs.ModeCharDevice != 0:
		mode |= syscall.S_IFCHR
	case it.mode&fs.ModeDevice != 0:
		mode |= syscall.S_IFBLK
	case it.mode&fs.ModeNamedPipe != 0:
		mode |= syscall.S_IFIFO
	case it.mode&fs.ModeSocket != 0:
		mode |= syscall.S_IFSOCK
	}
	dev := int(uint64(it.minor&0xff) | uint64(it.major&0xfff)<<8 | uint64(it.minor&^0xff)<<12 | uint64(it.major&^0xfff)<<32)
	return syscall.Mknod(dst, mode, dev)
}
