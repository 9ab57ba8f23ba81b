package test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// guestState is what libvirt's test driver keeps per domain to answer
// guest-agent style calls: the guest clock and which of its two file
// systems are frozen. It lives as long as the domain object.
type guestState struct {
	seconds  int64
	nseconds uint32
	frozen   [2]bool
}

// newGuestState is a guest whose clock reads 627319920 (1989-11-17).
func newGuestState() guestState { return guestState{seconds: 627319920} }

// activeDomain returns the locked domain behind ref, or libvirt's error
// when it is not running.
func (c *conn) activeDomain(ref virt.DomainRef) (*domain, error) {
	d, err := c.domain(ref)
	if err != nil {
		return nil, err
	}
	if !d.active() {
		d.mu.Unlock()
		return nil, errNotRunning()
	}
	return d, nil
}

// diskSourcePath is the path libvirt names a disk's source by.
func diskSourcePath(disk *virtxml.Disk) string {
	if disk.Source == nil {
		return ""
	}
	for _, p := range []string{disk.Source.File, disk.Source.Dev, disk.Source.Dir, disk.Source.Name} {
		if p != "" {
			return p
		}
	}
	return ""
}

// findDisk finds a disk by target name, or by source path when name
// starts with '/' (libvirt's virDomainDiskIndexByName); an ambiguous path
// matches nothing unless ambiguous is allowed.
func findDisk(def *virtxml.Domain, name string, ambiguous bool) *virtxml.Disk {
	if def.Devices == nil {
		return nil
	}
	var cand *virtxml.Disk
	for i := range def.Devices.Disks {
		disk := &def.Devices.Disks[i]
		if !strings.HasPrefix(name, "/") {
			if disk.Target != nil && disk.Target.Dev == name {
				return disk
			}
			continue
		}
		if diskSourcePath(disk) == name {
			if ambiguous {
				return disk
			}
			if cand != nil {
				return nil
			}
			cand = disk
		}
	}
	return cand
}

// findNet finds an interface by MAC address or target device name
// (libvirt's virDomainNetFind).
func findNet(def *virtxml.Domain, device string) (*virtxml.Interface, error) {
	if def.Devices != nil {
		if mac, err := net.ParseMAC(device); err == nil && len(mac) == 6 {
			for i := range def.Devices.Interfaces {
				nic := &def.Devices.Interfaces[i]
				if nic.MAC != nil && strings.EqualFold(nic.MAC.Address, mac.String()) {
					return nic, nil
				}
			}
		} else {
			for i := range def.Devices.Interfaces {
				nic := &def.Devices.Interfaces[i]
				if nic.Target != nil && nic.Target.Dev == device {
					return nic, nil
				}
			}
		}
	}
	return nil, virt.Errorf(virt.ErrInvalidArg, virt.FromDomain, "'%s' is not a known interface", device)
}

// DomainMemoryStats implements virt.DomainMonitor: figures derived from
// the current balloon size, when the domain has a balloon.
func (c *conn) DomainMemoryStats(ctx context.Context, ref virt.DomainRef, flags uint32) ([]virt.MemoryStat, error) {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testDomainMemoryStats"); err != nil {
		return nil, err
	}
	d, err := c.activeDomain(ref)
	if err != nil {
		return nil, err
	}
	defer d.mu.Unlock()
	if !hasBalloon(d.def) {
		return nil, nil
	}
	// libvirt keeps the balloon size in an int here.
	cur := uint64(int32(memCurrent(d.def)))
	return []virt.MemoryStat{
		{Tag: virt.MemStatActualBalloon, Val: cur},
		{Tag: virt.MemStatSwapIn, Val: 0},
		{Tag: virt.MemStatSwapOut, Val: 0},
		{Tag: virt.MemStatMajorFault, Val: 0},
		{Tag: virt.MemStatMinorFault, Val: 0},
		{Tag: virt.MemStatUnused, Val: cur / 2},
		{Tag: virt.MemStatAvailable, Val: cur},
		{Tag: virt.MemStatUsable, Val: cur / 2},
		{Tag: virt.MemStatLastUpdate, Val: 627319920},
		{Tag: virt.MemStatDiskCaches, Val: cur / 8},
		{Tag: virt.MemStatHugetlbPgalloc, Val: 0},
		{Tag: virt.MemStatHugetlbPgfail, Val: 0},
		{Tag: virt.MemStatRSS, Val: cur / 2},
	}, nil
}

