package remote

import (
	"context"

	"github.com/govirt/govirt/internal/rpc/proto"
	"github.com/govirt/govirt/virt"
)

func wirePool(r virt.StoragePoolRef) proto.StoragePool {
	return proto.StoragePool{Name: r.Name, UUID: proto.UUID(r.UUID)}
}

func poolRef(p proto.StoragePool) virt.StoragePoolRef {
	return virt.StoragePoolRef{Name: p.Name, UUID: virt.UUID(p.UUID)}
}

func wireVol(r virt.StorageVolRef) proto.StorageVol {
	return proto.StorageVol{Pool: r.Pool, Name: r.Name, Key: r.Key}
}

func volRef(v proto.StorageVol) virt.StorageVolRef {
	return virt.StorageVolRef{Pool: v.Pool, Name: v.Name, Key: v.Key}
}

func (c *conn) poolRet(ctx context.Context, p proto.Proc, args proto.Encoder) (virt.StoragePoolRef, error) {
	var r proto.PoolRet
	if err := c.call(ctx, p, args, &r); err != nil {
		return virt.StoragePoolRef{}, err
	}
	return poolRef(r.Pool), nil
}

func (c *conn) volRet(ctx context.Context, p proto.Proc, args proto.Encoder) (virt.StorageVolRef, error) {
	var r proto.VolRet
	if err := c.call(ctx, p, args, &r); err != nil {
		return virt.StorageVolRef{}, err
	}
	return volRef(r.Vol), nil
}

// LookupPoolByName implements virt.StoragePoolDriver.
func (c *conn) LookupPoolByName(ctx context.Context, name string) (virt.StoragePoolRef, error) {
	return c.poolRet(ctx, proto.ProcStoragePoolLookupByName, &proto.NameArgs{Name: name})
}

// LookupPoolByUUID implements virt.StoragePoolDriver.
func (c *conn) LookupPoolByUUID(ctx context.Context, u virt.UUID) (virt.StoragePoolRef, error) {
	return c.poolRet(ctx, proto.ProcStoragePoolLookupByUUID, &proto.UUIDArgs{UUID: proto.UUID(u)})
}

// ListPools implements virt.StoragePoolDriver.
func (c *conn) ListPools(ctx context.Context, flags virt.ListPoolsFlags) ([]virt.StoragePoolRef, error) {
	var r proto.PoolListRet
	if err := c.call(ctx, proto.ProcConnectListAllStoragePools, &proto.ListAllArgs{NeedResults: 1, Flags: uint32(flags)}, &r); err != nil {
		return nil, err
	}
	out := make([]virt.StoragePoolRef, len(r.Pools))
	for i, p := range r.Pools {
		out[i] = poolRef(p)
	}
	return out, nil
}

// DefinePool implements virt.StoragePoolDriver.
func (c *conn) DefinePool(ctx context.Context, xml string) (virt.StoragePoolRef, error) {
	return c.poolRet(ctx, proto.ProcStoragePoolDefineXML, &proto.StringFlagsArgs{Str: xml})
}

// CreatePool implements virt.StoragePoolDriver.
func (c *conn) CreatePool(ctx context.Context, xml string, flags uint32) (virt.StoragePoolRef, error) {
	return c.poolRet(ctx, proto.ProcStoragePoolCreateXML, &proto.StringFlagsArgs{Str: xml, Flags: flags})
}

func (c *conn) poolCall(ctx context.Context, p proto.Proc, ref virt.StoragePoolRef) error {
	return c.call(ctx, p, &proto.PoolArgs{Pool: wirePool(ref)}, nil)
}

func (c *conn) poolFlagsCall(ctx context.Context, p proto.Proc, ref virt.StoragePoolRef, flags uint32) error {
	return c.call(ctx, p, &proto.PoolFlagsArgs{Pool: wirePool(ref), Flags: flags}, nil)
}

// UndefinePool implements virt.StoragePoolDriver.
func (c *conn) UndefinePool(ctx context.Context, p virt.StoragePoolRef) error {
	return c.poolCall(ctx, proto.ProcStoragePoolUndefine, p)
}

// PoolXML implements virt.StoragePoolDriver.
func (c *conn) PoolXML(ctx context.Context, p virt.StoragePoolRef, flags uint32) (string, error) {
	var r proto.StringRet
	err := c.call(ctx, proto.ProcStoragePoolGetXMLDesc, &proto.PoolFlagsArgs{Pool: wirePool(p), Flags: flags}, &r)
	return r.Str, err
}

// PoolInfo implements virt.StoragePoolDriver.
func (c *conn) PoolInfo(ctx context.Context, p virt.StoragePoolRef) (virt.StoragePoolInfo, error) {
	var r proto.PoolGetInfoRet
	if err := c.call(ctx, proto.ProcStoragePoolGetInfo, &proto.PoolArgs{Pool: wirePool(p)}, &r); err != nil {
		return virt.StoragePoolInfo{}, err
	}
	return virt.StoragePoolInfo{State: virt.StoragePoolState(r.State), Capacity: r.Capacity, Allocation: r.Allocation, Available: r.Available}, nil
}

