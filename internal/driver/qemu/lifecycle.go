package qemu

import (
	"context"
	"time"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/virt"
)

// CreateDomain implements virt.DomainLifecycle: start a domain from XML,
// transient unless a persistent domain of that name and UUID exists.
func (c *conn) CreateDomain(ctx context.Context, xml string, flags virt.CreateFlags) (virt.DomainRef, error) {
	if err := driver.CheckFlags(virt.FromQEMU, uint32(flags),
		uint32(virt.StartPaused|virt.StartAutodestroy|virt.StartValidate|virt.StartBypassCache), "qemuDomainCreateXML"); err != nil {
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
	active := d.active()
	d.mu.Unlock()
	if active {
		return virt.DomainRef{}, virt.Errorf(virt.ErrOperationInvalid, virt.FromQEMU, "domain '%s' is already active", d.name)
	}
	if err := d.beginJob(ctx); err != nil {
		return virt.DomainRef{}, err
	}
	defer d.endJob()
	d.mu.Lock()
	active = d.active()
	d.mu.Unlock()
	if active {
		return virt.DomainRef{}, virt.Errorf(virt.ErrOperationInvalid, virt.FromQEMU, "domain '%s' is already active", d.name)
	}
	err = c.node.start(ctx, d, def, startOpts{paused: flags&virt.StartPaused != 0})
	d.mu.Lock()
	defer d.mu.Unlock()
	if err != nil {
		if fresh && d.def == nil && !d.active() {
			d.removed = true
			c.node.remove(d)
		}
		return virt.DomainRef{}, err
	}
	if flags&virt.StartAutodestroy != 0 {
		c.autodestroy(d.uuid)
	}
	return d.ref(), nil
}

// autodestroy destroys the domain when the connection closes.
func (c *conn) autodestroy(uuid virt.UUID) {
	ref := virt.DomainRef{UUID: uuid}
	c.mu.Lock()
	c.cancels = append(c.cancels, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c.DestroyDomain(ctx, ref, 0)
	})
	c.mu.Unlock()
}

// StartDomain implements virt.DomainLifecycle. A managed save image is
// restored unless StartForceBoot discards it.
func (c *conn) StartDomain(ctx context.Context, ref virt.DomainRef, flags virt.CreateFlags) (virt.DomainRef, error) {
	if err := driver.CheckFlags(virt.FromQEMU, uint32(flags),
		uint32(virt.StartPaused|virt.StartAutodestroy|virt.StartBypassCache|virt.StartForceBoot|virt.StartResetNvram), "qemuDomainCreateWithFlags"); err != nil {
		return virt.DomainRef{}, err
	}
	d, err := c.withJob(ctx, ref)
	if err != nil {
		return virt.DomainRef{}, err
	}
	defer d.endJob()
	d.mu.Lock()
	if d.active() {
		d.mu.Unlock()
		return virt.DomainRef{}, virt.Errorf(virt.ErrOperationInvalid, virt.FromQEMU, "domain is already running")
	}
	def := d.def
	d.mu.Unlock()
	if flags&virt.StartResetNvram != 0 && def.OS != nil && def.OS.NVRAM != nil && def.OS.NVRAM.Template != "" {
		removeIfExists(def.OS.NVRAM.Path)
	}
	save := c.node.paths.managedSaveFile(d.name)
	if exists(save) {
		if flags&virt.StartForceBoot != 0 {
			if err := removeIfExists(save); err != nil {
				return virt.DomainRef{}, sysErr("cannot remove managed save image: %v", err)
			}
		} else {
			if err := c.node.restoreImage(ctx, d, save, flags&virt.StartPaused != 0); err != nil {
				return virt.DomainRef{}, err
			}
			removeIfExists(save)
			return c.refOf(d, flags), nil
		}
	}
	if err := c.node.start(ctx, d, def, startOpts{paused: flags&virt.StartPaused != 0}); err != nil {
		return virt.DomainRef{}, err
	}
	return c.refOf(d, flags), nil
}

