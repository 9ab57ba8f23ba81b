package remote_test

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/govirt/govirt/internal/daemon"
	"github.com/govirt/govirt/internal/driver/remote"
	"github.com/govirt/govirt/internal/rpc/rpctest"
	"github.com/govirt/govirt/virt"
)

func newCA(t *testing.T, dir string) *rpctest.CA {
	t.Helper()
	ca, err := rpctest.NewCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// clientDir writes a pkipath folder trusting trust with a client
// certificate from issuer for cn.
func clientDir(t *testing.T, trust, issuer *rpctest.CA, cn string) string {
	t.Helper()
	dir := t.TempDir()
	if err := rpctest.ClientDir(dir, trust, issuer, cn); err != nil {
		t.Fatal(err)
	}
	return dir
}

func netPort(t *testing.T, d *daemon.Daemon, name string) string {
	t.Helper()
	for _, l := range d.Listeners() {
		if l.Name == name {
			_, port, _ := net.SplitHostPort(l.Addr().String())
			return port
		}
	}
	t.Fatalf("no %s listener", name)
	return ""
}

func hostnameOf(t *testing.T, reg *virt.Registry, uri string) (string, error) {
	t.Helper()
	c, err := reg.Open(context.Background(), uri, 0)
	if err != nil {
		return "", err
	}
	defer c.Close()
	return c.Hostname(context.Background())
}

// TestTCPAndTLS serves the test driver on plain TCP and on TLS with
// client certificates checked against the CA and the allowed DN list.
func TestTCPAndTLS(t *testing.T) {
	ca := newCA(t, t.TempDir())
	srvDir := t.TempDir()
	n := startNode(t, func(o *daemon.Options) {
		o.Listen = true
		o.Config.ListenTCP = true
		o.Config.ListenTLS = true
		o.Config.ListenAddr = "127.0.0.1"
		o.Config.TCPPort = "0"
		o.Config.TLSPort = "0"
		o.Config.CAFile = ca.File
		o.Config.CertFile = filepath.Join(srvDir, "libvirt", "servercert.pem")
		o.Config.KeyFile = filepath.Join(srvDir, "libvirt", "private", "serverkey.pem")
		o.Config.TLSAllowedDNList = []string{"C=GB,O=govirt test,CN=client*"}
		if err := ca.Issue("server", true, o.Config.CertFile, o.Config.KeyFile); err != nil {
			t.Fatal(err)
		}
	})
	want, _ := os.Hostname()

	tcp := "test+tcp://127.0.0.1:" + netPort(t, n.d, "tcp") + "/default"
	if got, err := hostnameOf(t, n.reg, tcp); err != nil || got != want {
		t.Errorf("tcp: got %q, %v; want %q", got, err, want)
	}

	port := netPort(t, n.d, "tls")
	good := clientDir(t, ca, ca, "client1")
	if got, err := hostnameOf(t, n.reg, "test+tls://localhost:"+port+"/default?pkipath="+good); err != nil || got != want {
		t.Errorf("tls: got %q, %v; want %q", got, err, want)
	}
	// A certificate from another CA, a DN outside the list, and a server
	// the client does not trust are all refused.
	other := newCA(t, t.TempDir())
	for _, tc := range []struct{ name, dir string }{
		{"foreign CA", clientDir(t, ca, other, "client2")},
		{"DN not allowed", clientDir(t, ca, ca, "intruder")},
		{"untrusted server", clientDir(t, other, other, "client3")},
	} {
		if _, err := hostnameOf(t, n.reg, "test+tls://localhost:"+port+"/default?pkipath="+tc.dir); err == nil {
			t.Errorf("%s: connection accepted", tc.name)
		}
	}
	// no_verify skips the check of the server only.
	if _, err := hostnameOf(t, n.reg, "test+tls://localhost:"+port+"/default?no_verify=1&pkipath="+clientDir(t, other, ca, "client4")); err != nil {
		t.Errorf("no_verify: %v", err)
	}
	healthy := clientDir(t, ca, ca, "client5")
	if _, err := hostnameOf(t, n.reg, "test+tls://localhost:"+port+"/default?pkipath="+healthy); err != nil {
		t.Errorf("after refusals: %v", err)
	}
}

// buildGovirtd builds the daemon binary for the transports that run it.
func buildGovirtd(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "govirtd")
	out, err := exec.Command("go", "build", "-o", bin, "../../../cmd/govirtd").CombinedOutput()
	if err != nil {
		t.Fatalf("build govirtd: %v\n%s", err, out)
	}
	return bin
}

