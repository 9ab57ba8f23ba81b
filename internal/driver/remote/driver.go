// Package remote is govirt's remote driver: it implements the virt driver
// interfaces by calling a daemon (govirtd or libvirtd) over libvirt's RPC
// protocol. URIs with a transport or a host come here:
//
//	qemu+unix:///system?socket=PATH   unix socket (default: the daemon's)
//	test+unix:///default?socket=PATH
//	qemu+tcp://HOST[:16509]/system    plain TCP
//	qemu+tls://HOST[:16514]/system    TLS with libvirt's x509 layout
//	qemu+ssh://[USER@]HOST[:PORT]/system   the system ssh, running
//	                                  `govirtd proxy URI` on HOST
//	qemu+ext:///system?command=CMD    any command speaking on stdin/stdout
//
// The daemon receives the URI without transport, host and client-only
// parameters (qemu:///system), as libvirt's client sends it.
package remote

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/govirt/govirt/internal/rpc/client"
	"github.com/govirt/govirt/internal/rpc/proto"
	"github.com/govirt/govirt/virt"
)

// Driver is the remote driver.
type Driver struct {
	// KeepaliveInterval and KeepaliveCount are virsh's defaults (5 s, 6).
	KeepaliveInterval time.Duration
	KeepaliveCount    int
}

// New returns the remote driver.
func New() *Driver { return &Driver{KeepaliveInterval: 5 * time.Second, KeepaliveCount: 6} }

// Name implements virt.Driver: virt sends every URI with a transport or a
// host to the driver named "remote".
func (*Driver) Name() string { return "remote" }

// clientParams are the URI parameters the client consumes; the daemon
// never sees them.
var clientParams = map[string]bool{
	"name": true, "command": true, "socket": true, "auth": true, "netcat": true, "keyfile": true,
	"no_verify": true, "no_tty": true, "pkipath": true, "known_hosts": true, "known_hosts_verify": true,
	"sshauth": true, "mode": true, "proxy": true, "tls_priority": true, "tls": true,
}

// Open implements virt.Driver.
func (d *Driver) Open(ctx context.Context, u *url.URL, flags virt.OpenFlags) (virt.ConnDriver, error) {
	scheme, transport, _ := strings.Cut(u.Scheme, "+")
	if transport == "" {
		if u.Host == "" {
			return nil, nil
		}
		transport = "tls"
	}
	nc, err := dial(ctx, u, transport, flags)
	if err != nil {
		return nil, err
	}
	return handshake(ctx, nc, u, daemonURI(scheme, u), flags, d.KeepaliveInterval, d.KeepaliveCount)
}

