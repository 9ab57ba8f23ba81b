package test

import (
	"context"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/virt"
)

// MaxVcpus implements virt.HostStats.
func (c *conn) MaxVcpus(ctx context.Context, typ string) (int, error) { return maxVcpus, nil }

// NodeCPUStats implements virt.HostStats: the fixed counters libvirt's
// test node reports for any CPU.
func (c *conn) NodeCPUStats(ctx context.Context, cpu int, flags uint32) ([]virt.NodeStat, error) {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testNodeGetCPUStats"); err != nil {
		return nil, err
	}
	return []virt.NodeStat{
		{Field: "user", Value: 9797400000},
		{Field: "kernel", Value: 34678723400000},
		{Field: "idle", Value: 87264900000},
		{Field: "iowait", Value: 763600000},
	}, nil
}

// NodeCellsFreeMemory implements virt.HostStats. Like libvirt's test
// driver it reports each cell's whole memory, in the unit the cell was
// described in.
func (c *conn) NodeCellsFreeMemory(ctx context.Context, start, max int) ([]uint64, error) {
	cells := c.node.cells
	if start < 0 || start >= len(cells) {
		return nil, virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "Range exceeds available cells")
	}
	var out []uint64
	for i := start; i < len(cells) && len(out) < max; i++ {
		out = append(out, cells[i].memKiB)
	}
	return out, nil
}

// NodeFreeMemory implements virt.HostStats: the sum of the cells' free
// memory.
func (c *conn) NodeFreeMemory(ctx context.Context) (uint64, error) {
	var sum uint32 // libvirt's test driver sums into an unsigned int
	for _, cl := range c.node.cells {
		sum += uint32(cl.freeMemKiB)
	}
	return uint64(sum), nil
}

// NodeFreePages implements virt.HostStats: a made-up series of counts,
// the same for every call.
func (c *conn) NodeFreePages(ctx context.Context, pages []uint32, start, count int, flags uint32) ([]uint64, error) {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testNodeGetFreePages"); err != nil {
		return nil, err
	}
	out := make([]uint64, 0, count*len(pages))
	x := uint64(6)
	for i := 0; i < count; i++ {
		for range pages {
			x = x*2 + 7
			out = append(out, x)
		}
	}
	return out, nil
}

// testSysinfo is the SMBIOS description libvirt's test driver reports.
const testSysinfo = `<sysinfo type='smbios'>
  <bios>
    <entry name='vendor'>LENOVO</entry>
    <entry name='version'>G4ETA1WW (2.61 )</entry>
    <entry name='date'>05/07/2014</entry>
    <entry name='release'>2.61</entry>
  </bios>
</sysinfo>
`

// Sysinfo implements virt.HostStats.
func (c *conn) Sysinfo(ctx context.Context, flags uint32) (string, error) {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testConnectGetSysinfo"); err != nil {
		return "", err
	}
	return testSysinfo, nil
}

// CPUModelNames implements virt.HostStats with libvirt's CPU map.
func (c *conn) CPUModelNames(ctx context.Context, arch string, flags uint32) ([]string, error) {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testConnectGetCPUModelNames"); err != nil {
		return nil, err
	}
	return cpuModels(arch)
}
