package test

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// domain is a domain of the node. uuid never changes; name changes only
// on a rename, under both the node's lock and mu; the rest is guarded by
// mu.
type domain struct {
	name string
	uuid virt.UUID

	mu sync.Mutex
	// def is the running definition while the domain is active, else the
	// persistent one.
	def *virtxml.Domain
	// newDef is the persistent definition while a persistent domain runs
	// (what it reverts to when it stops); nil otherwise.
	newDef      *virtxml.Domain
	id          int32
	state       virt.DomainState
	reason      int
	persistent  bool
	autostart   bool
	managedSave bool
	removed     bool
	// guest is what the test driver pretends the guest reports.
	guest guestState
	// snaps and checkpoints are the domain's snapshots and checkpoints.
	snaps       moments
	checkpoints moments
}

func newDomain(def *virtxml.Domain) *domain {
	return &domain{name: def.Name, uuid: def.UUID, def: def, id: -1, state: virt.DomainShutoff,
		guest: newGuestState()}
}

// active reports whether the domain runs (or is paused).
func (d *domain) active() bool { return d.id > 0 }

// ref names the domain as a handle does.
func (d *domain) ref() virt.DomainRef {
	return virt.DomainRef{Name: d.name, UUID: d.uuid, ID: d.id}
}

// persistentDef is the definition that survives a stop: newDef while
// running, else def. Nil for a transient domain.
func (d *domain) persistentDef() *virtxml.Domain {
	if !d.persistent {
		return nil
	}
	if d.newDef != nil {
		return d.newDef
	}
	return d.def
}

// noDomain is the error for a handle whose domain is gone.
func noDomain(ref virt.DomainRef) error {
	return virt.Errorf(virt.ErrNoDomain, virt.FromTest, "no domain with matching uuid '%s' (%s)", ref.UUID, ref.Name)
}

// errNotRunning is libvirt's virDomainObjCheckActive error.
func errNotRunning() error {
	return virt.Errorf(virt.ErrOperationInvalid, virt.FromDomain, "domain is not running")
}

// domain returns the locked domain behind ref.
func (c *conn) domain(ref virt.DomainRef) (*domain, error) {
	d := c.node.domainByUUID(ref.UUID)
	if d == nil {
		return nil, noDomain(ref)
	}
	return d, nil
}

// checkedDomain checks flags against allowed, as libvirt's api does, then
// returns the domain of ref, locked.
func (c *conn) checkedDomain(ref virt.DomainRef, flags, allowed uint32, api string) (*domain, error) {
	if err := driver.CheckFlags(virt.FromTest, flags, allowed, api); err != nil {
		return nil, err
	}
	return c.domain(ref)
}

// emit publishes a lifecycle event of d. The caller holds d.mu, which keeps
// each domain's events in order.
func (c *conn) emit(d *domain, typ virt.DomainEventType, detail int) {
	c.node.domEvents.Publish(virt.DomainEvent{Domain: d.ref(), Type: typ, Detail: int32(detail)})
}

// LookupDomainByName implements virt.DomainStore.
func (c *conn) LookupDomainByName(ctx context.Context, name string) (virt.DomainRef, error) {
	d := c.node.domainByName(name)
	if d == nil {
		return virt.DomainRef{}, virt.Errorf(virt.ErrNoDomain, virt.FromTest, "")
	}
	defer d.mu.Unlock()
	return d.ref(), nil
}

// LookupDomainByUUID implements virt.DomainStore.
func (c *conn) LookupDomainByUUID(ctx context.Context, uuid virt.UUID) (virt.DomainRef, error) {
	d := c.node.domainByUUID(uuid)
	if d == nil {
		return virt.DomainRef{}, virt.Errorf(virt.ErrNoDomain, virt.FromTest, "")
	}
	defer d.mu.Unlock()
	return d.ref(), nil
}

// LookupDomainByID implements virt.DomainStore.
func (c *conn) LookupDomainByID(ctx context.Context, id int32) (virt.DomainRef, error) {
	d := c.node.domainByID(id)
	if d == nil {
		return virt.DomainRef{}, virt.Errorf(virt.ErrNoDomain, virt.FromTest, "")
	}
	defer d.mu.Unlock()
	return d.ref(), nil
}

// listDomainsAll is every filter bit virConnectListAllDomains knows.
const listDomainsAll = 1<<16 - 1

