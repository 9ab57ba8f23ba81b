package remote_test

import (
	"context"
	"net/url"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/govirt/govirt/internal/daemon"
	"github.com/govirt/govirt/internal/driver/drivertest"
	"github.com/govirt/govirt/internal/driver/remote"
	"github.com/govirt/govirt/internal/driver/test"
	"github.com/govirt/govirt/virt"
)

// node is a daemon with the test driver and a client registry holding
// the remote driver.
type node struct {
	d   *daemon.Daemon
	reg *virt.Registry
}

func startNode(t testing.TB, mod func(*daemon.Options)) *node {
	t.Helper()
	var dreg virt.Registry
	dreg.Register(test.New())
	cfg := daemon.DefaultConfig("")
	cfg.UnixSockDir = filepath.Join(t.TempDir(), "run")
	opts := daemon.Options{Config: cfg, Open: func(ctx context.Context, name string, flags virt.OpenFlags) (*virt.Conn, error) {
		return dreg.Open(ctx, name, flags)
	}}
	if mod != nil {
		mod(&opts)
	}
	d, err := daemon.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("daemon did not stop")
		}
	})
	var reg virt.Registry
	reg.Register(remote.New())
	return &node{d: d, reg: &reg}
}

func (n *node) uri(ro bool) string { return "test+unix:///default?socket=" + n.d.SocketPath(ro) }

