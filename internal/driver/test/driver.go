package test

import (
	"context"
	"net/url"
	"os"
	"sync"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/virt"
)

// Driver is the test driver. All connections to test:///default made
// through one Driver share one node; register a single Driver per process
// (internal/drivers does).
type Driver struct {
	mu       sync.Mutex
	shared   *node
	refs     int
	hostname string
}

// New returns a test driver.
func New() *Driver { return &Driver{} }

// Name implements virt.Driver.
func (*Driver) Name() string { return "test" }

// Open implements virt.Driver: test:///default or test:///PATH.xml.
func (drv *Driver) Open(ctx context.Context, u *url.URL, flags virt.OpenFlags) (virt.ConnDriver, error) {
	if u.Scheme != "test" || !driver.IsLocal(u) {
		return nil, nil
	}
	if err := driver.CheckFlags(virt.FromTest, uint32(flags), uint32(virt.OpenReadOnlyFlag|virt.OpenNoAliases), "testConnectOpen"); err != nil {
		return nil, err
	}
	path := driver.URIPath(u)
	if path == "" {
		return nil, virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "testOpen: supply a path or use test:///default")
	}
	c := &conn{drv: drv, readOnly: flags&virt.OpenReadOnlyFlag != 0}
	if path == "/default" {
		c.node, c.shared = drv.acquireDefault(), true
		c.uri = "test:///default"
		return c, nil
	}
	n, err := loadNodeFile(path)
	if err != nil {
		return nil, err
	}
	n.hostname = drv.host()
	c.node = n
	c.uri = "test://" + path
	return c, nil
}

// host returns the host name the nodes report (libvirt's test driver
// reports the real one).
func (drv *Driver) host() string {
	drv.mu.Lock()
	defer drv.mu.Unlock()
	if drv.hostname == "" {
		h, err := os.Hostname()
		if err != nil || h == "" {
			h = "localhost"
		}
		drv.hostname = h
	}
	return drv.hostname
}

// acquireDefault returns the shared default node, building it for the
// first connection.
func (drv *Driver) acquireDefault() *node {
	h := drv.host()
	drv.mu.Lock()
	defer drv.mu.Unlock()
	if drv.shared == nil {
		drv.shared = newDefaultNode()
		drv.shared.hostname = h
	}
	drv.refs++
	return drv.shared
}

// releaseDefault drops a reference to the default node; the last one makes
// the next connection start from a fresh node.
func (drv *Driver) releaseDefault(n *node) {
	drv.mu.Lock()
	defer drv.mu.Unlock()
	if drv.shared != n {
		return
	}
	drv.refs--
	if drv.refs == 0 {
		drv.shared = nil
		n.close()
	}
}

// conn is one connection to a node.
type conn struct {
	drv      *Driver
	node     *node
	uri      string
	shared   bool
	readOnly bool

	mu      sync.Mutex
	closed  bool
	cancels []func()
}

// Close implements virt.ConnDriver: the connection's event subscriptions
// end, and a private node goes away.
func (c *conn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	cancels := c.cancels
	c.cancels = nil
	c.mu.Unlock()
	for _, cancel := range cancels {
		cancel()
	}
	if c.shared {
		c.drv.releaseDefault(c.node)
	} else {
		c.node.close()
	}
	return nil
}

// track remembers cancel so that Close ends the subscription.
func (c *conn) track(cancel func()) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		cancel()
		return virt.Errorf(virt.ErrInvalidConn, virt.FromTest, "")
	}
	c.cancels = append(c.cancels, cancel)
	return nil
}

// URI implements virt.ConnDriver.
func (c *conn) URI() string { return c.uri }

// Type implements virt.ConnDriver.
func (c *conn) Type() string { return "TEST" }

// Version implements virt.ConnDriver: libvirt's test hypervisor is 0.0.2.
func (c *conn) Version(ctx context.Context) (uint64, error) { return 2, nil }

// Hostname implements virt.ConnDriver.
func (c *conn) Hostname(ctx context.Context) (string, error) { return c.node.hostname, nil }

// NodeInfo implements virt.ConnDriver.
func (c *conn) NodeInfo(ctx context.Context) (virt.NodeInfo, error) { return c.node.info, nil }

// Capabilities implements virt.ConnDriver.
func (c *conn) Capabilities(ctx context.Context) (string, error) {
	return c.node.capabilities(), nil
}

// DomainEvents implements virt.DomainEvents.
func (c *conn) DomainEvents(ctx context.Context) (<-chan virt.DomainEvent, error) {
	ch, cancel := c.node.domEvents.Subscribe(ctx, 0)
	if err := c.track(cancel); err != nil {
		return nil, err
	}
	return ch, nil
}

// NetworkEvents implements virt.NetworkEvents.
func (c *conn) NetworkEvents(ctx context.Context) (<-chan virt.NetworkEvent, error) {
	ch, cancel := c.node.netEvents.Subscribe(ctx, 0)
	if err := c.track(cancel); err != nil {
		return nil, err
	}
	return ch, nil
}

// StoragePoolEvents implements virt.StoragePoolEvents.
func (c *conn) StoragePoolEvents(ctx context.Context) (<-chan virt.StoragePoolEvent, error) {
	ch, cancel := c.node.poolEvents.Subscribe(ctx, 0)
	if err := c.track(cancel); err != nil {
		return nil, err
	}
	return ch, nil
}
