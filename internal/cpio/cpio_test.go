package cpio

import (
	"bytes"
	"io"
	"io/fs"
	"strconv"
	"testing"
)

type entry struct {
	name        string
	mode        uint32
	size        int
	data        string
	major, minr uint32
}

// readAll parses a newc archive back, checking the layout rules.
func readAll(t *testing.T, b []byte) []entry {
	t.Helper()
	var out []entry
	off := 0
	field := func(i int) uint32 {
		v, err := strconv.ParseUint(string(b[off+6+8*i:off+6+8*i+8]), 16, 32)
		if err != nil {
			t.Fatalf("bad header field at %d: %v", off, err)
		}
		return uint32(v)
	}
	for {
		if string(b[off:off+6]) != "070701" {
			t.Fatalf("bad magic at %d: %q", off, b[off:off+6])
		}
		mode, size, major, minor, namesize := field(1), field(6), field(9), field(10), field(11)
		name := string(b[off+110 : off+110+int(namesize)-1])
		off += 110 + int(namesize)
		off = (off + 3) &^ 3
		data := string(b[off : off+int(size)])
		off += int(size)
		off = (off + 3) &^ 3
		if name == "TRAILER!!!" {
			if off != len(b) {
				t.Fatalf("%d bytes after the trailer", len(b)-off)
			}
			return out
		}
		out = append(out, entry{name, mode, int(size), data, major, minor})
	}
}

func TestArchive(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	add := func(h Header, data string) {
		h.Size = int64(len(data))
		if err := w.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	add(Header{Name: "bin", Mode: fs.ModeDir | 0o755}, "")
	add(Header{Name: "bin/busybox", Mode: 0o755 | fs.ModeSetuid}, "hello, world")
	add(Header{Name: "bin/sh", Mode: fs.ModeSymlink | 0o777, Link: "busybox"}, "")
	add(Header{Name: "dev/console", Mode: fs.ModeDevice | fs.ModeCharDevice | 0o600, Major: 5, Minor: 1}, "")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := readAll(t, buf.Bytes())
	want := []entry{
		{"bin", 0o040755, 0, "", 0, 0},
		{"bin/busybox", 0o104755, 12, "hello, world", 0, 0},
		{"bin/sh", 0o120777, 7, "busybox", 0, 0},
		{"dev/console", 0o020600, 0, "", 5, 1},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestShortEntry(t *testing.T) {
	w := NewWriter(&bytes.Buffer{})
	if err := w.WriteHeader(&Header{Name: "f", Mode: 0o644, Size: 4}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("12345")); err == nil {
		t.Error("writing past the entry size: got no error")
	}
	if err := w.WriteHeader(&Header{Name: "g", Mode: 0o644}); err == nil {
		t.Error("a new header before the data was complete: got no error")
	}
}

func TestReaderReadsWriterOutput(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	ents := []Header{
		{Name: "bin", Mode: fs.ModeDir | 0o755},
		{Name: "bin/mount", Mode: fs.ModeSetuid | 0o755, Size: 5, UID: 7, GID: 9},
		{Name: "bin/sh", Mode: fs.ModeSymlink | 0o777, Link: "busybox"},
		{Name: "dev/null", Mode: fs.ModeDevice | fs.ModeCharDevice | 0o666, Major: 1, Minor: 3},
	}
	for i := range ents {
		h := ents[i]
		if err := w.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			w.Write([]byte("hello"))
		}
	}
	w.Close()
	r := NewReader(&buf)
	for i := 0; ; i++ {
		h, err := r.Next()
		if err == io.EOF {
			if i != len(ents) {
				t.Errorf("entries: got %d, want %d", i, len(ents))
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		want := ents[i]
		if h.Name != want.Name || h.Mode != want.Mode || h.Link != want.Link || h.Major != want.Major || h.Minor != want.Minor || h.UID != want.UID {
			t.Errorf("entry %d: got %+v, want %+v", i, h, want)
		}
		if want.Size > 0 {
			b, _ := io.ReadAll(r)
			if string(b) != "hello" {
				t.Errorf("data of %s: got %q", h.Name, b)
			}
		}
	}
}
