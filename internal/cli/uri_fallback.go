package cli

import (
	"errors"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/govirt/govirt/virt"
)

// daemonSocketError answers a URI no driver claims as libvirt does: its
// remote driver takes any local URI it does not know to the libvirtd
// socket, and a host without one says it cannot connect there. It returns
// nil when uri is not such a case or the socket answers.
func daemonSocketError(uri string, err error) error {
	if !errors.Is(err, virt.ErrNoConnect) {
		return nil
	}
	u, perr := url.Parse(uri)
	if perr != nil || u.Host != "" || strings.Contains(u.Scheme, "+") {
		return nil
	}
	sock := "/var/run/libvirt/libvirt-sock"
	if os.Geteuid() != 0 {
		dir := os.Getenv("XDG_RUNTIME_DIR")
		if dir == "" {
			home, _ := os.UserHomeDir()
			dir = filepath.Join(home, ".cache")
		}
		sock = filepath.Join(dir, "libvirt", "libvirt-sock")
	}
	c, derr := net.Dial("unix", sock)
	if derr == nil {
		c.Close()
		return nil
	}
	var errno syscall.Errno
	if errors.As(derr, &errno) {
		derr = errno
	}
	return virt.Errorf(virt.ErrSystem, virt.FromRPC, "Failed to connect socket to '%s': %s", sock, strerror(derr))
}
