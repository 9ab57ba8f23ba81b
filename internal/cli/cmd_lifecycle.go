package cli

import (
	"github.com/govirt/govirt/virt"
)

func cmdStart(s *session, c *call) error {
	name, _, err := c.str("domain")
	if err != nil {
		return err
	}
	d, err := s.lookupDomainBy(name, byName|byUUID)
	if err != nil {
		return err
	}
	if _, _, err := c.str("pass-fds"); err != nil {
		return err
	}
	if d.ID() >= 0 {
		return fail(errNoCause, "Domain is already active")
	}
	var flags virt.CreateFlags
	for _, f := range []struct {
		opt  string
		flag virt.CreateFlags
	}{
		{"paused", virt.StartPaused},
		{"autodestroy", virt.StartAutodestroy},
		{"bypass-cache", virt.StartBypassCache},
		{"force-boot", virt.StartForceBoot},
		{"reset-nvram", virt.StartResetNvram},
	} {
		if c.has(f.opt) {
			flags |= f.flag
		}
	}
	if err := d.Start(s.ctx, flags); err != nil {
		return fail(err, "Failed to start domain '%s'", d.Name())
	}
	s.extraf("Domain '%s' started\n", d.Name())
	return nil
}

// objectAction runs act on the object arg looks up and prints done, or
// fails with failed, with the name as the user gave it: virsh's simple
// commands on one domain, network, pool, interface or device.
func objectAction[T any](s *session, arg func() (T, string, error), act func(T) error, done, failed string) error {
	o, name, err := arg()
	if err != nil {
		return err
	}
	if err := act(o); err != nil {
		return fail(err, failed, name)
	}
	s.extraf(done, name)
	return nil
}

// domainAction runs a simple action on the domain named by the "domain"
// option.
func domainAction(s *session, c *call, act func(*virt.Domain) error, done, failed string) error {
	return objectAction(s, func() (*virt.Domain, string, error) { return s.domainArg(c, "domain") }, act, done, failed)
}

func cmdDestroy(s *session, c *call) error {
	var flags uint32
	if c.has("graceful") {
		flags |= 1 << 0 // VIR_DOMAIN_DESTROY_GRACEFUL
	}
	if c.has("remove-logs") {
		flags |= 1 << 1 // VIR_DOMAIN_DESTROY_REMOVE_LOGS
	}
	return domainAction(s, c, func(d *virt.Domain) error { return d.Destroy(s.ctx, flags) },
		"Domain '%s' destroyed\n", "Failed to destroy domain '%s'")
}

// shutdownModes maps --mode words to virDomainShutdownFlagValues (which
// virDomainRebootFlagValues shares).
var shutdownModes = map[string]uint32{
	"acpi":     1 << 0,
	"agent":    1 << 1,
	"initctl":  1 << 2,
	"signal":   1 << 3,
	"paravirt": 1 << 4,
}

// modeFlags parses a comma-separated --mode list.
func modeFlags(c *call) (uint32, error) {
	mode, ok, err := c.str("mode")
	if err != nil || !ok {
		return 0, err
	}
	var flags uint32
	for _, m := range splitComma(mode) {
		f, ok := shutdownModes[m]
		if !ok {
			return 0, fail(errNoCause, "Unknown mode %s value, expecting 'acpi', 'agent', 'initctl', 'signal', or 'paravirt'", m)
		}
		flags |= f
	}
	return flags, nil
}

// splitComma splits a virsh list argument on ',' where ",," is a literal
// comma.
func splitComma(s string) []string {
	var out []string
	cur := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			if i+1 < len(s) && s[i+1] == ',' {
				cur = append(cur, ',')
				i++
				continue
			}
			out = append(out, string(cur))
			cur = cur[:0]
			continue
		}
		cur = append(cur, s[i])
	}
	return append(out, string(cur))
}

func cmdShutdown(s *session, c *call) error {
	flags, err := modeFlags(c)
	if err != nil {
		return err
	}
	return domainAction(s, c, func(d *virt.Domain) error { return d.Shutdown(s.ctx, flags) },
		"Domain '%s' is being shutdown\n", "Failed to shutdown domain '%s'")
}

func cmdReboot(s *session, c *call) error {
	flags, err := modeFlags(c)
	if err != nil {
		return err
	}
	return domainAction(s, c, func(d *virt.Domain) error { return d.Reboot(s.ctx, flags) },
		"Domain '%s' is being rebooted\n", "Failed to reboot domain '%s'")
}

func cmdReset(s *session, c *call) error {
	return domainAction(s, c, func(d *virt.Domain) error { return d.Reset(s.ctx) },
		"Domain '%s' was reset\n", "Failed to reset domain '%s'")
}

func cmdSuspend(s *session, c *call) error {
	return domainAction(s, c, func(d *virt.Domain) error { return d.Suspend(s.ctx) },
		"Domain '%s' suspended\n", "Failed to suspend domain '%s'")
}

