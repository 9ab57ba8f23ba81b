package cli

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// noSupport is libvirt's error for a call the driver lacks.
func noSupport(api string) error {
	return virt.Errorf(virt.ErrNoSupport, virt.FromNone, "%s", api)
}

// errBadSecretUUID is libvirt's argument check in
// virSecretLookupByUUIDString, which it reports without a prefix.
var errBadSecretUUID = errors.New("uuidstr in virSecretLookupByUUIDString must be a valid UUID")

// secretUsageTypes are libvirt's virSecretUsageType names.
var secretUsageTypes = []string{"none", "volume", "ceph", "iscsi", "tls", "vtpm"}

// secretArg returns the secret of option "secret" and the text given.
func (s *session) secretArg(c *call) (*virt.Secret, string, error) {
	name, _, err := c.str("secret")
	if err != nil {
		return nil, "", err
	}
	sec, err := s.lookupSecret(name)
	return sec, name, err
}

// lookupSecret looks a secret up by its UUID, the only way virsh does.
func (s *session) lookupSecret(name string) (*virt.Secret, error) {
	u, perr := virtxml.ParseUUID(name)
	if perr != nil {
		return nil, fail(errBadSecretUUID,
			"failed to get secret '%s'", name)
	}
	sec, err := s.conn.LookupSecretByUUID(s.ctx, u)
	if err != nil {
		return nil, fail(err, "failed to get secret '%s'", name)
	}
	return sec, nil
}

func cmdSecretList(s *session, c *call) error {
	var flags uint32
	for bit, opt := range map[uint32]string{1 << 0: "ephemeral", 1 << 1: "no-ephemeral", 1 << 2: "private", 1 << 3: "no-private"} {
		if c.has(opt) {
			flags |= bit
		}
	}
	secs, err := s.conn.ListAllSecrets(s.ctx, flags)
	if err != nil {
		if errors.Is(err, virt.ErrNoSupport) {
			return fail(noSupport("virConnectNumOfSecrets"), "Failed to count secrets")
		}
		return fail(err, "Failed to list secrets")
	}
	sort.Slice(secs, func(i, j int) bool { return secs[i].Ref().UUID.String() < secs[j].Ref().UUID.String() })
	t := newTable("UUID", "Usage")
	for _, sec := range secs {
		r := sec.Ref()
		usage := "Unused"
		if r.UsageType > 0 && int(r.UsageType) < len(secretUsageTypes) {
			usage = secretUsageTypes[r.UsageType] + " " + r.UsageID
		}
		t.add(r.UUID.String(), usage)
	}
	s.printTable(t)
	return nil
}

func cmdSecretDefine(s *session, c *call) error {
	from, doc, err := s.fileArg(c)
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("validate") {
		flags = 1
	}
	sec, err := s.conn.DefineSecret(s.ctx, doc, flags)
	if err != nil {
		return fail(err, "Failed to set attributes from %s", from)
	}
	s.extraf("Secret %s created\n", sec.Ref().UUID)
	return nil
}

func cmdSecretDumpxml(s *session, c *call) error {
	sec, _, err := s.secretArg(c)
	if err != nil {
		return err
	}
	x, err := sec.XML(s.ctx, 0)
	if err != nil {
		return err
	}
	return s.printXML(c, x)
}

func cmdSecretGetValue(s *session, c *call) error {
	sec, _, err := s.secretArg(c)
	if err != nil {
		return err
	}
	v, err := sec.Value(s.ctx, 0)
	if err != nil {
		return err
	}
	if c.has("plain") {
		s.print(string(v))
		return nil
	}
	s.printf("%s\n", base64.StdEncoding.EncodeToString(v))
	return nil
}

func cmdSecretSetValue(s *session, c *call) error {
	sec, _, err := s.secretArg(c)
	if err != nil {
		return err
	}
	var value []byte
	if f, ok, _ := c.str("file"); ok {
		data, err := os.ReadFile(s.path(f))
		if err != nil {
			return fail(errNoCause, "failed to read '%s': %s", f, strerror(err))
		}
		value = data
	} else if b, ok, _ := c.str("base64"); ok {
		value = []byte(b)
	} else if c.has("interactive") {
		return fail(errNoCause, "Input secret value is missing")
	} else {
		return fail(errNoCause, "Input secret value is missing")
	}
	if !c.has("plain") {
		dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(value)))
		if err != nil {
			return fail(errNoCause, "Invalid base64 data")
		}
		value = dec
	}
	if err := sec.SetValue(s.ctx, value, 0); err != nil {
		return err
	}
	s.extraf("Secret value set\n")
	return nil
}

func cmdSecretUndefine(s *session, c *call) error {
	return objectAction(s, func() (*virt.Secret, string, error) { return s.secretArg(c) },
		func(sec *virt.Secret) error { return sec.Undefine(s.ctx) },
		"Secret %s deleted\n", "Failed to delete secret %s")
}

