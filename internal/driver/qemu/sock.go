package qemu

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// maxSunPath is the room for a path in struct sockaddr_un (with its NUL).
const maxSunPath = 108

// shortPath calls fn with a name for path that fits in sockaddr_un: path
// itself when short enough, else /proc/self/fd/N/BASE through an open
// handle on path's folder.
func shortPath(path string, fn func(string) error) error {
	if len(path) < maxSunPath {
		return fn(path)
	}
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer dir.Close()
	short := "/proc/self/fd/" + strconv.Itoa(int(dir.Fd())) + "/" + filepath.Base(path)
	if len(short) >= maxSunPath {
		return fmt.Errorf("socket name %s too long", filepath.Base(path))
	}
	return fn(short)
}

// listenUnix binds and listens on a unix socket at path (replacing a stale
// one) and returns it as a file to hand to a child process.
func listenUnix(path string) (*os.File, error) {
	if err := removeIfExists(path); err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	err = shortPath(path, func(p string) error {
		return syscall.Bind(fd, &syscall.SockaddrUnix{Name: p})
	})
	if err == nil {
		err = syscall.Listen(fd, 8)
	}
	if err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	return os.NewFile(uintptr(fd), path), nil
}

// dialUnix connects to the unix socket at path.
func dialUnix(ctx context.Context, path string) (net.Conn, error) {
	var conn net.Conn
	err := shortPath(path, func(p string) error {
		var d net.Dialer
		c, err := d.DialContext(ctx, "unix", p)
		conn = c
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", path, err)
	}
	return conn, nil
}
