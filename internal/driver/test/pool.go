package test

import (
	"context"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// Every pool of the test node reports 100 GiB of capacity, less what its
// volumes allocate.
const defaultPoolCapacity = 100 << 30

// pool is a storage pool of the node.
type pool struct {
	object
	// def carries the pool's sizes (Capacity, Allocation, Available).
	def *virtxml.StoragePool
	// newDef is a definition given while the pool ran (kept, as libvirt's
	// test driver keeps it, but not put in force).
	newDef *virtxml.StoragePool
	vols   []*virtxml.StorageVol
}

func (p *pool) ref() virt.StoragePoolRef { return virt.StoragePoolRef{Name: p.name, UUID: p.uuid} }

// setDefaults resets the pool's sizes, as libvirt's test driver does on
// every define, create and load.
func (p *pool) setDefaults() {
	p.def.Capacity, p.def.Allocation, p.def.Available = defaultPoolCapacity, 0, defaultPoolCapacity
}

// account adds delta bytes of allocation (negative frees them).
func (p *pool) account(delta int64) {
	p.def.Allocation = uint64(int64(p.def.Allocation) + delta)
	p.def.Available = p.def.Capacity - p.def.Allocation
}

func (p *pool) vol(name string) (int, *virtxml.StorageVol) {
	for i, v := range p.vols {
		if v.Name == name {
			return i, v
		}
	}
	return -1, nil
}

// poolByName returns the pool named name, locked, or libvirt's error.
func (c *conn) poolByName(name string) (*pool, error) {
	p, ok := c.node.pools.lookupName(name)
	if !ok {
		return nil, virt.Errorf(virt.ErrNoStoragePool, virt.FromTest, "no storage pool with matching name '%s'", name)
	}
	return p, nil
}

// poolByUUID returns the pool with uuid, locked, or libvirt's error.
func (c *conn) poolByUUID(u virt.UUID) (*pool, error) {
	p, ok := c.node.pools.lookupUUID(u)
	if !ok {
		return nil, virt.Errorf(virt.ErrNoStoragePool, virt.FromTest, "no storage pool with matching uuid '%s'", u)
	}
	return p, nil
}

// activePool is poolByName for operations that need a running pool.
func (c *conn) activePool(name string) (*pool, error) {
	p, err := c.poolByName(name)
	if err != nil {
		return nil, err
	}
	if !p.active {
		p.mu.Unlock()
		return nil, virt.Errorf(virt.ErrOperationInvalid, virt.FromTest, "storage pool '%s' is not active", name)
	}
	return p, nil
}

// inactivePool is poolByName for operations that need a stopped pool.
func (c *conn) inactivePool(name string) (*pool, error) {
	p, err := c.poolByName(name)
	if err != nil {
		return nil, err
	}
	if p.active {
		p.mu.Unlock()
		return nil, virt.Errorf(virt.ErrOperationInvalid, virt.FromTest, "storage pool '%s' is active", name)
	}
	return p, nil
}

func (c *conn) emitPool(p *pool, typ virt.ObjectEventType) {
	c.node.poolEvents.Publish(virt.StoragePoolEvent{Pool: p.ref(), Type: typ})
}

func parsePool(xml string) (*virtxml.StoragePool, error) {
	def, err := virtxml.ParseStoragePool([]byte(xml))
	if err != nil {
		return nil, virt.FromXMLError(err, virt.FromStorage)
	}
	return def, nil
}

// sameSource reports whether two pool definitions use the same storage,
// by libvirt's rules for the common pool types.
func sameSource(a, b *virtxml.StoragePool) bool {
	if a.Type != b.Type {
		return false
	}
	switch a.Type {
	case "dir":
		return a.Target != nil && b.Target != nil && a.Target.Path == b.Target.Path
	case "logical", "rbd", "sheepdog", "zfs", "vstorage":
		return a.Source.Name != "" && a.Source.Name == b.Source.Name
	}
	return false
}

// addPool adds a pool for def or finds the one it redefines (libvirt's
// virStoragePoolObjListAdd); the result is locked. live refuses an active
// pool, and a new pool may not use another's storage.
func (nd *node) addPool(def *virtxml.StoragePool, live bool) (*pool, bool, error) {
	clash := func(p *pool) error {
		if sameSource(p.def, def) {
			return virt.Errorf(virt.ErrOperationFailed, virt.FromStorage,
				"Storage source conflict with pool: '%s'", p.name)
		}
		return nil
	}
	return nd.pools.add(def.Name, def.UUID, live, "pool", virt.FromStorage, clash, func() *pool {
		return &pool{object: object{name: def.Name, uuid: def.UUID}, def: def}
	})
}

// loadPool adds a pool of a node description, active, with its volumes.
func (c *conn) loadPool(tp virtxml.TestNodePool) error {
	def, err := parsePool(string(tp.Doc))
	if err != nil {
		return err
	}
	p, _, err := c.node.addPool(def, false)
	if err != nil {
		return err
	}
	defer p.mu.Unlock()
	p.def = def
	p.setDefaults()
	p.persistent, p.active = true, true
	if tp.File != "" {
		// libvirt's test driver looks for the volumes under the node's
		// <pool> after replacing it with the file's root, so a pool read
		// from a file has none; do the same.
		return nil
	}
	for _, o := range tp.Volumes {
		v, err := virtxml.ParseStorageVolFor(def.Type, o.Doc)
		if err != nil {
			return virt.FromXMLError(err, virt.FromStorage)
		}
		if v.Target.Path == "" {
			v.Target.Path = poolPath(def) + "/" + v.Name
		}
		if v.Key == "" {
			v.Key = v.Target.Path
		}
		p.vols = append(p.vols, v)
		p.account(int64(v.Allocation))
	}
	return nil
}

func poolPath(def *virtxml.StoragePool) string {
	if def.Target == nil {
		return ""
	}
	return def.Target.Path
}

// LookupPoolByName implements virt.StoragePoolDriver.
func (c *conn) LookupPoolByName(ctx context.Context, name string) (virt.StoragePoolRef, error) {
	p, err := c.poolByName(name)
	if err != nil {
		return virt.StoragePoolRef{}, err
	}
	defer p.mu.Unlock()
	return p.ref(), nil
}

// LookupPoolByUUID implements virt.StoragePoolDriver.
func (c *conn) LookupPoolByUUID(ctx context.Context, uuid virt.UUID) (virt.StoragePoolRef, error) {
	p, err := c.poolByUUID(uuid)
	if err != nil {
		return virt.StoragePoolRef{}, err
	}
	defer p.mu.Unlock()
	return p.ref(), nil
}

// poolTypeFlags maps pool types to their ListPools filter bits.
var poolTypeFlags = map[string]virt.ListPoolsFlags{
	"dir": virt.ListPoolsDir, "fs": virt.ListPoolsFS, "netfs": virt.ListPoolsNetFS,
	"logical": virt.ListPoolsLogical, "disk": virt.ListPoolsDisk, "iscsi": virt.ListPoolsISCSI,
	"scsi": virt.ListPoolsSCSI, "mpath": virt.ListPoolsMpath, "rbd": virt.ListPoolsRBD,
	"sheepdog": virt.ListPoolsSheepdog, "gluster": virt.ListPoolsGluster, "zfs": virt.ListPoolsZFS,
	"vstorage": virt.ListPoolsVstorage, "iscsi-direct": virt.ListPoolsISCSIDirect,
}

// ListPools implements virt.StoragePoolDriver: the pools that pass the
// filter, sorted by name.
func (c *conn) ListPools(ctx context.Context, flags virt.ListPoolsFlags) ([]virt.StoragePoolRef, error) {
	if err := driver.CheckFlags(virt.FromTest, uint32(flags), 1<<20-1, "testConnectListAllStoragePools"); err != nil {
		return nil, err
	}
	all := c.node.pools.sorted()
	types := flags & (1<<20 - 1<<6)
	out := make([]virt.StoragePoolRef, 0, len(all))
	for _, p := range all {
		p.mu.Lock()
		f := uint32(flags)
		ok := !p.removed &&
			pairFilter(f, uint32(virt.ListPoolsActive), uint32(virt.ListPoolsInactive), p.active) &&
			pairFilter(f, uint32(virt.ListPoolsPersistent), uint32(virt.ListPoolsTransient), p.persistent) &&
			pairFilter(f, uint32(virt.ListPoolsAutostart), uint32(virt.ListPoolsNoAutostart), p.autostart) &&
			(types == 0 || types&poolTypeFlags[p.def.Type] != 0)
		if ok {
			out = append(out, p.ref())
		}
		p.mu.Unlock()
	}
	return out, nil
}

// DefinePool implements virt.StoragePoolDriver.
func (c *conn) DefinePool(ctx context.Context, xml string) (virt.StoragePoolRef, error) {
	def, err := parsePool(xml)
	if err != nil {
		return virt.StoragePoolRef{}, err
	}
	p, fresh, err := c.node.addPool(def, false)
	if err != nil {
		return virt.StoragePoolRef{}, err
	}
	defer p.mu.Unlock()
	if !fresh {
		if p.active {
			p.newDef = def
		} else {
			p.def = def
		}
	}
	c.emitPool(p, virt.ObjectDefined)
	p.setDefaults()
	p.persistent = true
	return p.ref(), nil
}

// CreatePool implements virt.StoragePoolDriver: a running pool that, as in
// libvirt's test driver, is transient even when it redefines a persistent
// one.
func (c *conn) CreatePool(ctx context.Context, xml string, flags uint32) (virt.StoragePoolRef, error) {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testStoragePoolCreateXML"); err != nil {
		return virt.StoragePoolRef{}, err
	}
	def, err := parsePool(xml)
	if err != nil {
		return virt.StoragePoolRef{}, err
	}
	p, fresh, err := c.node.addPool(def, true)
	if err != nil {
		return virt.StoragePoolRef{}, err
	}
	defer p.mu.Unlock()
	if !fresh {
		p.def = def
	}
	p.setDefaults()
	p.persistent, p.active = false, true
	c.emitPool(p, virt.ObjectStarted)
	return p.ref(), nil
}

