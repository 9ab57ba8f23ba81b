package cpio

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"strconv"
)

// Reader reads a "newc" (070701) or "crc" (070702) cpio archive, such as
// an initramfs or the payload rpm2cpio prints.
type Reader struct {
	r      *bufio.Reader
	n      int64 // bytes consumed
	remain int64 // data left in the current entry
	pad    int64
}

// NewReader returns a Reader reading from r.
func NewReader(r io.Reader) *Reader { return &Reader{r: bufio.NewReaderSize(r, 64<<10)} }

func (r *Reader) skip(n int64) error {
	k, err := io.CopyN(io.Discard, r.r, n)
	r.n += k
	return err
}

// Next advances to the next entry; it returns io.EOF after the trailer.
func (r *Reader) Next() (*Header, error) {
	if err := r.skip(r.remain + r.pad); err != nil {
		return nil, err
	}
	r.remain, r.pad = 0, 0
	var raw [110]byte
	if _, err := io.ReadFull(r.r, raw[:]); err != nil {
		if err == io.EOF {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	r.n += 110
	if m := string(raw[:6]); m != "070701" && m != "070702" {
		return nil, fmt.Errorf("cpio: bad magic %q", m)
	}
	var f [13]uint32
	for i := range f {
		v, err := strconv.ParseUint(string(raw[6+8*i:14+8*i]), 16, 32)
		if err != nil {
			return nil, fmt.Errorf("cpio: bad header field: %w", err)
		}
		f[i] = uint32(v)
	}
	if f[11] == 0 || f[11] > 4096 {
		return nil, fmt.Errorf("cpio: bad name length %d", f[11])
	}
	name := make([]byte, f[11])
	if _, err := io.ReadFull(r.r, name); err != nil {
		return nil, err
	}
	r.n += int64(len(name))
	if err := r.skip((4 - r.n%4) % 4); err != nil {
		return nil, err
	}
	h := &Header{
		Name: string(name[:max(len(name)-1, 0)]), UID: f[2], GID: f[3], NLink: f[4],
		MTime: int64(f[5]), Size: int64(f[6]), Major: f[9], Minor: f[10], Ino: f[0],
	}
	if h.Name == "TRAILER!!!" {
		return nil, io.EOF
	}
	h.Mode = fileMode(f[1])
	r.remain = h.Size
	r.pad = (4 - (r.n+h.Size)%4) % 4
	if h.Mode&fs.ModeSymlink != 0 {
		if h.Size > 4096 {
			return nil, fmt.Errorf("cpio: %s: symlink target of %d bytes", h.Name, h.Size)
		}
		b := make([]byte, h.Size)
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, err
		}
		h.Link = string(b)
	}
	return h, nil
}

// Read reads the current entry's data.
func (r *Reader) Read(p []byte) (int, error) {
	if r.remain == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.remain {
		p = p[:r.remain]
	}
	n, err := r.r.Read(p)
	r.n += int64(n)
	r.remain -= int64(n)
	if err == io.EOF && r.remain > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// fileMode converts st_mode bits to an fs.FileMode.
func fileMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	if m&0o4000 != 0 {
		mode |= fs.ModeSetuid
	}
	if m&0o2000 != 0 {
		mode |= fs.ModeSetgid
	}
	if m&0o1000 != 0 {
		mode |= fs.ModeSticky
	}
	switch m & 0o170000 {
	case 0o040000:
		mode |= fs.ModeDir
	case 0o120000:
		mode |= fs.ModeSymlink
	case 0o020000:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case 0o060000:
		mode |= fs.ModeDevice
	case 0o010000:
		mode |= fs.ModeNamedPipe
	case 0o140000:
		mode |= fs.ModeSocket
	}
	return mode
}
