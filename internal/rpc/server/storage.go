package server

import (
	"context"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/internal/rpc/proto"
	"github.com/govirt/govirt/internal/rpc/xdr"
	"github.com/govirt/govirt/virt"
)

func pool(conn *virt.Conn, d *xdr.Decoder) (*virt.StoragePool, error) {
	var a proto.PoolArgs
	if err := args(d, &a); err != nil {
		return nil, err
	}
	return conn.PoolFromRef(poolRef(a.Pool)), nil
}

func poolFlags(conn *virt.Conn, d *xdr.Decoder) (*virt.StoragePool, uint32, error) {
	var a proto.PoolFlagsArgs
	if err := args(d, &a); err != nil {
		return nil, 0, err
	}
	return conn.PoolFromRef(poolRef(a.Pool)), a.Flags, nil
}

func vol(conn *virt.Conn, d *xdr.Decoder) (*virt.StorageVol, error) {
	var a proto.VolArgs
	if err := args(d, &a); err != nil {
		return nil, err
	}
	return conn.VolFromRef(volRef(a.Vol)), nil
}

func volRet(v *virt.StorageVol, err error) (proto.Encoder, error) {
	if err != nil {
		return nil, err
	}
	return &proto.VolRet{Vol: wireVol(v.Ref())}, nil
}

func poolRet(p *virt.StoragePool, err error) (proto.Encoder, error) {
	if err != nil {
		return nil, err
	}
	return &proto.PoolRet{Pool: wirePool(p.Ref())}, nil
}