// hasBalloon reports whether def has a memory balloon device (libvirt's
// virDomainDefHasMemballoon).
func hasBalloon(def *virtxml.Domain) bool {
	return def.Devices != nil && def.Devices.MemBalloon != nil && def.Devices.MemBalloon.Model != "none"
}

// SetDomainMemoryStatsPeriod implements virt.DomainMemoryPeriod.
func (c *conn) SetDomainMemoryStatsPeriod(ctx context.Context, ref virt.DomainRef, period int, flags virt.ModifyFlags) error {
	if err := driver.CheckFlags(virt.FromTest, uint32(flags), uint32(virt.AffectLive|virt.AffectConfig), "testDomainSetMemoryStatsPeriod"); err != nil {
		return err
	}
	d, err := c.domain(ref)
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	def, _, err := d.oneDef(flags)
	if err != nil {
		return err
	}
	if !hasBalloon(def) {
		return virt.Errorf(virt.ErrInternal, virt.FromTest, "No memory balloon device configured, can not set the collection period")
	}
	def.Devices.MemBalloon.Stats = &virtxml.MemBalloonStats{Period: period}
	return nil
}

// statBase is libvirt's test driver's source of made-up statistics: the
// wall clock in microseconds.
func statBase() int64 { return time.Now().UnixMicro() }

// DomainBlockStats implements virt.DomainMonitor with counters made up
// from the clock.
func (c *conn) DomainBlockStats(ctx context.Context, ref virt.DomainRef, dev string) (virt.BlockStats, error) {
	if dev == "" {
		return virt.BlockStats{}, virt.Errorf(virt.ErrOperationUnsupported, virt.FromTest, "summary statistics are not supported yet")
	}
	d, err := c.activeDomain(ref)
	if err != nil {
		return virt.BlockStats{}, err
	}
	defer d.mu.Unlock()
	if findDisk(d.def, dev, false) == nil {
		return virt.BlockStats{}, virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "invalid path: %s", dev)
	}
	b := statBase()
	return virt.BlockStats{RdReq: b / 10, RdBytes: b / 20, WrReq: b / 30, WrBytes: b / 40, Errs: b / 2000000}, nil
}

// DomainInterfaceStats implements virt.DomainMonitor with counters made
// up from the clock.
func (c *conn) DomainInterfaceStats(ctx context.Context, ref virt.DomainRef, dev string) (virt.InterfaceStats, error) {
	d, err := c.activeDomain(ref)
	if err != nil {
		return virt.InterfaceStats{}, err
	}
	defer d.mu.Unlock()
	if _, err := findNet(d.def, dev); err != nil {
		return virt.InterfaceStats{}, err
	}
	b := statBase()
	return virt.InterfaceStats{
		RxBytes: b / 10, RxPackets: b / 100, RxErrs: b / 1000000, RxDrop: b / 2000000,
		TxBytes: b / 20, TxPackets: b / 110, TxErrs: b / 3000000, TxDrop: b / 4000000,
	}, nil
}

// DomainBlockInfo implements virt.DomainMonitor: every disk with a source
// is a 1 TiB image.
func (c *conn) DomainBlockInfo(ctx context.Context, ref virt.DomainRef, dev string, flags uint32) (virt.BlockInfo, error) {
	d, err := c.checkedDomain(ref, flags, 0, "testDomainGetBlockInfo")
	if err != nil {
		return virt.BlockInfo{}, err
	}
	defer d.mu.Unlock()
	disk := findDisk(d.def, dev, false)
	if disk == nil {
		return virt.BlockInfo{}, virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "invalid path %s not assigned to domain", dev)
	}
	if diskSourcePath(disk) == "" && (disk.Source == nil || disk.Source.Pool == "") {
		return virt.BlockInfo{}, virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "disk '%s' does not currently have a source assigned", dev)
	}
	return virt.BlockInfo{Capacity: 1099506450432, Allocation: 1099511627776, Physical: 1099511627776}, nil
}