// UndefinePool implements virt.StoragePoolDriver.
func (c *conn) UndefinePool(ctx context.Context, ref virt.StoragePoolRef) error {
	p, err := c.inactivePool(ref.Name)
	if err != nil {
		return err
	}
	defer p.mu.Unlock()
	c.emitPool(p, virt.ObjectUndefined)
	c.node.pools.remove(p)
	return nil
}

// PoolXML implements virt.StoragePoolDriver. Like libvirt's test driver it
// refuses every flag, VIR_STORAGE_XML_INACTIVE included.
func (c *conn) PoolXML(ctx context.Context, ref virt.StoragePoolRef, flags uint32) (string, error) {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testStoragePoolGetXMLDesc"); err != nil {
		return "", err
	}
	p, err := c.poolByName(ref.Name)
	if err != nil {
		return "", err
	}
	defer p.mu.Unlock()
	out, err := p.def.Format(0)
	if err != nil {
		return "", virt.Errorf(virt.ErrInternal, virt.FromStorage, "format pool '%s': %v", p.name, err)
	}
	return string(out), nil
}

// PoolInfo implements virt.StoragePoolDriver.
func (c *conn) PoolInfo(ctx context.Context, ref virt.StoragePoolRef) (virt.StoragePoolInfo, error) {
	p, err := c.poolByName(ref.Name)
	if err != nil {
		return virt.StoragePoolInfo{}, err
	}
	defer p.mu.Unlock()
	st := virt.PoolInactive
	if p.active {
		st = virt.PoolRunning
	}
	return virt.StoragePoolInfo{State: st, Capacity: p.def.Capacity, Allocation: p.def.Allocation, Available: p.def.Available}, nil
}

