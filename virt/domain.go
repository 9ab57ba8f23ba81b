package virt

import (
	"context"
	"sync"
)

// family returns the driver's implementation of the interface I, or the
// no-support error naming api.
func family[I any](c *Conn, from ErrorDomain, api string) (I, error) {
	i, ok := c.drv.(I)
	if !ok {
		var zero I
		return zero, c.noSupport(from, api)
	}
	return i, nil
}

// writeFamily is family for calls with side effects: it also refuses them on
// a read-only connection.
func writeFamily[I any](c *Conn, from ErrorDomain, api string) (I, error) {
	if err := c.denyReadOnly(from, api); err != nil {
		var zero I
		return zero, err
	}
	return family[I](c, from, api)
}

// Domain is a handle on one domain (libvirt's virDomainPtr). It caches the
// name, UUID and ID it was found with; methods act on the domain with that
// UUID.
type Domain struct {
	c   *Conn
	mu  sync.Mutex
	ref DomainRef
}

func (c *Conn) domain(ref DomainRef) *Domain { return &Domain{c: c, ref: ref} }

// Ref returns the domain's name, UUID and ID as last seen.
func (d *Domain) Ref() DomainRef {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ref
}

func (d *Domain) setRef(r DomainRef) {
	d.mu.Lock()
	d.ref = r
	d.mu.Unlock()
}

// Name returns the domain's name.
func (d *Domain) Name() string { return d.Ref().Name }

// UUID returns the domain's UUID.
func (d *Domain) UUID() UUID { return d.Ref().UUID }

// ID returns the domain's ID, or -1 when it is not running.
func (d *Domain) ID() int32 { return d.Ref().ID }

// Conn returns the connection the handle belongs to.
func (d *Domain) Conn() *Conn { return d.c }

// DomainFromRef makes a handle for ref without a lookup (the daemon uses it
// for the references clients send).
func (c *Conn) DomainFromRef(ref DomainRef) *Domain { return c.domain(ref) }

// LookupDomainByName finds a domain by name.
func (c *Conn) LookupDomainByName(ctx context.Context, name string) (*Domain, error) {
	s, err := family[DomainStore](c, FromDomain, "virDomainLookupByName")
	if err != nil {
		return nil, err
	}
	r, err := s.LookupDomainByName(ctx, name)
	if err != nil {
		return nil, err
	}
	return c.domain(r), nil
}

// LookupDomainByUUID finds a domain by UUID.
func (c *Conn) LookupDomainByUUID(ctx context.Context, uuid UUID) (*Domain, error) {
	s, err := family[DomainStore](c, FromDomain, "virDomainLookupByUUID")
	if err != nil {
		return nil, err
	}
	r, err := s.LookupDomainByUUID(ctx, uuid)
	if err != nil {
		return nil, err
	}
	return c.domain(r), nil
}

// LookupDomainByUUIDString finds a domain by the text form of its UUID.
func (c *Conn) LookupDomainByUUIDString(ctx context.Context, s string) (*Domain, error) {
	u, err := parseUUIDArg(s)
	if err != nil {
		return nil, err
	}
	return c.LookupDomainByUUID(ctx, u)
}

func parseUUIDArg(s string) (UUID, error) {
	u, err := parseUUID(s)
	if err != nil {
		return UUID{}, rawError(ErrInvalidArg, FromDomain, "Invalid UUID")
	}
	return u, nil
}

// LookupDomainByID finds a running domain by ID.
func (c *Conn) LookupDomainByID(ctx context.Context, id int32) (*Domain, error) {
	s, err := family[DomainStore](c, FromDomain, "virDomainLookupByID")
	if err != nil {
		return nil, err
	}
	if id < 0 {
		return nil, rawError(ErrInvalidArg, FromDomain, "id in virDomainLookupByID must be zero or greater")
	}
	r, err := s.LookupDomainByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return c.domain(r), nil
}