// DomainDiskErrors implements virt.DomainMonitor: every disk reports an
// error, cycling through the error kinds.
func (c *conn) DomainDiskErrors(ctx context.Context, ref virt.DomainRef, flags uint32) ([]virt.DiskError, error) {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testDomainGetDiskErrors"); err != nil {
		return nil, err
	}
	d, err := c.activeDomain(ref)
	if err != nil {
		return nil, err
	}
	defer d.mu.Unlock()
	var out []virt.DiskError
	if d.def.Devices != nil {
		for i, disk := range d.def.Devices.Disks {
			dst := ""
			if disk.Target != nil {
				dst = disk.Target.Dev
			}
			out = append(out, virt.DiskError{Disk: dst, Error: int32(i%2) + 1})
		}
	}
	return out, nil
}

// DomainControlInfo implements virt.DomainMonitor: the state is derived
// from the guest clock, so that tests can select each one.
func (c *conn) DomainControlInfo(ctx context.Context, ref virt.DomainRef, flags uint32) (virt.ControlInfo, error) {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testDomainGetControlInfo"); err != nil {
		return virt.ControlInfo{}, err
	}
	d, err := c.activeDomain(ref)
	if err != nil {
		return virt.ControlInfo{}, err
	}
	defer d.mu.Unlock()
	s := d.guest.seconds
	switch {
	case s > 0 && s < 10000:
		return virt.ControlInfo{State: 1, StateTime: uint64(s)}, nil
	case s >= 10000 && s < 30000:
		return virt.ControlInfo{State: 2, StateTime: uint64(s - 10000)}, nil
	case s >= 30000 && s < 60000:
		return virt.ControlInfo{State: 3, Details: int32(s % 4), StateTime: uint64(s - 30000)}, nil
	}
	return virt.ControlInfo{}, nil
}

// DomainInterfaceAddresses implements virt.DomainMonitor: interfaces on a
// network get addresses from its DHCP range, others 192.168.0.N/24.
func (c *conn) DomainInterfaceAddresses(ctx context.Context, ref virt.DomainRef, source, flags uint32) ([]virt.DomainInterface, error) {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testDomainInterfaceAddresses"); err != nil {
		return nil, err
	}
	if source > 2 {
		return nil, virt.Errorf(virt.ErrArgumentUnsupported, virt.FromTest, "Unknown IP address data source %d", source)
	}
	d, err := c.activeDomain(ref)
	if err != nil {
		return nil, err
	}
	def, id := d.def, int(d.id)
	d.mu.Unlock()
	var out []virt.DomainInterface
	if def.Devices == nil {
		return out, nil
	}
	for i, nic := range def.Devices.Interfaces {
		di := virt.DomainInterface{}
		if nic.Target != nil {
			di.Name = nic.Target.Dev
		}
		if nic.MAC != nil {
			di.HWAddr = nic.MAC.Address
		}
		if nic.Type == "network" {
			netName := ""
			if nic.Source != nil {
				netName = nic.Source.Network
			}
			addr, err := c.networkAddress(netName, 20*(id-1)+i+1)
			if err != nil {
				return nil, err
			}
			di.Addrs = []virt.IPAddress{addr}
		} else {
			di.Addrs = []virt.IPAddress{{Type: 0, Prefix: 24, Addr: fmt.Sprintf("192.168.0.%d", i+1)}}
		}
		out = append(out, di)
	}
	return out, nil
}

