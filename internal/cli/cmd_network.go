package cli

import (
	"sort"
	"strings"

	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// lookupNetworkBy resolves a network by UUID and/or name (byUUID, byName).
// On failure the error carries libvirt's error from the last lookup tried.
func (s *session) lookupNetworkBy(name string, by int) (*virt.Network, error) {
	var lerr error = errNoCause
	if by&byUUID != 0 && len(name) == uuidLen {
		if u, err := virtxml.ParseUUID(name); err == nil {
			n, err := s.conn.LookupNetworkByUUID(s.ctx, u)
			if err == nil {
				return n, nil
			}
			lerr = err
		}
	}
	if by&byName != 0 {
		n, err := s.conn.LookupNetworkByName(s.ctx, name)
		if err == nil {
			return n, nil
		}
		lerr = err
	}
	return nil, fail(lerr, "failed to get network '%s'", name)
}

// networkJSON is the stable JSON shape of a network in "net-list -o json"
// and "net-info -o json".
type networkJSON struct {
	Name       string `json:"name"`
	UUID       string `json:"uuid"`
	Active     bool   `json:"active"`
	Persistent bool   `json:"persistent"`
	Autostart  bool   `json:"autostart"`
	Bridge     string `json:"bridge,omitempty"`
}

func cmdNetList(s *session, c *call) error {
	optTable, optUUID, optName := c.has("table"), c.has("uuid"), c.has("name")
	if (optTable && optUUID) || (optTable && optName) || (optUUID && optName) {
		return fail(errNoCause, "Only one argument from --table, --name and --uuid may be specified.")
	}
	asJSON, err := s.wantJSON(c)
	if err != nil {
		return err
	}
	flags := virt.ListNetworksActive
	if c.has("inactive") {
		flags = virt.ListNetworksInactive
	}
	if c.has("all") {
		flags = virt.ListNetworksActive | virt.ListNetworksInactive
	}
	for _, f := range []struct {
		opt  string
		flag virt.ListNetworksFlags
	}{
		{"persistent", virt.ListNetworksPersistent},
		{"transient", virt.ListNetworksTransient},
		{"autostart", virt.ListNetworksAutostart},
		{"no-autostart", virt.ListNetworksNoAutostart},
	} {
		if c.has(f.opt) {
			flags |= f.flag
		}
	}
	nets, err := s.conn.ListAllNetworks(s.ctx, flags)
	if err != nil {
		return fail(err, "Failed to list networks")
	}
	sort.SliceStable(nets, func(i, j int) bool {
		return strings.ToLower(nets[i].Name()) < strings.ToLower(nets[j].Name())
	})
	switch {
	case asJSON:
		out := make([]networkJSON, 0, len(nets))
		for _, n := range nets {
			j := networkJSON{Name: n.Name(), UUID: n.UUID().String()}
			if info, err := n.Info(s.ctx); err == nil {
				j.Active, j.Persistent, j.Autostart, j.Bridge = info.Active, info.Persistent, info.Autostart, info.Bridge
			}
			out = append(out, j)
		}
		return s.printJSON(out)
	case optUUID:
		for _, n := range nets {
			s.printf("%s\n", n.UUID())
		}
	case optName:
		for _, n := range nets {
			s.printf("%s\n", n.Name())
		}
	default:
		t := newTable("Name", "State", "Autostart", "Persistent")
		for _, n := range nets {
			info, err := n.Info(s.ctx)
			if err != nil {
				t.add(n.Name(), "unknown", "no autostart", "unknown")
				continue
			}
			state := "inactive"
			if info.Active {
				state = "active"
			}
			t.add(n.Name(), state, yesNo(info.Autostart), yesNo(info.Persistent))
		}
		s.printTable(t)
	}
	return nil
}

func cmdNetInfo(s *session, c *call) error {
	asJSON, err := s.wantJSON(c)
	if err != nil {
		return err
	}
	n, _, err := s.networkArg(c, "network")
	if err != nil {
		return err
	}
	info, err := n.Info(s.ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return s.printJSON(networkJSON{Name: n.Name(), UUID: n.UUID().String(), Active: info.Active,
			Persistent: info.Persistent, Autostart: info.Autostart, Bridge: info.Bridge})
	}
	s.printf("%-15s %s\n", "Name:", n.Name())
	s.printf("%-15s %s\n", "UUID:", n.UUID())
	s.printf("%-15s %s\n", "Active:", yesNo(info.Active))
	s.printf("%-15s %s\n", "Persistent:", yesNo(info.Persistent))
	s.printf("%-15s %s\n", "Autostart:", yesNo(info.Autostart))
	if info.Bridge != "" {
		s.printf("%-15s %s\n", "Bridge:", info.Bridge)
	}
	return nil
}

func cmdNetDumpxml(s *session, c *call) error {
	n, _, err := s.networkArg(c, "network")
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("inactive") {
		flags = 1 // VIR_NETWORK_XML_INACTIVE
	}
	x, err := n.XML(s.ctx, flags)
	if err != nil {
		return err
	}
	return s.printXML(c, x)
}

// networkAction runs act on the network named by the "network" option.
func networkAction(s *session, c *call, act func(*virt.Network) error, done, failed string) error {
	return objectAction(s, func() (*virt.Network, string, error) { return s.networkArg(c, "network") }, act, done, failed)
}

func cmdNetStart(s *session, c *call) error {
	return networkAction(s, c, func(n *virt.Network) error { return n.Start(s.ctx) },
		"Network %s started\n", "Failed to start network %s")
}

func cmdNetDestroy(s *session, c *call) error {
	return networkAction(s, c, func(n *virt.Network) error { return n.Destroy(s.ctx) },
		"Network %s destroyed\n", "Failed to destroy network %s")
}

func cmdNetUndefine(s *session, c *call) error {
	return networkAction(s, c, func(n *virt.Network) error { return n.Undefine(s.ctx) },
		"Network %s has been undefined\n", "Failed to undefine network %s")
}

func cmdNetAutostart(s *session, c *call) error {
	if c.has("disable") {
		return networkAction(s, c, func(n *virt.Network) error { return n.SetAutostart(s.ctx, false) },
			"Network %s unmarked as autostarted\n", "failed to unmark network %s as autostarted")
	}
	return networkAction(s, c, func(n *virt.Network) error { return n.SetAutostart(s.ctx, true) },
		"Network %s marked as autostarted\n", "failed to mark network %s as autostarted")
}

func cmdNetDefine(s *session, c *call) error {
	file, xml, err := s.fileArg(c)
	if err != nil {
		return err
	}
	n, err := s.conn.DefineNetwork(s.ctx, xml)
	if err != nil {
		return fail(err, "Failed to define network from %s", file)
	}
	s.extraf("Network %s defined from %s\n", n.Name(), file)
	return nil
}

func cmdNetCreate(s *session, c *call) error {
	file, xml, err := s.fileArg(c)
	if err != nil {
		return err
	}
	n, err := s.conn.CreateNetwork(s.ctx, xml)
	if err != nil {
		return fail(err, "Failed to create network from %s", file)
	}
	s.extraf("Network %s created from %s\n", n.Name(), file)
	return nil
}

func cmdNetUUID(s *session, c *call) error {
	name, _, err := c.str("network")
	if err != nil {
		return err
	}
	n, err := s.lookupNetworkBy(name, byName)
	if err != nil {
		return err
	}
	s.printf("%s\n", n.UUID())
	return nil
}

func cmdNetName(s *session, c *call) error {
	name, _, err := c.str("network")
	if err != nil {
		return err
	}
	n, err := s.lookupNetworkBy(name, byUUID)
	if err != nil {
		return err
	}
	s.printf("%s\n", n.Name())
	return nil
}
