package server

import (
	"context"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/internal/rpc/proto"
	"github.com/govirt/govirt/internal/rpc/xdr"
	"github.com/govirt/govirt/virt"
)

func network(conn *virt.Conn, d *xdr.Decoder) (*virt.Network, error) {
	var a proto.NetworkArgs
	if err := args(d, &a); err != nil {
		return nil, err
	}
	return conn.NetworkFromRef(netRef(a.Net)), nil
}

func networkInfo(ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (virt.NetworkInfo, *virt.Network, error) {
	n, err := network(conn, d)
	if err != nil {
		return virt.NetworkInfo{}, nil, err
	}
	in, err := n.Info(ctx)
	return in, n, err
}

func networkNames(ctx context.Context, conn *virt.Conn, flags virt.ListNetworksFlags) ([]string, error) {
	nets, err := conn.ListAllNetworks(ctx, flags)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(nets))
	for i, n := range nets {
		names[i] = n.Name()
	}
	return names, nil
}

func networkHandlers(r registry) {
	r.add(proto.ProcNetworkLookupByName, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.NameArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		n, err := conn.LookupNetworkByName(ctx, a.Name)
		if err != nil {
			return nil, err
		}
		return &proto.NetworkRet{Net: wireNet(n.Ref())}, nil
	})
	r.add(proto.ProcNetworkLookupByUUID, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.UUIDArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		n, err := conn.LookupNetworkByUUID(ctx, virt.UUID(a.UUID))
		if err != nil {
			return nil, err
		}
		return &proto.NetworkRet{Net: wireNet(n.Ref())}, nil
	})
	r.add(proto.ProcConnectListAllNetworks, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.ListAllArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		nets, err := conn.ListAllNetworks(ctx, virt.ListNetworksFlags(a.Flags))
		if err != nil {
			return nil, err
		}
		ret := &proto.NetworkListRet{Ret: uint32(len(nets))}
		if a.NeedResults != 0 {
			ret.Nets = make([]proto.Network, len(nets))
			for i, n := range nets {
				ret.Nets[i] = wireNet(n.Ref())
			}
		}
		return ret, nil
	})
	count := func(flags virt.ListNetworksFlags) procFunc {
		return func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
			names, err := networkNames(ctx, conn, flags)
			if err != nil {
				return nil, err
			}
			return &proto.IntRet{Value: int32(len(names))}, nil
		}
	}
	list := func(flags virt.ListNetworksFlags) procFunc {
		return func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
			var a proto.IntArgs
			if err := args(d, &a); err != nil {
				return nil, err
			}
			names, err := networkNames(ctx, conn, flags)
			if err != nil {
				return nil, err
			}
			names, err = limitNames(names, a.Value)
			if err != nil {
				return nil, err
			}
			return &proto.NamesRet{Names: names}, nil
		}
	}
	r.add(proto.ProcConnectNumOfNetworks, count(virt.ListNetworksActive))
	r.add(proto.ProcConnectNumOfDefinedNetworks, count(virt.ListNetworksInactive))
	r.add(proto.ProcConnectListNetworks, list(virt.ListNetworksActive))
	r.add(proto.ProcConnectListDefinedNetworks, list(virt.ListNetworksInactive))

	fromXML := func(op func(*virt.Conn, context.Context, string) (*virt.Network, error), withFlags bool, fn string) procFunc {
		return func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
			var a proto.StringFlagsArgs
			if withFlags {
				if err := args(d, &a); err != nil {
					return nil, err
				}
				if a.Flags != 0 {
					return nil, driver.UnsupportedFlags(virt.FromNetwork, a.Flags, fn)
				}
			} else {
				var b proto.NameArgs
				if err := args(d, &b); err != nil {
					return nil, err
				}
				a.Str = b.Name
			}
			n, err := op(conn, ctx, a.Str)
			if err != nil {
				return nil, err
			}
			return &proto.NetworkRet{Net: wireNet(n.Ref())}, nil
		}
	}
	r.add(proto.ProcNetworkDefineXML, fromXML((*virt.Conn).DefineNetwork, false, ""))
	r.add(proto.ProcNetworkDefineXMLFlags, fromXML((*virt.Conn).DefineNetwork, true, "virNetworkDefineXMLFlags"))
	r.add(proto.ProcNetworkCreateXML, fromXML((*virt.Conn).CreateNetwork, false, ""))
	r.add(proto.ProcNetworkCreateXMLFlags, fromXML((*virt.Conn).CreateNetwork, true, "virNetworkCreateXMLFlags"))

	op := func(f func(*virt.Network, context.Context) error) procFunc {
		return func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
			n, err := network(conn, d)
			if err != nil {
				return nil, err
			}
			return nil, f(n, ctx)
		}
	}
	r.add(proto.ProcNetworkCreate, op((*virt.Network).Start))
	r.add(proto.ProcNetworkDestroy, op((*virt.Network).Destroy))
	r.add(proto.ProcNetworkUndefine, op((*virt.Network).Undefine))
	r.add(proto.ProcNetworkGetXMLDesc, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.NetworkFlagsArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		x, err := conn.NetworkFromRef(netRef(a.Net)).XML(ctx, a.Flags)
		if err != nil {
			return nil, err
		}
		return &proto.StringRet{Str: x}, nil
	})
	r.add(proto.ProcNetworkSetAutostart, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.NetworkIntArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		return nil, conn.NetworkFromRef(netRef(a.Net)).SetAutostart(ctx, a.Value != 0)
	})
	info := func(pick func(virt.NetworkInfo) bool) procFunc {
		return func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
			in, _, err := networkInfo(ctx, conn, d)
			if err != nil {
				return nil, err
			}
			return boolInt(pick(in)), nil
		}
	}
	r.add(proto.ProcNetworkIsActive, info(func(in virt.NetworkInfo) bool { return in.Active }))
	r.add(proto.ProcNetworkIsPersistent, info(func(in virt.NetworkInfo) bool { return in.Persistent }))
	r.add(proto.ProcNetworkGetAutostart, info(func(in virt.NetworkInfo) bool { return in.Autostart }))
	r.add(proto.ProcNetworkGetBridgeName, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		in, n, err := networkInfo(ctx, conn, d)
		if err != nil {
			return nil, err
		}
		if in.Bridge == "" {
			return nil, virt.Errorf(virt.ErrInternal, virt.FromNetwork, "network '%s' does not have a bridge name.", n.Name())
		}
		return &proto.StringRet{Str: in.Bridge}, nil
	})
}
