package storage

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/govirt/govirt/virtxml"
)

// Wipe algorithms govirt implements (virStorageVolWipeAlgorithm).
const (
	WipeZero   = 0
	WipeRandom = 8
)

// WipeVol overwrites a volume's data: with zeros or random bytes over a
// raw file or a block device; a qcow2 image is made anew, empty, with the
// same capacity and backing file.
func WipeVol(ctx context.Context, v *virtxml.StorageVol, algorithm uint32) error {
	if algorithm != WipeZero && algorithm != WipeRandom {
		return fmt.Errorf("wiping algorithm %d is not supported (zero and random are)", algorithm)
	}
	path := v.Target.Path
	if img, err := ReadImage(path); err == nil && img.Format == "qcow2" && v.Type != "block" {
		if algorithm != WipeZero {
			return fmt.Errorf("a qcow2 volume can only be wiped with zeros")
		}
		tmp := path + ".wipe"
		if err := CreateImage(ctx, tmp, "qcow2", img.Capacity, img.Backing, img.BackingFormat); err != nil {
			return err
		}
		return os.Rename(tmp, path)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	buf := make([]byte, 1<<20)
	for left := size; left > 0; {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := int64(len(buf))
		if left < n {
			n = left
		}
		if algorithm == WipeRandom {
			rand.Read(buf[:n])
		}
		if _, err := f.Write(buf[:n]); err != nil {
			return fmt.Errorf("wipe %s: %w", path, err)
		}
		left -= n
	}
	return f.Sync()
}

// Stream moves a volume's bytes to or from a client: an upload writes
// what the client sends into the volume from an offset, a download reads
// the volume from an offset. Length 0 means to the end. Progress reports
// the bytes moved so far.
type Stream struct {
	mu     sync.Mutex
	f      *os.File
	left   int64 // bytes still allowed; -1: no limit
	upload bool
	done   int64
}

// OpenUpload opens a stream that writes into the file or device at path.
func OpenUpload(path string, offset, length uint64) (*Stream, error) {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	return newStream(f, offset, length, true)
}

// OpenDownload opens a stream that reads the file or device at path.
func OpenDownload(path string, offset, length uint64) (*Stream, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return newStream(f, offset, length, false)
}

func newStream(f *os.File, offset, length uint64, upload bool) (*Stream, error) {
	size, err := f.Seek(0, io.SeekEnd)
	if err == nil && offset > uint64(size) {
		err = fmt.Errorf("offset %d is beyond the volume's end (%d)", offset, size)
	}
	if err == nil {
		_, err = f.Seek(int64(offset), io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	s := &Stream{f: f, left: -1, upload: upload}
	if length > 0 {
		s.left = int64(length)
	}
	return s, nil
}

// Read implements virt.Stream for downloads.
func (s *Stream) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil || s.upload {
		return 0, errors.New("stream is not open for reading")
	}
	if s.left == 0 {
		return 0, io.EOF
	}
	if s.left > 0 && int64(len(p)) > s.left {
		p = p[:s.left]
	}
	n, err := s.f.Read(p)
	s.done += int64(n)
	if s.left > 0 {
		s.left -= int64(n)
	}
	return n, err
}

// Write implements virt.Stream for uploads.
func (s *Stream) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil || !s.upload {
		return 0, errors.New("stream is not open for writing")
	}
	if s.left >= 0 && int64(len(p)) > s.left {
		return 0, fmt.Errorf("upload exceeds the requested length by %d bytes", int64(len(p))-s.left)
	}
	n, err := s.f.Write(p)
	s.done += int64(n)
	if s.left > 0 {
		s.left -= int64(n)
	}
	return n, err
}

// Progress returns the bytes moved so far.
func (s *Stream) Progress() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.done
}

// Finish implements virt.Stream: an upload is flushed to the volume.
func (s *Stream) Finish() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	var err error
	if s.upload {
		err = s.f.Sync()
	}
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	s.f = nil
	return err
}

// Abort implements virt.Stream.
func (s *Stream) Abort() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}
