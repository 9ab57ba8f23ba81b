package virt

import "context"

// DomainAgent is implemented by drivers that talk to a guest agent for
// guest facts, vCPU state and SSH keys (virDomainGetGuestInfo,
// virDomainGetGuestVcpus, ...).
type DomainAgent interface {
	DomainGuestInfo(ctx context.Context, d DomainRef, types uint32, flags uint32) ([]TypedParam, error)
	DomainGuestVcpus(ctx context.Context, d DomainRef, flags uint32) ([]TypedParam, error)
	SetDomainGuestVcpus(ctx context.Context, d DomainRef, cpumap string, enable bool, flags uint32) error
	SetDomainVcpu(ctx context.Context, d DomainRef, cpumap string, enable bool, flags ModifyFlags) error
	SetDomainAgentTimeout(ctx context.Context, d DomainRef, timeout int, flags uint32) error
	DomainSSHKeys(ctx context.Context, d DomainRef, user string, flags uint32) ([]string, error)
	SetDomainSSHKeys(ctx context.Context, d DomainRef, user string, keys []string, flags uint32) error
}

// DomainDirtyRate is implemented by drivers that measure how fast a guest
// dirties its memory (virDomainStartDirtyRateCalc).
type DomainDirtyRate interface {
	StartDomainDirtyRateCalc(ctx context.Context, d DomainRef, seconds int, flags uint32) error
}

func (d *Domain) agent(api string, write bool) (DomainAgent, error) {
	if write {
		return writeFamily[DomainAgent](d.c, FromDomain, api)
	}
	return family[DomainAgent](d.c, FromDomain, api)
}

// GuestInfo returns what the guest agent reports about the guest (types
// selects users, OS, time zone, host name, file systems, disks, ...).
func (d *Domain) GuestInfo(ctx context.Context, types, flags uint32) ([]TypedParam, error) {
	a, err := d.agent("virDomainGetGuestInfo", true)
	if err != nil {
		return nil, err
	}
	return a.DomainGuestInfo(ctx, d.Ref(), types, flags)
}

// GuestVcpus returns the guest's view of its vCPUs.
func (d *Domain) GuestVcpus(ctx context.Context, flags uint32) ([]TypedParam, error) {
	a, err := d.agent("virDomainGetGuestVcpus", true)
	if err != nil {
		return nil, err
	}
	return a.DomainGuestVcpus(ctx, d.Ref(), flags)
}

// SetGuestVcpus enables or disables vCPUs inside the guest.
func (d *Domain) SetGuestVcpus(ctx context.Context, cpumap string, enable bool, flags uint32) error {
	a, err := d.agent("virDomainSetGuestVcpus", true)
	if err != nil {
		return err
	}
	return a.SetDomainGuestVcpus(ctx, d.Ref(), cpumap, enable, flags)
}

// SetVcpu enables or disables individual vCPUs of the domain.
func (d *Domain) SetVcpu(ctx context.Context, cpumap string, enable bool, flags ModifyFlags) error {
	a, err := d.agent("virDomainSetVcpu", true)
	if err != nil {
		return err
	}
	return a.SetDomainVcpu(ctx, d.Ref(), cpumap, enable, flags)
}

// SetAgentTimeout sets how long calls wait for the guest agent.
func (d *Domain) SetAgentTimeout(ctx context.Context, timeout int, flags uint32) error {
	a, err := d.agent("virDomainAgentSetResponseTimeout", true)
	if err != nil {
		return err
	}
	return a.SetDomainAgentTimeout(ctx, d.Ref(), timeout, flags)
}

// SSHKeys returns a guest user's authorized SSH keys.
func (d *Domain) SSHKeys(ctx context.Context, user string, flags uint32) ([]string, error) {
	a, err := d.agent("virDomainAuthorizedSSHKeysGet", true)
	if err != nil {
		return nil, err
	}
	return a.DomainSSHKeys(ctx, d.Ref(), user, flags)
}

// SetSSHKeys adds, removes or replaces a guest user's SSH keys.
func (d *Domain) SetSSHKeys(ctx context.Context, user string, keys []string, flags uint32) error {
	a, err := d.agent("virDomainAuthorizedSSHKeysSet", true)
	if err != nil {
		return err
	}
	return a.SetDomainSSHKeys(ctx, d.Ref(), user, keys, flags)
}

// StartDirtyRateCalc starts measuring the guest's memory dirty rate.
func (d *Domain) StartDirtyRateCalc(ctx context.Context, seconds int, flags uint32) error {
	r, err := writeFamily[DomainDirtyRate](d.c, FromDomain, "virDomainStartDirtyRateCalc")
	if err != nil {
		return err
	}
	return r.StartDomainDirtyRateCalc(ctx, d.Ref(), seconds, flags)
}
