package test

import (
	"context"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/virt"
)

// startState makes d run: a fresh ID, state running with reason, and a
// copy of the persistent definition to return to when it stops. The caller
// holds d.mu.
func (c *conn) startState(d *domain, reason int) {
	d.state, d.reason = virt.DomainRunning, reason
	c.node.setID(d, c.node.nextID.Add(1)-1)
	if d.persistent && d.newDef == nil {
		d.newDef = deepCopy(d.def)
	}
	d.managedSave = false
}

// shutoffState stops d: the running definition gives way to the persistent
// one. The caller holds d.mu.
func (c *conn) shutoffState(d *domain, reason int) {
	if d.newDef != nil {
		d.def, d.newDef = d.newDef, nil
	}
	d.state, d.reason = virt.DomainShutoff, reason
	c.node.setID(d, -1)
}

// stopped ends d with a stopped event of detail; a transient domain goes
// away. The caller holds d.mu.
func (c *conn) stopped(d *domain, reason, detail int) {
	c.shutoffState(d, reason)
	c.emit(d, virt.EventStopped, detail)
	if !d.persistent {
		c.node.removeDomain(d)
	}
}

// CreateDomain implements virt.DomainLifecycle: start a domain from XML,
// transient unless a persistent domain of that name and UUID exists.
func (c *conn) CreateDomain(ctx context.Context, xml string, flags virt.CreateFlags) (virt.DomainRef, error) {
	if err := driver.CheckFlags(virt.FromTest, uint32(flags), uint32(virt.StartValidate), "testDomainCreateXML"); err != nil {
		return virt.DomainRef{}, err
	}
	def, err := parseDomain(xml)
	if err != nil {
		return virt.DomainRef{}, err
	}
	generateIfnames(def)
	for {
		d, fresh, err := c.node.addOrFind(def)
		if err != nil {
			return virt.DomainRef{}, err
		}
		if d == nil {
			continue
		}
		if !fresh {
			if d.active() {
				d.mu.Unlock()
				return virt.DomainRef{}, virt.Errorf(virt.ErrOperationInvalid, virt.FromDomain, "domain '%s' is already active", d.name)
			}
			// Run the new definition; keep the persistent one to return to.
			if d.persistent {
				d.newDef = d.def
			}
			d.def = def
		}
		c.startState(d, virt.RunningBooted)
		c.emit(d, virt.EventStarted, virt.DetailStartedBooted)
		ref := d.ref()
		d.mu.Unlock()
		return ref, nil
	}
}

// StartDomain implements virt.DomainLifecycle.
func (c *conn) StartDomain(ctx context.Context, ref virt.DomainRef, flags virt.CreateFlags) (virt.DomainRef, error) {
	if err := driver.CheckFlags(virt.FromTest, uint32(flags), 0, "testDomainCreateWithFlags"); err != nil {
		return virt.DomainRef{}, err
	}
	d, err := c.domain(ref)
	if err != nil {
		return virt.DomainRef{}, err
	}
	defer d.mu.Unlock()
	if d.state != virt.DomainShutoff {
		return virt.DomainRef{}, virt.Errorf(virt.ErrInternal, virt.FromTest, "Domain '%s' is already running", ref.Name)
	}
	c.startState(d, virt.RunningBooted)
	c.emit(d, virt.EventStarted, virt.DetailStartedBooted)
	return d.ref(), nil
}

// lifecycleAction applies a guest power-off or reboot with action: the
// domain either keeps running (restart) or shuts off with a stopped event.
// The caller holds d.mu.
func (c *conn) lifecycleAction(d *domain, action string) {
	switch action {
	case actionRestart, actionRenameRestart:
		d.state, d.reason = virt.DomainRunning, virt.RunningBooted
	default:
		c.stopped(d, virt.ShutoffShutdown, virt.DetailStoppedShutdown)
	}
}

