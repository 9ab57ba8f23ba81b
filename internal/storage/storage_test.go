package storage

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadImage(t *testing.T) {
	if _, err := exec.LookPath(QemuImg); err != nil {
		if os.Getenv("GOVIRT_REQUIRE_QEMU") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	ctx := context.Background()
	dir := t.TempDir()
	base, over := filepath.Join(dir, "base.raw"), filepath.Join(dir, "over.qcow2")
	if err := CreateImage(ctx, base, "raw", 3<<20, "", ""); err != nil {
		t.Fatal(err)
	}
	if err := CreateImage(ctx, over, "qcow2", 0, base, "raw"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want Image
	}{
		{base, Image{Format: "raw", Capacity: 3 << 20}},
		{over, Image{Format: "qcow2", Capacity: 3 << 20, Backing: base, BackingFormat: "raw", ClusterSize: 65536, Compat: "1.1"}},
	}
	for _, tc := range tests {
		got, err := ReadImage(tc.path)
		if err != nil || got != tc.want {
			t.Errorf("ReadImage(%s): got %+v, %v; want %+v", filepath.Base(tc.path), got, err, tc.want)
		}
	}
}

func TestStreamLimits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v")
	os.WriteFile(path, []byte("0123456789"), 0o600)
	up, err := OpenUpload(path, 2, 4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := up.Write([]byte("abcdef")); err == nil || !strings.Contains(err.Error(), "exceeds the requested length") {
		t.Errorf("write past the length: got %v", err)
	}
	if _, err := up.Write([]byte("abcd")); err != nil {
		t.Fatal(err)
	}
	if got := up.Progress(); got != 4 {
		t.Errorf("progress: got %d, want 4", got)
	}
	up.Finish()
	down, err := OpenDownload(path, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(down)
	down.Finish()
	if got, want := string(b), "1abcd6789"; got != want {
		t.Errorf("download: got %q, want %q", got, want)
	}
	if _, err := OpenDownload(path, 11, 0); err == nil {
		t.Errorf("download from beyond the end: no error")
	}
}
