package cli

import "github.com/govirt/govirt/virt"

var netUpdateCommands = map[string]uint32{
	"add": virt.NetUpdateAddLast, "modify": virt.NetUpdateModify, "delete": virt.NetUpdateDelete,
	"add-last": virt.NetUpdateAddLast, "add-first": virt.NetUpdateAddFirst,
}

var netUpdateSections = map[string]uint32{
	"bridge": virt.NetSectionBridge, "domain": virt.NetSectionDomain, "ip": virt.NetSectionIP,
	"ip-dhcp-host": virt.NetSectionIPDHCPHost, "ip-dhcp-range": virt.NetSectionIPDHCPRange,
	"forward": virt.NetSectionForward, "forward-interface": virt.NetSectionForwardInterface,
	"forward-pf": virt.NetSectionForwardPF, "portgroup": virt.NetSectionPortgroup,
	"dns-host": virt.NetSectionDNSHost, "dns-txt": virt.NetSectionDNSTxt, "dns-srv": virt.NetSectionDNSSrv,
}

func cmdNetUpdate(s *session, c *call) error {
	current, config, live := c.has("current"), c.has("config"), c.has("live")
	if err := exclusiveVars("current", current, "live", live); err != nil {
		return err
	}
	if err := exclusiveVars("current", current, "config", config); err != nil {
		return err
	}
	n, _, err := s.networkArg(c, "network")
	if err != nil {
		return err
	}
	o, err := optStrings(c, "command", "section", "xml")
	if err != nil {
		return err
	}
	command, ok := netUpdateCommands[o["command"]]
	if !ok {
		return fail(errNoCause, "unrecognized command name '%s'", o["command"])
	}
	section, ok := netUpdateSections[o["section"]]
	if !ok {
		return fail(errNoCause, "unrecognized section name '%s'", o["section"])
	}
	parent := -1
	if v, ok, err := c.int("parent-index"); err != nil {
		return err
	} else if ok {
		parent = v
	}
	xml := o["xml"]
	if xml == "" || xml[0] != '<' {
		if xml, err = s.readFile(xml); err != nil {
			return err
		}
	}
	var flags uint32
	if config {
		flags |= virt.NetUpdateAffectConfig
	}
	if live {
		flags |= virt.NetUpdateAffectLive
	}
	if err := n.Update(s.ctx, command, section, parent, xml, flags); err != nil {
		return fail(err, "Failed to update network %s", n.Name())
	}
	switch {
	case config && live:
		s.extraf("Updated network %s persistent config and live state", n.Name())
	case config:
		s.extraf("Updated network %s persistent config", n.Name())
	case live:
		s.extraf("Updated network %s live state", n.Name())
	default:
		if info, err := n.Info(s.ctx); err == nil && info.Active {
			s.extraf("Updated network %s live state", n.Name())
		} else {
			s.extraf("Updated network %s persistent config", n.Name())
		}
	}
	return nil
}