func storageHandlers(r registry) {
	r.add(proto.ProcStoragePoolLookupByName, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.NameArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		return poolRet(conn.LookupStoragePoolByName(ctx, a.Name))
	})
	r.add(proto.ProcStoragePoolLookupByUUID, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.UUIDArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		return poolRet(conn.LookupStoragePoolByUUID(ctx, virt.UUID(a.UUID)))
	})
	r.add(proto.ProcStoragePoolLookupByVolume, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		v, err := vol(conn, d)
		if err != nil {
			return nil, err
		}
		return poolRet(conn.LookupStoragePoolByName(ctx, v.PoolName()))
	})
	r.add(proto.ProcConnectListAllStoragePools, listAllProc((*virt.Conn).ListAllStoragePools,
		func(p *virt.StoragePool) proto.StoragePool { return wirePool(p.Ref()) },
		func(n uint32, pools []proto.StoragePool) proto.Encoder {
			return &proto.PoolListRet{Ret: n, Pools: pools}
		}))
	r.add(proto.ProcConnectNumOfStoragePools, countProc((*virt.Conn).ListAllStoragePools, virt.ListPoolsActive))
	r.add(proto.ProcConnectNumOfDefinedStoragePools, countProc((*virt.Conn).ListAllStoragePools, virt.ListPoolsInactive))
	r.add(proto.ProcConnectListStoragePools, namesProc((*virt.Conn).ListAllStoragePools, virt.ListPoolsActive))
	r.add(proto.ProcConnectListDefinedStoragePools, namesProc((*virt.Conn).ListAllStoragePools, virt.ListPoolsInactive))

	r.add(proto.ProcStoragePoolDefineXML, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.StringFlagsArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		if a.Flags != 0 {
			return nil, driver.UnsupportedFlags(virt.FromStorage, a.Flags, "virStoragePoolDefineXML")
		}
		return poolRet(conn.DefineStoragePool(ctx, a.Str))
	})
	r.add(proto.ProcStoragePoolCreateXML, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.StringFlagsArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		return poolRet(conn.CreateStoragePool(ctx, a.Str, a.Flags))
	})
	withFlags := func(f func(*virt.StoragePool, context.Context, uint32) error) procFunc {
		return func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
			p, flags, err := poolFlags(conn, d)
			if err != nil {
				return nil, err
			}
			return nil, f(p, ctx, flags)
		}
	}
	plain := func(f func(*virt.StoragePool, context.Context) error) procFunc {
		return func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
			p, err := pool(conn, d)
			if err != nil {
				return nil, err
			}
			return nil, f(p, ctx)
		}
	}
	r.add(proto.ProcStoragePoolCreate, withFlags((*virt.StoragePool).Start))
	r.add(proto.ProcStoragePoolBuild, withFlags((*virt.StoragePool).Build))
	r.add(proto.ProcStoragePoolDelete, withFlags((*virt.StoragePool).Delete))
	r.add(proto.ProcStoragePoolRefresh, withFlags(func(p *virt.StoragePool, ctx context.Context, flags uint32) error { return p.Refresh(ctx) }))
	r.add(proto.ProcStoragePoolDestroy, plain((*virt.StoragePool).Destroy))
	r.add(proto.ProcStoragePoolUndefine, plain((*virt.StoragePool).Undefine))
	r.add(proto.ProcStoragePoolGetInfo, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		p, err := pool(conn, d)
		if err != nil {
			return nil, err
		}
		in, err := p.Info(ctx)
		if err != nil {
			return nil, err
		}
		return &proto.PoolGetInfoRet{State: int32(in.State), Capacity: in.Capacity, Allocation: in.Allocation, Available: in.Available}, nil
	})
	r.add(proto.ProcStoragePoolGetXMLDesc, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		p, flags, err := poolFlags(conn, d)
		if err != nil {
			return nil, err
		}
		x, err := p.XML(ctx, flags)
		if err != nil {
			return nil, err
		}
		return &proto.StringRet{Str: x}, nil
	})
	r.add(proto.ProcStoragePoolIsActive, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		p, err := pool(conn, d)
		if err != nil {
			return nil, err
		}
		in, err := p.Info(ctx)
		if err != nil {
			return nil, err
		}
		return boolInt(in.State != virt.PoolInactive), nil
	})
	flag := func(autostart bool) procFunc {
		return func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
			p, err := pool(conn, d)
			if err != nil {
				return nil, err
			}
			persistent, auto, err := p.Flags(ctx)
			if err != nil {
				return nil, err
			}
			if autostart {
				return boolInt(auto), nil
			}
			return boolInt(persistent), nil
		}
	}
	r.add(proto.ProcStoragePoolIsPersistent, flag(false))
	r.add(proto.ProcStoragePoolGetAutostart, flag(true))
	r.add(proto.ProcStoragePoolSetAutostart, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.PoolIntArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		return nil, conn.PoolFromRef(poolRef(a.Pool)).SetAutostart(ctx, a.Value != 0)
	})

	// Volumes.
	r.add(proto.ProcStoragePoolNumOfVolumes, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		p, err := pool(conn, d)
		if err != nil {
			return nil, err
		}
		vs, err := p.ListVols(ctx)
		if err != nil {
			return nil, err
		}
		return &proto.IntRet{Value: int32(len(vs))}, nil
	})
	r.add(proto.ProcStoragePoolListVolumes, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.PoolIntArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		vs, err := conn.PoolFromRef(poolRef(a.Pool)).ListVols(ctx)
		if err != nil {
			return nil, err
		}
		names := make([]string, len(vs))
		for i, v := range vs {
			names[i] = v.Name()
		}
		names, err = limitNames(names, a.Value)
		if err != nil {
			return nil, err
		}
		return &proto.NamesRet{Names: names}, nil
	})
	r.add(proto.ProcStoragePoolListAllVolumes, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.PoolListAllVolumesArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		if a.Flags != 0 {
			return nil, driver.UnsupportedFlags(virt.FromStorage, a.Flags, "virStoragePoolListAllVolumes")
		}
		vs, err := conn.PoolFromRef(poolRef(a.Pool)).ListVols(ctx)
		if err != nil {
			return nil, err
		}
		ret := &proto.VolListRet{Ret: uint32(len(vs))}
		if a.NeedResults != 0 {
			ret.Vols = make([]proto.StorageVol, len(vs))
			for i, v := range vs {
				ret.Vols[i] = wireVol(v.Ref())
			}
		}
		return ret, nil
	})
	r.add(proto.ProcStorageVolCreateXML, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.VolCreateXMLArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		return volRet(conn.PoolFromRef(poolRef(a.Pool)).CreateVol(ctx, a.XML, a.Flags))
	})
	r.add(proto.ProcStorageVolCreateXMLFrom, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.VolCreateXMLFromArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		return volRet(conn.PoolFromRef(poolRef(a.Pool)).CloneVol(ctx, a.XML, conn.VolFromRef(volRef(a.Clonevol)), a.Flags))
	})
	r.add(proto.ProcStorageVolLookupByName, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.VolLookupByNameArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		return volRet(conn.PoolFromRef(poolRef(a.Pool)).LookupVolByName(ctx, a.Name))
	})
	r.add(proto.ProcStorageVolLookupByKey, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.NameArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		return volRet(conn.LookupStorageVolByKey(ctx, a.Name))
	})
	r.add(proto.ProcStorageVolLookupByPath, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.NameArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		return volRet(conn.LookupStorageVolByPath(ctx, a.Name))
	})
	r.add(proto.ProcStorageVolDelete, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.VolFlagsArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		return nil, conn.VolFromRef(volRef(a.Vol)).Delete(ctx, a.Flags)
	})
	volInfo := func(withFlags bool) procFunc {
		return func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
			var a proto.VolFlagsArgs
			if withFlags {
				if err := args(d, &a); err != nil {
					return nil, err
				}
			} else {
				var b proto.VolArgs
				if err := args(d, &b); err != nil {
					return nil, err
				}
				a.Vol = b.Vol
			}
			in, err := conn.VolFromRef(volRef(a.Vol)).Info(ctx)
			if err != nil {
				return nil, err
			}
			return &proto.VolGetInfoRet{Type: int32(in.Type), Capacity: in.Capacity, Allocation: in.Allocation}, nil
		}
	}
	r.add(proto.ProcStorageVolGetInfo, volInfo(false))
	r.add(proto.ProcStorageVolGetInfoFlags, volInfo(true))
	r.add(proto.ProcStorageVolGetXMLDesc, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.VolFlagsArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		if a.Flags != 0 {
			return nil, driver.UnsupportedFlags(virt.FromStorage, a.Flags, "virStorageVolGetXMLDesc")
		}
		x, err := conn.VolFromRef(volRef(a.Vol)).XML(ctx)
		if err != nil {
			return nil, err
		}
		return &proto.StringRet{Str: x}, nil
	})
	r.add(proto.ProcStorageVolGetPath, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		v, err := vol(conn, d)
		if err != nil {
			return nil, err
		}
		p, err := v.Path(ctx)
		if err != nil {
			return nil, err
		}
		return &proto.StringRet{Str: p}, nil
	})
}
