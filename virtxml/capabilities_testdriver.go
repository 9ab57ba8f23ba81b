package virtxml

import "fmt"

// TestDriverCapabilities returns the capabilities document of libvirt's
// test:///default node: an i686 host with two NUMA cells of eight CPUs,
// and hvm and xen guests of domain type test.
func TestDriverCapabilities() *Capabilities {
	c := &Capabilities{}
	h := &c.Host
	h.CPU = CapsHostCPU{
		Arch:     "i686",
		Features: []string{"pae", "nonpae"},
		Pages:    []uint64{4, 8, 2048, 1048576},
	}
	h.PowerManagement = []string{}
	h.Topology = &CapsTopology{}
	for cell := 0; cell < 2; cell++ {
		cl := CapsCell{
			ID:        cell,
			MemoryKiB: 2097152 << cell,
			Pages: []CapsCellPages{
				{SizeKiB: 4 << cell, Count: 524288},
				{SizeKiB: 2048},
				{SizeKiB: 1048576},
			},
		}
		for i := 0; i < 8; i++ {
			id := cell*8 + i
			cl.CPUs = append(cl.CPUs, CapsCellCPU{ID: id, SocketID: cell, CoreID: i, Siblings: fmt.Sprint(id)})
		}
		h.Topology.Cells = append(h.Topology.Cells, cl)
	}
	h.SecModels = []CapsSecModel{{Model: "testSecurity"}}
	for _, os := range []string{"hvm", "xen"} {
		c.Guests = append(c.Guests, CapsGuest{
			OSType: os,
			Arch: CapsGuestArch{
				Name:     "i686",
				WordSize: 32,
				Emulator: "/usr/bin/test-hv",
				Domains:  []CapsGuestDomain{{Type: "test"}},
			},
			Features: []CapsGuestFeature{{Name: "pae"}, {Name: "nonpae"}},
		})
	}
	return c
}
