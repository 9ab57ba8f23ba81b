package test

import (
	"context"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

func volRef(p *pool, v *virtxml.StorageVol) virt.StorageVolRef {
	return virt.StorageVolRef{Pool: p.name, Name: v.Name, Key: v.Key}
}

func noVol(by, what string) error {
	return virt.Errorf(virt.ErrNoStorageVol, virt.FromTest, "no storage vol with matching %s '%s'", by, what)
}

// volIn returns the locked running pool of ref and the volume.
func (c *conn) volIn(ref virt.StorageVolRef) (*pool, *virtxml.StorageVol, error) {
	p, err := c.activePool(ref.Pool)
	if err != nil {
		return nil, nil, err
	}
	_, v := p.vol(ref.Name)
	if v == nil {
		p.mu.Unlock()
		return nil, nil, noVol("name", ref.Name)
	}
	return p, v, nil
}

// LookupVolByName implements virt.StorageVolDriver.
func (c *conn) LookupVolByName(ctx context.Context, pr virt.StoragePoolRef, name string) (virt.StorageVolRef, error) {
	p, v, err := c.volIn(virt.StorageVolRef{Pool: pr.Name, Name: name})
	if err != nil {
		return virt.StorageVolRef{}, err
	}
	defer p.mu.Unlock()
	return volRef(p, v), nil
}

// findVol searches the running pools for a volume.
func (c *conn) findVol(match func(*virtxml.StorageVol) bool) (virt.StorageVolRef, bool) {
	for _, p := range c.node.pools.sorted() {
		p.mu.Lock()
		if !p.removed && p.active {
			for _, v := range p.vols {
				if match(v) {
					ref := volRef(p, v)
					p.mu.Unlock()
					return ref, true
				}
			}
		}
		p.mu.Unlock()
	}
	return virt.StorageVolRef{}, false
}

// LookupVolByKey implements virt.StorageVolDriver.
func (c *conn) LookupVolByKey(ctx context.Context, key string) (virt.StorageVolRef, error) {
	if ref, ok := c.findVol(func(v *virtxml.StorageVol) bool { return v.Key == key }); ok {
		return ref, nil
	}
	return virt.StorageVolRef{}, noVol("key", key)
}

// LookupVolByPath implements virt.StorageVolDriver.
func (c *conn) LookupVolByPath(ctx context.Context, path string) (virt.StorageVolRef, error) {
	if ref, ok := c.findVol(func(v *virtxml.StorageVol) bool { return v.Target.Path == path }); ok {
		return ref, nil
	}
	return virt.StorageVolRef{}, noVol("path", path)
}

// ListVols implements virt.StorageVolDriver: the volumes in creation order.
func (c *conn) ListVols(ctx context.Context, pr virt.StoragePoolRef) ([]virt.StorageVolRef, error) {
	p, err := c.poolByUUID(pr.UUID)
	if err != nil {
		return nil, err
	}
	defer p.mu.Unlock()
	if !p.active {
		return nil, virt.Errorf(virt.ErrOperationInvalid, virt.FromTest, "storage pool is not active")
	}
	out := make([]virt.StorageVolRef, len(p.vols))
	for i, v := range p.vols {
		out[i] = volRef(p, v)
	}
	return out, nil
}

// CreateVol implements virt.StorageVolDriver.
func (c *conn) CreateVol(ctx context.Context, pr virt.StoragePoolRef, xml string, flags uint32) (virt.StorageVolRef, error) {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testStorageVolCreateXML"); err != nil {
		return virt.StorageVolRef{}, err
	}
	return c.addVol(pr, xml, "")
}

// CloneVol implements virt.StorageVolDriver: like CreateVol, once the
// source volume is found in the same pool.
func (c *conn) CloneVol(ctx context.Context, pr virt.StoragePoolRef, xml string, from virt.StorageVolRef, flags uint32) (virt.StorageVolRef, error) {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testStorageVolCreateXMLFrom"); err != nil {
		return virt.StorageVolRef{}, err
	}
	return c.addVol(pr, xml, from.Name)
}

func (c *conn) addVol(pr virt.StoragePoolRef, xml, from string) (virt.StorageVolRef, error) {
	p, err := c.activePool(pr.Name)
	if err != nil {
		return virt.StorageVolRef{}, err
	}
	defer p.mu.Unlock()
	v, err := virtxml.ParseStorageVolFor(p.def.Type, []byte(xml))
	if err != nil {
		return virt.StorageVolRef{}, virt.FromXMLError(err, virt.FromStorage)
	}
	if _, old := p.vol(v.Name); old != nil {
		return virt.StorageVolRef{}, virt.Errorf(virt.ErrOperationFailed, virt.FromTest, "storage vol already exists")
	}
	if from != "" {
		if _, src := p.vol(from); src == nil {
			return virt.StorageVolRef{}, noVol("name", from)
		}
	}
	if !v.HasAllocation {
		v.Allocation = v.Capacity
	}
	if p.def.Allocation+v.Allocation > p.def.Capacity {
		return virt.StorageVolRef{}, virt.Errorf(virt.ErrInternal, virt.FromTest, "Not enough free space in pool for volume '%s'", v.Name)
	}
	v.Target.Path = poolPath(p.def) + "/" + v.Name
	v.Key = v.Target.Path
	p.vols = append(p.vols, v)
	p.account(int64(v.Allocation))
	return volRef(p, v), nil
}

// DeleteVol implements virt.StorageVolDriver.
func (c *conn) DeleteVol(ctx context.Context, ref virt.StorageVolRef, flags uint32) error {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testStorageVolDelete"); err != nil {
		return err
	}
	p, v, err := c.volIn(ref)
	if err != nil {
		return err
	}
	defer p.mu.Unlock()
	i, _ := p.vol(v.Name)
	p.vols = append(p.vols[:i], p.vols[i+1:]...)
	p.account(-int64(v.Allocation))
	return nil
}

// VolXML implements virt.StorageVolDriver.
func (c *conn) VolXML(ctx context.Context, ref virt.StorageVolRef) (string, error) {
	p, v, err := c.volIn(ref)
	if err != nil {
		return "", err
	}
	defer p.mu.Unlock()
	out, err := v.Format(0)
	if err != nil {
		return "", virt.Errorf(virt.ErrInternal, virt.FromStorage, "format volume '%s': %v", v.Name, err)
	}
	return string(out), nil
}

// volTypeForPool is the volume type libvirt's test driver reports for a
// pool type.
func volTypeForPool(t string) virt.StorageVolType {
	switch t {
	case "sheepdog", "iscsi-direct", "gluster", "rbd":
		return virt.VolNetwork
	case "logical", "disk", "mpath", "iscsi", "scsi", "zfs":
		return virt.VolBlock
	}
	return virt.VolFile
}

// VolInfo implements virt.StorageVolDriver.
func (c *conn) VolInfo(ctx context.Context, ref virt.StorageVolRef) (virt.StorageVolInfo, error) {
	p, v, err := c.volIn(ref)
	if err != nil {
		return virt.StorageVolInfo{}, err
	}
	defer p.mu.Unlock()
	return virt.StorageVolInfo{Type: volTypeForPool(p.def.Type), Capacity: v.Capacity, Allocation: v.Allocation}, nil
}

// VolPath implements virt.StorageVolDriver.
func (c *conn) VolPath(ctx context.Context, ref virt.StorageVolRef) (string, error) {
	p, v, err := c.volIn(ref)
	if err != nil {
		return "", err
	}
	defer p.mu.Unlock()
	return v.Target.Path, nil
}
