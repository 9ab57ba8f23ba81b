package daemon_test

import (
	"net"
	"path/filepath"
	"testing"

	"github.com/govirt/govirt/internal/daemon"
	"github.com/govirt/govirt/internal/rpc/rpctest"
)

func port(t *testing.T, d *daemon.Daemon, name string) string {
	t.Helper()
	for _, l := range d.Listeners() {
		if l.Name == name {
			_, p, _ := net.SplitHostPort(l.Addr().String())
			return p
		}
	}
	t.Fatalf("no %s listener", name)
	return ""
}

// TestVirshTCPAndTLS: the real virsh reaches govirtd over plain TCP and
// over TLS with libvirt's certificates (pkipath=); a client certificate
// from another CA is refused.
func TestVirshTCPAndTLS(t *testing.T) {
	pki := t.TempDir()
	ca, err := rpctest.NewCA(filepath.Join(pki, "CA"))
	if err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, func(o *daemon.Options) {
		o.Listen = true
		o.Config.ListenTCP, o.Config.ListenTLS = true, true
		o.Config.ListenAddr, o.Config.TCPPort, o.Config.TLSPort = "127.0.0.1", "0", "0"
		o.Config.CAFile = ca.File
		o.Config.CertFile = filepath.Join(pki, "libvirt", "servercert.pem")
		o.Config.KeyFile = filepath.Join(pki, "libvirt", "private", "serverkey.pem")
		if err := ca.Issue("localhost", true, o.Config.CertFile, o.Config.KeyFile); err != nil {
			t.Fatal(err)
		}
	})
	dir := t.TempDir()
	want := virsh(t, dir, "test:///default", "list --all; net-list --all")
	client := filepath.Join(pki, "client")
	if err := rpctest.ClientDir(client, ca, ca, "client1"); err != nil {
		t.Fatal(err)
	}
	for _, uri := range []string{
		"test+tcp://127.0.0.1:" + port(t, d, "tcp") + "/default",
		"test+tls://localhost:" + port(t, d, "tls") + "/default?pkipath=" + client,
	} {
		got := virsh(t, dir, uri, "list --all; net-list --all")
		if got != want {
			t.Errorf("%s: got %+v, want %+v", uri, got, want)
		}
	}
	other, err := rpctest.NewCA(filepath.Join(pki, "other"))
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(pki, "bad")
	if err := rpctest.ClientDir(bad, ca, other, "client2"); err != nil {
		t.Fatal(err)
	}
	if r := virsh(t, dir, "test+tls://localhost:"+port(t, d, "tls")+"/default?pkipath="+bad, "list"); r.code == 0 {
		t.Errorf("a certificate from another CA was accepted:\n%s", r.stdout)
	}
}