func cmdSecretEvent(s *session, c *call) error {
	return objEventCmd{
		kinds:     []string{"lifecycle", "value-changed"},
		filterOpt: "secret",
		linger:    true,
		lookup: func(name string) (string, error) {
			sec, err := s.lookupSecret(name)
			if err != nil {
				return "", err
			}
			return sec.Ref().UUID.String(), nil
		},
		subscribe: func(ctx context.Context) (<-chan objEvent, error) {
			return nil, noSupport("virConnectSecretEventRegisterAny")
		},
	}.run(s, c)
}

// nwfilterArg looks a network filter up as virsh does: by UUID, then by
// name.
func (s *session) nwfilterArg(c *call, write bool) (virt.NWFilterDriver, virt.NWFilterRef, string, error) {
	name, _, err := c.str("nwfilter")
	if err != nil {
		return nil, virt.NWFilterRef{}, "", err
	}
	// virsh tries the UUID, then the name: a driver without filters
	// fails on the latter.
	d, err := s.conn.NWFilters("virNWFilterLookupByName", false)
	if err != nil {
		return nil, virt.NWFilterRef{}, name, fail(err, "failed to get nwfilter '%s'", name)
	}
	ref, err := d.LookupNWFilter(s.ctx, name)
	if err != nil {
		return nil, ref, name, fail(err, "failed to get nwfilter '%s'", name)
	}
	return d, ref, name, nil
}

func cmdNwfilterList(s *session, c *call) error {
	d, err := s.conn.NWFilters("virConnectListAllNWFilters", false)
	if err != nil {
		return fail(noSupport("virConnectNumOfNWFilters"), "Failed to count network filters")
	}
	fs, err := d.ListNWFilters(s.ctx, 0)
	if err != nil {
		return fail(err, "Failed to list network filters")
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].Name < fs[j].Name })
	t := newTable("UUID", "Name")
	for _, f := range fs {
		t.add(f.UUID.String(), f.Name)
	}
	s.printTable(t)
	return nil
}

func cmdNwfilterDefine(s *session, c *call) error {
	from, doc, err := s.fileArg(c)
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("validate") {
		flags = 1
	}
	d, err := s.conn.NWFilters("virNWFilterDefineXML", true)
	var ref virt.NWFilterRef
	if err == nil {
		ref, err = d.DefineNWFilter(s.ctx, doc, flags)
	}
	if err != nil {
		return fail(err, "Failed to define network filter from %s", from)
	}
	s.extraf("Network filter %s defined from %s\n", ref.Name, from)
	return nil
}

func cmdNwfilterDumpxml(s *session, c *call) error {
	d, ref, _, err := s.nwfilterArg(c, false)
	if err != nil {
		return err
	}
	x, err := d.NWFilterXML(s.ctx, ref, 0)
	if err != nil {
		return err
	}
	return s.printXML(c, x)
}

func cmdNwfilterUndefine(s *session, c *call) error {
	d, ref, name, err := s.nwfilterArg(c, true)
	if err != nil {
		return err
	}
	if err := d.UndefineNWFilter(s.ctx, ref); err != nil {
		return fail(err, "Failed to undefine network filter %s", name)
	}
	s.extraf("Network filter %s undefined\n", name)
	return nil
}

func cmdNwfilterEdit(s *session, c *call) error {
	d, ref, _, err := s.nwfilterArg(c, true)
	if err != nil {
		return err
	}
	orig, err := d.NWFilterXML(s.ctx, ref, 0)
	if err != nil {
		return err
	}
	define := func(doc string) (virt.NWFilterRef, error) { return d.DefineNWFilter(s.ctx, doc, 0) }
	return editDefinition(s, orig, define, func(r virt.NWFilterRef) string { return r.Name }, "Network filter %s", ref.Name)
}

func (s *session) nwfilterBindingArg(c *call) (virt.NWFilterDriver, virt.NWFilterBindingRef, string, error) {
	name, _, err := c.str("binding")
	if err != nil {
		return nil, virt.NWFilterBindingRef{}, "", err
	}
	d, err := s.conn.NWFilters("virNWFilterBindingLookupByPortDev", false)
	if err != nil {
		return nil, virt.NWFilterBindingRef{}, name, fail(err, "failed to get nwfilter binding '%s'", name)
	}
	ref, err := d.LookupNWFilterBinding(s.ctx, name)
	if err != nil {
		return nil, ref, name, fail(err, "failed to get nwfilter binding '%s'", name)
	}
	return d, ref, name, nil
}

func cmdNwfilterBindingList(s *session, c *call) error {
	d, err := s.conn.NWFilters("virConnectListAllNWFilterBindings", false)
	var bs []virt.NWFilterBindingRef
	if err == nil {
		bs, err = d.ListNWFilterBindings(s.ctx, 0)
	}
	if err != nil {
		return fail(err, "Failed to list network filter bindings")
	}
	sort.Slice(bs, func(i, j int) bool { return bs[i].PortDev < bs[j].PortDev })
	t := newTable("Port Dev", "Filter")
	for _, b := range bs {
		t.add(b.PortDev, b.FilterName)
	}
	s.printTable(t)
	return nil
}