func (c *conn) refOf(d *domain, flags virt.CreateFlags) virt.DomainRef {
	if flags&virt.StartAutodestroy != 0 {
		c.autodestroy(d.uuid)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ref()
}

// running returns d's process, or errNotRunning. The caller holds the job
// lock.
func (d *domain) running() (*process, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.proc == nil {
		return nil, errNotRunning()
	}
	return d.proc, nil
}

// qmpError turns a QMP failure into a libvirt-style error.
func qmpError(what string, err error) error {
	if isClosed(err) {
		return virt.Errorf(virt.ErrOperationInvalid, virt.FromQEMU, "domain is not running")
	}
	return virt.Errorf(virt.ErrInternal, virt.FromQEMU, "%s: %v", what, err)
}

// shutdownFlags are the shutdown methods; the driver knows ACPI only
// (VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN).
const shutdownACPI = 1

// ShutdownDomain implements virt.DomainLifecycle: the ACPI power button.
// It returns once QEMU has pressed it; the guest then powers off (or not)
// and the domain shuts off, which events report.
func (c *conn) ShutdownDomain(ctx context.Context, ref virt.DomainRef, flags uint32) error {
	if err := driver.CheckFlags(virt.FromQEMU, flags, shutdownACPI, "qemuDomainShutdownFlags"); err != nil {
		return err
	}
	d, err := c.withJob(ctx, ref)
	if err != nil {
		return err
	}
	defer d.endJob()
	p, err := d.running()
	if err != nil {
		return err
	}
	d.mu.Lock()
	p.fakeReboot = false
	d.mu.Unlock()
	if err := qmpRun(ctx, p.mon, "system_powerdown", nil, nil); err != nil {
		return qmpError("cannot shut the guest down", err)
	}
	return nil
}

// RebootDomain implements virt.DomainLifecycle: the ACPI power button, and
// a reset instead of a stop once the guest powers off (libvirt's "fake
// reboot").
func (c *conn) RebootDomain(ctx context.Context, ref virt.DomainRef, flags uint32) error {
	if err := driver.CheckFlags(virt.FromQEMU, flags, shutdownACPI, "qemuDomainReboot"); err != nil {
		return err
	}
	d, err := c.withJob(ctx, ref)
	if err != nil {
		return err
	}
	defer d.endJob()
	p, err := d.running()
	if err != nil {
		return err
	}
	d.mu.Lock()
	p.fakeReboot = true
	d.mu.Unlock()
	if err := qmpRun(ctx, p.mon, "system_powerdown", nil, nil); err != nil {
		d.mu.Lock()
		p.fakeReboot = false
		d.mu.Unlock()
		return qmpError("cannot reboot the guest", err)
	}
	return nil
}

// ResetDomain implements virt.DomainLifecycle.
func (c *conn) ResetDomain(ctx context.Context, ref virt.DomainRef) error {
	d, err := c.withJob(ctx, ref)
	if err != nil {
		return err
	}
	defer d.endJob()
	p, err := d.running()
	if err != nil {
		return err
	}
	if err := qmpRun(ctx, p.mon, "system_reset", nil, nil); err != nil {
		return qmpError("cannot reset the guest", err)
	}
	d.mu.Lock()
	if d.state == virt.DomainCrashed {
		d.setState(virt.DomainPaused, virt.PausedCrashed)
	}
	d.mu.Unlock()
	return nil
}

// destroyGraceful is VIR_DOMAIN_DESTROY_GRACEFUL.
const destroyGraceful = 1

// DestroyDomain implements virt.DomainLifecycle: SIGTERM, then SIGKILL
// after a grace period unless VIR_DOMAIN_DESTROY_GRACEFUL.
func (c *conn) DestroyDomain(ctx context.Context, ref virt.DomainRef, flags uint32) error {
	if err := driver.CheckFlags(virt.FromQEMU, flags, destroyGraceful, "qemuDomainDestroyFlags"); err != nil {
		return err
	}
	d, err := c.withJob(ctx, ref)
	if err != nil {
		return err
	}
	defer d.endJob()
	return c.node.destroy(ctx, d, flags&destroyGraceful != 0)
}

// destroy kills d's QEMU and waits until d is shut off. The caller holds
// the job lock.
func (n *node) destroy(ctx context.Context, d *domain, graceful bool) error {
	p, err := d.running()
	if err != nil {
		return err
	}
	d.mu.Lock()
	p.destroying = true
	d.mu.Unlock()
	grace := 3 * time.Second
	if graceful {
		grace = 10 * time.Minute
	}
	if err := signal(p.pid, p.startTime, sigterm); err != nil {
		return sysErr("Failed to terminate process %d with SIGTERM: %v", p.pid, err)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(grace):
	case <-ctx.Done():
		return virt.Errorf(virt.ErrOperationTimeout, virt.FromQEMU, "destroy: %v", ctx.Err())
	}
	if graceful {
		return virt.Errorf(virt.ErrOperationFailed, virt.FromQEMU, "Failed to terminate process %d with SIGTERM", p.pid)
	}
	if err := signal(p.pid, p.startTime, sigkill); err != nil {
		return sysErr("Failed to kill process %d: %v", p.pid, err)
	}
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return virt.Errorf(virt.ErrOperationTimeout, virt.FromQEMU, "destroy: %v", ctx.Err())
	}
}

