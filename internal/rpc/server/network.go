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
	r.add(proto.ProcConnectListAllNetworks, listAllProc((*virt.Conn).ListAllNetworks,
		func(n *virt.Network) proto.Network { return wireNet(n.Ref()) },
		func(n uint32, nets []proto.Network) proto.Encoder { return &proto.NetworkListRet{Ret: n, Nets: nets} }))
	r.add(proto.ProcConnectNumOfNetworks, countProc((*virt.Conn).ListAllNetworks, virt.ListNetworksActive))
	r.add(proto.ProcConnectNumOfDefinedNetworks, countProc((*virt.Conn).ListAllNetworks, virt.ListNetworksInactive))
	r.add(proto.ProcConnectListNetworks, namesProc((*virt.Conn).ListAllNetworks, virt.ListNetworksActive))
	r.add(proto.ProcConnectListDefinedNetworks, namesProc((*virt.Conn).ListAllNetworks, virt.ListNetworksInactive))

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