// networkAddress makes up the address a guest interface on network name
// gets: the start of its first DHCP range (or its own address) plus
// offset.
func (c *conn) networkAddress(name string, offset int) (virt.IPAddress, error) {
	n, err := c.netByName(name)
	if err != nil {
		return virt.IPAddress{}, err
	}
	def := n.def
	n.mu.Unlock()
	if len(def.IPs) == 0 {
		return virt.IPAddress{}, virt.Errorf(virt.ErrInternal, virt.FromTest, "network '%s' has no IP address", name)
	}
	ip := def.IPs[0]
	prefix := ipPrefix(ip)
	base := net.ParseIP(ip.Address)
	if ip.DHCP != nil && len(ip.DHCP.Ranges) > 0 {
		base = net.ParseIP(ip.DHCP.Ranges[0].Start)
	}
	if ip.Family == "ipv6" {
		b := append(net.IP(nil), base.To16()...)
		if b != nil {
			b[15] += byte(offset)
		}
		return virt.IPAddress{Type: 1, Addr: b.String(), Prefix: prefix}, nil
	}
	b4 := base.To4()
	if b4 == nil {
		return virt.IPAddress{Type: 0, Prefix: prefix}, nil
	}
	v := uint32(b4[0])<<24 | uint32(b4[1])<<16 | uint32(b4[2])<<8 | uint32(b4[3])
	v += uint32(offset)
	return virt.IPAddress{Type: 0, Addr: fmt.Sprintf("%d.%d.%d.%d", v>>24, v>>16&0xff, v>>8&0xff, v&0xff), Prefix: prefix}, nil
}

// ipPrefix returns the prefix length of a network IP definition, from
// its prefix or netmask, or its address class as libvirt does.
func ipPrefix(ip virtxml.NetworkIP) uint32 {
	if ip.Prefix != 0 {
		return uint32(ip.Prefix)
	}
	if ip.Netmask != "" {
		if m := net.ParseIP(ip.Netmask).To4(); m != nil {
			ones, _ := net.IPMask(m).Size()
			return uint32(ones)
		}
	}
	if ip.Family == "ipv6" {
		return 64
	}
	if a := net.ParseIP(ip.Address).To4(); a != nil {
		switch {
		case a[0] < 128:
			return 8
		case a[0] < 192:
			return 16
		case a[0] < 224:
			return 24
		}
	}
	return 0
}

// testTotalCPUTime is the domain CPU time libvirt's test driver reports.
const testTotalCPUTime = 48772617035

// DomainCPUCount implements virt.DomainMonitor: the test driver reports
// as many CPUs as one socket has cores.
func (c *conn) DomainCPUCount(ctx context.Context, ref virt.DomainRef) (int, error) {
	d, err := c.activeDomain(ref)
	if err != nil {
		return 0, err
	}
	d.mu.Unlock()
	return int(c.node.info.Cores), nil
}

// DomainCPUStats implements virt.DomainMonitor.
func (c *conn) DomainCPUStats(ctx context.Context, ref virt.DomainRef, start, n int, flags uint32) ([][]virt.TypedParam, error) {
	if err := driver.CheckFlags(virt.FromTest, flags, virt.TypedParamStringOkay, "testDomainGetCPUStats"); err != nil {
		return nil, err
	}
	d, err := c.activeDomain(ref)
	if err != nil {
		return nil, err
	}
	d.mu.Unlock()
	if start == -1 {
		return [][]virt.TypedParam{{
			{Field: "cpu_time", Value: uint64(testTotalCPUTime)},
			{Field: "user_time", Value: uint64(5540000000)},
			{Field: "system_time", Value: uint64(6460000000)},
		}}, nil
	}
	total := int(c.node.info.Cores)
	if total == 0 {
		total = 1
	}
	if start >= total {
		return nil, virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "start_cpu %d larger than maximum of %d", start, total-1)
	}
	per := uint64(testTotalCPUTime / total)
	var out [][]virt.TypedParam
	for i := start; i < total && i < start+n; i++ {
		out = append(out, []virt.TypedParam{
			{Field: "cpu_time", Value: per + uint64(i)},
			{Field: "vcpu_time", Value: per + uint64(i) - 1234567890},
		})
	}
	return out, nil
}
