package qemu

import (
	"context"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/virt"
)

// Options configure a Driver.
type Options struct {
	// Root moves all state under one folder (see the package
	// documentation); empty means $GOVIRT_ROOT, else the standard layout.
	Root string
	// Emulator is the QEMU binary for definitions without <emulator>;
	// empty means qemu-system-ARCH found on PATH.
	Emulator string
	// TBSizeMiB is the TCG translation cache of guests that set none;
	// 0 means DefaultTBSizeMiB.
	TBSizeMiB uint64
	// RestrictUserNet isolates user-mode networks from the host
	// (restrict=on): tests set it so that guests reach nothing outside.
	RestrictUserNet bool
	// LockTimeout bounds the wait for another process managing the same
	// state root; 0 means 30 seconds.
	LockTimeout time.Duration
	// Supervise keeps watching guests after the last connection to their
	// state root closes, until Close: daemons set it, so that guest
	// power-offs and crashes are acted on at once even while no client is
	// connected. Without it (the CLI), guests run on unwatched between
	// connections and the next connection catches up (recovery.go).
	Supervise bool
	// Logger receives the driver's diagnostics; nil discards them.
	Logger *slog.Logger
}

// Driver is the QEMU driver. Connections to the same state root made
// through one Driver share one node; register a single Driver per process.
type Driver struct {
	opts Options

	mu    sync.Mutex
	nodes map[string]*node
}

// New returns a QEMU driver.
func New(opts Options) *Driver {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(discard{}, nil))
	}
	if opts.LockTimeout == 0 {
		opts.LockTimeout = 30 * time.Second
	}
	return &Driver{opts: opts, nodes: map[string]*node{}}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// Name implements virt.Driver.
func (*Driver) Name() string { return "qemu" }

// Open implements virt.Driver: qemu:///system, qemu:///session and
// qemu:///embed?root=DIR.
func (drv *Driver) Open(ctx context.Context, u *url.URL, flags virt.OpenFlags) (virt.ConnDriver, error) {
	if u.Scheme != "qemu" || !driver.IsLocal(u) {
		return nil, nil
	}
	if err := driver.CheckFlags(virt.FromQEMU, uint32(flags), uint32(virt.OpenReadOnlyFlag|virt.OpenNoAliases), "qemuConnectOpen"); err != nil {
		return nil, err
	}
	p, uri, err := drv.pathsFor(u)
	if err != nil {
		return nil, err
	}
	n, err := drv.acquire(ctx, p)
	if err != nil {
		return nil, err
	}
	return &conn{drv: drv, node: n, uri: uri, readOnly: flags&virt.OpenReadOnlyFlag != 0}, nil
}

// pathsFor picks the state layout of a URI.
func (drv *Driver) pathsFor(u *url.URL) (paths, string, error) {
	root := drv.opts.Root
	if root == "" {
		root = os.Getenv(RootEnv)
	}
	switch driver.URIPath(u) {
	case "/system":
		if root != "" {
			return systemPaths(root), "qemu:///system", nil
		}
		return systemPaths(""), "qemu:///system", nil
	case "/session":
		if root != "" {
			return systemPaths(filepath.Join(root, "session")), "qemu:///session", nil
		}
		p, err := sessionPaths()
		return p, "qemu:///session", err
	case "/embed":
		r := u.Query().Get("root")
		if r == "" || !filepath.IsAbs(r) {
			return paths{}, "", virt.Errorf(virt.ErrInvalidArg, virt.FromQEMU, "URI must be qemu:///embed?root=/some/absolute/path")
		}
		return systemPaths(r), "qemu:///embed?root=" + url.QueryEscape(r), nil
	}
	return paths{}, "", virt.Errorf(virt.ErrInvalidArg, virt.FromQEMU,
		"unexpected QEMU URI path '%s', try qemu:///system or qemu:///session", u.Path)
}

// acquire returns the node of p, opening it for the first connection.
func (drv *Driver) acquire(ctx context.Context, p paths) (*node, error) {
	drv.mu.Lock()
	defer drv.mu.Unlock()
	if n := drv.nodes[p.key]; n != nil {
		n.refs++
		return n, nil
	}
	n, err := openNode(ctx, drv, p)
	if err != nil {
		return nil, err
	}
	n.refs = 1
	drv.nodes[p.key] = n
	return n, nil
}

// release drops a reference; the last one closes the node (guests keep
// running) unless the driver supervises.
func (drv *Driver) release(n *node) {
	drv.mu.Lock()
	n.refs--
	last := n.refs == 0 && !drv.opts.Supervise
	if last {
		delete(drv.nodes, n.paths.key)
	}
	drv.mu.Unlock()
	if last {
		n.close()
	}
}

// Close stops supervising the guests of every state root whose
// connections are all closed (guests keep running). A daemon calls it at
// exit.
func (drv *Driver) Close() error {
	drv.mu.Lock()
	var idle []*node
	for k, n := range drv.nodes {
		if n.refs == 0 {
			idle = append(idle, n)
			delete(drv.nodes, k)
		}
	}
	drv.mu.Unlock()
	for _, n := range idle {
		n.close()
	}
	return nil
}

// conn is one connection to a node.
type conn struct {
	drv      *Driver
	node     *node
	uri      string
	readOnly bool

	mu      sync.Mutex
	closed  bool
	cancels []func()
}

// Close implements virt.ConnDriver.
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
	c.drv.release(c.node)
	return nil
}

// URI implements virt.ConnDriver.
func (c *conn) URI() string { return c.uri }

// Type implements virt.ConnDriver.
func (c *conn) Type() string { return "QEMU" }

// Version implements virt.ConnDriver: the version of the default QEMU.
func (c *conn) Version(ctx context.Context) (uint64, error) {
	caps, err := c.node.defaultCaps(ctx)
	if err != nil {
		return 0, err
	}
	return caps.Version, nil
}

// Hostname implements virt.ConnDriver.
func (c *conn) Hostname(ctx context.Context) (string, error) {
	h, err := os.Hostname()
	if err != nil {
		return "", virt.Errorf(virt.ErrSystem, virt.FromQEMU, "cannot get host name: %v", err)
	}
	return h, nil
}

// NodeInfo implements virt.ConnDriver.
func (c *conn) NodeInfo(ctx context.Context) (virt.NodeInfo, error) { return hostNodeInfo() }

// DomainEvents implements virt.DomainEvents.
func (c *conn) DomainEvents(ctx context.Context) (<-chan virt.DomainEvent, error) {
	ch, cancel := c.node.events.Subscribe(ctx, 0)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		cancel()
		return nil, virt.Errorf(virt.ErrInvalidConn, virt.FromQEMU, "")
	}
	c.cancels = append(c.cancels, cancel)
	return ch, nil
}

// SecurityModel implements virt.DomainSecurity: the driver confines guests
// with no security driver (libvirt's "none").
func (c *conn) SecurityModel(ctx context.Context) (virt.SecurityModel, error) {
	return virt.SecurityModel{Model: "none", DOI: "0"}, nil
}

// DomainSecurityLabel implements virt.DomainSecurity: no label.
func (c *conn) DomainSecurityLabel(ctx context.Context, ref virt.DomainRef) (virt.SecurityLabel, error) {
	if _, err := c.lookup(ref); err != nil {
		return virt.SecurityLabel{}, err
	}
	return virt.SecurityLabel{}, nil
}
