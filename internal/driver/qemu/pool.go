package qemu

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/internal/storage"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// spool is a storage pool of the node. name and uuid never change.
type spool struct {
	name string
	uuid virt.UUID

	mu         sync.Mutex
	def        *virtxml.StoragePool
	newDef     *virtxml.StoragePool
	active     bool
	persistent bool
	autostart  bool
	removed    bool
	sizes      storage.Sizes
	vols       []*virtxml.StorageVol
}

func (p *spool) ref() virt.StoragePoolRef { return virt.StoragePoolRef{Name: p.name, UUID: p.uuid} }

func (p *spool) vol(name string) *virtxml.StorageVol {
	for _, v := range p.vols {
		if v.Name == name {
			return v
		}
	}
	return nil
}

// poolRegistry holds the node's storage pools.
type poolRegistry struct {
	mu     sync.Mutex
	byName map[string]*spool
	byUUID map[virt.UUID]*spool
	events driver.Broadcaster[virt.StoragePoolEvent]
}

func newPoolRegistry() *poolRegistry {
	return &poolRegistry{byName: map[string]*spool{}, byUUID: map[virt.UUID]*spool{}}
}

// Pool state: definitions in CONFIG/storage (autostart links in
// CONFIG/storage/autostart), running pools marked in RUN/storage.
func (p paths) poolDefFile(name string) string {
	return filepath.Join(p.config, "storage", name+".xml")
}
func (p paths) poolAutostartLink(name string) string {
	return filepath.Join(p.config, "storage", "autostart", name+".xml")
}
func (p paths) poolStatusFile(name string) string {
	return filepath.Join(p.run, "storage", name+".xml")
}

func poolErr(code *virt.Error, format string, args ...any) error {
	return virt.Errorf(code, virt.FromStorage, format, args...)
}

func errNoPool(by, what string) error {
	return poolErr(virt.ErrNoStoragePool, "no storage pool with matching %s '%s'", by, what)
}

func errNoVol(by, what string) error {
	return poolErr(virt.ErrNoStorageVol, "no storage vol with matching %s '%s'", by, what)
}

// pool returns the pool behind ref, locked.
func (n *node) pool(ref virt.StoragePoolRef) (*spool, error) {
	r := n.pools
	r.mu.Lock()
	p := r.byName[ref.Name]
	r.mu.Unlock()
	if p == nil {
		return nil, errNoPool("name", ref.Name)
	}
	p.mu.Lock()
	if p.removed {
		p.mu.Unlock()
		return nil, errNoPool("name", ref.Name)
	}
	return p, nil
}

// activePool returns the running pool behind ref, locked.
func (n *node) activePool(ref virt.StoragePoolRef) (*spool, error) {
	p, err := n.pool(ref)
	if err != nil {
		return nil, err
	}
	if !p.active {
		p.mu.Unlock()
		return nil, poolErr(virt.ErrOperationInvalid, "storage pool '%s' is not active", ref.Name)
	}
	return p, nil
}

