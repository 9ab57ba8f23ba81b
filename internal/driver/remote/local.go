package remote

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/govirt/govirt/internal/rpc"
	"github.com/govirt/govirt/virt"
)

// Local serves a hypervisor's local URIs the way libvirt's client does:
// NAME:///session always goes to the user's session daemon, which is
// started when none runs (govirtd --session --timeout 120); NAME:///system
// goes to the system daemon when its socket answers, and otherwise to the
// in-process driver Embedded (if any). With $GOVIRT_ROOT set, local URIs
// stay in process: that variable moves a node's state for tests.
type Local struct {
	// Scheme is the URI scheme served ("qemu").
	Scheme string
	// Embedded opens connections in process when no daemon serves them.
	Embedded virt.Driver
	// Daemon is the govirtd binary to start for session URIs; empty means
	// $GOVIRTD, then govirtd next to the running program, then $PATH.
	Daemon string
	// Remote makes the daemon connections (default New()).
	Remote *Driver
}

// NewLocal returns a Local for scheme with an optional in-process driver.
func NewLocal(scheme string, embedded virt.Driver) *Local {
	return &Local{Scheme: scheme, Embedded: embedded, Remote: New()}
}

// Name implements virt.Driver.
func (l *Local) Name() string { return l.Scheme }

// Open implements virt.Driver.
func (l *Local) Open(ctx context.Context, u *url.URL, flags virt.OpenFlags) (virt.ConnDriver, error) {
	if u.Scheme != l.Scheme || strings.Contains(u.Scheme, "+") || u.Host != "" {
		return nil, nil
	}
	ro := flags&virt.OpenReadOnlyFlag != 0
	path := strings.TrimSuffix(u.Path, "/")
	if os.Getenv(RootEnv) != "" && l.Embedded != nil {
		path = ""
	}
	switch path {
	case "/session":
		sock := filepath.Join(rpc.SessionSocketDir(), rpc.SocketName)
		if !answers(sock) {
			if err := l.autostart(ctx, sock); err != nil {
				return nil, err
			}
		}
		return l.viaSocket(ctx, u, sock, flags)
	case "/system":
		name := rpc.SocketName
		if ro {
			name = rpc.SocketROName
		}
		sock := filepath.Join(rpc.SystemSocketDir(os.Getenv(RootEnv)), name)
		if answers(sock) || l.Embedded == nil {
			return l.viaSocket(ctx, u, sock, flags)
		}
	}
	if l.Embedded == nil {
		return nil, nil
	}
	return l.Embedded.Open(ctx, u, flags)
}

func (l *Local) viaSocket(ctx context.Context, u *url.URL, sock string, flags virt.OpenFlags) (virt.ConnDriver, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "unix", sock)
	if err != nil {
		return nil, virt.Errorf(virt.ErrSystem, virt.FromRPC, "Failed to connect socket to '%s': %s", sock, sysMessage(err))
	}
	r := l.Remote
	if r == nil {
		r = New()
	}
	return handshake(ctx, nc, u, daemonURI(u.Scheme, u), flags, r.KeepaliveInterval, r.KeepaliveCount)
}

// answers reports whether a daemon accepts connections on sock.
func answers(sock string) bool {
	c, err := net.DialTimeout("unix", sock, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// daemonBinary finds govirtd.
func (l *Local) daemonBinary() (string, error) {
	if l.Daemon != "" {
		return l.Daemon, nil
	}
	if p := os.Getenv("GOVIRTD"); p != "" {
		return p, nil
	}
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), "govirtd")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	return exec.LookPath("govirtd")
}

// autostart starts the session daemon and waits for its socket. A lock
// keeps concurrent clients from starting two.
func (l *Local) autostart(ctx context.Context, sock string) error {
	bin, err := l.daemonBinary()
	if err != nil {
		return virt.Errorf(virt.ErrNoConnect, virt.FromRPC, "cannot start the session daemon: govirtd not found: %v", err)
	}
	dir := filepath.Dir(sock)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return virt.Errorf(virt.ErrSystem, virt.FromRPC, "cannot create %s: %v", dir, err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, "autostart.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return virt.Errorf(virt.ErrSystem, virt.FromRPC, "cannot lock the session daemon start: %v", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return virt.Errorf(virt.ErrSystem, virt.FromRPC, "cannot lock the session daemon start: %v", err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if answers(sock) {
		return nil
	}
	logf, _ := os.OpenFile(filepath.Join(dir, "govirtd.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	cmd := exec.Command(bin, "--session", "--timeout", "120", "--pid-file", filepath.Join(dir, "govirtd.pid"))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return virt.Errorf(virt.ErrSystem, virt.FromRPC, "cannot start the session daemon %s: %v", bin, err)
	}
	if logf != nil {
		logf.Close()
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for !answers(sock) {
		select {
		case err := <-exited:
			if err == nil {
				err = errors.New("exited")
			}
			return virt.Errorf(virt.ErrNoConnect, virt.FromRPC, "session daemon %s stopped at start: %v (see %s)", bin, err, filepath.Join(dir, "govirtd.log"))
		case <-deadline.C:
			return virt.Errorf(virt.ErrNoConnect, virt.FromRPC, "session daemon did not create %s in time", sock)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}
