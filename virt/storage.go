package virt

import "context"

// StoragePool is a handle on one storage pool (virStoragePoolPtr).
type StoragePool struct {
	c   *Conn
	ref StoragePoolRef
}

// Ref returns the pool's name and UUID.
func (p *StoragePool) Ref() StoragePoolRef { return p.ref }

// Name returns the pool's name.
func (p *StoragePool) Name() string { return p.ref.Name }

// UUID returns the pool's UUID.
func (p *StoragePool) UUID() UUID { return p.ref.UUID }

// PoolFromRef makes a handle for ref without a lookup.
func (c *Conn) PoolFromRef(ref StoragePoolRef) *StoragePool { return &StoragePool{c: c, ref: ref} }

// StorageVol is a handle on one storage volume (virStorageVolPtr).
type StorageVol struct {
	c   *Conn
	ref StorageVolRef
}

// Ref returns the volume's pool, name and key.
func (v *StorageVol) Ref() StorageVolRef { return v.ref }

// Name returns the volume's name.
func (v *StorageVol) Name() string { return v.ref.Name }

// Key returns the volume's key (for file volumes, its path).
func (v *StorageVol) Key() string { return v.ref.Key }

// PoolName returns the name of the volume's pool.
func (v *StorageVol) PoolName() string { return v.ref.Pool }

// VolFromRef makes a handle for ref without a lookup.
func (c *Conn) VolFromRef(ref StorageVolRef) *StorageVol { return &StorageVol{c: c, ref: ref} }

func pools[I any](c *Conn, api string, write bool) (I, error) {
	if write {
		return writeFamily[I](c, FromStorage, api)
	}
	return family[I](c, FromStorage, api)
}

// LookupStoragePoolByName finds a pool by name.
func (c *Conn) LookupStoragePoolByName(ctx context.Context, name string) (*StoragePool, error) {
	d, err := pools[StoragePoolDriver](c, "virStoragePoolLookupByName", false)
	if err != nil {
		return nil, err
	}
	r, err := d.LookupPoolByName(ctx, name)
	if err != nil {
		return nil, err
	}
	return c.PoolFromRef(r), nil
}

// LookupStoragePoolByUUID finds a pool by UUID.
func (c *Conn) LookupStoragePoolByUUID(ctx context.Context, uuid UUID) (*StoragePool, error) {
	d, err := pools[StoragePoolDriver](c, "virStoragePoolLookupByUUID", false)
	if err != nil {
		return nil, err
	}
	r, err := d.LookupPoolByUUID(ctx, uuid)
	if err != nil {
		return nil, err
	}
	return c.PoolFromRef(r), nil
}

// ListAllStoragePools lists the pools that pass the filter flags (0: all).
func (c *Conn) ListAllStoragePools(ctx context.Context, flags ListPoolsFlags) ([]*StoragePool, error) {
	d, err := pools[StoragePoolDriver](c, "virConnectListAllStoragePools", false)
	if err != nil {
		return nil, err
	}
	refs, err := d.ListPools(ctx, flags)
	if err != nil {
		return nil, err
	}
	out := make([]*StoragePool, len(refs))
	for i, r := range refs {
		out[i] = c.PoolFromRef(r)
	}
	return out, nil
}

// DefineStoragePool makes a pool persistent from its XML description.
func (c *Conn) DefineStoragePool(ctx context.Context, xml string) (*StoragePool, error) {
	d, err := pools[StoragePoolDriver](c, "virStoragePoolDefineXML", true)
	if err != nil {
		return nil, err
	}
	r, err := d.DefinePool(ctx, xml)
	if err != nil {
		return nil, err
	}
	return c.PoolFromRef(r), nil
}

// CreateStoragePool starts a transient pool from its XML description.
func (c *Conn) CreateStoragePool(ctx context.Context, xml string, flags uint32) (*StoragePool, error) {
	d, err := pools[StoragePoolDriver](c, "virStoragePoolCreateXML", true)
	if err != nil {
		return nil, err
	}
	r, err := d.CreatePool(ctx, xml, flags)
	if err != nil {
		return nil, err
	}
	return c.PoolFromRef(r), nil
}