// ListAllDomains lists the domains that pass the filter flags (0: all).
func (c *Conn) ListAllDomains(ctx context.Context, flags ListDomainsFlags) ([]*Domain, error) {
	s, err := family[DomainStore](c, FromDomain, "virConnectListAllDomains")
	if err != nil {
		return nil, err
	}
	refs, err := s.ListDomains(ctx, flags)
	if err != nil {
		return nil, err
	}
	out := make([]*Domain, len(refs))
	for i, r := range refs {
		out[i] = c.domain(r)
	}
	return out, nil
}

// DefineDomain makes a domain persistent from its XML description, or
// updates the definition of an existing one.
func (c *Conn) DefineDomain(ctx context.Context, xml string, flags DefineFlags) (*Domain, error) {
	s, err := writeFamily[DomainStore](c, FromDomain, flagged("virDomainDefineXML", "virDomainDefineXMLFlags", uint32(flags)))
	if err != nil {
		return nil, err
	}
	r, err := s.DefineDomain(ctx, xml, flags)
	if err != nil {
		return nil, err
	}
	return c.domain(r), nil
}

// CreateDomain starts a transient domain from its XML description.
func (c *Conn) CreateDomain(ctx context.Context, xml string, flags CreateFlags) (*Domain, error) {
	l, err := writeFamily[DomainLifecycle](c, FromDomain, "virDomainCreateXML")
	if err != nil {
		return nil, err
	}
	r, err := l.CreateDomain(ctx, xml, flags)
	if err != nil {
		return nil, err
	}
	return c.domain(r), nil
}

// DomainEvents delivers lifecycle events of every domain until ctx is done.
func (c *Conn) DomainEvents(ctx context.Context) (<-chan DomainEvent, error) {
	e, err := family[DomainEvents](c, FromDomain, "virConnectDomainEventRegisterAny")
	if err != nil {
		return nil, err
	}
	return e.DomainEvents(ctx)
}

// Undefine removes the persistent definition. A running domain becomes
// transient and goes away when it stops.
func (d *Domain) Undefine(ctx context.Context, flags UndefineFlags) error {
	s, err := writeFamily[DomainStore](d.c, FromDomain, flagged("virDomainUndefine", "virDomainUndefineFlags", uint32(flags)))
	if err != nil {
		return err
	}
	return s.UndefineDomain(ctx, d.Ref(), flags)
}

// XML returns the domain's XML description.
func (d *Domain) XML(ctx context.Context, flags DomainXMLFlags) (string, error) {
	api := "virDomainGetXMLDesc"
	if flags&XMLSecure != 0 && d.c.readOnly {
		return "", Errorf(ErrOperationDenied, FromDomain, "%s with secure flag", api)
	}
	s, err := family[DomainStore](d.c, FromDomain, api)
	if err != nil {
		return "", err
	}
	return s.DomainXML(ctx, d.Ref(), flags)
}

// Info returns the domain's state, memory, vCPU count and CPU time.
func (d *Domain) Info(ctx context.Context) (DomainInfo, error) {
	s, err := family[DomainStore](d.c, FromDomain, "virDomainGetInfo")
	if err != nil {
		return DomainInfo{}, err
	}
	return s.DomainInfo(ctx, d.Ref())
}

// State returns the domain's state and the reason for it.
func (d *Domain) State(ctx context.Context) (DomainState, int, error) {
	s, err := family[DomainStore](d.c, FromDomain, "virDomainGetState")
	if err != nil {
		return 0, 0, err
	}
	return s.DomainState(ctx, d.Ref())
}

// Flags reports persistence, autostart, managed save and the OS type.
func (d *Domain) Flags(ctx context.Context) (DomainFlagSet, error) {
	s, err := family[DomainStore](d.c, FromDomain, "virDomainIsPersistent")
	if err != nil {
		return DomainFlagSet{}, err
	}
	return s.DomainFlags(ctx, d.Ref())
}

