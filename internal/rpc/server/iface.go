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

func ifaceHandlers(r registry) {
	r.add(proto.ProcConnectListAllInterfaces, listAllProc((*virt.Conn).ListAllInterfaces,
		func(i *virt.Interface) proto.Interface { return wireIface(i.Ref()) },
		func(n uint32, ifaces []proto.Interface) proto.Encoder {
			return &proto.InterfaceListRet{Ret: n, Ifaces: ifaces}
		}))
	r.add(proto.ProcConnectNumOfInterfaces, countProc((*virt.Conn).ListAllInterfaces, virt.ListInterfacesActive))
	r.add(proto.ProcConnectNumOfDefinedInterfaces, countProc((*virt.Conn).ListAllInterfaces, virt.ListInterfacesInactive))
	r.add(proto.ProcConnectListInterfaces, namesProc((*virt.Conn).ListAllInterfaces, virt.ListInterfacesActive))
	r.add(proto.ProcConnectListDefinedInterfaces, namesProc((*virt.Conn).ListAllInterfaces, virt.ListInterfacesInactive))
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