// daemonURI is the name sent in CONNECT_OPEN: the URI without transport,
// host and client-only parameters, or the name= parameter.
func daemonURI(scheme string, u *url.URL) string {
	q := u.Query()
	if n := q.Get("name"); n != "" {
		return n
	}
	// Keep the other parameters as written, in their order.
	var keep []string
	for _, kv := range strings.Split(u.RawQuery, "&") {
		if kv == "" {
			continue
		}
		k, _, _ := strings.Cut(kv, "=")
		if key, err := url.QueryUnescape(k); err == nil && clientParams[key] {
			continue
		}
		keep = append(keep, kv)
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	s := scheme + "://" + path
	if len(keep) > 0 {
		s += "?" + strings.Join(keep, "&")
	}
	return s
}

// conn is an open remote connection.
type conn struct {
	c        *client.Client
	uri      string
	typ      string
	readOnly bool
	events   bool // the daemon supports callback events

	mu        sync.Mutex
	closed    bool
	domEvents *eventSub[virt.DomainEvent]
	netEvents *eventSub[virt.NetworkEvent]
	poolEvts  *eventSub[virt.StoragePoolEvent]
}

// handshake runs libvirt's connection sequence on a fresh transport.
func handshake(ctx context.Context, nc netConn, u *url.URL, name string, flags virt.OpenFlags, kaInterval time.Duration, kaCount int) (*conn, error) {
	c := &conn{uri: u.String(), readOnly: flags&virt.OpenReadOnlyFlag != 0}
	c.c = client.New(nc, client.Options{OnEvent: c.onEvent})
	fail := func(err error) (*conn, error) {
		c.c.Close()
		return nil, err
	}
	var auth proto.AuthListRet
	if err := c.c.Call(ctx, proto.ProcAuthList, nil, &auth); err != nil && !errors.Is(err, virt.ErrNoSupport) {
		return fail(err)
	}
	for _, a := range auth.Types {
		if a == 0 {
			auth.Types = nil
			break
		}
	}
	if len(auth.Types) > 0 {
		return fail(virt.Errorf(virt.ErrAuthFailed, virt.FromRemote, "unsupported authentication type %d", auth.Types[0]))
	}
	if supported(ctx, c.c, 10) && kaInterval > 0 {
		c.c.StartKeepalive(kaInterval, kaCount)
	}
	if err := c.c.Call(ctx, proto.ProcConnectOpen, &proto.ConnectOpenArgs{Name: &name, Flags: uint32(flags)}, nil); err != nil {
		return fail(err)
	}
	c.events = supported(ctx, c.c, 14)
	var typ proto.StringRet
	if err := c.c.Call(ctx, proto.ProcConnectGetType, nil, &typ); err != nil {
		return fail(err)
	}
	c.typ = typ.Str
	return c, nil
}

func supported(ctx context.Context, c *client.Client, feature int32) bool {
	var r proto.ConnectSupportsFeatureRet
	if err := c.Call(ctx, proto.ProcConnectSupportsFeature, &proto.ConnectSupportsFeatureArgs{Feature: feature}, &r); err != nil {
		return false
	}
	return r.Supported != 0
}

// call runs one procedure.
func (c *conn) call(ctx context.Context, p proto.Proc, args proto.Encoder, ret proto.Decoder) error {
	return c.c.Call(ctx, p, args, ret)
}

// Close implements virt.ConnDriver: CONNECT_CLOSE, then hang up.
func (c *conn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	subs := []interface{ close() }{c.domEvents, c.netEvents, c.poolEvts}
	c.mu.Unlock()
	for _, s := range subs {
		s.close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := c.call(ctx, proto.ProcConnectClose, nil, nil)
	c.c.Close()
	return err
}

// URI implements virt.ConnDriver: the URI the connection was opened with.
func (c *conn) URI() string { return c.uri }

// Type implements virt.ConnDriver.
func (c *conn) Type() string { return c.typ }

// Version implements virt.ConnDriver.
func (c *conn) Version(ctx context.Context) (uint64, error) {
	var r proto.Uint64Ret
	err := c.call(ctx, proto.ProcConnectGetVersion, nil, &r)
	return r.Value, err
}

// Hostname implements virt.ConnDriver.
func (c *conn) Hostname(ctx context.Context) (string, error) {
	var r proto.StringRet
	err := c.call(ctx, proto.ProcConnectGetHostname, nil, &r)
	return r.Str, err
}

// NodeInfo implements virt.ConnDriver.
func (c *conn) NodeInfo(ctx context.Context) (virt.NodeInfo, error) {
	var r proto.NodeGetInfoRet
	if err := c.call(ctx, proto.ProcNodeGetInfo, nil, &r); err != nil {
		return virt.NodeInfo{}, err
	}
	return virt.NodeInfo{Model: r.Model, Memory: r.Memory, CPUs: uint32(r.CPUs), MHz: uint32(r.MHz), Nodes: uint32(r.Nodes),
		Sockets: uint32(r.Sockets), Cores: uint32(r.Cores), Threads: uint32(r.Threads)}, nil
}

// Capabilities implements virt.ConnDriver.
func (c *conn) Capabilities(ctx context.Context) (string, error) {
	var r proto.StringRet
	err := c.call(ctx, proto.ProcConnectGetCapabilities, nil, &r)
	return r.Str, err
}

// SecurityModel implements virt.DomainSecurity.
func (c *conn) SecurityModel(ctx context.Context) (virt.SecurityModel, error) {
	var r proto.NodeGetSecurityModelRet
	if err := c.call(ctx, proto.ProcNodeGetSecurityModel, nil, &r); err != nil {
		return virt.SecurityModel{}, err
	}
	return virt.SecurityModel{Model: goString(r.Model), DOI: goString(r.DOI)}, nil
}

// NodeCPUMap implements virt.NodeCPUMapper.
func (c *conn) NodeCPUMap(ctx context.Context) ([]bool, error) {
	var r proto.NodeGetCPUMapRet
	if err := c.call(ctx, proto.ProcNodeGetCPUMap, &proto.NodeGetCPUMapArgs{NeedMap: 1, NeedOnline: 1}, &r); err != nil {
		return nil, err
	}
	return unpackMap(r.Cpumap, int(r.Ret)), nil
}

// goString cuts a C string at its NUL.
func goString(b []byte) string {
	if i := strings.IndexByte(string(b), 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

func unpackMap(b []byte, n int) []bool {
	if n <= 0 || n > 8*len(b) {
		n = 8 * len(b)
	}
	m := make([]bool, n)
	for i := range m {
		m[i] = b[i/8]&(1<<(i%8)) != 0
	}
	return m
}

// errf builds a remote-driver error.
func errf(kind *virt.Error, format string, args ...any) error {
	return virt.Errorf(kind, virt.FromRemote, "%s", fmt.Sprintf(format, args...))
}
