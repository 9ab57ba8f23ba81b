package qemu

import (
	"context"
	"errors"
	"os"
	"sync"
	"time"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// domain is a domain of the node. name and uuid never change; the rest is
// guarded by mu. Operations that change whether and how the guest runs
// also hold the job lock, which may be held across QMP round trips (mu
// never is).
type domain struct {
	n    *node
	name string
	uuid virt.UUID
	job  chan struct{}

	mu sync.Mutex
	// def is the persistent definition; nil for a transient domain.
	def *virtxml.Domain
	// live is the running definition; nil while shut off.
	live      *virtxml.Domain
	id        int32
	state     virt.DomainState
	reason    int
	proc      *process
	autostart bool
	removed   bool
}

func newDomain(n *node, name string, uuid virt.UUID) *domain {
	return &domain{n: n, name: name, uuid: uuid, job: make(chan struct{}, 1), id: -1, state: virt.DomainShutoff}
}

// active reports whether a QEMU process runs the domain. The caller holds mu.
func (d *domain) active() bool { return d.proc != nil }

// ref names the domain as a handle does. The caller holds mu.
func (d *domain) ref() virt.DomainRef { return virt.DomainRef{Name: d.name, UUID: d.uuid, ID: d.id} }

// current is the definition in effect: the running one, else the
// persistent one. The caller holds mu.
func (d *domain) current() *virtxml.Domain {
	if d.live != nil {
		return d.live
	}
	return d.def
}

// jobTimeout bounds the wait for another operation on the same domain.
const jobTimeout = 30 * time.Second

// beginJob takes the domain's job lock.
func (d *domain) beginJob(ctx context.Context) error {
	select {
	case d.job <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(jobTimeout)
	defer t.Stop()
	select {
	case d.job <- struct{}{}:
		return nil
	case <-ctx.Done():
		return virt.Errorf(virt.ErrOperationTimeout, virt.FromQEMU, "cannot acquire state change lock: %v", ctx.Err())
	case <-t.C:
		return virt.Errorf(virt.ErrOperationTimeout, virt.FromQEMU, "cannot acquire state change lock")
	}
}

func (d *domain) endJob() { <-d.job }

// setState changes the state. The caller holds mu.
func (d *domain) setState(s virt.DomainState, reason int) {
	d.state, d.reason = s, reason
}

// emit publishes an event about d. The caller holds mu, which keeps each
// domain's events in order.
func (d *domain) emit(typ virt.DomainEventType, detail int) {
	d.n.emit(d.ref(), typ, detail)
}

// errNoDomain is the error for a handle whose domain is gone.
func errNoDomain(ref virt.DomainRef) error {
	return virt.Errorf(virt.ErrNoDomain, virt.FromQEMU, "no domain with matching uuid '%s' (%s)", ref.UUID, ref.Name)
}

// errNotRunning is libvirt's virDomainObjCheckActive error.
func errNotRunning() error {
	return virt.Errorf(virt.ErrOperationInvalid, virt.FromQEMU, "domain is not running")
}

// lookup returns the domain behind ref (unlocked).
func (c *conn) lookup(ref virt.DomainRef) (*domain, error) {
	d := c.node.domainByUUID(ref.UUID)
	if d == nil {
		return nil, errNoDomain(ref)
	}
	return d, nil
}

// locked returns the domain behind ref with mu held.
func (c *conn) locked(ref virt.DomainRef) (*domain, error) {
	d, err := c.lookup(ref)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	if d.removed {
		d.mu.Unlock()
		return nil, errNoDomain(ref)
	}
	return d, nil
}

// withJob returns the domain behind ref with its job lock held.
func (c *conn) withJob(ctx context.Context, ref virt.DomainRef) (*domain, error) {
	d, err := c.lookup(ref)
	if err != nil {
		return nil, err
	}
	if err := d.beginJob(ctx); err != nil {
		return nil, err
	}
	d.mu.Lock()
	removed := d.removed
	d.mu.Unlock()
	if removed {
		d.endJob()
		return nil, errNoDomain(ref)
	}
	return d, nil
}

// LookupDomainByName implements virt.DomainStore.
func (c *conn) LookupDomainByName(ctx context.Context, name string) (virt.DomainRef, error) {
	d := c.node.domainByName(name)
	if d == nil {
		return virt.DomainRef{}, virt.Errorf(virt.ErrNoDomain, virt.FromQEMU, "no domain with matching name '%s'", name)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ref(), nil
}

// LookupDomainByUUID implements virt.DomainStore.
func (c *conn) LookupDomainByUUID(ctx context.Context, uuid virt.UUID) (virt.DomainRef, error) {
	d := c.node.domainByUUID(uuid)
	if d == nil {
		return virt.DomainRef{}, virt.Errorf(virt.ErrNoDomain, virt.FromQEMU, "no domain with matching uuid '%s'", uuid)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ref(), nil
}

// LookupDomainByID implements virt.DomainStore.
func (c *conn) LookupDomainByID(ctx context.Context, id int32) (virt.DomainRef, error) {
	for _, d := range c.node.all() {
		d.mu.Lock()
		if d.id == id && d.active() {
			r := d.ref()
			d.mu.Unlock()
			return r, nil
		}
		d.mu.Unlock()
	}
	return virt.DomainRef{}, virt.Errorf(virt.ErrNoDomain, virt.FromQEMU, "no domain with matching id %d", id)
}

// listDomainsAll is every filter bit virConnectListAllDomains knows.
const listDomainsAll = 1<<16 - 1

// ListDomains implements virt.DomainStore.
func (c *conn) ListDomains(ctx context.Context, flags virt.ListDomainsFlags) ([]virt.DomainRef, error) {
	if err := driver.CheckFlags(virt.FromQEMU, uint32(flags), listDomainsAll, "qemuConnectListAllDomains"); err != nil {
		return nil, err
	}
	all := c.node.all()
	out := make([]virt.DomainRef, 0, len(all))
	for _, d := range all {
		saved := exists(c.node.paths.managedSaveFile(d.name))
		d.mu.Lock()
		if !d.removed && d.matches(flags, saved) {
			out = append(out, d.ref())
		}
		d.mu.Unlock()
	}
	return out, nil
}

// matches applies virConnectListAllDomains' filters. The caller holds mu.
func (d *domain) matches(f virt.ListDomainsFlags, managedSave bool) bool {
	pair := func(a, b virt.ListDomainsFlags, isA bool) bool {
		if f&(a|b) == 0 || f&(a|b) == a|b {
			return true
		}
		if f&a != 0 {
			return isA
		}
		return !isA
	}
	if !pair(virt.ListDomainsActive, virt.ListDomainsInactive, d.active()) ||
		!pair(virt.ListDomainsPersistent, virt.ListDomainsTransient, d.def != nil) ||
		!pair(virt.ListDomainsManagedSave, virt.ListDomainsNoManagedSave, managedSave) ||
		!pair(virt.ListDomainsAutostart, virt.ListDomainsNoAutostart, d.autostart) ||
		!pair(virt.ListDomainsHasSnapshot, virt.ListDomainsNoSnapshot, false) ||
		!pair(virt.ListDomainsHasCheckpoint, virt.ListDomainsNoCheckpoint, false) {
		return false
	}
	states := f & (virt.ListDomainsRunning | virt.ListDomainsPaused | virt.ListDomainsShutoff | virt.ListDomainsOther)
	if states != 0 {
		switch d.state {
		case virt.DomainRunning:
			return states&virt.ListDomainsRunning != 0
		case virt.DomainPaused:
			return states&virt.ListDomainsPaused != 0
		case virt.DomainShutoff:
			return states&virt.ListDomainsShutoff != 0
		default:
			return states&virt.ListDomainsOther != 0
		}
	}
	return true
}

// DefineDomain implements virt.DomainStore.
func (c *conn) DefineDomain(ctx context.Context, xml string, flags virt.DefineFlags) (virt.DomainRef, error) {
	if err := driver.CheckFlags(virt.FromQEMU, uint32(flags), uint32(virt.DefineValidate), "qemuDomainDefineXMLFlags"); err != nil {
		return virt.DomainRef{}, err
	}
	def, _, err := c.node.parseDefinition(ctx, xml)
	if err != nil {
		return virt.DomainRef{}, err
	}
	d, fresh, err := c.node.addOrFind(def.Name, def.UUID)
	if err != nil {
		return virt.DomainRef{}, err
	}
	defer d.mu.Unlock()
	if err := c.node.writeDefinition(def); err != nil {
		if fresh {
			d.removed = true
			c.node.remove(d)
		}
		return virt.DomainRef{}, err
	}
	detail := virt.DetailDefinedUpdated
	if fresh || d.def == nil {
		detail = virt.DetailDefinedAdded
	}
	d.def = def
	d.emit(virt.EventDefined, detail)
	return d.ref(), nil
}

// addOrFind returns the domain named name with uuid, locked, adding a new
// one (fresh) when none exists. Name and UUID clashes give libvirt's errors.
func (n *node) addOrFind(name string, uuid virt.UUID) (*domain, bool, error) {
	for {
		n.mu.Lock()
		if d := n.byUUID[uuid]; d != nil {
			n.mu.Unlock()
			if d.name != name {
				return nil, false, virt.Errorf(virt.ErrOperationFailed, virt.FromQEMU,
					"domain '%s' is already defined with uuid %s", d.name, d.uuid)
			}
			d.mu.Lock()
			if d.removed {
				d.mu.Unlock()
				continue
			}
			return d, false, nil
		}
		if d := n.byName[name]; d != nil {
			n.mu.Unlock()
			return nil, false, virt.Errorf(virt.ErrOperationFailed, virt.FromQEMU,
				"domain '%s' already exists with uuid %s", d.name, d.uuid)
		}
		d := newDomain(n, name, uuid)
		d.mu.Lock()
		n.byName[name] = d
		n.byUUID[uuid] = d
		n.mu.Unlock()
		return d, true, nil
	}
}

// UndefineDomain implements virt.DomainStore.
func (c *conn) UndefineDomain(ctx context.Context, ref virt.DomainRef, flags virt.UndefineFlags) error {
	allowed := virt.UndefineManagedSave | virt.UndefineSnapshotsMetadata | virt.UndefineNvram | virt.UndefineKeepNvram | virt.UndefineCheckpointsMetadata
	if err := driver.CheckFlags(virt.FromQEMU, uint32(flags), uint32(allowed), "qemuDomainUndefineFlags"); err != nil {
		return err
	}
	d, err := c.locked(ref)
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	if d.def == nil {
		return virt.Errorf(virt.ErrOperationInvalid, virt.FromQEMU, "cannot undefine transient domain")
	}
	p := c.node.paths
	save := p.managedSaveFile(d.name)
	if exists(save) {
		if flags&virt.UndefineManagedSave == 0 {
			return virt.Errorf(virt.ErrOperationInvalid, virt.FromQEMU, "Refusing to undefine while domain managed save image exists")
		}
		if err := removeIfExists(save); err != nil {
			return sysErr("Failed to remove domain managed save image: %v", err)
		}
	}
	if flags&virt.UndefineNvram != 0 && d.def.OS != nil && d.def.OS.NVRAM != nil && d.def.OS.NVRAM.Path != "" {
		if err := removeIfExists(d.def.OS.NVRAM.Path); err != nil {
			return sysErr("cannot remove nvram file: %v", err)
		}
	}
	if err := removeIfExists(p.autostartLink(d.name)); err != nil {
		return sysErr("Failed to delete autostart link: %v", err)
	}
	if err := removeIfExists(p.defFile(d.name)); err != nil {
		return sysErr("cannot remove config %s: %v", p.defFile(d.name), err)
	}
	syncDir(p.config)
	d.def = nil
	d.autostart = false
	d.emit(virt.EventUndefined, virt.DetailUndefinedRemoved)
	if d.active() {
		return nil
	}
	d.removed = true
	removeIfExists(p.statusFile(d.name))
	c.node.remove(d)
	return nil
}

// DomainXML implements virt.DomainStore.
func (c *conn) DomainXML(ctx context.Context, ref virt.DomainRef, flags virt.DomainXMLFlags) (string, error) {
	if err := driver.CheckFlags(virt.FromQEMU, uint32(flags),
		uint32(virt.XMLSecure|virt.XMLInactive|virt.XMLUpdateCPU|virt.XMLMigratable), "qemuDomainGetXMLDesc"); err != nil {
		return "", err
	}
	d, err := c.locked(ref)
	if err != nil {
		return "", err
	}
	defer d.mu.Unlock()
	ff := virtxml.FormatNamespaces
	if flags&virt.XMLSecure != 0 {
		ff |= virtxml.FormatSecure
	}
	def := d.live
	if def == nil || flags&virt.XMLInactive != 0 && d.def != nil {
		def = d.def
	}
	if def == nil {
		def = d.live
	}
	if flags&(virt.XMLInactive|virt.XMLMigratable) != 0 || !d.active() {
		ff |= virtxml.FormatInactive
	} else {
		x := *def
		id := int(d.id)
		x.ID = &id
		def = &x
	}
	out, err := def.Format(ff)
	if err != nil {
		return "", virt.Errorf(virt.ErrInternal, virt.FromQEMU, "format domain '%s': %v", d.name, err)
	}
	return string(out), nil
}

// DomainInfo implements virt.DomainStore.
func (c *conn) DomainInfo(ctx context.Context, ref virt.DomainRef) (virt.DomainInfo, error) {
	d, err := c.locked(ref)
	if err != nil {
		return virt.DomainInfo{}, err
	}
	defer d.mu.Unlock()
	def := d.current()
	info := virt.DomainInfo{State: d.state, MaxMem: memTotal(def), Memory: memCurrent(def), NrVirtCPU: uint16(vcpusCurrent(def))}
	if d.proc != nil {
		info.CPUTime = processCPUTime(d.proc.pid)
	}
	return info, nil
}

// DomainState implements virt.DomainStore.
func (c *conn) DomainState(ctx context.Context, ref virt.DomainRef) (virt.DomainState, int, error) {
	d, err := c.locked(ref)
	if err != nil {
		return 0, 0, err
	}
	defer d.mu.Unlock()
	return d.state, d.reason, nil
}

// DomainFlags implements virt.DomainStore.
func (c *conn) DomainFlags(ctx context.Context, ref virt.DomainRef) (virt.DomainFlagSet, error) {
	d, err := c.locked(ref)
	if err != nil {
		return virt.DomainFlagSet{}, err
	}
	defer d.mu.Unlock()
	return virt.DomainFlagSet{
		Persistent:  d.def != nil,
		Autostart:   d.autostart,
		ManagedSave: exists(c.node.paths.managedSaveFile(d.name)),
		OSType:      "hvm",
	}, nil
}

// SetDomainAutostart implements virt.DomainStore: a symbolic link in the
// autostart folder, as libvirt keeps it.
func (c *conn) SetDomainAutostart(ctx context.Context, ref virt.DomainRef, on bool) error {
	d, err := c.locked(ref)
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	if d.def == nil {
		return virt.Errorf(virt.ErrOperationInvalid, virt.FromQEMU, "cannot set autostart for transient domain")
	}
	p := c.node.paths
	link := p.autostartLink(d.name)
	if on {
		if err := os.Symlink(p.defFile(d.name), link); err != nil && !errors.Is(err, os.ErrExist) {
			return sysErr("Failed to create symlink '%s' to '%s': %v", link, p.defFile(d.name), err)
		}
	} else if err := removeIfExists(link); err != nil {
		return sysErr("Failed to delete symlink '%s': %v", link, err)
	}
	d.autostart = on
	return nil
}

// memTotal is the definition's maximum memory in KiB.
func memTotal(def *virtxml.Domain) uint64 {
	if def == nil || def.Memory == nil {
		return 0
	}
	return def.Memory.Value
}

// memCurrent is the definition's current memory in KiB.
func memCurrent(def *virtxml.Domain) uint64 {
	if def == nil {
		return 0
	}
	if def.CurrentMemory != nil && def.CurrentMemory.Value > 0 {
		return def.CurrentMemory.Value
	}
	return memTotal(def)
}

// vcpusCurrent is the definition's current vCPU count.
func vcpusCurrent(def *virtxml.Domain) uint {
	if def == nil || def.VCPU == nil {
		return 1
	}
	if def.VCPU.Current > 0 {
		return def.VCPU.Current
	}
	return def.VCPU.Value
}