// PoolFlags implements virt.StoragePoolDriver.
func (c *conn) PoolFlags(ctx context.Context, p virt.StoragePoolRef) (bool, bool, error) {
	a := &proto.PoolArgs{Pool: wirePool(p)}
	pers := c.c.Go(proto.ProcStoragePoolIsPersistent, a)
	auto := c.c.Go(proto.ProcStoragePoolGetAutostart, a)
	var rp, ra proto.IntRet
	err1, err2 := pers.Wait(ctx, &rp), auto.Wait(ctx, &ra)
	if err1 != nil {
		return false, false, err1
	}
	if err2 != nil {
		return false, false, err2
	}
	return rp.Value != 0, ra.Value != 0, nil
}

// SetPoolAutostart implements virt.StoragePoolDriver.
func (c *conn) SetPoolAutostart(ctx context.Context, p virt.StoragePoolRef, on bool) error {
	v := int32(0)
	if on {
		v = 1
	}
	return c.call(ctx, proto.ProcStoragePoolSetAutostart, &proto.PoolIntArgs{Pool: wirePool(p), Value: v}, nil)
}

// BuildPool implements virt.StoragePoolLifecycle.
func (c *conn) BuildPool(ctx context.Context, p virt.StoragePoolRef, flags uint32) error {
	return c.poolFlagsCall(ctx, proto.ProcStoragePoolBuild, p, flags)
}

// StartPool implements virt.StoragePoolLifecycle.
func (c *conn) StartPool(ctx context.Context, p virt.StoragePoolRef, flags uint32) error {
	return c.poolFlagsCall(ctx, proto.ProcStoragePoolCreate, p, flags)
}

// DestroyPool implements virt.StoragePoolLifecycle.
func (c *conn) DestroyPool(ctx context.Context, p virt.StoragePoolRef) error {
	return c.poolCall(ctx, proto.ProcStoragePoolDestroy, p)
}

// DeletePool implements virt.StoragePoolLifecycle.
func (c *conn) DeletePool(ctx context.Context, p virt.StoragePoolRef, flags uint32) error {
	return c.poolFlagsCall(ctx, proto.ProcStoragePoolDelete, p, flags)
}

// RefreshPool implements virt.StoragePoolLifecycle.
func (c *conn) RefreshPool(ctx context.Context, p virt.StoragePoolRef) error {
	return c.poolFlagsCall(ctx, proto.ProcStoragePoolRefresh, p, 0)
}

// LookupVolByName implements virt.StorageVolDriver.
func (c *conn) LookupVolByName(ctx context.Context, p virt.StoragePoolRef, name string) (virt.StorageVolRef, error) {
	return c.volRet(ctx, proto.ProcStorageVolLookupByName, &proto.VolLookupByNameArgs{Pool: wirePool(p), Name: name})
}

// LookupVolByKey implements virt.StorageVolDriver.
func (c *conn) LookupVolByKey(ctx context.Context, key string) (virt.StorageVolRef, error) {
	return c.volRet(ctx, proto.ProcStorageVolLookupByKey, &proto.NameArgs{Name: key})
}

// LookupVolByPath implements virt.StorageVolDriver.
func (c *conn) LookupVolByPath(ctx context.Context, path string) (virt.StorageVolRef, error) {
	return c.volRet(ctx, proto.ProcStorageVolLookupByPath, &proto.NameArgs{Name: path})
}

// ListVols implements virt.StorageVolDriver.
func (c *conn) ListVols(ctx context.Context, p virt.StoragePoolRef) ([]virt.StorageVolRef, error) {
	var r proto.VolListRet
	if err := c.call(ctx, proto.ProcStoragePoolListAllVolumes, &proto.PoolListAllVolumesArgs{Pool: wirePool(p), NeedResults: 1}, &r); err != nil {
		return nil, err
	}
	out := make([]virt.StorageVolRef, len(r.Vols))
	for i, v := range r.Vols {
		out[i] = volRef(v)
	}
	return out, nil
}

// CreateVol implements virt.StorageVolDriver.
func (c *conn) CreateVol(ctx context.Context, p virt.StoragePoolRef, xml string, flags uint32) (virt.StorageVolRef, error) {
	return c.volRet(ctx, proto.ProcStorageVolCreateXML, &proto.VolCreateXMLArgs{Pool: wirePool(p), XML: xml, Flags: flags})
}

// CloneVol implements virt.StorageVolDriver.
func (c *conn) CloneVol(ctx context.Context, p virt.StoragePoolRef, xml string, from virt.StorageVolRef, flags uint32) (virt.StorageVolRef, error) {
	return c.volRet(ctx, proto.ProcStorageVolCreateXMLFrom, &proto.VolCreateXMLFromArgs{Pool: wirePool(p), XML: xml, Clonevol: wireVol(from), Flags: flags})
}

