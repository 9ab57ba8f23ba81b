package daemon

import (
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// listenFDsStart is the first file descriptor systemd passes.
const listenFDsStart = 3

// Activated returns the listeners systemd passed by socket activation
// (LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES), or nil when there are none.
// A socket whose name (FileDescriptorName=, by default the socket unit's
// name) or unix path contains "-ro" is read-only, "-tls" serves TLS with
// cfg's certificates, "-tcp" plain TCP; "admin" sockets are skipped.
// The environment variables are cleared, as sd_listen_fds does.
func Activated(cfg Config) ([]Listener, error) {
	pid, err := strconv.Atoi(os.Getenv("LISTEN_PID"))
	if err != nil || pid != os.Getpid() {
		return nil, nil
	}
	n, err := strconv.Atoi(os.Getenv("LISTEN_FDS"))
	if err != nil || n <= 0 {
		return nil, nil
	}
	names := strings.Split(os.Getenv("LISTEN_FDNAMES"), ":")
	os.Unsetenv("LISTEN_PID")
	os.Unsetenv("LISTEN_FDS")
	os.Unsetenv("LISTEN_FDNAMES")
	var out []Listener
	for i := 0; i < n; i++ {
		fd := listenFDsStart + i
		syscall.CloseOnExec(fd)
		f := os.NewFile(uintptr(fd), "listen-fd-"+strconv.Itoa(fd))
		l, err := net.FileListener(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("socket activation: fd %d: %w", fd, err)
		}
		name := ""
		if i < len(names) {
			name = names[i]
		}
		key := name + " " + l.Addr().String()
		switch {
		case strings.Contains(key, "admin"):
			l.Close()
			continue
		case strings.Contains(key, "-ro"):
			out = append(out, Listener{Listener: l, Name: "unix-ro", ReadOnly: true, Secure: true})
		case strings.Contains(key, "-tls"):
			tc, err := ServerTLSConfig(cfg)
			if err != nil {
				return nil, err
			}
			out = append(out, Listener{Listener: tls.NewListener(l, tc), Name: "tls", Secure: true})
		case strings.Contains(key, "-tcp") || l.Addr().Network() == "tcp":
			out = append(out, Listener{Listener: l, Name: "tcp"})
		default:
			out = append(out, Listener{Listener: l, Name: "unix", Secure: true})
		}
	}
	return out, nil
}