// IsActive reports whether the domain is running (or paused).
func (d *Domain) IsActive(ctx context.Context) (bool, error) {
	st, _, err := d.State(ctx)
	if err != nil {
		return false, err
	}
	return st != DomainShutoff && st != DomainNoState, nil
}

// SetAutostart sets whether the domain starts with the host.
func (d *Domain) SetAutostart(ctx context.Context, on bool) error {
	s, err := writeFamily[DomainStore](d.c, FromDomain, "virDomainSetAutostart")
	if err != nil {
		return err
	}
	return s.SetDomainAutostart(ctx, d.Ref(), on)
}

// Start boots a defined domain.
func (d *Domain) Start(ctx context.Context, flags CreateFlags) error {
	l, err := writeFamily[DomainLifecycle](d.c, FromDomain, flagged("virDomainCreate", "virDomainCreateWithFlags", uint32(flags)))
	if err != nil {
		return err
	}
	r, err := l.StartDomain(ctx, d.Ref(), flags)
	if err != nil {
		return err
	}
	d.setRef(r)
	return nil
}

// Shutdown asks the guest to power off.
func (d *Domain) Shutdown(ctx context.Context, flags uint32) error {
	l, err := writeFamily[DomainLifecycle](d.c, FromDomain, flagged("virDomainShutdown", "virDomainShutdownFlags", flags))
	if err != nil {
		return err
	}
	return l.ShutdownDomain(ctx, d.Ref(), flags)
}

// Destroy stops the domain at once.
func (d *Domain) Destroy(ctx context.Context, flags uint32) error {
	l, err := writeFamily[DomainLifecycle](d.c, FromDomain, flagged("virDomainDestroy", "virDomainDestroyFlags", flags))
	if err != nil {
		return err
	}
	if err := l.DestroyDomain(ctx, d.Ref(), flags); err != nil {
		return err
	}
	// A stopped domain has no ID; libvirt clears the handle's too.
	r := d.Ref()
	r.ID = -1
	d.setRef(r)
	return nil
}

// Reboot asks the guest to reboot.
func (d *Domain) Reboot(ctx context.Context, flags uint32) error {
	l, err := writeFamily[DomainLifecycle](d.c, FromDomain, "virDomainReboot")
	if err != nil {
		return err
	}
	return l.RebootDomain(ctx, d.Ref(), flags)
}

// Reset resets the guest as the reset button would.
func (d *Domain) Reset(ctx context.Context) error {
	l, err := writeFamily[DomainLifecycle](d.c, FromDomain, "virDomainReset")
	if err != nil {
		return err
	}
	return l.ResetDomain(ctx, d.Ref())
}

// Suspend pauses the guest's vCPUs.
func (d *Domain) Suspend(ctx context.Context) error {
	l, err := writeFamily[DomainLifecycle](d.c, FromDomain, "virDomainSuspend")
	if err != nil {
		return err
	}
	return l.SuspendDomain(ctx, d.Ref())
}

// Resume resumes a paused guest.
func (d *Domain) Resume(ctx context.Context) error {
	l, err := writeFamily[DomainLifecycle](d.c, FromDomain, "virDomainResume")
	if err != nil {
		return err
	}
	return l.ResumeDomain(ctx, d.Ref())
}

// SetMemory sets the guest's current (or, with MemMaximum, maximum) memory
// in KiB. Like virDomainSetMemoryFlags, AffectCurrent (0) changes the
// running guest when the domain is active and its definition otherwise;
// pass AffectLive for what the flagless virDomainSetMemory does.
func (d *Domain) SetMemory(ctx context.Context, kib uint64, flags ModifyFlags) error {
	api := "virDomainSetMemoryFlags"
	if flags&MemMaximum != 0 {
		api = "virDomainSetMaxMemory"
	}
	t, err := writeFamily[DomainTuner](d.c, FromDomain, api)
	if err != nil {
		return err
	}
	return t.SetDomainMemory(ctx, d.Ref(), kib, flags)
}

