package server

import (
	"context"

	"github.com/govirt/govirt/internal/rpc/proto"
	"github.com/govirt/govirt/internal/rpc/xdr"
	"github.com/govirt/govirt/virt"
)

func domainHandlers(r registry) {
	r.add(proto.ProcDomainLookupByName, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.NameArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		dom, err := conn.LookupDomainByName(ctx, a.Name)
		if err != nil {
			return nil, err
		}
		return &proto.DomainRet{Dom: wireDom(dom.Ref())}, nil
	})
	r.add(proto.ProcDomainLookupByUUID, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.UUIDArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		dom, err := conn.LookupDomainByUUID(ctx, virt.UUID(a.UUID))
		if err != nil {
			return nil, err
		}
		return &proto.DomainRet{Dom: wireDom(dom.Ref())}, nil
	})
	r.add(proto.ProcDomainLookupByID, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.IntArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		dom, err := conn.LookupDomainByID(ctx, a.Value)
		if err != nil {
			return nil, err
		}
		return &proto.DomainRet{Dom: wireDom(dom.Ref())}, nil
	})
	r.add(proto.ProcConnectListAllDomains, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.ListAllArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		doms, err := conn.ListAllDomains(ctx, virt.ListDomainsFlags(a.Flags))
		if err != nil {
			return nil, err
		}
		if len(doms) > proto.DomainListMax {
			return nil, virt.Errorf(virt.ErrRPC, virt.FromRPC, "too many domains '%d' for limit '%d'", len(doms), proto.DomainListMax)
		}
		ret := &proto.DomainListRet{Ret: uint32(len(doms))}
		if a.NeedResults != 0 {
			ret.Domains = make([]proto.Domain, len(doms))
			for i, dom := range doms {
				ret.Domains[i] = wireDom(dom.Ref())
			}
		}
		return ret, nil
	})
	// The pre-0.9.13 listing calls, which virsh falls back to.
	r.add(proto.ProcConnectNumOfDomains, countProc((*virt.Conn).ListAllDomains, virt.ListDomainsActive))
	r.add(proto.ProcConnectNumOfDefinedDomains, countProc((*virt.Conn).ListAllDomains, virt.ListDomainsInactive))
	r.add(proto.ProcConnectListDomains, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.IntArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		if a.Value > proto.DomainListMax {
			return nil, virt.Errorf(virt.ErrRPC, virt.FromRPC, "maxids > REMOTE_DOMAIN_LIST_MAX")
		}
		doms, err := conn.ListAllDomains(ctx, virt.ListDomainsActive)
		if err != nil {
			return nil, err
		}
		ret := &proto.IDsRet{}
		for _, dom := range doms {
			if len(ret.IDs) >= int(a.Value) {
				break
			}
			ret.IDs = append(ret.IDs, dom.ID())
		}
		return ret, nil
	})
	r.add(proto.ProcConnectListDefinedDomains, namesProc((*virt.Conn).ListAllDomains, virt.ListDomainsInactive))
	r.add(proto.ProcDomainDefineXML, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.NameArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		dom, err := conn.DefineDomain(ctx, a.Name, 0)
		if err != nil {
			return nil, err
		}
		return &proto.DomainRet{Dom: wireDom(dom.Ref())}, nil
	})
	r.add(proto.ProcDomainDefineXMLFlags, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.StringFlagsArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		dom, err := conn.DefineDomain(ctx, a.Str, virt.DefineFlags(a.Flags))
		if err != nil {
			return nil, err
		}
		return &proto.DomainRet{Dom: wireDom(dom.Ref())}, nil
	})
	r.add(proto.ProcDomainCreateXML, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.StringFlagsArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		dom, err := conn.CreateDomain(ctx, a.Str, virt.CreateFlags(a.Flags))
		if err != nil {
			return nil, err
		}
		return &proto.DomainRet{Dom: wireDom(dom.Ref())}, nil
	})
	r.add(proto.ProcDomainUndefine, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		dom, err := domain(conn, d)
		if err != nil {
			return nil, err
		}
		return nil, dom.Undefine(ctx, 0)
	})
	r.add(proto.ProcDomainUndefineFlags, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		dom, flags, err := domainFlags(conn, d)
		if err != nil {
			return nil, err
		}
		return nil, dom.Undefine(ctx, virt.UndefineFlags(flags))
	})
	r.add(proto.ProcDomainGetXMLDesc, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		dom, flags, err := domainFlags(conn, d)
		if err != nil {
			return nil, err
		}
		x, err := dom.XML(ctx, virt.DomainXMLFlags(flags))
		if err != nil {
			return nil, err
		}
		return &proto.StringRet{Str: x}, nil
	})
	r.add(proto.ProcDomainGetInfo, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		dom, err := domain(conn, d)
		if err != nil {
			return nil, err
		}
		in, err := dom.Info(ctx)
		if err != nil {
			return nil, err
		}
		return &proto.DomainGetInfoRet{State: int32(in.State), MaxMem: in.MaxMem, Memory: in.Memory, NrVirtCPU: int32(in.NrVirtCPU), CPUTime: in.CPUTime}, nil
	})
	r.add(proto.ProcDomainGetMaxMemory, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		dom, err := domain(conn, d)
		if err != nil {
			return nil, err
		}
		in, err := dom.Info(ctx)
		if err != nil {
			return nil, err
		}
		return &proto.Uint64Ret{Value: in.MaxMem}, nil
	})
	r.add(proto.ProcDomainGetState, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		dom, _, err := domainFlags(conn, d)
		if err != nil {
			return nil, err
		}
		st, reason, err := dom.State(ctx)
		if err != nil {
			return nil, err
		}
		return &proto.DomainGetStateRet{State: int32(st), Reason: int32(reason)}, nil
	})
	r.add(proto.ProcDomainIsActive, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		dom, err := domain(conn, d)
		if err != nil {
			return nil, err
		}
		on, err := dom.IsActive(ctx)
		if err != nil {
			return nil, err
		}
		return boolInt(on), nil
	})
	flag := func(pick func(virt.DomainFlagSet) bool) procFunc {
		return func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
			dom, err := domain(conn, d)
			if err != nil {
				return nil, err
			}
			fs, err := dom.Flags(ctx)
			if err != nil {
				return nil, err
			}
			return boolInt(pick(fs)), nil
		}
	}
	r.add(proto.ProcDomainIsPersistent, flag(func(f virt.DomainFlagSet) bool { return f.Persistent }))
	r.add(proto.ProcDomainGetAutostart, flag(func(f virt.DomainFlagSet) bool { return f.Autostart }))
	r.add(proto.ProcDomainHasManagedSaveImage, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		dom, _, err := domainFlags(conn, d)
		if err != nil {
			return nil, err
		}
		fs, err := dom.Flags(ctx)
		if err != nil {
			return nil, err
		}
		return boolInt(fs.ManagedSave), nil
	})
	r.add(proto.ProcDomainGetOSType, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		dom, err := domain(conn, d)
		if err != nil {
			return nil, err
		}
		fs, err := dom.Flags(ctx)
		if err != nil {
			return nil, err
		}
		return &proto.StringRet{Str: fs.OSType}, nil
	})
	r.add(proto.ProcDomainSetAutostart, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.DomainIntArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		return nil, conn.DomainFromRef(domRef(a.Dom)).SetAutostart(ctx, a.Value != 0)
	})
	r.add(proto.ProcDomainGetMessages, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		dom, flags, err := domainFlags(conn, d)
		if err != nil {
			return nil, err
		}
		msgs, err := dom.Messages(ctx, flags)
		if err != nil {
			return nil, err
		}
		return &proto.DomainGetMessagesRet{Msgs: msgs}, nil
	})
	r.add(proto.ProcDomainSnapshotNum, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		dom, flags, err := domainFlags(conn, d)
		if err != nil {
			return nil, err
		}
		n, err := dom.SnapshotCount(ctx, flags)
		if err != nil {
			return nil, err
		}
		return &proto.IntRet{Value: int32(n)}, nil
	})

	// Lifecycle.
	r.add(proto.ProcDomainCreate, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		dom, err := domain(conn, d)
		if err != nil {
			return nil, err
		}
		return nil, dom.Start(ctx, 0)
	})
	r.add(proto.ProcDomainCreateWithFlags, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		dom, flags, err := domainFlags(conn, d)
		if err != nil {
			return nil, err
		}
		if err := dom.Start(ctx, virt.CreateFlags(flags)); err != nil {
			return nil, err
		}
		return &proto.DomainRet{Dom: wireDom(dom.Ref())}, nil
	})
	plain := func(op func(*virt.Domain, context.Context) error) procFunc {
		return func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
			dom, err := domain(conn, d)
			if err != nil {
				return nil, err
			}
			return nil, op(dom, ctx)
		}
	}
	withFlags := func(op func(*virt.Domain, context.Context, uint32) error) procFunc {
		return func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
			dom, flags, err := domainFlags(conn, d)
			if err != nil {
				return nil, err
			}
			return nil, op(dom, ctx, flags)
		}
	}
	r.add(proto.ProcDomainShutdown, plain(func(dom *virt.Domain, ctx context.Context) error { return dom.Shutdown(ctx, 0) }))
	r.add(proto.ProcDomainShutdownFlags, withFlags((*virt.Domain).Shutdown))
	r.add(proto.ProcDomainDestroy, plain(func(dom *virt.Domain, ctx context.Context) error { return dom.Destroy(ctx, 0) }))
	r.add(proto.ProcDomainDestroyFlags, withFlags((*virt.Domain).Destroy))
	r.add(proto.ProcDomainReboot, withFlags((*virt.Domain).Reboot))
	r.add(proto.ProcDomainReset, withFlags(func(dom *virt.Domain, ctx context.Context, flags uint32) error { return dom.Reset(ctx) }))
	r.add(proto.ProcDomainSuspend, plain((*virt.Domain).Suspend))
	r.add(proto.ProcDomainResume, plain((*virt.Domain).Resume))
	r.add(proto.ProcDomainManagedSave, withFlags((*virt.Domain).ManagedSave))
	r.add(proto.ProcDomainManagedSaveRemove, withFlags((*virt.Domain).ManagedSaveRemove))
}