func (n *node) open(t testing.TB, ro bool) *virt.Conn {
	t.Helper()
	flags := virt.OpenFlags(0)
	if ro {
		flags = virt.OpenReadOnlyFlag
	}
	c, err := n.reg.Open(context.Background(), n.uri(false), flags)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestConformance runs the shared driver suite through the remote driver
// against govirtd serving the test driver.
func TestConformance(t *testing.T) {
	n := startNode(t, nil)
	drivertest.RunConfig(t, drivertest.Config{
		Open:         func(t *testing.T) *virt.Conn { return n.open(t, false) },
		OpenReadOnly: func(t *testing.T) *virt.Conn { return n.open(t, true) },
	})
}

// TestSameAsInProcess asks the same questions in process and through the
// daemon and requires equal answers.
func TestSameAsInProcess(t *testing.T) {
	n := startNode(t, nil)
	ctx := context.Background()
	remoteConn := n.open(t, false)
	defer remoteConn.Close()
	// The daemon's test driver and this in-process one are distinct
	// instances holding identical fresh default nodes.
	var lreg virt.Registry
	lreg.Register(test.New())
	local, err := lreg.Open(ctx, "test:///default", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()

	type probe struct {
		name string
		fn   func(c *virt.Conn) (any, error)
	}
	dom := func(c *virt.Conn) *virt.Domain {
		d, err := c.LookupDomainByName(ctx, "test")
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	probes := []probe{
		{"type", func(c *virt.Conn) (any, error) { return c.Type(), nil }},
		{"version", func(c *virt.Conn) (any, error) { return c.Version(ctx) }},
		{"hostname", func(c *virt.Conn) (any, error) { return c.Hostname(ctx) }},
		{"nodeinfo", func(c *virt.Conn) (any, error) { return c.NodeInfo(ctx) }},
		{"capabilities", func(c *virt.Conn) (any, error) { return c.Capabilities(ctx) }},
		{"secmodel", func(c *virt.Conn) (any, error) { return c.SecurityModel(ctx) }},
		{"cpumap", func(c *virt.Conn) (any, error) { return c.NodeCPUMap(ctx) }},
		{"list", func(c *virt.Conn) (any, error) {
			ds, err := c.ListAllDomains(ctx, 0)
			var refs []virt.DomainRef
			for _, d := range ds {
				refs = append(refs, d.Ref())
			}
			return refs, err
		}},
		{"lookup", func(c *virt.Conn) (any, error) { return dom(c).Ref(), nil }},
		{"by id", func(c *virt.Conn) (any, error) {
			d, err := c.LookupDomainByID(ctx, 1)
			if err != nil {
				return nil, err
			}
			return d.Ref(), nil
		}},
		{"xml", func(c *virt.Conn) (any, error) { return dom(c).XML(ctx, 0) }},
		{"inactive xml", func(c *virt.Conn) (any, error) { return dom(c).XML(ctx, virt.XMLInactive) }},
		{"state", func(c *virt.Conn) (any, error) {
			s, r, err := dom(c).State(ctx)
			return [2]int{int(s), r}, err
		}},
		{"flags", func(c *virt.Conn) (any, error) { return dom(c).Flags(ctx) }},
		{"vcpucount", func(c *virt.Conn) (any, error) { return dom(c).VcpuCount(ctx, virt.AffectConfig|virt.VcpuMaximum) }},
		{"pininfo", func(c *virt.Conn) (any, error) { return dom(c).VcpuPinInfo(ctx, virt.AffectConfig) }},
		{"scheduler", func(c *virt.Conn) (any, error) {
			typ, ps, err := dom(c).Scheduler(ctx, 0)
			return []any{typ, ps}, err
		}},
		{"seclabel", func(c *virt.Conn) (any, error) { return dom(c).SecurityLabel(ctx) }},
		{"no domain", func(c *virt.Conn) (any, error) { return c.LookupDomainByName(ctx, "nosuch") }},
		{"bad uuid", func(c *virt.Conn) (any, error) { return c.LookupDomainByUUIDString(ctx, "nope") }},
		{"networks", func(c *virt.Conn) (any, error) {
			ns, err := c.ListAllNetworks(ctx, 0)
			var out []any
			for _, n := range ns {
				in, _ := n.Info(ctx)
				x, _ := n.XML(ctx, 0)
				out = append(out, n.Ref(), in, x)
			}
			return out, err
		}},
		{"pools", func(c *virt.Conn) (any, error) {
			ps, err := c.ListAllStoragePools(ctx, 0)
			var out []any
			for _, p := range ps {
				in, _ := p.Info(ctx)
				per, auto, _ := p.Flags(ctx)
				x, _ := p.XML(ctx, 0)
				vs, _ := p.ListVols(ctx)
				out = append(out, p.Ref(), in, per, auto, x, len(vs))
			}
			return out, err
		}},
		{"interfaces", func(c *virt.Conn) (any, error) {
			is, err := c.ListAllInterfaces(ctx, 0)
			var out []any
			for _, i := range is {
				x, _ := i.XML(ctx, 0)
				a, _ := i.IsActive(ctx)
				out = append(out, i.Ref(), x, a)
			}
			return out, err
		}},
		{"define bad", func(c *virt.Conn) (any, error) { return c.DefineDomain(ctx, "<domain type='test'><name>x</name>", 0) }},
		{"destroy twice", func(c *virt.Conn) (any, error) {
			d := dom(c)
			if err := d.Destroy(ctx, 0); err != nil {
				return nil, err
			}
			err := d.Destroy(ctx, 0)
			d.Start(ctx, 0)
			return d.Ref(), err
		}},
	}
	for _, p := range probes {
		want, werr := p.fn(local)
		got, gerr := p.fn(remoteConn)
		if !reflect.DeepEqual(errText(gerr), errText(werr)) {
			t.Errorf("%s: got error %v, want %v", p.name, gerr, werr)
			continue
		}
		if werr == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v, want %v", p.name, got, want)
		}
	}
}

// errText gives an error's code, domain and message, so that a remote
// error compares equal to a local one.
func errText(err error) any {
	if err == nil {
		return nil
	}
	e := virt.AsError(err)
	return [4]any{e.Code, e.Domain, e.Message, e.Level}
}

func TestDaemonURI(t *testing.T) {
	tests := []struct{ in, want string }{
		{"qemu+unix:///system?socket=/x", "qemu:///system"},
		{"test+unix:///default?socket=/run/s", "test:///default"},
		{"qemu+tcp://127.0.0.1:16599/system", "qemu:///system"},
		{"qemu+tls://host/system?no_verify=1&pkipath=/p", "qemu:///system"},
		{"qemu+ssh://root@host:22/system?keyfile=/k&no_tty=1", "qemu:///system"},
		{"qemu+unix:///session", "qemu:///session"},
		{"qemu+unix:///embed?root=/srv/x&socket=/s", "qemu:///embed?root=/srv/x"},
		{"qemu+unix:///system?name=test:///default", "test:///default"},
		{"test+tcp://h/tmp/node.xml", "test:///tmp/node.xml"},
	}
	for _, tc := range tests {
		u, err := url.Parse(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := remote.DaemonURI(u); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.in, got, tc.want)
		}
	}
}
