package remote

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/govirt/govirt/internal/rpc"
	"github.com/govirt/govirt/virt"
)

type netConn = net.Conn

// RootEnv, when set, moves the default daemon sockets under its value
// (ROOT/run/govirt), as it moves the qemu driver's state.
const RootEnv = "GOVIRT_ROOT"

// dial opens the transport the URI names.
func dial(ctx context.Context, u *url.URL, transport string, flags virt.OpenFlags) (net.Conn, error) {
	q := u.Query()
	switch transport {
	case "unix":
		path := q.Get("socket")
		if path == "" {
			path = defaultSocket(u, flags&virt.OpenReadOnlyFlag != 0)
		}
		var d net.Dialer
		c, err := d.DialContext(ctx, "unix", path)
		if err != nil {
			return nil, virt.Errorf(virt.ErrSystem, virt.FromRPC, "Failed to connect socket to '%s': %s", path, sysMessage(err))
		}
		return c, nil
	case "tcp":
		addr := hostPort(u, "16509")
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, virt.Errorf(virt.ErrSystem, virt.FromRPC, "unable to connect to server at '%s': %s", addr, sysMessage(err))
		}
		return c, nil
	case "tls":
		tc, err := clientTLSConfig(u)
		if err != nil {
			return nil, err
		}
		addr := hostPort(u, "16514")
		d := tls.Dialer{Config: tc}
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, virt.Errorf(virt.ErrSystem, virt.FromRPC, "unable to connect to server at '%s': %s", addr, sysMessage(err))
		}
		// The daemon confirms that it accepted our certificate with one
		// byte, 1.
		var ok [1]byte
		if dl, has := ctx.Deadline(); has {
			c.SetReadDeadline(dl)
		}
		_, err = io.ReadFull(c, ok[:])
		c.SetReadDeadline(time.Time{})
		if err != nil {
			c.Close()
			return nil, virt.Errorf(virt.ErrRPC, virt.FromRPC, "Unable to read TLS confirmation: %s", sysMessage(err))
		}
		if ok[0] != 1 {
			c.Close()
			return nil, virt.Errorf(virt.ErrRPC, virt.FromRPC, "server verification (of our certificate or IP address) failed")
		}
		return c, nil
	case "ssh":
		return dialSSH(ctx, u, flags)
	case "ext":
		cmd := q.Get("command")
		if cmd == "" {
			return nil, virt.Errorf(virt.ErrInvalidArg, virt.FromRemote, "remote_open: for 'ext' transport, command is required")
		}
		return dialCommand(exec.Command(cmd))
	}
	return nil, virt.Errorf(virt.ErrInvalidArg, virt.FromRemote, "remote_open: transport in URL not recognised (should be tls|unix|ssh|ext|tcp|libssh2|libssh)")
}

func sysMessage(err error) string {
	var oe *net.OpError
	if e, ok := err.(*net.OpError); ok {
		oe = e
		if se, ok := oe.Err.(*os.SyscallError); ok {
			return capitalize(se.Err.Error())
		}
		return capitalize(oe.Err.Error())
	}
	return err.Error()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func hostPort(u *url.URL, def string) string {
	host, port := u.Hostname(), u.Port()
	if host == "" {
		host = "localhost"
	}
	if port == "" {
		port = def
	}
	return net.JoinHostPort(host, port)
}

// defaultSocket is where the daemon for u listens: the session daemon's
// socket for /session URIs, else the system daemon's (read-only one for
// read-only connections).
func defaultSocket(u *url.URL, readOnly bool) string {
	if strings.TrimSuffix(u.Path, "/") == "/session" {
		return filepath.Join(rpc.SessionSocketDir(), rpc.SocketName)
	}
	name := rpc.SocketName
	if readOnly {
		name = rpc.SocketROName
	}
	return filepath.Join(rpc.SystemSocketDir(os.Getenv(RootEnv)), name)
}

// clientTLSConfig loads libvirt's client certificate layout: pkipath=DIR,
// else ~/.pki/libvirt when it holds a CA certificate, else
// /etc/pki/CA/cacert.pem, /etc/pki/libvirt/clientcert.pem and
// /etc/pki/libvirt/private/clientkey.pem. no_verify=1 skips checking the
// server's certificate.
func clientTLSConfig(u *url.URL) (*tls.Config, error) {
	q := u.Query()
	ca, cert, key := "/etc/pki/CA/cacert.pem", "/etc/pki/libvirt/clientcert.pem", "/etc/pki/libvirt/private/clientkey.pem"
	userDir := ""
	if home, err := os.UserHomeDir(); err == nil {
		userDir = filepath.Join(home, ".pki", "libvirt")
	}
	if dir := q.Get("pkipath"); dir != "" {
		ca, cert, key = filepath.Join(dir, "cacert.pem"), filepath.Join(dir, "clientcert.pem"), filepath.Join(dir, "clientkey.pem")
	} else if userDir != "" {
		if _, err := os.Stat(filepath.Join(userDir, "cacert.pem")); err == nil {
			ca, cert, key = filepath.Join(userDir, "cacert.pem"), filepath.Join(userDir, "clientcert.pem"), filepath.Join(userDir, "clientkey.pem")
		}
	}
	pem, err := os.ReadFile(ca)
	if err != nil {
		return nil, virt.Errorf(virt.ErrSystem, virt.FromRPC, "Cannot read CA certificate '%s': %s", ca, sysMessage(err))
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, virt.Errorf(virt.ErrSystem, virt.FromRPC, "Unable to import CA certificate list %s", ca)
	}
	kp, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		return nil, virt.Errorf(virt.ErrSystem, virt.FromRPC, "Unable to load client certificate %s: %v", cert, err)
	}
	tc := &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{kp}, ServerName: u.Hostname(), MinVersion: tls.VersionTLS12}
	if tc.ServerName == "" {
		tc.ServerName = "localhost"
	}
	if q.Get("no_verify") == "1" {
		tc.InsecureSkipVerify = true
	}
	return tc, nil
}

