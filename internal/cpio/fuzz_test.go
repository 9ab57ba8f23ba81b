package cpio

import (
	"bytes"
	"io"
	"io/fs"
	"testing"
)

// FuzzReader feeds arbitrary bytes to the reader (rpm payloads and
// initramfs images are input from outside): it must return errors, never
// panic or loop.
func FuzzReader(f *testing.F) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	w.WriteHeader(&Header{Name: "etc", Mode: fs.ModeDir | 0o755})
	w.WriteHeader(&Header{Name: "etc/x", Mode: 0o644, Size: 3})
	w.Write([]byte("abc"))
	w.WriteHeader(&Header{Name: "l", Mode: fs.ModeSymlink | 0o777, Link: "etc/x"})
	w.Close()
	f.Add(buf.Bytes())
	f.Add([]byte("070701"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := NewReader(bytes.NewReader(b))
		for i := 0; i < 10000; i++ {
			if _, err := r.Next(); err != nil {
				return
			}
			io.Copy(io.Discard, r)
		}
	})
}