// SuspendDomain implements virt.DomainLifecycle.
func (c *conn) SuspendDomain(ctx context.Context, ref virt.DomainRef) error {
	d, err := c.withJob(ctx, ref)
	if err != nil {
		return err
	}
	defer d.endJob()
	p, err := d.running()
	if err != nil {
		return err
	}
	d.mu.Lock()
	if d.state == virt.DomainPaused {
		d.mu.Unlock()
		return nil
	}
	p.expectStop++
	d.mu.Unlock()
	if err := qmpRun(ctx, p.mon, "stop", nil, nil); err != nil {
		return qmpError("cannot pause the guest", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.proc == p {
		d.setState(virt.DomainPaused, virt.PausedUser)
		d.emit(virt.EventSuspended, virt.DetailSuspendedPaused)
		c.node.writeStatus(d, false)
	}
	return nil
}

// ResumeDomain implements virt.DomainLifecycle.
func (c *conn) ResumeDomain(ctx context.Context, ref virt.DomainRef) error {
	d, err := c.withJob(ctx, ref)
	if err != nil {
		return err
	}
	defer d.endJob()
	p, err := d.running()
	if err != nil {
		return err
	}
	d.mu.Lock()
	switch d.state {
	case virt.DomainCrashed:
		d.mu.Unlock()
		return virt.Errorf(virt.ErrOperationInvalid, virt.FromQEMU, "domain is crashed, reset it first")
	case virt.DomainShutdown:
		d.mu.Unlock()
		return virt.Errorf(virt.ErrOperationInvalid, virt.FromQEMU, "domain is shutting down")
	}
	p.expectResume++
	d.mu.Unlock()
	if err := qmpRun(ctx, p.mon, "cont", nil, nil); err != nil {
		return qmpError("cannot resume the guest", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.proc == p {
		d.setState(virt.DomainRunning, virt.RunningUnpaused)
		d.emit(virt.EventResumed, virt.DetailResumedUnpaused)
		c.node.writeStatus(d, false)
	}
	return nil
}

// AutostartDomains implements virt.DomainAutostarter: every inactive
// domain marked autostart starts (from its managed save image if it has
// one). The daemon calls it once at start-up.
func (c *conn) AutostartDomains(ctx context.Context) error {
	// Networks first: guests plug into them.
	first := c.node.autostartNetworks(ctx)
	if err := c.node.autostartPools(ctx); first == nil {
		first = err
	}
	for _, d := range c.node.all() {
		d.mu.Lock()
		want := d.autostart && d.def != nil && !d.active() && !d.removed
		ref := d.ref()
		d.mu.Unlock()
		if !want {
			continue
		}
		if _, err := c.StartDomain(ctx, ref, 0); err != nil {
			c.node.log.Warn("autostart failed", "domain", ref.Name, "err", err)
			if first == nil {
				first = err
			}
		}
	}
	return first
}