func cmdResume(s *session, c *call) error {
	return domainAction(s, c, func(d *virt.Domain) error { return d.Resume(s.ctx) },
		"Domain '%s' resumed\n", "Failed to resume domain '%s'")
}

func cmdAutostart(s *session, c *call) error {
	if c.has("disable") {
		return domainAction(s, c, func(d *virt.Domain) error { return d.SetAutostart(s.ctx, false) },
			"Domain '%s' unmarked as autostarted\n", "Failed to unmark domain '%s' as autostarted")
	}
	return domainAction(s, c, func(d *virt.Domain) error { return d.SetAutostart(s.ctx, true) },
		"Domain '%s' marked as autostarted\n", "Failed to mark domain '%s' as autostarted")
}

func cmdUndefine(s *session, c *call) error {
	var flags virt.UndefineFlags
	for _, f := range []struct {
		opt  string
		flag virt.UndefineFlags
	}{
		{"managed-save", virt.UndefineManagedSave},
		{"snapshots-metadata", virt.UndefineSnapshotsMetadata},
		{"checkpoints-metadata", virt.UndefineCheckpointsMetadata},
		{"nvram", virt.UndefineNvram},
		{"keep-nvram", virt.UndefineKeepNvram},
		{"tpm", virt.UndefineTPM},
		{"keep-tpm", virt.UndefineKeepTPM},
	} {
		if c.has(f.opt) {
			flags |= f.flag
		}
	}
	if err := c.exclusive("nvram", "keep-nvram"); err != nil {
		return err
	}
	if err := c.exclusive("tpm", "keep-tpm"); err != nil {
		return err
	}
	if _, _, err := c.str("storage"); err != nil {
		return err
	}
	if c.has("storage") || c.has("remove-all-storage") {
		return fail(errNoCause, "removing storage with undefine is not supported yet")
	}
	return domainAction(s, c, func(d *virt.Domain) error { return d.UndefineFlags(s.ctx, flags) },
		"Domain '%s' has been undefined\n", "Failed to undefine domain '%s'")
}

func cmdDefine(s *session, c *call) error {
	file, xml, err := s.fileArg(c)
	if err != nil {
		return err
	}
	var flags virt.DefineFlags
	if c.has("validate") {
		flags |= virt.DefineValidate
	}
	d, err := s.conn.DefineDomain(s.ctx, xml, flags)
	if err != nil {
		return fail(err, "Failed to define domain from %s", file)
	}
	s.extraf("Domain '%s' defined from %s\n", d.Name(), file)
	return nil
}

func cmdCreate(s *session, c *call) error {
	file, _, err := c.str("file")
	if err != nil {
		return err
	}
	if _, _, err := c.str("pass-fds"); err != nil {
		return err
	}
	var flags virt.CreateFlags
	for _, f := range []struct {
		opt  string
		flag virt.CreateFlags
	}{
		{"paused", virt.StartPaused},
		{"autodestroy", virt.StartAutodestroy},
		{"validate", virt.StartValidate},
		{"reset-nvram", virt.StartResetNvram},
	} {
		if c.has(f.opt) {
			flags |= f.flag
		}
	}
	xml, err := s.readFile(file)
	if err != nil {
		return err
	}
	d, err := s.conn.CreateDomain(s.ctx, xml, flags)
	if err != nil {
		return fail(err, "Failed to create domain from %s", file)
	}
	s.extraf("Domain '%s' created from %s\n", d.Name(), file)
	return nil
}

func cmdManagedsave(s *session, c *call) error {
	if err := c.exclusive("running", "paused"); err != nil {
		return err
	}
	var flags uint32
	if c.has("bypass-cache") {
		flags |= 1 << 0 // VIR_DOMAIN_SAVE_BYPASS_CACHE
	}
	if c.has("running") {
		flags |= 1 << 1 // VIR_DOMAIN_SAVE_RUNNING
	}
	if c.has("paused") {
		flags |= 1 << 2 // VIR_DOMAIN_SAVE_PAUSED
	}
	return domainAction(s, c, func(d *virt.Domain) error { return d.ManagedSave(s.ctx, flags) },
		"\nDomain '%s' state saved by libvirt\n", "Failed to save domain '%s' state")
}

func cmdManagedsaveRemove(s *session, c *call) error {
	d, name, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	fl, err := d.Flags(s.ctx)
	if err != nil {
		return fail(err, "Failed to check for domain managed save image")
	}
	if !fl.ManagedSave {
		s.extraf("Domain '%s' has no manage save image; removal skipped", name)
		return nil
	}
	if err := d.ManagedSaveRemove(s.ctx, 0); err != nil {
		return fail(err, "Failed to remove managed save image for domain '%s'", name)
	}
	s.extraf("Removed managedsave image for domain '%s'", name)
	return nil
}