func cmdNwfilterBindingCreate(s *session, c *call) error {
	from, doc, err := s.fileArg(c)
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("validate") {
		flags = 1
	}
	d, err := s.conn.NWFilters("virNWFilterBindingCreateXML", true)
	var ref virt.NWFilterBindingRef
	if err == nil {
		ref, err = d.CreateNWFilterBinding(s.ctx, doc, flags)
	}
	if err != nil {
		return fail(err, "Failed to create network filter from %s", from)
	}
	s.extraf("Network filter binding on %s created from %s\n", ref.PortDev, from)
	return nil
}

func cmdNwfilterBindingDumpxml(s *session, c *call) error {
	d, ref, _, err := s.nwfilterBindingArg(c)
	if err != nil {
		return err
	}
	x, err := d.NWFilterBindingXML(s.ctx, ref, 0)
	if err != nil {
		return err
	}
	return s.printXML(c, x)
}

func cmdNwfilterBindingDelete(s *session, c *call) error {
	d, ref, name, err := s.nwfilterBindingArg(c)
	if err != nil {
		return err
	}
	if err := d.DeleteNWFilterBinding(s.ctx, ref); err != nil {
		return fail(err, "Failed to delete network filter binding %s", name)
	}
	s.extraf("Network filter binding on %s deleted\n", name)
	return nil
}

func cmdNetDhcpLeases(s *session, c *call) error {
	n, name, err := s.networkArg(c, "network")
	if err != nil {
		return err
	}
	mac, _, _ := c.str("mac")
	leases, err := n.DHCPLeases(s.ctx, mac, 0)
	if err != nil {
		return fail(err, "Failed to get leases info for %s", name)
	}
	t := newTable("Expiry Time", "MAC address", "Protocol", "IP address", "Hostname", "Client ID or DUID")
	for _, l := range leases {
		proto := "ipv4"
		if l.Type == 1 {
			proto = "ipv6"
		}
		host, cid := l.Hostname, l.ClientID
		if host == "" {
			host = "-"
		}
		if cid == "" {
			cid = "-"
		}
		t.add(formatLeaseTime(l.ExpiryTime), l.MAC, proto, l.IPAddr+"/"+itoa(int(l.Prefix)), host, cid)
	}
	s.printTable(t)
	return nil
}

// netPortArg finds the port of option "port" in the network.
func (s *session) netPortArg(c *call, n *virt.Network) (virt.NetworkPortRef, string, error) {
	id, _, err := c.str("port")
	if err != nil {
		return virt.NetworkPortRef{}, "", err
	}
	u, perr := virtxml.ParseUUID(id)
	if perr != nil {
		s.errorf("failed to get network port '%s'", id)
		return virt.NetworkPortRef{}, id, errSoftFail
	}
	p, err := n.LookupPort(s.ctx, u)
	if err != nil {
		// virsh reports the failure but the command still succeeds.
		s.errorf("failed to get network port '%s'", id)
		return p, id, errSoftFail
	}
	return p, id, nil
}

// errSoftFail ends a command that virsh lets succeed after an error
// (net-port-dumpxml and net-port-delete with a port it cannot find).
var errSoftFail = errors.New("soft failure")

func cmdNetPortList(s *session, c *call) error {
	n, _, err := s.networkArg(c, "network")
	if err != nil {
		return err
	}
	ports, err := n.ListPorts(s.ctx, 0)
	if err != nil {
		return err
	}
	t := newTable("UUID")
	for _, p := range ports {
		t.add(p.UUID.String())
	}
	if c.has("uuid") {
		for _, p := range ports {
			s.printf("%s\n", p.UUID)
		}
		return nil
	}
	s.printTable(t)
	return nil
}

func cmdNetPortCreate(s *session, c *call) error {
	n, _, err := s.networkArg(c, "network")
	if err != nil {
		return err
	}
	from, doc, err := s.fileArg(c)
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("validate") {
		flags = 1 << 1
	}
	p, err := n.CreatePort(s.ctx, doc, flags)
	if err != nil {
		return fail(err, "Failed to create network from %s", from)
	}
	s.extraf("Network port %s created from %s\n", p.UUID, from)
	return nil
}

func cmdNetPortDumpxml(s *session, c *call) error {
	n, _, err := s.networkArg(c, "network")
	if err != nil {
		return err
	}
	p, _, err := s.netPortArg(c, n)
	if err == errSoftFail {
		return nil
	} else if err != nil {
		return err
	}
	x, err := n.PortXML(s.ctx, p, 0)
	if err != nil {
		return err
	}
	return s.printXML(c, x)
}

func cmdNetPortDelete(s *session, c *call) error {
	n, _, err := s.networkArg(c, "network")
	if err != nil {
		return err
	}
	p, id, err := s.netPortArg(c, n)
	if err == errSoftFail {
		return nil
	} else if err != nil {
		return err
	}
	if err := n.DeletePort(s.ctx, p, 0); err != nil {
		return fail(err, "Failed to delete network port %s", id)
	}
	s.extraf("Network port %s deleted\n", id)
	return nil
}

// formatLeaseTime formats a lease's expiry in local time as virsh does.
func formatLeaseTime(sec int64) string {
	return time.Unix(sec, 0).Format("2006-01-02 15:04:05")
}