func (n *node) allPools() []*spool {
	r := n.pools
	r.mu.Lock()
	out := make([]*spool, 0, len(r.byName))
	for _, p := range r.byName {
		out = append(out, p)
	}
	r.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func (n *node) removePool(p *spool) {
	p.removed = true
	r := n.pools
	r.mu.Lock()
	if r.byName[p.name] == p {
		delete(r.byName, p.name)
	}
	if r.byUUID[p.uuid] == p {
		delete(r.byUUID, p.uuid)
	}
	r.mu.Unlock()
}

func (n *node) emitPool(p *spool, typ virt.ObjectEventType) {
	n.pools.events.Publish(virt.StoragePoolEvent{Pool: p.ref(), Type: typ})
}

// addPool adds a pool for def or finds the one it redefines; the result
// is locked. live refuses an active pool.
func (n *node) addPool(def *virtxml.StoragePool, live bool) (*spool, bool, error) {
	r := n.pools
	for {
		r.mu.Lock()
		if p := r.byUUID[def.UUID]; p != nil {
			r.mu.Unlock()
			if p.name != def.Name {
				return nil, false, poolErr(virt.ErrOperationFailed, "pool '%s' is already defined with uuid %s", p.name, p.uuid)
			}
			p.mu.Lock()
			if p.removed {
				p.mu.Unlock()
				continue
			}
			if live && p.active {
				p.mu.Unlock()
				return nil, false, poolErr(virt.ErrOperationInvalid, "pool is already active as '%s'", p.name)
			}
			return p, false, nil
		}
		if p := r.byName[def.Name]; p != nil {
			r.mu.Unlock()
			return nil, false, poolErr(virt.ErrOperationFailed, "pool '%s' already exists with uuid %s", p.name, p.uuid)
		}
		p := &spool{name: def.Name, uuid: def.UUID, def: def}
		p.mu.Lock()
		r.byName[p.name] = p
		r.byUUID[p.uuid] = p
		r.mu.Unlock()
		return p, true, nil
	}
}

func parsePool(xml string) (*virtxml.StoragePool, error) {
	def, err := virtxml.ParseStoragePool([]byte(xml))
	if err != nil {
		return nil, virt.FromXMLError(err, virt.FromStorage)
	}
	if _, err := storage.New(def); err != nil {
		return nil, poolErr(virt.ErrNoSupport, "%v", err)
	}
	return def, nil
}

func (n *node) writePoolFile(path string, def *virtxml.StoragePool, flags virtxml.StorageFormatFlags) error {
	b, err := def.Format(flags)
	if err != nil {
		return poolErr(virt.ErrInternal, "format pool '%s': %v", def.Name, err)
	}
	if err := mkdirFor(path); err != nil {
		return sysErr("cannot create folder for %s: %v", path, err)
	}
	if err := writeFileAtomic(path, b, 0o600); err != nil {
		return sysErr("cannot save pool '%s': %v", def.Name, err)
	}
	return nil
}

// refresh reads the running pool's sizes and volumes. The caller holds
// p.mu.
func (n *node) refreshPool(ctx context.Context, p *spool) error {
	be, err := storage.New(p.def)
	if err != nil {
		return poolErr(virt.ErrNoSupport, "%v", err)
	}
	sizes, vols, err := be.Refresh(ctx)
	if err != nil {
		return poolErr(virt.ErrInternal, "%v", err)
	}
	p.sizes, p.vols = sizes, vols
	return nil
}

// loadPools reads the persistent pool definitions and re-adopts the pools
// that run (their volumes are read again).
func (n *node) loadPools(ctx context.Context) {
	files, _ := filepath.Glob(filepath.Join(n.paths.config, "storage", "*.xml"))
	running, _ := filepath.Glob(filepath.Join(n.paths.run, "storage", "*.xml"))
	for i, set := range [][]string{files, running} {
		live := i == 1
		for _, f := range set {
			b, err := os.ReadFile(f)
			var def *virtxml.StoragePool
			if err == nil {
				def, err = virtxml.ParseStoragePool(b)
			}
			if err != nil || def.Name+".xml" != filepath.Base(f) {
				n.log.Warn("bad pool definition", "file", f, "err", err)
				continue
			}
			p, fresh, err := n.addPool(def, false)
			if err != nil {
				n.log.Warn("cannot load pool", "file", f, "err", err)
				continue
			}
			if !live {
				p.def, p.persistent = def, true
				p.autostart = exists(n.paths.poolAutostartLink(def.Name))
			} else {
				if fresh {
					p.def = def
				} else if p.persistent {
					p.newDef, p.def = p.def, def
				}
				p.active = true
				if err := n.refreshPool(ctx, p); err != nil {
					n.log.Warn("cannot refresh running pool", "pool", def.Name, "err", err)
				}
			}
			p.mu.Unlock()
		}
	}
}

// startPool runs the pool. The caller holds p.mu.
func (n *node) startPool(ctx context.Context, p *spool) error {
	be, err := storage.New(p.def)
	if err != nil {
		return poolErr(virt.ErrNoSupport, "%v", err)
	}
	if err := be.Start(ctx); err != nil {
		return poolErr(virt.ErrInternal, "%v", err)
	}
	p.active = true
	if err := n.refreshPool(ctx, p); err != nil {
		be.Stop(ctx)
		p.active = false
		return err
	}
	return n.writePoolFile(n.paths.poolStatusFile(p.name), p.def, 0)
}

// LookupPoolByName implements virt.StoragePoolDriver.
func (c *conn) LookupPoolByName(ctx context.Context, name string) (virt.StoragePoolRef, error) {
	p, err := c.node.pool(virt.StoragePoolRef{Name: name})
	if err != nil {
		return virt.StoragePoolRef{}, err
	}
	defer p.mu.Unlock()
	return p.ref(), nil
}

// LookupPoolByUUID implements virt.StoragePoolDriver.
func (c *conn) LookupPoolByUUID(ctx context.Context, uuid virt.UUID) (virt.StoragePoolRef, error) {
	r := c.node.pools
	r.mu.Lock()
	p := r.byUUID[uuid]
	r.mu.Unlock()
	if p == nil {
		return virt.StoragePoolRef{}, errNoPool("uuid", uuid.String())
	}
	return p.ref(), nil
}

// poolTypeFlags maps pool types to their ListPools filter bits.
var poolTypeFlags = map[string]virt.ListPoolsFlags{
	"dir": virt.ListPoolsDir, "fs": virt.ListPoolsFS, "logical": virt.ListPoolsLogical,
}

// ListPools implements virt.StoragePoolDriver.
func (c *conn) ListPools(ctx context.Context, flags virt.ListPoolsFlags) ([]virt.StoragePoolRef, error) {
	if err := driver.CheckFlags(virt.FromStorage, uint32(flags), 1<<20-1, "storageConnectListAllStoragePools"); err != nil {
		return nil, err
	}
	types := flags & (1<<20 - 1<<6)
	var out []virt.StoragePoolRef
	for _, p := range c.node.allPools() {
		p.mu.Lock()
		f := uint32(flags)
		if !p.removed &&
			pairFilter(f, uint32(virt.ListPoolsActive), uint32(virt.ListPoolsInactive), p.active) &&
			pairFilter(f, uint32(virt.ListPoolsPersistent), uint32(virt.ListPoolsTransient), p.persistent) &&
			pairFilter(f, uint32(virt.ListPoolsAutostart), uint32(virt.ListPoolsNoAutostart), p.autostart) &&
			(types == 0 || types&poolTypeFlags[p.def.Type] != 0) {
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
	if err := c.node.writePoolFile(c.node.paths.poolDefFile(def.Name), def, virtxml.StorageFormatFlags(1)); err != nil {
		if fresh {
			c.node.removePool(p)
		}
		return virt.StoragePoolRef{}, err
	}
	if p.active {
		p.newDef = def
	} else {
		p.def = def
	}
	p.persistent = true
	c.node.emitPool(p, virt.ObjectDefined)
	return p.ref(), nil
}

// CreatePool implements virt.StoragePoolDriver: a running transient pool
// (flag 1 builds it first, 2 and 4 overwrite or keep what is there).
func (c *conn) CreatePool(ctx context.Context, xml string, flags uint32) (virt.StoragePoolRef, error) {
	if err := driver.CheckFlags(virt.FromStorage, flags, 7, "storagePoolCreateXML"); err != nil {
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
	old := p.def
	p.def = def
	fail := func(err error) (virt.StoragePoolRef, error) {
		p.def = old
		if fresh {
			c.node.removePool(p)
		}
		return virt.StoragePoolRef{}, err
	}
	if flags&1 != 0 {
		be, _ := storage.New(def)
		if err := be.Build(ctx, flags&2 != 0); err != nil {
			return fail(poolErr(virt.ErrInternal, "%v", err))
		}
	}
	if err := c.node.startPool(ctx, p); err != nil {
		return fail(err)
	}
	if !fresh && p.persistent {
		p.newDef = old
	}
	c.node.emitPool(p, virt.ObjectStarted)
	return p.ref(), nil
}

// UndefinePool implements virt.StoragePoolDriver.
func (c *conn) UndefinePool(ctx context.Context, ref virt.StoragePoolRef) error {
	p, err := c.node.pool(ref)
	if err != nil {
		return err
	}
	defer p.mu.Unlock()
	if p.active {
		return poolErr(virt.ErrOperationInvalid, "storage pool '%s' is still active", p.name)
	}
	if !p.persistent {
		return poolErr(virt.ErrOperationInvalid, "can't undefine transient pool")
	}
	removeIfExists(c.node.paths.poolAutostartLink(p.name))
	if err := removeIfExists(c.node.paths.poolDefFile(p.name)); err != nil {
		return sysErr("cannot remove config file '%s': %v", c.node.paths.poolDefFile(p.name), err)
	}
	c.node.emitPool(p, virt.ObjectUndefined)
	c.node.removePool(p)
	return nil
}

// PoolXML implements virt.StoragePoolDriver (flag 1: the inactive
// definition).
func (c *conn) PoolXML(ctx context.Context, ref virt.StoragePoolRef, flags uint32) (string, error) {
	if err := driver.CheckFlags(virt.FromStorage, flags, 1, "storagePoolGetXMLDesc"); err != nil {
		return "", err
	}
	p, err := c.node.pool(ref)
	if err != nil {
		return "", err
	}
	def := p.def
	if flags&1 != 0 && p.newDef != nil {
		def = p.newDef
	}
	def = def.Clone()
	if p.active && flags&1 == 0 {
		def.Capacity, def.Allocation, def.Available = p.sizes.Capacity, p.sizes.Allocation, p.sizes.Available
	}
	p.mu.Unlock()
	out, err := def.Format(virtxml.StorageFormatFlags(flags))
	if err != nil {
		return "", poolErr(virt.ErrInternal, "format pool '%s': %v", ref.Name, err)
	}
	return string(out), nil
}

// PoolInfo implements virt.StoragePoolDriver.
func (c *conn) PoolInfo(ctx context.Context, ref virt.StoragePoolRef) (virt.StoragePoolInfo, error) {
	p, err := c.node.pool(ref)
	if err != nil {
		return virt.StoragePoolInfo{}, err
	}
	defer p.mu.Unlock()
	if !p.active {
		return virt.StoragePoolInfo{State: virt.PoolInactive}, nil
	}
	return virt.StoragePoolInfo{State: virt.PoolRunning, Capacity: p.sizes.Capacity, Allocation: p.sizes.Allocation, Available: p.sizes.Available}, nil
}

// PoolFlags implements virt.StoragePoolDriver.
func (c *conn) PoolFlags(ctx context.Context, ref virt.StoragePoolRef) (bool, bool, error) {
	p, err := c.node.pool(ref)
	if err != nil {
		return false, false, err
	}
	defer p.mu.Unlock()
	return p.persistent, p.autostart, nil
}

// SetPoolAutostart implements virt.StoragePoolDriver.
func (c *conn) SetPoolAutostart(ctx context.Context, ref virt.StoragePoolRef, on bool) error {
	p, err := c.node.pool(ref)
	if err != nil {
		return err
	}
	defer p.mu.Unlock()
	if !p.persistent {
		return poolErr(virt.ErrInvalidArg, "cannot set autostart for transient pool")
	}
	link := c.node.paths.poolAutostartLink(p.name)
	if on {
		if err := mkdirFor(link); err != nil {
			return sysErr("cannot create autostart folder: %v", err)
		}
		if err := os.Symlink(c.node.paths.poolDefFile(p.name), link); err != nil && !errors.Is(err, os.ErrExist) {
			return sysErr("Failed to create symlink '%s': %v", link, err)
		}
	} else if err := removeIfExists(link); err != nil {
		return sysErr("Failed to delete symlink '%s': %v", link, err)
	}
	p.autostart = on
	return nil
}

// BuildPool implements virt.StoragePoolLifecycle (flag 4 overwrites).
func (c *conn) BuildPool(ctx context.Context, ref virt.StoragePoolRef, flags uint32) error {
	if err := driver.CheckFlags(virt.FromStorage, flags, 7, "storagePoolBuild"); err != nil {
		return err
	}
	p, err := c.node.pool(ref)
	if err != nil {
		return err
	}
	defer p.mu.Unlock()
	if p.active {
		return poolErr(virt.ErrOperationInvalid, "storage pool '%s' is already active", p.name)
	}
	be, err := storage.New(p.def)
	if err == nil {
		err = be.Build(ctx, flags&4 != 0)
	}
	if err != nil {
		return poolErr(virt.ErrInternal, "%v", err)
	}
	c.node.emitPool(p, virt.ObjectCreated)
	return nil
}

// StartPool implements virt.StoragePoolLifecycle (flag 1 builds first).
func (c *conn) StartPool(ctx context.Context, ref virt.StoragePoolRef, flags uint32) error {
	if err := driver.CheckFlags(virt.FromStorage, flags, 7, "storagePoolCreate"); err != nil {
		return err
	}
	p, err := c.node.pool(ref)
	if err != nil {
		return err
	}
	defer p.mu.Unlock()
	if p.active {
		return poolErr(virt.ErrOperationInvalid, "storage pool '%s' is already active", p.name)
	}
	if flags&1 != 0 {
		be, _ := storage.New(p.def)
		if err := be.Build(ctx, flags&2 != 0); err != nil {
			return poolErr(virt.ErrInternal, "%v", err)
		}
	}
	if err := c.node.startPool(ctx, p); err != nil {
		return err
	}
	c.node.emitPool(p, virt.ObjectStarted)
	return nil
}

// DestroyPool implements virt.StoragePoolLifecycle.
func (c *conn) DestroyPool(ctx context.Context, ref virt.StoragePoolRef) error {
	p, err := c.node.activePool(ref)
	if err != nil {
		return err
	}
	defer p.mu.Unlock()
	be, err := storage.New(p.def)
	if err == nil {
		err = be.Stop(ctx)
	}
	if err != nil {
		return poolErr(virt.ErrInternal, "%v", err)
	}
	p.active, p.vols, p.sizes = false, nil, storage.Sizes{}
	removeIfExists(c.node.paths.poolStatusFile(p.name))
	if p.newDef != nil {
		p.def, p.newDef = p.newDef, nil
	}
	c.node.emitPool(p, virt.ObjectStopped)
	if !p.persistent {
		c.node.removePool(p)
	}
	return nil
}

// DeletePool implements virt.StoragePoolLifecycle.
func (c *conn) DeletePool(ctx context.Context, ref virt.StoragePoolRef, flags uint32) error {
	if err := driver.CheckFlags(virt.FromStorage, flags, 1, "storagePoolDelete"); err != nil {
		return err
	}
	p, err := c.node.pool(ref)
	if err != nil {
		return err
	}
	defer p.mu.Unlock()
	if p.active {
		return poolErr(virt.ErrOperationInvalid, "storage pool '%s' is still active", p.name)
	}
	be, err := storage.New(p.def)
	if err == nil {
		err = be.Delete(ctx)
	}
	if err != nil {
		return poolErr(virt.ErrInternal, "%v", err)
	}
	c.node.emitPool(p, virt.ObjectDeleted)
	return nil
}

// RefreshPool implements virt.StoragePoolLifecycle: volumes made or
// removed behind govirt's back show up.
func (c *conn) RefreshPool(ctx context.Context, ref virt.StoragePoolRef) error {
	p, err := c.node.activePool(ref)
	if err != nil {
		return err
	}
	defer p.mu.Unlock()
	return c.node.refreshPool(ctx, p)
}

// StoragePoolEvents implements virt.StoragePoolEvents.
func (c *conn) StoragePoolEvents(ctx context.Context) (<-chan virt.StoragePoolEvent, error) {
	ch, cancel := c.node.pools.events.Subscribe(ctx, 0)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		cancel()
		return nil, virt.Errorf(virt.ErrInvalidConn, virt.FromStorage, "")
	}
	c.cancels = append(c.cancels, cancel)
	return ch, nil
}

// autostartPools starts every inactive pool marked autostart.
func (n *node) autostartPools(ctx context.Context) error {
	var first error
	for _, p := range n.allPools() {
		p.mu.Lock()
		if p.autostart && !p.active && !p.removed {
			if err := n.startPool(ctx, p); err != nil {
				n.log.Warn("pool autostart failed", "pool", p.name, "err", err)
				if first == nil {
					first = err
				}
			} else {
				n.emitPool(p, virt.ObjectStarted)
			}
		}
		p.mu.Unlock()
	}
	return first
}
