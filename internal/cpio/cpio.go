// Package cpio writes "newc" cpio archives, the format of Linux initramfs
// images. Entries go through a small record writer, so a file set can be
// built and checked in tests without root.
package cpio

import (
	"fmt"
	"io"
	"io/fs"
)

// Header describes one archive entry.
type Header struct {
	Name  string // path inside the archive, without a leading "/"
	Mode  fs.FileMode
	UID   uint32
	GID   uint32
	MTime int64
	Size  int64  // regular files: length of the data that follows
	Link  string // symlinks: the target
	Major uint32 // device nodes
	Minor uint32
	Ino   uint32 // 0: the writer numbers entries itself
	NLink uint32 // 0: 1 (2 for directories)
}

// Writer writes a newc archive.
type Writer struct {
	w      io.Writer
	n      int64 // bytes written
	ino    uint32
	remain int64 // data still owed for the current entry
	pad    int64
	closed bool
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w, ino: 300000} }

// unixMode converts an fs.FileMode to the st_mode bits cpio stores.
func unixMode(m fs.FileMode) (uint32, error) {
	perm := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		perm |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		perm |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		perm |= 0o1000
	}
	switch {
	case m.IsRegular():
		return perm | 0o100000, nil
	case m.IsDir():
		return perm | 0o040000, nil
	case m&fs.ModeSymlink != 0:
		return perm | 0o120000, nil
	case m&fs.ModeCharDevice != 0:
		return perm | 0o020000, nil
	case m&fs.ModeDevice != 0:
		return perm | 0o060000, nil
	case m&fs.ModeNamedPipe != 0:
		return perm | 0o010000, nil
	case m&fs.ModeSocket != 0:
		return perm | 0o140000, nil
	}
	return 0, fmt.Errorf("cpio: unsupported file mode %v", m)
}

// WriteHeader starts a new entry. For regular files, exactly h.Size bytes
// of data must follow through Write; symlinks carry their target in h.Link.
func (w *Writer) WriteHeader(h *Header) error {
	if w.remain > 0 {
		return fmt.Errorf("cpio: %d bytes missing from the previous entry", w.remain)
	}
	if err := w.finishEntry(); err != nil {
		return err
	}
	mode, err := unixMode(h.Mode)
	if err != nil {
		return err
	}
	size := h.Size
	if h.Mode&fs.ModeSymlink != 0 {
		size = int64(len(h.Link))
	} else if !h.Mode.IsRegular() {
		size = 0
	}
	ino := h.Ino
	if ino == 0 {
		w.ino++
		ino = w.ino
	}
	nlink := h.NLink
	if nlink == 0 {
		nlink = 1
		if h.Mode.IsDir() {
			nlink = 2
		}
	}
	name := h.Name + "\x00"
	hdr := fmt.Sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		ino, mode, h.UID, h.GID, nlink, uint32(h.MTime), uint32(size),
		0, 0, h.Major, h.Minor, len(name), 0)
	if err := w.write([]byte(hdr + name)); err != nil {
		return err
	}
	if err := w.align(); err != nil {
		return err
	}
	if h.Mode&fs.ModeSymlink != 0 {
		if err := w.write([]byte(h.Link)); err != nil {
			return err
		}
		w.pad = 1
		return nil
	}
	w.remain = size
	w.pad = 1
	return nil
}

// Write writes file data for the current entry.
func (w *Writer) Write(p []byte) (int, error) {
	if int64(len(p)) > w.remain {
		return 0, fmt.Errorf("cpio: write beyond the entry's size")
	}
	n, err := w.w.Write(p)
	w.n += int64(n)
	w.remain -= int64(n)
	return n, err
}

func (w *Writer) write(p []byte) error {
	n, err := w.w.Write(p)
	w.n += int64(n)
	return err
}

// align pads the stream to a multiple of four bytes.
func (w *Writer) align() error {
	if r := w.n % 4; r != 0 {
		return w.write(make([]byte, 4-r))
	}
	return nil
}

func (w *Writer) finishEntry() error {
	if w.pad == 0 {
		return nil
	}
	w.pad = 0
	return w.align()
}

// Close writes the trailer. It does not close the underlying writer.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	if err := w.WriteHeader(&Header{Name: "TRAILER!!!", Mode: 0, Ino: 0, NLink: 1}); err != nil {
		return err
	}
	return w.align()
}
