package daemon

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	in := `# govirtd.conf
listen_tls = 0
listen_tcp = 1   # plain TCP, explicitly
tcp_port = "16599"
listen_addr = "127.0.0.1"
unix_sock_dir = "/tmp/x/run"
unix_sock_ro_perms = "0777"
unix_sock_rw_perms = "0770"
auth_tcp = "none"
tls_allowed_dn_list = ["C=GB,O=Example,CN=*",
                       "CN=admin"]
max_clients = 10
max_workers = 4
max_client_requests = 2
keepalive_interval = -1
client_write_timeout = 7
default_uri = 'test:///default'
some_future_setting = "ignored"
`
	got, err := ParseConfig(strings.NewReader(in), "govirtd.conf", DefaultConfig(""))
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig("")
	want.ListenTCP = true
	want.TCPPort = "16599"
	want.ListenAddr = "127.0.0.1"
	want.UnixSockDir = "/tmp/x/run"
	want.UnixSockRWPerms = 0o770
	want.TLSAllowedDNList = []string{"C=GB,O=Example,CN=*", "CN=admin"}
	want.MaxClients = 10
	want.MaxWorkers = 4
	want.MaxClientRequests = 2
	want.KeepaliveInterval = -1
	want.WriteTimeout = 7 * time.Second
	want.DefaultURI = "test:///default"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"listen_tcp", "c.conf:1: expected 'name = value'"},
		{"listen_tcp = yes", "c.conf:1: listen_tcp: \"yes\" is neither a number nor a quoted string"},
		{"tcp_port = 16509", "c.conf:1: tcp_port: expected a string"},
		{"max_workers = \"4\"", "c.conf:1: max_workers: expected a number"},
		{"\n\nunix_sock_dir = \"/x", "c.conf:3: unix_sock_dir: unterminated string"},
		{"tls_allowed_dn_list = [\"a\",", "c.conf:1: unterminated list"},
		{"unix_sock_rw_perms = \"rwx\"", "c.conf:1: unix_sock_rw_perms: \"rwx\" is not an octal mode"},
		{"auth_unix_rw = \"polkit\"", "c.conf: auth_unix_rw = \"polkit\": only \"none\" is supported (govirtd has no SASL or polkit)"},
		{"max_workers = 0", "c.conf: max_workers, max_clients and max_client_requests must be at least 1"},
	}
	for _, tc := range tests {
		_, err := ParseConfig(strings.NewReader(tc.in), "c.conf", DefaultConfig(""))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q: got %v, want %s", tc.in, err, tc.want)
		}
	}
}

func TestDefaultConfigRoot(t *testing.T) {
	c := DefaultConfig("/srv/node")
	if c.UnixSockDir != "/srv/node/run/govirt" || c.CAFile != "/srv/node/etc/pki/CA/cacert.pem" {
		t.Errorf("got sockets in %s and CA %s", c.UnixSockDir, c.CAFile)
	}
}
