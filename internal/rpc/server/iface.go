package server

import (
	"context"

	"github.com/govirt/govirt/internal/rpc/proto"
	"github.com/govirt/govirt/internal/rpc/xdr"
	"github.com/govirt/govirt/virt"
)

func ifaceRef(p proto.Interface) virt.InterfaceRef {
	return virt.InterfaceRef{Name: p.Name, MAC: p.MAC}
}

func wireIface(r virt.InterfaceRef) proto.Interface { return proto.Interface{Name: r.Name, MAC: r.MAC} }

func ifaceNames(ctx context.Context, conn *virt.Conn, flags virt.ListInterfacesFlags) ([]string, error) {
	is, err := conn.ListAllInterfaces(ctx, flags)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(is))
	for i, x := range is {
		names[i] = x.Name()
	}
	return names, nil
}

func ifaceHandlers(r registry) {
	r.add(proto.ProcConnectListAllInterfaces, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.ListAllArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		is, err := conn.ListAllInterfaces(ctx, virt.ListInterfacesFlags(a.Flags))
		if err != nil {
			return nil, err
		}
		ret := &proto.InterfaceListRet{Ret: uint32(len(is))}
		if a.NeedResults != 0 {
			ret.Ifaces = make([]proto.Interface, len(is))
			for i, x := range is {
				ret.Ifaces[i] = wireIface(x.Ref())
			}
		}
		return ret, nil
	})
	count := func(flags virt.ListInterfacesFlags) procFunc {
		return func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
			names, err := ifaceNames(ctx, conn, flags)
			if err != nil {
				return nil, err
			}
			return &proto.IntRet{Value: int32(len(names))}, nil
		}
	}
	list := func(flags virt.ListInterfacesFlags) procFunc {
		return func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
			var a proto.IntArgs
			if err := args(d, &a); err != nil {
				return nil, err
			}
			names, err := ifaceNames(ctx, conn, flags)
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
	r.add(proto.ProcConnectNumOfInterfaces, count(virt.ListInterfacesActive))
	r.add(proto.ProcConnectNumOfDefinedInterfaces, count(virt.ListInterfacesInactive))
	r.add(proto.ProcConnectListInterfaces, list(virt.ListInterfacesActive))
	r.add(proto.ProcConnectListDefinedInterfaces, list(virt.ListInterfacesInactive))
	r.add(proto.ProcInterfaceLookupByName, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.NameArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		i, err := conn.LookupInterfaceByName(ctx, a.Name)
		if err != nil {
			return nil, err
		}
		return &proto.InterfaceRet{Iface: wireIface(i.Ref())}, nil
	})
	r.add(proto.ProcInterfaceLookupByMACString, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.NameArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		i, err := conn.LookupInterfaceByMAC(ctx, a.Name)
		if err != nil {
			return nil, err
		}
		return &proto.InterfaceRet{Iface: wireIface(i.Ref())}, nil
	})
	r.add(proto.ProcInterfaceGetXMLDesc, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.InterfaceFlagsArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		x, err := conn.InterfaceFromRef(ifaceRef(a.Iface)).XML(ctx, a.Flags)
		if err != nil {
			return nil, err
		}
		return &proto.StringRet{Str: x}, nil
	})
	r.add(proto.ProcInterfaceIsActive, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.InterfaceArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		on, err := conn.InterfaceFromRef(ifaceRef(a.Iface)).IsActive(ctx)
		if err != nil {
			return nil, err
		}
		return boolInt(on), nil
	})
}
