package guestinit

import (
	"bytes"
	"strings"
	"testing"
)

func TestFrames(t *testing.T) {
	var buf bytes.Buffer
	frames := []struct {
		kind byte
		data string
	}{{FrameReady, "1234"}, {FrameStdout, "out"}, {FrameStderr, ""}, {FrameExit, "\x00\x00\x00\x07"}}
	for _, f := range frames {
		if err := WriteFrame(&buf, f.kind, []byte(f.data)); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range frames {
		k, p, err := ReadFrame(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if k != f.kind || string(p) != f.data {
			t.Errorf("got %c %q, want %c %q", k, p, f.kind, f.data)
		}
	}
	// A length beyond the limit is refused, not allocated.
	bad := []byte{FrameStdout, 0xff, 0xff, 0xff, 0xff}
	if _, _, err := ReadFrame(bytes.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("huge frame: got %v", err)
	}
}

func TestRequest(t *testing.T) {
	line, err := EncodeRequest(&Request{Argv: []string{"sh", "-c", "echo 'a\nb'"}, Env: []string{"X=1"}})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Count(line, []byte("\n")) != 1 || line[len(line)-1] != '\n' {
		t.Fatalf("request is not one line: %q", line)
	}
	var r Request
	if err := decodeRequest(line, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Argv) != 3 || r.Argv[2] != "echo 'a\nb'" || r.Env[0] != "X=1" {
		t.Errorf("round trip: got %+v", r)
	}
	if err := decodeRequest([]byte("{nope"), &r); err == nil {
		t.Error("bad request: no error")
	}
}