// DeleteVol implements virt.StorageVolDriver.
func (c *conn) DeleteVol(ctx context.Context, v virt.StorageVolRef, flags uint32) error {
	return c.call(ctx, proto.ProcStorageVolDelete, &proto.VolFlagsArgs{Vol: wireVol(v), Flags: flags}, nil)
}

// VolXML implements virt.StorageVolDriver.
func (c *conn) VolXML(ctx context.Context, v virt.StorageVolRef) (string, error) {
	var r proto.StringRet
	err := c.call(ctx, proto.ProcStorageVolGetXMLDesc, &proto.VolFlagsArgs{Vol: wireVol(v)}, &r)
	return r.Str, err
}

// VolInfo implements virt.StorageVolDriver.
func (c *conn) VolInfo(ctx context.Context, v virt.StorageVolRef) (virt.StorageVolInfo, error) {
	var r proto.VolGetInfoRet
	if err := c.call(ctx, proto.ProcStorageVolGetInfo, &proto.VolArgs{Vol: wireVol(v)}, &r); err != nil {
		return virt.StorageVolInfo{}, err
	}
	return virt.StorageVolInfo{Type: virt.StorageVolType(r.Type), Capacity: r.Capacity, Allocation: r.Allocation}, nil
}

// VolPath implements virt.StorageVolDriver.
func (c *conn) VolPath(ctx context.Context, v virt.StorageVolRef) (string, error) {
	var r proto.StringRet
	err := c.call(ctx, proto.ProcStorageVolGetPath, &proto.VolArgs{Vol: wireVol(v)}, &r)
	return r.Str, err
}

// UploadVol implements virt.StorageVolStreams.
func (c *conn) UploadVol(ctx context.Context, v virt.StorageVolRef, offset, length uint64, flags uint32) (virt.Stream, error) {
	return c.c.OpenStream(ctx, proto.ProcStorageVolUpload, &proto.VolTransferArgs{Vol: wireVol(v), Offset: offset, Length: length, Flags: flags})
}

// DownloadVol implements virt.StorageVolStreams.
func (c *conn) DownloadVol(ctx context.Context, v virt.StorageVolRef, offset, length uint64, flags uint32) (virt.Stream, error) {
	return c.c.OpenStream(ctx, proto.ProcStorageVolDownload, &proto.VolTransferArgs{Vol: wireVol(v), Offset: offset, Length: length, Flags: flags})
}

// ListInterfaces implements virt.InterfaceDriver.
func (c *conn) ListInterfaces(ctx context.Context, flags virt.ListInterfacesFlags) ([]virt.InterfaceRef, error) {
	var r proto.InterfaceListRet
	if err := c.call(ctx, proto.ProcConnectListAllInterfaces, &proto.ListAllArgs{NeedResults: 1, Flags: uint32(flags)}, &r); err != nil {
		return nil, err
	}
	out := make([]virt.InterfaceRef, len(r.Ifaces))
	for i, x := range r.Ifaces {
		out[i] = virt.InterfaceRef{Name: x.Name, MAC: x.MAC}
	}
	return out, nil
}

func (c *conn) ifaceRet(ctx context.Context, p proto.Proc, key string) (virt.InterfaceRef, error) {
	var r proto.InterfaceRet
	if err := c.call(ctx, p, &proto.NameArgs{Name: key}, &r); err != nil {
		return virt.InterfaceRef{}, err
	}
	return virt.InterfaceRef{Name: r.Iface.Name, MAC: r.Iface.MAC}, nil
}

// LookupInterfaceByName implements virt.InterfaceDriver.
func (c *conn) LookupInterfaceByName(ctx context.Context, name string) (virt.InterfaceRef, error) {
	return c.ifaceRet(ctx, proto.ProcInterfaceLookupByName, name)
}

// LookupInterfaceByMAC implements virt.InterfaceDriver.
func (c *conn) LookupInterfaceByMAC(ctx context.Context, mac string) (virt.InterfaceRef, error) {
	return c.ifaceRet(ctx, proto.ProcInterfaceLookupByMACString, mac)
}

// InterfaceXML implements virt.InterfaceDriver.
func (c *conn) InterfaceXML(ctx context.Context, i virt.InterfaceRef, flags uint32) (string, error) {
	var r proto.StringRet
	err := c.call(ctx, proto.ProcInterfaceGetXMLDesc, &proto.InterfaceFlagsArgs{Iface: proto.Interface{Name: i.Name, MAC: i.MAC}, Flags: flags}, &r)
	return r.Str, err
}

// InterfaceIsActive implements virt.InterfaceDriver.
func (c *conn) InterfaceIsActive(ctx context.Context, i virt.InterfaceRef) (bool, error) {
	n, err := c.intRet(ctx, proto.ProcInterfaceIsActive, &proto.InterfaceArgs{Iface: proto.Interface{Name: i.Name, MAC: i.MAC}})
	return n != 0, err
}
