// Package virt is govirt's public API: open a connection to a hypervisor
// node by URI, then manage its domains, networks and storage, the way
// libvirt's C API does.
//
//	conn, err := virt.Open(ctx, "test:///default")
//	if err != nil { ... }
//	defer conn.Close()
//	dom, err := conn.LookupDomainByName(ctx, "test")
//	info, err := dom.Info(ctx)
//
// Errors are *Error values carrying libvirt's error numbers; match them with
// errors.Is against the sentinels (ErrNoDomain, ErrOperationInvalid, ...).
// A read-only connection refuses every call with a side effect.
//
// Drivers are registered explicitly by the program (see Register); govirt's
// commands register the test, qemu and remote drivers.
package virt

import (
	"context"
	"net/url"
	"os"
	"strings"
	"sync"
)

// Registry maps URI schemes to drivers.
type Registry struct {
	mu      sync.RWMutex
	drivers []Driver
}

var defaultRegistry Registry

// Register adds d to the default registry used by Open.
func Register(d Driver) { defaultRegistry.Register(d) }

// Register adds d to r. A later driver with the same name replaces an earlier one.
func (r *Registry) Register(d Driver) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, old := range r.drivers {
		if old.Name() == d.Name() {
			r.drivers[i] = d
			return
		}
	}
	r.drivers = append(r.drivers, d)
}

func (r *Registry) lookup(name string) Driver {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, d := range r.drivers {
		if d.Name() == name {
			return d
		}
	}
	return nil
}

// Open connects to the hypervisor named by uri with read-write access.
// An empty uri means $LIBVIRT_DEFAULT_URI, else qemu:///system for root and
// qemu:///session for others.
func Open(ctx context.Context, uri string) (*Conn, error) {
	return defaultRegistry.Open(ctx, uri, 0)
}

// OpenReadOnly connects with read-only access: calls with side effects are
// refused with ErrOperationDenied.
func OpenReadOnly(ctx context.Context, uri string) (*Conn, error) {
	return defaultRegistry.Open(ctx, uri, OpenReadOnlyFlag)
}

// DefaultURI returns the URI Open uses when given none.
func DefaultURI() string {
	if u := os.Getenv("LIBVIRT_DEFAULT_URI"); u != "" {
		return u
	}
	if os.Geteuid() == 0 {
		return "qemu:///system"
	}
	return "qemu:///session"
}

// Open connects through the drivers of r.
func (r *Registry) Open(ctx context.Context, uri string, flags OpenFlags) (*Conn, error) {
	if uri == "" {
		uri = DefaultURI()
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme == "" {
		return nil, Errorf(ErrInvalidArg, FromURI, "Unable to parse URI %s", uri)
	}
	name, transport, _ := strings.Cut(u.Scheme, "+")
	// A transport or a host means the node is reached through the wire
	// protocol; the remote driver handles that.
	if transport != "" || u.Host != "" {
		name = "remote"
	}
	d := r.lookup(name)
	if d == nil {
		return nil, Errorf(ErrNoConnect, FromNone, "%s", uri)
	}
	cd, err := d.Open(ctx, u, flags)
	if err != nil {
		return nil, err
	}
	if cd == nil {
		return nil, Errorf(ErrNoConnect, FromNone, "%s", uri)
	}
	return &Conn{drv: cd, readOnly: flags&OpenReadOnlyFlag != 0}, nil
}

// Conn is an open connection to a hypervisor node. It is safe for
// concurrent use.
type Conn struct {
	drv      ConnDriver
	readOnly bool
	closeMu  sync.Mutex
	closed   bool
}

// NewConn wraps a driver connection; drivers that serve other connections
// (the daemon) use it. Most programs call Open instead.
func NewConn(drv ConnDriver, readOnly bool) *Conn {
	return &Conn{drv: drv, readOnly: readOnly}
}

// Driver returns the driver connection behind c.
func (c *Conn) Driver() ConnDriver { return c.drv }

// ReadOnly reports whether c was opened read-only.
func (c *Conn) ReadOnly() bool { return c.readOnly }

// Close closes the connection. Closing twice is harmless.
func (c *Conn) Close() error {
	c.closeMu.Lock()
	defer c.closeMu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	return c.drv.Close()
}

// denyReadOnly returns the error libvirt gives for api on a read-only
// connection, or nil.
func (c *Conn) denyReadOnly(from ErrorDomain, api string) error {
	if !c.readOnly {
		return nil
	}
	return Errorf(ErrOperationDenied, from, "read only access prevents %s", api)
}

// noSupport is the error for a call the driver does not implement.
func (c *Conn) noSupport(from ErrorDomain, api string) error {
	return Errorf(ErrNoSupport, from, "%s", api)
}

// URI returns the canonical URI of the connection.
func (c *Conn) URI() string { return c.drv.URI() }

// Type returns the hypervisor's name ("TEST", "QEMU").
func (c *Conn) Type() string { return c.drv.Type() }

// Version returns the hypervisor version as major*1e6+minor*1e3+micro.
func (c *Conn) Version(ctx context.Context) (uint64, error) { return c.drv.Version(ctx) }

// LibVersion returns the libvirt API version govirt implements.
func (c *Conn) LibVersion() uint64 { return LibVersion }

// LibVersion is the libvirt release whose API and protocol govirt speaks.
const LibVersion = 9000000

// Hostname returns the node's host name.
func (c *Conn) Hostname(ctx context.Context) (string, error) { return c.drv.Hostname(ctx) }

// NodeInfo describes the node's CPUs and memory.
func (c *Conn) NodeInfo(ctx context.Context) (NodeInfo, error) { return c.drv.NodeInfo(ctx) }

// Capabilities returns the node's capabilities XML.
func (c *Conn) Capabilities(ctx context.Context) (string, error) { return c.drv.Capabilities(ctx) }

// SecurityModel returns the node's security model.
func (c *Conn) SecurityModel(ctx context.Context) (SecurityModel, error) {
	s, ok := c.drv.(DomainSecurity)
	if !ok {
		return SecurityModel{}, c.noSupport(FromNone, "virNodeGetSecurityModel")
	}
	return s.SecurityModel(ctx)
}