// LookupStorageVolByKey finds a volume by key.
func (c *Conn) LookupStorageVolByKey(ctx context.Context, key string) (*StorageVol, error) {
	d, err := pools[StorageVolDriver](c, "virStorageVolLookupByKey", false)
	if err != nil {
		return nil, err
	}
	r, err := d.LookupVolByKey(ctx, key)
	if err != nil {
		return nil, err
	}
	return c.VolFromRef(r), nil
}

// LookupStorageVolByPath finds a volume by path.
func (c *Conn) LookupStorageVolByPath(ctx context.Context, path string) (*StorageVol, error) {
	d, err := pools[StorageVolDriver](c, "virStorageVolLookupByPath", false)
	if err != nil {
		return nil, err
	}
	r, err := d.LookupVolByPath(ctx, path)
	if err != nil {
		return nil, err
	}
	return c.VolFromRef(r), nil
}

// StoragePoolEvents delivers pool lifecycle events until ctx is done.
func (c *Conn) StoragePoolEvents(ctx context.Context) (<-chan StoragePoolEvent, error) {
	e, err := family[StoragePoolEvents](c, FromStorage, "virConnectStoragePoolEventRegisterAny")
	if err != nil {
		return nil, err
	}
	return e.StoragePoolEvents(ctx)
}

// Undefine removes the pool's persistent definition.
func (p *StoragePool) Undefine(ctx context.Context) error {
	d, err := pools[StoragePoolDriver](p.c, "virStoragePoolUndefine", true)
	if err != nil {
		return err
	}
	return d.UndefinePool(ctx, p.ref)
}

// XML returns the pool's XML description (flags: 1 inactive).
func (p *StoragePool) XML(ctx context.Context, flags uint32) (string, error) {
	d, err := pools[StoragePoolDriver](p.c, "virStoragePoolGetXMLDesc", false)
	if err != nil {
		return "", err
	}
	return d.PoolXML(ctx, p.ref, flags)
}

// Info returns the pool's state and sizes.
func (p *StoragePool) Info(ctx context.Context) (StoragePoolInfo, error) {
	d, err := pools[StoragePoolDriver](p.c, "virStoragePoolGetInfo", false)
	if err != nil {
		return StoragePoolInfo{}, err
	}
	return d.PoolInfo(ctx, p.ref)
}

// Flags reports whether the pool is persistent and autostarted.
func (p *StoragePool) Flags(ctx context.Context) (persistent, autostart bool, err error) {
	d, err := pools[StoragePoolDriver](p.c, "virStoragePoolIsPersistent", false)
	if err != nil {
		return false, false, err
	}
	return d.PoolFlags(ctx, p.ref)
}

// SetAutostart sets whether the pool starts with the host.
func (p *StoragePool) SetAutostart(ctx context.Context, on bool) error {
	d, err := pools[StoragePoolDriver](p.c, "virStoragePoolSetAutostart", true)
	if err != nil {
		return err
	}
	return d.SetPoolAutostart(ctx, p.ref, on)
}

// Build builds the pool's underlying storage (a directory, a volume group).
func (p *StoragePool) Build(ctx context.Context, flags uint32) error {
	d, err := pools[StoragePoolLifecycle](p.c, "virStoragePoolBuild", true)
	if err != nil {
		return err
	}
	return d.BuildPool(ctx, p.ref, flags)
}

// Start starts (activates) the pool.
func (p *StoragePool) Start(ctx context.Context, flags uint32) error {
	d, err := pools[StoragePoolLifecycle](p.c, "virStoragePoolCreate", true)
	if err != nil {
		return err
	}
	return d.StartPool(ctx, p.ref, flags)
}

// Destroy stops (deactivates) the pool; its data stays.
func (p *StoragePool) Destroy(ctx context.Context) error {
	d, err := pools[StoragePoolLifecycle](p.c, "virStoragePoolDestroy", true)
	if err != nil {
		return err
	}
	return d.DestroyPool(ctx, p.ref)
}

