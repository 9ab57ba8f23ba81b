package qemu

import (
	"io"
	"os"
	"path/filepath"
)

// mkdirFor creates the folder of path.
func mkdirFor(path string) error { return os.MkdirAll(filepath.Dir(path), 0o755) }

// copyFile copies src to dst (created with mode 0600), synced.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(dst)
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		os.Remove(dst)
		return err
	}
	return out.Close()
}