// PoolFlags implements virt.StoragePoolDriver.
func (c *conn) PoolFlags(ctx context.Context, ref virt.StoragePoolRef) (bool, bool, error) {
	p, err := c.poolByUUID(ref.UUID)
	if err != nil {
		return false, false, err
	}
	defer p.mu.Unlock()
	return p.persistent, p.persistent && p.autostart, nil
}

// SetPoolAutostart implements virt.StoragePoolDriver.
func (c *conn) SetPoolAutostart(ctx context.Context, ref virt.StoragePoolRef, on bool) error {
	p, err := c.poolByName(ref.Name)
	if err != nil {
		return err
	}
	defer p.mu.Unlock()
	if !p.persistent {
		return virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "pool has no config file")
	}
	p.autostart = on
	return nil
}

// BuildPool implements virt.StoragePoolLifecycle: only an event.
func (c *conn) BuildPool(ctx context.Context, ref virt.StoragePoolRef, flags uint32) error {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testStoragePoolBuild"); err != nil {
		return err
	}
	p, err := c.inactivePool(ref.Name)
	if err != nil {
		return err
	}
	defer p.mu.Unlock()
	c.emitPool(p, virt.ObjectCreated)
	return nil
}

// StartPool implements virt.StoragePoolLifecycle.
func (c *conn) StartPool(ctx context.Context, ref virt.StoragePoolRef, flags uint32) error {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testStoragePoolCreate"); err != nil {
		return err
	}
	p, err := c.inactivePool(ref.Name)
	if err != nil {
		return err
	}
	defer p.mu.Unlock()
	p.active = true
	c.emitPool(p, virt.ObjectStarted)
	return nil
}

// DestroyPool implements virt.StoragePoolLifecycle; a transient pool goes.
func (c *conn) DestroyPool(ctx context.Context, ref virt.StoragePoolRef) error {
	p, err := c.activePool(ref.Name)
	if err != nil {
		return err
	}
	defer p.mu.Unlock()
	p.active = false
	c.emitPool(p, virt.ObjectStopped)
	if !p.persistent {
		c.node.pools.remove(p)
	}
	return nil
}

// DeletePool implements virt.StoragePoolLifecycle: only an event.
func (c *conn) DeletePool(ctx context.Context, ref virt.StoragePoolRef, flags uint32) error {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testStoragePoolDelete"); err != nil {
		return err
	}
	p, err := c.inactivePool(ref.Name)
	if err != nil {
		return err
	}
	defer p.mu.Unlock()
	c.emitPool(p, virt.ObjectDeleted)
	return nil
}

// RefreshPool implements virt.StoragePoolLifecycle. libvirt emits a refresh
// event (a separate event kind, which virt does not carry yet).
func (c *conn) RefreshPool(ctx context.Context, ref virt.StoragePoolRef) error {
	p, err := c.activePool(ref.Name)
	if err != nil {
		return err
	}
	p.mu.Unlock()
	return nil
}