// TestSSHTransport runs qemu+ssh:// through an ssh stand-in (command=)
// that records its arguments and runs the remote command locally, as sshd
// would: `govirtd proxy` relays to the daemon's socket.
func TestSSHTransport(t *testing.T) {
	n := startNode(t, nil)
	bin := buildGovirtd(t)
	dir := t.TempDir()
	argsFile := filepath.Join(dir, "args")
	fake := filepath.Join(dir, "ssh")
	script := "#!/bin/sh\nprintf '%s\\n' \"$@\" > " + argsFile + "\nfor last; do :; done\nexec sh -c \"$last\"\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	uri := "test+ssh://admin@node1:2222/default?command=" + fake + "&netcat=" + bin + "&socket=" + n.d.SocketPath(false) + "&keyfile=/k/id&no_tty=1"
	want, _ := os.Hostname()
	if got, err := hostnameOf(t, n.reg, uri); err != nil || got != want {
		t.Fatalf("ssh: got %q, %v; want %q", got, err, want)
	}
	b, _ := os.ReadFile(argsFile)
	wantArgs := strings.Join([]string{"-p", "2222", "-l", "admin", "-i", "/k/id", "-o", "BatchMode=yes", "-T", "-e", "none", "--", "node1",
		"'" + bin + "' proxy --socket '" + n.d.SocketPath(false) + "' 'test:///default'"}, "\n") + "\n"
	if string(b) != wantArgs {
		t.Errorf("ssh ran with\n%s\nwant\n%s", b, wantArgs)
	}
}

// TestExtTransport speaks through any command's stdin and stdout.
func TestExtTransport(t *testing.T) {
	n := startNode(t, nil)
	bin := buildGovirtd(t)
	dir := t.TempDir()
	cmd := filepath.Join(dir, "relay")
	os.WriteFile(cmd, []byte("#!/bin/sh\nexec "+bin+" proxy --socket "+n.d.SocketPath(false)+"\n"), 0o755)
	want, _ := os.Hostname()
	if got, err := hostnameOf(t, n.reg, "test+ext:///default?command="+cmd); err != nil || got != want {
		t.Errorf("ext: got %q, %v; want %q", got, err, want)
	}
}

// TestSessionAutostart opens qemu:///session with no session daemon
// running: govirtd --session is started, creates its socket under
// $XDG_RUNTIME_DIR/govirt and serves the connection; a second open
// reuses it.
func TestSessionAutostart(t *testing.T) {
	bin := buildGovirtd(t)
	rt := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", rt)
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, ".local", "share"))
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	t.Setenv(remote.RootEnv, "")
	l := remote.NewLocal("qemu", nil)
	l.Daemon = bin
	var reg virt.Registry
	reg.Register(l)
	sock := filepath.Join(rt, "govirt", "govirt-sock")
	if _, err := os.Stat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("socket exists before the test: %v", err)
	}
	ctx := context.Background()
	c, err := reg.Open(ctx, "qemu:///session", 0)
	if err != nil {
		t.Fatalf("open qemu:///session: %v", err)
	}
	defer c.Close()
	if c.Type() != "QEMU" || c.URI() != "qemu:///session" {
		t.Errorf("got type %q uri %q", c.Type(), c.URI())
	}
	if _, err := c.ListAllDomains(ctx, 0); err != nil {
		t.Errorf("list: %v", err)
	}
	if _, err := os.Stat(sock); err != nil {
		t.Errorf("session socket: %v", err)
	}
	c2, err := reg.Open(ctx, "qemu:///session", 0)
	if err != nil {
		t.Fatalf("second open: %v", err)
	}
	c2.Close()
	// Stop the daemon the open started, by the pid it wrote.
	b, err := os.ReadFile(filepath.Join(rt, "govirt", "govirtd.pid"))
	if err != nil {
		t.Fatalf("session daemon pid file: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(sock); errors.Is(err, os.ErrNotExist) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("session daemon did not stop on SIGTERM")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
