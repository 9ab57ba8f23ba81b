package test

import (
	"context"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/virt"
)

// DomainHostname implements virt.DomainGuestInfo: a running guest named
// NAME calls itself NAMEhost.
func (c *conn) DomainHostname(ctx context.Context, ref virt.DomainRef, flags uint32) (string, error) {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testDomainGetHostname"); err != nil {
		return "", err
	}
	d, err := c.activeDomain(ref)
	if err != nil {
		return "", err
	}
	defer d.mu.Unlock()
	return d.name + "host", nil
}

// DomainTime implements virt.DomainGuestInfo: the guest clock, which only
// a running (not paused) guest reports.
func (c *conn) DomainTime(ctx context.Context, ref virt.DomainRef, flags uint32) (int64, uint32, error) {
	d, err := c.checkedDomain(ref, flags, 0, "testDomainGetTime")
	if err != nil {
		return 0, 0, err
	}
	defer d.mu.Unlock()
	if d.state != virt.DomainRunning {
		return 0, 0, errNotRunning()
	}
	return d.guest.seconds, d.guest.nseconds, nil
}

// SetDomainTime implements virt.DomainGuestInfo.
func (c *conn) SetDomainTime(ctx context.Context, ref virt.DomainRef, sec int64, nsec uint32, flags uint32) error {
	if err := driver.CheckFlags(virt.FromTest, flags, virt.TimeSync, "testDomainSetTime"); err != nil {
		return err
	}
	d, err := c.activeDomain(ref)
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	d.guest.seconds, d.guest.nseconds = sec, nsec
	return nil
}

// DomainFSInfo implements virt.DomainGuestInfo: the first disk holds an
// ext4 root and /boot.
func (c *conn) DomainFSInfo(ctx context.Context, ref virt.DomainRef, flags uint32) ([]virt.FSInfo, error) {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testDomainGetFSInfo"); err != nil {
		return nil, err
	}
	d, err := c.activeDomain(ref)
	if err != nil {
		return nil, err
	}
	defer d.mu.Unlock()
	if d.def.Devices == nil {
		return nil, nil
	}
	for _, disk := range d.def.Devices.Disks {
		if disk.Device != "" && disk.Device != "disk" || disk.Target == nil {
			continue
		}
		dst := disk.Target.Dev
		return []virt.FSInfo{
			{Mountpoint: "/", Name: dst + "1", Type: "ext4", DevAlias: []string{dst}},
			{Mountpoint: "/boot", Name: dst + "2", Type: "ext4", DevAlias: []string{dst}},
		}, nil
	}
	return nil, nil
}

// freezeIndex maps the test guest's mount points to their file systems.
func freezeIndex(mount string) (int, error) {
	switch mount {
	case "/":
		return 0, nil
	case "/boot":
		return 1, nil
	}
	return 0, virt.Errorf(virt.ErrOperationInvalid, virt.FromTest, "mount point not found: %s", mount)
}

// DomainFSFreeze implements virt.DomainGuestInfo.
func (c *conn) DomainFSFreeze(ctx context.Context, ref virt.DomainRef, mounts []string, flags uint32) (int, error) {
	return c.setFrozen(ref, mounts, flags, true, "testDomainFSFreeze")
}

// DomainFSThaw implements virt.DomainGuestInfo.
func (c *conn) DomainFSThaw(ctx context.Context, ref virt.DomainRef, mounts []string, flags uint32) (int, error) {
	return c.setFrozen(ref, mounts, flags, false, "testDomainFSThaw")
}

// setFrozen freezes or thaws mount points (all when none are named) and
// returns how many changed state.
func (c *conn) setFrozen(ref virt.DomainRef, mounts []string, flags uint32, freeze bool, fn string) (int, error) {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, fn); err != nil {
		return 0, err
	}
	d, err := c.activeDomain(ref)
	if err != nil {
		return 0, err
	}
	defer d.mu.Unlock()
	state := d.guest.frozen
	n := 0
	if len(mounts) == 0 {
		for i := range state {
			if state[i] != freeze {
				n++
			}
			state[i] = freeze
		}
	} else {
		for _, m := range mounts {
			i, err := freezeIndex(m)
			if err != nil {
				return 0, err
			}
			if state[i] != freeze {
				state[i] = freeze
				n++
			}
		}
	}
	d.guest.frozen = state
	return n, nil
}

// DomainFSTrim implements virt.DomainGuestInfo: nothing to do.
func (c *conn) DomainFSTrim(ctx context.Context, ref virt.DomainRef, mount string, minimum uint64, flags uint32) error {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testDomainFSTrim"); err != nil {
		return err
	}
	d, err := c.activeDomain(ref)
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	if mount != "" {
		if _, err := freezeIndex(mount); err != nil {
			return err
		}
	}
	return nil
}

// passwordEncrypted is VIR_DOMAIN_PASSWORD_ENCRYPTED.
const passwordEncrypted = 1

// SetDomainUserPassword implements virt.DomainGuestInfo: accepted, kept
// nowhere.
func (c *conn) SetDomainUserPassword(ctx context.Context, ref virt.DomainRef, user, password string, flags uint32) error {
	if err := driver.CheckFlags(virt.FromTest, flags, passwordEncrypted, "testDomainSetUserPassword"); err != nil {
		return err
	}
	d, err := c.activeDomain(ref)
	if err != nil {
		return err
	}
	d.mu.Unlock()
	return nil
}

// statsState is VIR_DOMAIN_STATS_STATE, the only stats group the test
// driver reports.
const statsState = 1

// statsEnforce is VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS.
const statsEnforce = 1 << 31

// DomainStats implements virt.DomainStatsReader: the state group only.
func (c *conn) DomainStats(ctx context.Context, doms []virt.DomainRef, stats uint32, flags uint32) ([]virt.DomainStatsRecord, error) {
	if stats&^statsState != 0 && flags&statsEnforce != 0 {
		return nil, virt.Errorf(virt.ErrArgumentUnsupported, virt.FromTest, "Stats types bits 0x%x are not supported by this daemon", stats&^statsState)
	}
	if stats == 0 {
		stats = statsState
	}
	if doms == nil {
		// The list filters share their bits with virConnectListAllDomains'.
		lf := virt.ListDomainsFlags(flags &^ statsEnforce &^ (1 << 30) &^ (1 << 29))
		all, err := c.ListDomains(ctx, lf)
		if err != nil {
			return nil, err
		}
		doms = all
	}
	out := make([]virt.DomainStatsRecord, 0, len(doms))
	for _, ref := range doms {
		d, err := c.domain(ref)
		if err != nil {
			return nil, err
		}
		rec := virt.DomainStatsRecord{Domain: d.ref()}
		if stats&statsState != 0 {
			rec.Params = []virt.TypedParam{
				{Field: "state.state", Value: int32(d.state)},
				{Field: "state.reason", Value: int32(d.reason)},
			}
		}
		d.mu.Unlock()
		out = append(out, rec)
	}
	return out, nil
}