// SetVcpus sets the number of vCPUs. Like virDomainSetVcpusFlags,
// AffectCurrent (0) changes the running guest when the domain is active and
// its definition otherwise; pass AffectLive for what the flagless
// virDomainSetVcpus does.
func (d *Domain) SetVcpus(ctx context.Context, n uint32, flags ModifyFlags) error {
	t, err := writeFamily[DomainTuner](d.c, FromDomain, "virDomainSetVcpusFlags")
	if err != nil {
		return err
	}
	return t.SetDomainVcpus(ctx, d.Ref(), n, flags)
}

// VcpuCount returns the vCPU count selected by flags (live or config,
// current or maximum).
func (d *Domain) VcpuCount(ctx context.Context, flags ModifyFlags) (int32, error) {
	t, err := family[DomainTuner](d.c, FromDomain, "virDomainGetVcpusFlags")
	if err != nil {
		return 0, err
	}
	return t.DomainVcpuCount(ctx, d.Ref(), flags)
}

// Vcpus returns per-vCPU state, time and affinity.
func (d *Domain) Vcpus(ctx context.Context) ([]VcpuInfo, error) {
	t, err := family[DomainTuner](d.c, FromDomain, "virDomainGetVcpus")
	if err != nil {
		return nil, err
	}
	return t.DomainVcpus(ctx, d.Ref())
}

// Scheduler returns the scheduler type and its parameters.
func (d *Domain) Scheduler(ctx context.Context, flags ModifyFlags) (string, []SchedParam, error) {
	t, err := family[DomainTuner](d.c, FromDomain, "virDomainGetSchedulerParameters")
	if err != nil {
		return "", nil, err
	}
	return t.DomainScheduler(ctx, d.Ref(), flags)
}

// SetScheduler changes scheduler parameters.
func (d *Domain) SetScheduler(ctx context.Context, params []SchedParam, flags ModifyFlags) error {
	t, err := writeFamily[DomainTuner](d.c, FromDomain, flagged("virDomainSetSchedulerParameters", "virDomainSetSchedulerParametersFlags", uint32(flags)))
	if err != nil {
		return err
	}
	return t.SetDomainScheduler(ctx, d.Ref(), params, flags)
}

// SecurityLabel returns the domain's security label.
func (d *Domain) SecurityLabel(ctx context.Context) (SecurityLabel, error) {
	s, err := family[DomainSecurity](d.c, FromDomain, "virDomainGetSecurityLabel")
	if err != nil {
		return SecurityLabel{}, err
	}
	return s.DomainSecurityLabel(ctx, d.Ref())
}

// ManagedSave stops the domain into a managed save image; its next start
// resumes from it.
func (d *Domain) ManagedSave(ctx context.Context, flags uint32) error {
	s, err := writeFamily[DomainSaver](d.c, FromDomain, "virDomainManagedSave")
	if err != nil {
		return err
	}
	if err := s.ManagedSaveDomain(ctx, d.Ref(), flags); err != nil {
		return err
	}
	r := d.Ref()
	r.ID = -1
	d.setRef(r)
	return nil
}

// ManagedSaveRemove discards the domain's managed save image.
func (d *Domain) ManagedSaveRemove(ctx context.Context, flags uint32) error {
	s, err := writeFamily[DomainSaver](d.c, FromDomain, "virDomainManagedSaveRemove")
	if err != nil {
		return err
	}
	return s.ManagedSaveRemove(ctx, d.Ref(), flags)
}

// flagged returns the name of the libvirt API a call maps to: the flagless
// one when flags is 0 (virDomainDestroy), else the flags variant
// (virDomainDestroyFlags). Read-only refusals name it.
func flagged(plain, withFlags string, flags uint32) string {
	if flags == 0 {
		return plain
	}
	return withFlags
}
