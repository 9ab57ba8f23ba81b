package server

import (
	"context"
	"strings"

	"github.com/govirt/govirt/internal/rpc/proto"
	"github.com/govirt/govirt/internal/rpc/xdr"
	"github.com/govirt/govirt/virt"
)

// procFunc runs one procedure on the client's hypervisor connection
// (nil for procedures marked noConn) and returns the reply body (nil:
// void).
type procFunc func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error)

// handler is a procedure's implementation and how it is scheduled.
type handler struct {
	fn func(c *client, ctx context.Context, d *xdr.Decoder) (proto.Encoder, error)
	// inline procedures run on the reader goroutine, in order with the
	// messages around them (connection setup and teardown).
	inline bool
}

var handlers = buildHandlers()

func lookup(p proto.Proc) handler {
	if p <= 0 || int(p) >= len(handlers) {
		return handler{}
	}
	return handlers[p]
}

type registry []handler

// add registers fn for p; it needs an open connection.
func (r registry) add(p proto.Proc, fn procFunc) {
	r[p] = handler{fn: func(c *client, ctx context.Context, d *xdr.Decoder) (proto.Encoder, error) {
		conn, err := c.virtConn()
		if err != nil {
			return nil, err
		}
		return fn(c, ctx, conn, d)
	}}
}

// addRaw registers fn for p without the connection check.
func (r registry) addRaw(p proto.Proc, inline bool, fn func(c *client, ctx context.Context, d *xdr.Decoder) (proto.Encoder, error)) {
	r[p] = handler{fn: fn, inline: inline}
}

func buildHandlers() []handler {
	r := make(registry, proto.ProcLast+1)
	connectHandlers(r)
	domainHandlers(r)
	domainTuneHandlers(r)
	eventHandlers(r)
	networkHandlers(r)
	storageHandlers(r)
	ifaceHandlers(r)
	streamHandlers(r)
	return r
}

// familyDomain is the error domain libvirt reports for a procedure's API
// family.
func familyDomain(p proto.Proc) virt.ErrorDomain {
	n := p.String()
	switch {
	case strings.HasPrefix(n, "DOMAIN_"):
		return virt.FromDomain
	case strings.HasPrefix(n, "NETWORK_"):
		return virt.FromNetwork
	case strings.HasPrefix(n, "STORAGE_"):
		return virt.FromStorage
	case strings.HasPrefix(n, "INTERFACE_"):
		return virt.FromInterface
	case strings.HasPrefix(n, "NODE_DEVICE_"):
		return virt.FromNodeDev
	case strings.HasPrefix(n, "SECRET_"):
		return virt.FromSecret
	case strings.HasPrefix(n, "NWFILTER_"):
		return virt.FromNWFilter
	}
	return virt.FromNone
}

// Conversions between wire handles and virt references.

func domRef(p proto.Domain) virt.DomainRef {
	return virt.DomainRef{Name: p.Name, UUID: virt.UUID(p.UUID), ID: p.ID}
}

func wireDom(r virt.DomainRef) proto.Domain {
	return proto.Domain{Name: r.Name, UUID: proto.UUID(r.UUID), ID: r.ID}
}

func netRef(p proto.Network) virt.NetworkRef {
	return virt.NetworkRef{Name: p.Name, UUID: virt.UUID(p.UUID)}
}

func wireNet(r virt.NetworkRef) proto.Network {
	return proto.Network{Name: r.Name, UUID: proto.UUID(r.UUID)}
}

func poolRef(p proto.StoragePool) virt.StoragePoolRef {
	return virt.StoragePoolRef{Name: p.Name, UUID: virt.UUID(p.UUID)}
}

func wirePool(r virt.StoragePoolRef) proto.StoragePool {
	return proto.StoragePool{Name: r.Name, UUID: proto.UUID(r.UUID)}
}

func volRef(p proto.StorageVol) virt.StorageVolRef {
	return virt.StorageVolRef{Pool: p.Pool, Name: p.Name, Key: p.Key}
}

func wireVol(r virt.StorageVolRef) proto.StorageVol {
	return proto.StorageVol{Pool: r.Pool, Name: r.Name, Key: r.Key}
}

func boolInt(b bool) *proto.IntRet {
	if b {
		return &proto.IntRet{Value: 1}
	}
	return &proto.IntRet{Value: 0}
}

// domain decodes a DomainArgs and returns a handle on the domain.
func domain(conn *virt.Conn, d *xdr.Decoder) (*virt.Domain, error) {
	var a proto.DomainArgs
	if err := args(d, &a); err != nil {
		return nil, err
	}
	return conn.DomainFromRef(domRef(a.Dom)), nil
}

// domainFlags decodes a DomainFlagsArgs.
func domainFlags(conn *virt.Conn, d *xdr.Decoder) (*virt.Domain, uint32, error) {
	var a proto.DomainFlagsArgs
	if err := args(d, &a); err != nil {
		return nil, 0, err
	}
	return conn.DomainFromRef(domRef(a.Dom)), a.Flags, nil
}

// limitNames applies a client's maxnames to a list, as libvirt does.
func limitNames(names []string, max int32) ([]string, error) {
	if max < 0 {
		return nil, virt.Errorf(virt.ErrInvalidArg, virt.FromRPC, "maxnames must not be negative")
	}
	if max > proto.DomainListMax {
		return nil, virt.Errorf(virt.ErrRPC, virt.FromRPC, "maxnames > %d", proto.DomainListMax)
	}
	if len(names) > int(max) {
		names = names[:max]
	}
	return names, nil
}

// countProc answers one of the pre-0.9.13 virConnectNumOf* calls: how many
// objects list (a virt.Conn ListAll method) finds with flags.
func countProc[T, F any](list func(*virt.Conn, context.Context, F) ([]T, error), flags F) procFunc {
	return func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		objs, err := list(conn, ctx, flags)
		if err != nil {
			return nil, err
		}
		return &proto.IntRet{Value: int32(len(objs))}, nil
	}
}

// namesProc answers one of the pre-0.9.13 virConnectList* calls that
// return names: those of the objects list finds with flags, up to the
// caller's maxnames.
func namesProc[T interface{ Name() string }, F any](list func(*virt.Conn, context.Context, F) ([]T, error), flags F) procFunc {
	return func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.IntArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		objs, err := list(conn, ctx, flags)
		if err != nil {
			return nil, err
		}
		names := make([]string, len(objs))
		for i, o := range objs {
			names[i] = o.Name()
		}
		names, err = limitNames(names, a.Value)
		if err != nil {
			return nil, err
		}
		return &proto.NamesRet{Names: names}, nil
	}
}

// listAllProc answers a virConnectListAll* call: the number of objects
// list finds with the caller's flags and, when the caller asks for them,
// the objects themselves as wire turns them; ret makes the reply.
func listAllProc[T any, F ~uint32, W any](list func(*virt.Conn, context.Context, F) ([]T, error),
	wire func(T) W, ret func(n uint32, objs []W) proto.Encoder) procFunc {
	return func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.ListAllArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		objs, err := list(conn, ctx, F(a.Flags))
		if err != nil {
			return nil, err
		}
		var ws []W
		if a.NeedResults != 0 {
			ws = make([]W, len(objs))
			for i, o := range objs {
				ws[i] = wire(o)
			}
		}
		return ret(uint32(len(objs)), ws), nil
	}
}
