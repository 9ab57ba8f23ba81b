package qemu

import (
	"context"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/internal/storage"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

func volRef(p *spool, v *virtxml.StorageVol) virt.StorageVolRef {
	return virt.StorageVolRef{Pool: p.name, Name: v.Name, Key: v.Key}
}

// volume returns the running pool of ref, locked, and the volume.
func (n *node) volume(ref virt.StorageVolRef) (*spool, *virtxml.StorageVol, error) {
	p, err := n.activePool(virt.StoragePoolRef{Name: ref.Pool})
	if err != nil {
		return nil, nil, err
	}
	v := p.vol(ref.Name)
	if v == nil {
		p.mu.Unlock()
		return nil, nil, errNoVol("name", ref.Name)
	}
	return p, v, nil
}

// LookupVolByName implements virt.StorageVolDriver.
func (c *conn) LookupVolByName(ctx context.Context, pr virt.StoragePoolRef, name string) (virt.StorageVolRef, error) {
	p, v, err := c.node.volume(virt.StorageVolRef{Pool: pr.Name, Name: name})
	if err != nil {
		return virt.StorageVolRef{}, err
	}
	defer p.mu.Unlock()
	return volRef(p, v), nil
}

func (c *conn) findVol(match func(*virtxml.StorageVol) bool) (virt.StorageVolRef, bool) {
	for _, p := range c.node.allPools() {
		p.mu.Lock()
		if p.active && !p.removed {
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
	return virt.StorageVolRef{}, errNoVol("key", key)
}

// LookupVolByPath implements virt.StorageVolDriver.
func (c *conn) LookupVolByPath(ctx context.Context, path string) (virt.StorageVolRef, error) {
	if ref, ok := c.findVol(func(v *virtxml.StorageVol) bool { return v.Target.Path == path }); ok {
		return ref, nil
	}
	return virt.StorageVolRef{}, errNoVol("path", path)
}

// ListVols implements virt.StorageVolDriver.
func (c *conn) ListVols(ctx context.Context, pr virt.StoragePoolRef) ([]virt.StorageVolRef, error) {
	p, err := c.node.activePool(pr)
	if err != nil {
		return nil, err
	}
	defer p.mu.Unlock()
	out := make([]virt.StorageVolRef, len(p.vols))
	for i, v := range p.vols {
		out[i] = volRef(p, v)
	}
	return out, nil
}

// CreateVol implements virt.StorageVolDriver.
func (c *conn) CreateVol(ctx context.Context, pr virt.StoragePoolRef, xml string, flags uint32) (virt.StorageVolRef, error) {
	if err := driver.CheckFlags(virt.FromStorage, flags, 3, "storageVolCreateXML"); err != nil {
		return virt.StorageVolRef{}, err
	}
	return c.createVol(ctx, pr, xml, nil)
}

// CloneVol implements virt.StorageVolDriver: a full copy of from (of the
// new volume's format) in pool pr.
func (c *conn) CloneVol(ctx context.Context, pr virt.StoragePoolRef, xml string, from virt.StorageVolRef, flags uint32) (virt.StorageVolRef, error) {
	if err := driver.CheckFlags(virt.FromStorage, flags, 3, "storageVolCreateXMLFrom"); err != nil {
		return virt.StorageVolRef{}, err
	}
	sp, src, err := c.node.volume(from)
	if err != nil {
		return virt.StorageVolRef{}, err
	}
	src = src.Clone()
	sp.mu.Unlock()
	return c.createVol(ctx, pr, xml, src)
}

func (c *conn) createVol(ctx context.Context, pr virt.StoragePoolRef, xml string, from *virtxml.StorageVol) (virt.StorageVolRef, error) {
	p, err := c.node.activePool(pr)
	if err != nil {
		return virt.StorageVolRef{}, err
	}
	defer p.mu.Unlock()
	v, err := virtxml.ParseStorageVolFor(p.def.Type, []byte(xml))
	if err != nil {
		return virt.StorageVolRef{}, virt.FromXMLError(err, virt.FromStorage)
	}
	if p.vol(v.Name) != nil {
		return virt.StorageVolRef{}, poolErr(virt.ErrStorageVolExists, "storage volume name '%s' already in use.", v.Name)
	}
	if from != nil && v.Capacity < from.Capacity {
		v.Capacity = from.Capacity
	}
	// The space the volume takes at once: all of a logical volume, the
	// allocation of a raw file (its capacity unless told), little of a
	// qcow2 image.
	need := v.Capacity
	switch {
	case p.def.Type == "logical":
	case v.Target.Format != nil && v.Target.Format.Type == "qcow2":
		need = 0
	case v.HasAllocation:
		need = v.Allocation
	}
	if need > p.sizes.Available {
		return virt.StorageVolRef{}, poolErr(virt.ErrInternal, "Not enough space left in storage pool")
	}
	be, err := storage.New(p.def)
	if err == nil {
		err = be.CreateVol(ctx, v, from)
	}
	if err != nil {
		return virt.StorageVolRef{}, poolErr(virt.ErrInternal, "%v", err)
	}
	if err := c.node.refreshPool(ctx, p); err != nil {
		return virt.StorageVolRef{}, err
	}
	if nv := p.vol(v.Name); nv != nil {
		return volRef(p, nv), nil
	}
	return virt.StorageVolRef{Pool: p.name, Name: v.Name, Key: v.Key}, nil
}

// DeleteVol implements virt.StorageVolDriver.
func (c *conn) DeleteVol(ctx context.Context, ref virt.StorageVolRef, flags uint32) error {
	if err := driver.CheckFlags(virt.FromStorage, flags, 3, "storageVolDelete"); err != nil {
		return err
	}
	p, v, err := c.node.volume(ref)
	if err != nil {
		return err
	}
	defer p.mu.Unlock()
	be, err := storage.New(p.def)
	if err == nil {
		err = be.DeleteVol(ctx, v)
	}
	if err != nil {
		return poolErr(virt.ErrInternal, "%v", err)
	}
	return c.node.refreshPool(ctx, p)
}

// VolXML implements virt.StorageVolDriver.
func (c *conn) VolXML(ctx context.Context, ref virt.StorageVolRef) (string, error) {
	p, v, err := c.node.volume(ref)
	if err != nil {
		return "", err
	}
	defer p.mu.Unlock()
	out, err := v.Format(0)
	if err != nil {
		return "", poolErr(virt.ErrInternal, "format volume '%s': %v", v.Name, err)
	}
	return string(out), nil
}

// VolInfo implements virt.StorageVolDriver.
func (c *conn) VolInfo(ctx context.Context, ref virt.StorageVolRef) (virt.StorageVolInfo, error) {
	p, v, err := c.node.volume(ref)
	if err != nil {
		return virt.StorageVolInfo{}, err
	}
	defer p.mu.Unlock()
	t := virt.VolFile
	if v.Type == "block" {
		t = virt.VolBlock
	}
	return virt.StorageVolInfo{Type: t, Capacity: v.Capacity, Allocation: v.Allocation}, nil
}

// VolPath implements virt.StorageVolDriver.
func (c *conn) VolPath(ctx context.Context, ref virt.StorageVolRef) (string, error) {
	p, v, err := c.node.volume(ref)
	if err != nil {
		return "", err
	}
	defer p.mu.Unlock()
	return v.Target.Path, nil
}

// ResizeVol implements virt.StorageVolResizer.
func (c *conn) ResizeVol(ctx context.Context, ref virt.StorageVolRef, capacity uint64, flags uint32) error {
	if err := driver.CheckFlags(virt.FromStorage, flags, 7, "storageVolResize"); err != nil {
		return err
	}
	p, v, err := c.node.volume(ref)
	if err != nil {
		return err
	}
	defer p.mu.Unlock()
	if flags&virt.VolResizeDelta != 0 {
		if flags&virt.VolResizeShrink != 0 {
			if capacity > v.Capacity {
				return poolErr(virt.ErrInvalidArg, "can't shrink capacity below zero")
			}
			capacity = v.Capacity - capacity
		} else {
			capacity += v.Capacity
		}
	}
	if capacity < v.Capacity && flags&virt.VolResizeShrink == 0 {
		return poolErr(virt.ErrInvalidArg, "Can't shrink capacity below current capacity unless shrink flag explicitly specified")
	}
	if capacity > v.Capacity && capacity-v.Capacity > p.sizes.Available && (v.Type == "block" || flags&virt.VolResizeAllocate != 0) {
		return poolErr(virt.ErrInvalidArg, "Not enough space left in storage pool")
	}
	be, err := storage.New(p.def)
	if err == nil {
		err = be.ResizeVol(ctx, v, capacity, capacity < v.Capacity)
	}
	if err != nil {
		return poolErr(virt.ErrInternal, "%v", err)
	}
	return c.node.refreshPool(ctx, p)
}

// WipeVol implements virt.StorageVolResizer: zeros (algorithm 0) or
// random data (8).
func (c *conn) WipeVol(ctx context.Context, ref virt.StorageVolRef, algorithm uint32, flags uint32) error {
	if err := driver.CheckFlags(virt.FromStorage, flags, 0, "storageVolWipePattern"); err != nil {
		return err
	}
	p, v, err := c.node.volume(ref)
	if err != nil {
		return err
	}
	defer p.mu.Unlock()
	if err := storage.WipeVol(ctx, v, algorithm); err != nil {
		return poolErr(virt.ErrOperationFailed, "%v", err)
	}
	return c.node.refreshPool(ctx, p)
}

// UploadVol implements virt.StorageVolStreams: the stream's bytes go into
// the volume's file or device from offset on.
func (c *conn) UploadVol(ctx context.Context, ref virt.StorageVolRef, offset, length uint64, flags uint32) (virt.Stream, error) {
	if err := driver.CheckFlags(virt.FromStorage, flags, 1, "storageVolUpload"); err != nil {
		return nil, err
	}
	p, v, err := c.node.volume(ref)
	if err != nil {
		return nil, err
	}
	path := v.Target.Path
	p.mu.Unlock()
	s, err := storage.OpenUpload(path, offset, length)
	if err != nil {
		return nil, poolErr(virt.ErrOperationFailed, "cannot open volume '%s' for upload: %v", ref.Name, err)
	}
	return &refreshOnFinish{Stream: s, c: c, pool: ref.Pool}, nil
}

// DownloadVol implements virt.StorageVolStreams.
func (c *conn) DownloadVol(ctx context.Context, ref virt.StorageVolRef, offset, length uint64, flags uint32) (virt.Stream, error) {
	if err := driver.CheckFlags(virt.FromStorage, flags, 1, "storageVolDownload"); err != nil {
		return nil, err
	}
	p, v, err := c.node.volume(ref)
	if err != nil {
		return nil, err
	}
	path := v.Target.Path
	p.mu.Unlock()
	s, err := storage.OpenDownload(path, offset, length)
	if err != nil {
		return nil, poolErr(virt.ErrOperationFailed, "cannot open volume '%s' for download: %v", ref.Name, err)
	}
	return s, nil
}

// refreshOnFinish reads the pool again once an upload is committed (the
// upload may have changed a volume's format or size).
type refreshOnFinish struct {
	*storage.Stream
	c    *conn
	pool string
}

func (r *refreshOnFinish) Finish() error {
	err := r.Stream.Finish()
	if p, perr := r.c.node.activePool(virt.StoragePoolRef{Name: r.pool}); perr == nil {
		r.c.node.refreshPool(context.Background(), p)
		p.mu.Unlock()
	}
	return err
}