// Delete deletes the pool's underlying storage.
func (p *StoragePool) Delete(ctx context.Context, flags uint32) error {
	d, err := pools[StoragePoolLifecycle](p.c, "virStoragePoolDelete", true)
	if err != nil {
		return err
	}
	return d.DeletePool(ctx, p.ref, flags)
}

// Refresh rescans the pool's volumes.
func (p *StoragePool) Refresh(ctx context.Context) error {
	d, err := pools[StoragePoolLifecycle](p.c, "virStoragePoolRefresh", true)
	if err != nil {
		return err
	}
	return d.RefreshPool(ctx, p.ref)
}

// LookupVolByName finds a volume of the pool by name.
func (p *StoragePool) LookupVolByName(ctx context.Context, name string) (*StorageVol, error) {
	d, err := pools[StorageVolDriver](p.c, "virStorageVolLookupByName", false)
	if err != nil {
		return nil, err
	}
	r, err := d.LookupVolByName(ctx, p.ref, name)
	if err != nil {
		return nil, err
	}
	return p.c.VolFromRef(r), nil
}

// ListVols lists the pool's volumes.
func (p *StoragePool) ListVols(ctx context.Context) ([]*StorageVol, error) {
	d, err := pools[StorageVolDriver](p.c, "virStoragePoolListAllVolumes", false)
	if err != nil {
		return nil, err
	}
	refs, err := d.ListVols(ctx, p.ref)
	if err != nil {
		return nil, err
	}
	out := make([]*StorageVol, len(refs))
	for i, r := range refs {
		out[i] = p.c.VolFromRef(r)
	}
	return out, nil
}

// CreateVol creates a volume in the pool from its XML description.
func (p *StoragePool) CreateVol(ctx context.Context, xml string, flags uint32) (*StorageVol, error) {
	d, err := pools[StorageVolDriver](p.c, "virStorageVolCreateXML", true)
	if err != nil {
		return nil, err
	}
	r, err := d.CreateVol(ctx, p.ref, xml, flags)
	if err != nil {
		return nil, err
	}
	return p.c.VolFromRef(r), nil
}

// CloneVol creates a volume in the pool as a copy of from.
func (p *StoragePool) CloneVol(ctx context.Context, xml string, from *StorageVol, flags uint32) (*StorageVol, error) {
	d, err := pools[StorageVolDriver](p.c, "virStorageVolCreateXMLFrom", true)
	if err != nil {
		return nil, err
	}
	r, err := d.CloneVol(ctx, p.ref, xml, from.ref, flags)
	if err != nil {
		return nil, err
	}
	return p.c.VolFromRef(r), nil
}

// Delete deletes the volume.
func (v *StorageVol) Delete(ctx context.Context, flags uint32) error {
	d, err := pools[StorageVolDriver](v.c, "virStorageVolDelete", true)
	if err != nil {
		return err
	}
	return d.DeleteVol(ctx, v.ref, flags)
}

// XML returns the volume's XML description.
func (v *StorageVol) XML(ctx context.Context) (string, error) {
	d, err := pools[StorageVolDriver](v.c, "virStorageVolGetXMLDesc", false)
	if err != nil {
		return "", err
	}
	return d.VolXML(ctx, v.ref)
}

// Info returns the volume's type and sizes.
func (v *StorageVol) Info(ctx context.Context) (StorageVolInfo, error) {
	d, err := pools[StorageVolDriver](v.c, "virStorageVolGetInfo", false)
	if err != nil {
		return StorageVolInfo{}, err
	}
	return d.VolInfo(ctx, v.ref)
}

// Path returns the volume's path on the host.
func (v *StorageVol) Path(ctx context.Context) (string, error) {
	d, err := pools[StorageVolDriver](v.c, "virStorageVolGetPath", false)
	if err != nil {
		return "", err
	}
	return d.VolPath(ctx, v.ref)
}
