package cli

import (
	"sort"
	"strings"

	"github.com/govirt/govirt/virt"
)

// hostIfaceJSON is the stable JSON shape of a host interface in
// "iface-list -o json".
type hostIfaceJSON struct {
	Name   string `json:"name"`
	Active bool   `json:"active"`
	MAC    string `json:"mac"`
}

func cmdIfaceList(s *session, c *call) error {
	asJSON, err := s.wantJSON(c)
	if err != nil {
		return err
	}
	flags := virt.ListInterfacesActive
	if c.has("inactive") {
		flags = virt.ListInterfacesInactive
	}
	if c.has("all") {
		flags = virt.ListInterfacesActive | virt.ListInterfacesInactive
	}
	ifaces, err := s.conn.ListAllInterfaces(s.ctx, flags)
	if err != nil {
		return fail(err, "Failed to list interfaces")
	}
	sort.SliceStable(ifaces, func(i, j int) bool {
		return strings.ToLower(ifaces[i].Name()) < strings.ToLower(ifaces[j].Name())
	})
	out := []hostIfaceJSON{}
	t := newTable("Name", "State", "MAC Address")
	for _, i := range ifaces {
		active, err := i.IsActive(s.ctx)
		if err != nil {
			return err
		}
		state := "inactive"
		if active {
			state = "active"
		}
		out = append(out, hostIfaceJSON{i.Name(), active, i.MAC()})
		t.add(i.Name(), state, i.MAC())
	}
	if asJSON {
		return s.printJSON(out)
	}
	s.printTable(t)
	return nil
}