// ListDomains implements virt.DomainStore: the domains that pass the
// filter, sorted by name.
func (c *conn) ListDomains(ctx context.Context, flags virt.ListDomainsFlags) ([]virt.DomainRef, error) {
	if err := driver.CheckFlags(virt.FromTest, uint32(flags), listDomainsAll, "testConnectListAllDomains"); err != nil {
		return nil, err
	}
	all := c.node.allDomains()
	out := make([]virt.DomainRef, 0, len(all))
	for _, d := range all {
		d.mu.Lock()
		if !d.removed && d.matches(flags) {
			out = append(out, d.ref())
		}
		d.mu.Unlock()
	}
	return out, nil
}

// matches applies virConnectListAllDomains' filters. The caller holds d.mu.
func (d *domain) matches(f virt.ListDomainsFlags) bool {
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
		!pair(virt.ListDomainsPersistent, virt.ListDomainsTransient, d.persistent) ||
		!pair(virt.ListDomainsManagedSave, virt.ListDomainsNoManagedSave, d.managedSave) ||
		!pair(virt.ListDomainsAutostart, virt.ListDomainsNoAutostart, d.autostart) ||
		!pair(virt.ListDomainsHasSnapshot, virt.ListDomainsNoSnapshot, len(d.snaps.list) > 0) ||
		!pair(virt.ListDomainsHasCheckpoint, virt.ListDomainsNoCheckpoint, len(d.checkpoints.list) > 0) {
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

// DefineDomain implements virt.DomainStore: a new persistent domain, or a
// new persistent definition for an existing one.
func (c *conn) DefineDomain(ctx context.Context, xml string, flags virt.DefineFlags) (virt.DomainRef, error) {
	if err := driver.CheckFlags(virt.FromTest, uint32(flags), uint32(virt.DefineValidate), "testDomainDefineXMLFlags"); err != nil {
		return virt.DomainRef{}, err
	}
	if flags&virt.DefineValidate != 0 {
		// libvirt checks the document against its schema first; govirt
		// checks it against what its domain model knows.
		if problems, err := virt.ValidateXML(virt.XMLKindDomain, []byte(xml), true); err == nil && len(problems) > 0 {
			return virt.DomainRef{}, virt.SchemaError(virt.XMLKindDomain, virt.FromDomain, problems)
		}
	}
	def, err := parseDomain(xml)
	if err != nil {
		return virt.DomainRef{}, err
	}
	if strings.Contains(def.Name, "\n") {
		return virt.DomainRef{}, virt.Errorf(virt.ErrXML, virt.FromDomain, "name %s cannot contain '\\n'", def.Name)
	}
	generateIfnames(def)
	for {
		d, fresh, err := c.node.addOrFind(def)
		if err != nil {
			return virt.DomainRef{}, err
		}
		if fresh {
			d.persistent = true
			c.emit(d, virt.EventDefined, virt.DetailDefinedAdded)
			ref := d.ref()
			d.mu.Unlock()
			return ref, nil
		}
		if d == nil {
			continue // the domain went away meanwhile: try again
		}
		detail := virt.DetailDefinedUpdated
		if d.active() {
			if d.newDef == nil {
				detail = virt.DetailDefinedAdded
			}
			d.newDef = def
		} else {
			d.def = def
		}
		d.persistent = true
		c.emit(d, virt.EventDefined, detail)
		ref := d.ref()
		d.mu.Unlock()
		return ref, nil
	}
}

// addOrFind adds a new domain for def, or finds the existing one with the
// same UUID and name. It returns the domain locked, and whether it is new;
// (nil, false, nil) means the domain found vanished before it could be
// locked. Name and UUID clashes give libvirt's errors.
func (n *node) addOrFind(def *virtxml.Domain) (*domain, bool, error) {
	n.mu.Lock()
	if d := n.byUUID[def.UUID]; d != nil {
		n.mu.Unlock()
		if d.name != def.Name {
			return nil, false, virt.Errorf(virt.ErrOperationFailed, virt.FromDomain,
				"domain '%s' is already defined with uuid %s", d.name, d.uuid)
		}
		return lockLive(d), false, nil
	}
	if d := n.byName[def.Name]; d != nil {
		n.mu.Unlock()
		return nil, false, virt.Errorf(virt.ErrOperationFailed, virt.FromDomain,
			"domain '%s' already exists with uuid %s", d.name, d.uuid)
	}
	d := newDomain(def)
	d.mu.Lock() // nobody else can see d yet
	n.insertDomainLocked(d)
	n.mu.Unlock()
	return d, true, nil
}

// UndefineDomain implements virt.DomainStore. A running domain becomes
// transient; an inactive one goes away.
func (c *conn) UndefineDomain(ctx context.Context, ref virt.DomainRef, flags virt.UndefineFlags) error {
	if err := driver.CheckFlags(virt.FromTest, uint32(flags),
		uint32(virt.UndefineManagedSave|virt.UndefineSnapshotsMetadata), "testDomainUndefineFlags"); err != nil {
		return err
	}
	d, err := c.domain(ref)
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	if d.managedSave && flags&virt.UndefineManagedSave == 0 {
		return virt.Errorf(virt.ErrOperationInvalid, virt.FromTest, "Refusing to undefine while domain managed save image exists")
	}
	// Snapshot metadata must be dropped explicitly from an inactive domain.
	if n := len(d.snaps.list); !d.active() && n > 0 && flags&virt.UndefineSnapshotsMetadata == 0 {
		return virt.Errorf(virt.ErrOperationInvalid, virt.FromTest, "cannot delete inactive domain with %d snapshots", n)
	}
	c.emit(d, virt.EventUndefined, virt.DetailUndefinedRemoved)
	d.managedSave = false
	if d.active() {
		d.persistent = false
		return nil
	}
	c.node.removeDomain(d)
	return nil
}

// DomainXML implements virt.DomainStore.
func (c *conn) DomainXML(ctx context.Context, ref virt.DomainRef, flags virt.DomainXMLFlags) (string, error) {
	if err := driver.CheckFlags(virt.FromTest, uint32(flags),
		uint32(virt.XMLSecure|virt.XMLInactive|virt.XMLMigratable), "testDomainGetXMLDesc"); err != nil {
		return "", err
	}
	d, err := c.domain(ref)
	if err != nil {
		return "", err
	}
	defer d.mu.Unlock()
	return d.format(flags)
}

// format writes the definition flags select. The caller holds d.mu.
func (d *domain) format(flags virt.DomainXMLFlags) (string, error) {
	var ff virtxml.FormatFlags
	if flags&virt.XMLSecure != 0 {
		ff |= virtxml.FormatSecure
	}
	def := d.def
	if flags&(virt.XMLInactive|virt.XMLMigratable) != 0 {
		ff |= virtxml.FormatInactive
		if flags&virt.XMLInactive != 0 && d.newDef != nil {
			def = d.newDef
		}
	}
	if d.active() && ff&virtxml.FormatInactive == 0 {
		live := *def
		id := int(d.id)
		live.ID = &id
		def = &live
	} else if def.ID != nil {
		inactive := *def
		inactive.ID = nil
		def = &inactive
	}
	out, err := def.Format(ff)
	if err != nil {
		return "", virt.Errorf(virt.ErrInternal, virt.FromDomain, "format domain '%s': %v", d.name, err)
	}
	return string(out), nil
}

// DomainInfo implements virt.DomainStore.
func (c *conn) DomainInfo(ctx context.Context, ref virt.DomainRef) (virt.DomainInfo, error) {
	d, err := c.domain(ref)
	if err != nil {
		return virt.DomainInfo{}, err
	}
	defer d.mu.Unlock()
	return virt.DomainInfo{
		State:     d.state,
		MaxMem:    memTotal(d.def),
		Memory:    memCurrent(d.def),
		NrVirtCPU: uint16(vcpusCurrent(d.def)),
		// libvirt's test driver reports the wall clock as CPU time.
		CPUTime: uint64(time.Now().UnixMicro()) * 1000,
	}, nil
}

// DomainState implements virt.DomainStore.
func (c *conn) DomainState(ctx context.Context, ref virt.DomainRef) (virt.DomainState, int, error) {
	d, err := c.domain(ref)
	if err != nil {
		return 0, 0, err
	}
	defer d.mu.Unlock()
	return d.state, d.reason, nil
}

// DomainFlags implements virt.DomainStore.
func (c *conn) DomainFlags(ctx context.Context, ref virt.DomainRef) (virt.DomainFlagSet, error) {
	d, err := c.domain(ref)
	if err != nil {
		return virt.DomainFlagSet{}, err
	}
	defer d.mu.Unlock()
	// The test driver names every guest's OS "linux".
	return virt.DomainFlagSet{Persistent: d.persistent, Autostart: d.autostart, ManagedSave: d.managedSave, OSType: "linux"}, nil
}

// SetDomainAutostart implements virt.DomainStore.
func (c *conn) SetDomainAutostart(ctx context.Context, ref virt.DomainRef, on bool) error {
	d, err := c.domain(ref)
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	d.autostart = on
	return nil
}