// dialSSH runs the system ssh to HOST and, there, `govirtd proxy URI`,
// which relays to the daemon's socket. command= names the ssh binary,
// netcat= the remote helper, keyfile= an identity, no_tty=1 forbids
// password prompts.
func dialSSH(ctx context.Context, u *url.URL, flags virt.OpenFlags) (net.Conn, error) {
	q := u.Query()
	sshCmd := q.Get("command")
	if sshCmd == "" {
		sshCmd = "ssh"
	}
	args := []string{}
	if p := u.Port(); p != "" {
		args = append(args, "-p", p)
	}
	if u.User != nil && u.User.Username() != "" {
		args = append(args, "-l", u.User.Username())
	}
	if k := q.Get("keyfile"); k != "" {
		args = append(args, "-i", k)
	}
	if q.Get("no_tty") == "1" {
		args = append(args, "-o", "BatchMode=yes")
	}
	args = append(args, "-T", "-e", "none", "--", u.Hostname())
	helper := q.Get("netcat")
	if helper == "" {
		helper = "govirtd"
	}
	remote := []string{shellQuote(helper), "proxy"}
	if s := q.Get("socket"); s != "" {
		remote = append(remote, "--socket", shellQuote(s))
	} else if flags&virt.OpenReadOnlyFlag != 0 {
		remote = append(remote, "--readonly")
	}
	scheme, _, _ := strings.Cut(u.Scheme, "+")
	remote = append(remote, shellQuote(daemonURI(scheme, u)))
	args = append(args, strings.Join(remote, " "))
	return dialCommand(exec.Command(sshCmd, args...))
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// dialCommand runs cmd and speaks to it over its stdin and stdout.
func dialCommand(cmd *exec.Cmd) (net.Conn, error) {
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, virt.Errorf(virt.ErrSystem, virt.FromRPC, "Cannot run %s: %s", cmd.Path, sysMessage(err))
	}
	return &cmdConn{cmd: cmd, in: in, out: out}, nil
}

// cmdConn is a net.Conn over a child process's stdin and stdout.
type cmdConn struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out io.ReadCloser
}

func (c *cmdConn) Read(b []byte) (int, error)  { return c.out.Read(b) }
func (c *cmdConn) Write(b []byte) (int, error) { return c.in.Write(b) }
func (c *cmdConn) Close() error {
	c.in.Close()
	c.out.Close()
	done := make(chan struct{})
	go func() {
		c.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		c.cmd.Process.Kill()
		<-done
	}
	return nil
}
func (c *cmdConn) LocalAddr() net.Addr              { return cmdAddr(c.cmd.Path) }
func (c *cmdConn) RemoteAddr() net.Addr             { return cmdAddr(c.cmd.Path) }
func (c *cmdConn) SetDeadline(time.Time) error      { return nil }
func (c *cmdConn) SetReadDeadline(time.Time) error  { return nil }
func (c *cmdConn) SetWriteDeadline(time.Time) error { return nil }

type cmdAddr string

func (a cmdAddr) Network() string { return "exec" }
func (a cmdAddr) String() string  { return fmt.Sprintf("exec:%s", string(a)) }