// ShutdownDomain implements virt.DomainLifecycle.
func (c *conn) ShutdownDomain(ctx context.Context, ref virt.DomainRef, flags uint32) error {
	d, err := c.checkedDomain(ref, flags, 0, "testDomainShutdownFlags")
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	if d.state == virt.DomainShutoff {
		return virt.Errorf(virt.ErrInternal, virt.FromTest, "domain '%s' not running", ref.Name)
	}
	c.lifecycleAction(d, onPoweroff(d.def))
	return nil
}

// rebootFlags are the reboot methods libvirt accepts (all ignored here).
const rebootFlags = 1<<6 - 1

// RebootDomain implements virt.DomainLifecycle.
func (c *conn) RebootDomain(ctx context.Context, ref virt.DomainRef, flags uint32) error {
	d, err := c.checkedDomain(ref, flags, rebootFlags, "testDomainReboot")
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	if !d.active() {
		return errNotRunning()
	}
	c.lifecycleAction(d, onReboot(d.def))
	return nil
}

// ResetDomain implements virt.DomainLifecycle: nothing changes.
func (c *conn) ResetDomain(ctx context.Context, ref virt.DomainRef) error {
	d, err := c.domain(ref)
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	if !d.active() {
		return errNotRunning()
	}
	return nil
}

// destroyGraceful is VIR_DOMAIN_DESTROY_GRACEFUL.
const destroyGraceful = 1

// DestroyDomain implements virt.DomainLifecycle.
func (c *conn) DestroyDomain(ctx context.Context, ref virt.DomainRef, flags uint32) error {
	d, err := c.checkedDomain(ref, flags, destroyGraceful, "testDomainDestroyFlags")
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	if !d.active() {
		return errNotRunning()
	}
	c.stopped(d, virt.ShutoffDestroyed, virt.DetailStoppedDestroyed)
	return nil
}

// SuspendDomain implements virt.DomainLifecycle.
func (c *conn) SuspendDomain(ctx context.Context, ref virt.DomainRef) error {
	d, err := c.domain(ref)
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	if d.state == virt.DomainShutoff || d.state == virt.DomainPaused {
		return virt.Errorf(virt.ErrInternal, virt.FromTest, "domain '%s' not running", ref.Name)
	}
	d.state, d.reason = virt.DomainPaused, virt.PausedUser
	c.emit(d, virt.EventSuspended, virt.DetailSuspendedPaused)
	return nil
}

// ResumeDomain implements virt.DomainLifecycle.
func (c *conn) ResumeDomain(ctx context.Context, ref virt.DomainRef) error {
	d, err := c.domain(ref)
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	if d.state != virt.DomainPaused {
		return virt.Errorf(virt.ErrInternal, virt.FromTest, "domain '%s' not paused", ref.Name)
	}
	d.state, d.reason = virt.DomainRunning, virt.RunningUnpaused
	c.emit(d, virt.EventResumed, virt.DetailResumedUnpaused)
	return nil
}

// ManagedSaveDomain implements virt.DomainSaver: the domain stops with a
// saved image that its next start resumes from.
func (c *conn) ManagedSaveDomain(ctx context.Context, ref virt.DomainRef, flags uint32) error {
	d, err := c.checkedDomain(ref, flags, managedSaveFlags, "testDomainManagedSave")
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	if !d.active() {
		return errNotRunning()
	}
	if !d.persistent {
		return virt.Errorf(virt.ErrOperationInvalid, virt.FromTest, "cannot do managed save for transient domain")
	}
	c.shutoffState(d, virt.ShutoffSaved)
	d.managedSave = true
	c.emit(d, virt.EventStopped, virt.DetailStoppedSaved)
	return nil
}

// managedSaveFlags are VIR_DOMAIN_SAVE_BYPASS_CACHE, _RUNNING and _PAUSED.
const managedSaveFlags = 1 | 2 | 4

// ManagedSaveRemove implements virt.DomainSaver.
func (c *conn) ManagedSaveRemove(ctx context.Context, ref virt.DomainRef, flags uint32) error {
	d, err := c.checkedDomain(ref, flags, 0, "testDomainManagedSaveRemove")
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	d.managedSave = false
	return nil
}
