package virt

import "context"

// MemoryStat is one memory statistic of a guest (virDomainMemoryStat):
// Tag is one of the MemStat constants, Val the value in KiB (or seconds
// for MemStatLastUpdate, or a count).
type MemoryStat struct {
	Tag int32
	Val uint64
}

// Memory statistic tags (virDomainMemoryStatTags).
const (
	MemStatSwapIn         = 0
	MemStatSwapOut        = 1
	MemStatMajorFault     = 2
	MemStatMinorFault     = 3
	MemStatUnused         = 4
	MemStatAvailable      = 5
	MemStatActualBalloon  = 6
	MemStatRSS            = 7
	MemStatUsable         = 8
	MemStatLastUpdate     = 9
	MemStatDiskCaches     = 10
	MemStatHugetlbPgalloc = 11
	MemStatHugetlbPgfail  = 12
)

// BlockStats is libvirt's virDomainBlockStatsStruct: -1 marks a counter
// the driver does not know.
type BlockStats struct {
	RdReq, RdBytes, WrReq, WrBytes, Errs int64
}

// InterfaceStats is libvirt's virDomainInterfaceStatsStruct: -1 marks a
// counter the driver does not know.
type InterfaceStats struct {
	RxBytes, RxPackets, RxErrs, RxDrop int64
	TxBytes, TxPackets, TxErrs, TxDrop int64
}

// BlockInfo is libvirt's virDomainBlockInfo, in bytes.
type BlockInfo struct {
	Capacity, Allocation, Physical uint64
}

// DiskError is one disk's error state (virDomainDiskError).
type DiskError struct {
	Disk  string
	Error int32 // 0 none, 1 unspecified, 2 no space
}

// ControlInfo is libvirt's virDomainControlInfo: the state of the
// driver's control channel to the domain.
type ControlInfo struct {
	State     int32 // 0 ok, 1 job, 2 occupied, 3 error
	Details   int32
	StateTime uint64 // milliseconds in the state
}

// FSInfo describes one mounted guest file system (virDomainFSInfo).
type FSInfo struct {
	Mountpoint string
	Name       string
	Type       string
	DevAlias   []string
}

// IPAddress is one address of a guest interface.
type IPAddress struct {
	Type   int32 // 0 IPv4, 1 IPv6
	Addr   string
	Prefix uint32
}

// DomainInterface is a guest network interface with its addresses
// (virDomainInterface).
type DomainInterface struct {
	Name   string
	HWAddr string
	Addrs  []IPAddress
}

// DomainStatsRecord is the statistics of one domain
// (virDomainStatsRecord).
type DomainStatsRecord struct {
	Domain DomainRef
	Params []TypedParam
}

// DomainMonitor is implemented by drivers that report what a running
// domain is doing.
type DomainMonitor interface {
	DomainMemoryStats(ctx context.Context, d DomainRef, flags uint32) ([]MemoryStat, error)
	// DomainBlockStats reads the counters of disk dev ("" for all disks).
	DomainBlockStats(ctx context.Context, d DomainRef, dev string) (BlockStats, error)
	DomainInterfaceStats(ctx context.Context, d DomainRef, dev string) (InterfaceStats, error)
	DomainBlockInfo(ctx context.Context, d DomainRef, dev string, flags uint32) (BlockInfo, error)
	DomainDiskErrors(ctx context.Context, d DomainRef, flags uint32) ([]DiskError, error)
	DomainControlInfo(ctx context.Context, d DomainRef, flags uint32) (ControlInfo, error)
	// DomainInterfaceAddresses reports the addresses from source (0 DHCP
	// leases, 1 guest agent, 2 ARP table).
	DomainInterfaceAddresses(ctx context.Context, d DomainRef, source uint32, flags uint32) ([]DomainInterface, error)
	// DomainCPUStats returns the CPU usage of host CPUs [start, start+n)
	// of the domain, one row per CPU, or with start -1 the domain's total
	// as one row.
	DomainCPUStats(ctx context.Context, d DomainRef, start, n int, flags uint32) ([][]TypedParam, error)
	// DomainCPUCount is the number of host CPUs DomainCPUStats covers.
	DomainCPUCount(ctx context.Context, d DomainRef) (int, error)
}

// DomainGuestInfo is implemented by drivers that ask the guest about
// itself (the qemu guest agent, or the test driver's fakes).
type DomainGuestInfo interface {
	DomainHostname(ctx context.Context, d DomainRef, flags uint32) (string, error)
	DomainTime(ctx context.Context, d DomainRef, flags uint32) (sec int64, nsec uint32, err error)
	SetDomainTime(ctx context.Context, d DomainRef, sec int64, nsec uint32, flags uint32) error
	DomainFSInfo(ctx context.Context, d DomainRef, flags uint32) ([]FSInfo, error)
	// DomainFSFreeze freezes the given mount points (all when empty) and
	// returns how many it froze.
	DomainFSFreeze(ctx context.Context, d DomainRef, mounts []string, flags uint32) (int, error)
	DomainFSThaw(ctx context.Context, d DomainRef, mounts []string, flags uint32) (int, error)
	DomainFSTrim(ctx context.Context, d DomainRef, mount string, minimum uint64, flags uint32) error
	SetDomainUserPassword(ctx context.Context, d DomainRef, user, password string, flags uint32) error
}

// DomainStatsReader is implemented by drivers that report bulk domain
// statistics (virConnectGetAllDomainStats, virDomainListGetStats).
type DomainStatsReader interface {
	// DomainStats returns the records of the given domains (every domain
	// that passes the flags' filters when doms is nil) for the stat
	// groups in stats.
	DomainStats(ctx context.Context, doms []DomainRef, stats uint32, flags uint32) ([]DomainStatsRecord, error)
}

// DomainMemoryPeriod is implemented by drivers whose balloon statistics
// are collected periodically (virDomainSetMemoryStatsPeriod).
type DomainMemoryPeriod interface {
	SetDomainMemoryStatsPeriod(ctx context.Context, d DomainRef, period int, flags ModifyFlags) error
}

// DomainJobs is implemented by drivers that run long domain jobs
// (virDomainGetJobInfo, virDomainGetJobStats, virDomainAbortJob).
type DomainJobs interface {
	DomainJobInfo(ctx context.Context, d DomainRef) ([]TypedParam, error)
	DomainJobStats(ctx context.Context, d DomainRef, flags uint32) (int32, []TypedParam, error)
	AbortDomainJob(ctx context.Context, d DomainRef, flags uint32) error
}

// MemoryStats returns the guest's memory statistics.
func (d *Domain) MemoryStats(ctx context.Context, flags uint32) ([]MemoryStat, error) {
	m, err := family[DomainMonitor](d.c, FromDomain, "virDomainMemoryStats")
	if err != nil {
		return nil, err
	}
	return m.DomainMemoryStats(ctx, d.Ref(), flags)
}

// SetMemoryStatsPeriod sets how often, in seconds, the balloon driver
// collects memory statistics.
func (d *Domain) SetMemoryStatsPeriod(ctx context.Context, period int, flags ModifyFlags) error {
	m, err := writeFamily[DomainMemoryPeriod](d.c, FromDomain, "virDomainSetMemoryStatsPeriod")
	if err != nil {
		return err
	}
	return m.SetDomainMemoryStatsPeriod(ctx, d.Ref(), period, flags)
}

// BlockStats returns the I/O counters of disk dev.
func (d *Domain) BlockStats(ctx context.Context, dev string) (BlockStats, error) {
	m, err := family[DomainMonitor](d.c, FromDomain, "virDomainBlockStats")
	if err != nil {
		return BlockStats{}, err
	}
	return m.DomainBlockStats(ctx, d.Ref(), dev)
}

// InterfaceStats returns the traffic counters of interface dev (its
// target name or MAC address).
func (d *Domain) InterfaceStats(ctx context.Context, dev string) (InterfaceStats, error) {
	m, err := family[DomainMonitor](d.c, FromDomain, "virDomainInterfaceStats")
	if err != nil {
		return InterfaceStats{}, err
	}
	return m.DomainInterfaceStats(ctx, d.Ref(), dev)
}

// BlockInfo returns the sizes of disk dev.
func (d *Domain) BlockInfo(ctx context.Context, dev string, flags uint32) (BlockInfo, error) {
	m, err := family[DomainMonitor](d.c, FromDomain, "virDomainGetBlockInfo")
	if err != nil {
		return BlockInfo{}, err
	}
	return m.DomainBlockInfo(ctx, d.Ref(), dev, flags)
}

// DiskErrors returns the disks in an error state.
func (d *Domain) DiskErrors(ctx context.Context, flags uint32) ([]DiskError, error) {
	m, err := family[DomainMonitor](d.c, FromDomain, "virDomainGetDiskErrors")
	if err != nil {
		return nil, err
	}
	return m.DomainDiskErrors(ctx, d.Ref(), flags)
}

// ControlInfo returns the state of the driver's control channel.
func (d *Domain) ControlInfo(ctx context.Context, flags uint32) (ControlInfo, error) {
	m, err := family[DomainMonitor](d.c, FromDomain, "virDomainGetControlInfo")
	if err != nil {
		return ControlInfo{}, err
	}
	return m.DomainControlInfo(ctx, d.Ref(), flags)
}

// InterfaceAddresses returns the guest's interfaces and their addresses.
func (d *Domain) InterfaceAddresses(ctx context.Context, source, flags uint32) ([]DomainInterface, error) {
	m, err := family[DomainMonitor](d.c, FromDomain, "virDomainInterfaceAddresses")
	if err != nil {
		return nil, err
	}
	return m.DomainInterfaceAddresses(ctx, d.Ref(), source, flags)
}

// CPUStats returns per-CPU usage for host CPUs [start, start+n), or the
// total with start -1.
func (d *Domain) CPUStats(ctx context.Context, start, n int, flags uint32) ([][]TypedParam, error) {
	m, err := family[DomainMonitor](d.c, FromDomain, "virDomainGetCPUStats")
	if err != nil {
		return nil, err
	}
	return m.DomainCPUStats(ctx, d.Ref(), start, n, flags)
}

// CPUCount returns the number of host CPUs CPUStats covers.
func (d *Domain) CPUCount(ctx context.Context) (int, error) {
	m, err := family[DomainMonitor](d.c, FromDomain, "virDomainGetCPUStats")
	if err != nil {
		return 0, err
	}
	return m.DomainCPUCount(ctx, d.Ref())
}

// Hostname returns the guest's host name.
func (d *Domain) Hostname(ctx context.Context, flags uint32) (string, error) {
	g, err := family[DomainGuestInfo](d.c, FromDomain, "virDomainGetHostname")
	if err != nil {
		return "", err
	}
	return g.DomainHostname(ctx, d.Ref(), flags)
}

// Time returns the guest's clock.
func (d *Domain) Time(ctx context.Context, flags uint32) (int64, uint32, error) {
	g, err := family[DomainGuestInfo](d.c, FromDomain, "virDomainGetTime")
	if err != nil {
		return 0, 0, err
	}
	return g.DomainTime(ctx, d.Ref(), flags)
}

// SetTime sets the guest's clock; flag 1 (TimeSync) resyncs it from the
// guest's RTC instead.
func (d *Domain) SetTime(ctx context.Context, sec int64, nsec uint32, flags uint32) error {
	g, err := writeFamily[DomainGuestInfo](d.c, FromDomain, "virDomainSetTime")
	if err != nil {
		return err
	}
	return g.SetDomainTime(ctx, d.Ref(), sec, nsec, flags)
}

// TimeSync is VIR_DOMAIN_TIME_SYNC.
const TimeSync uint32 = 1

// FSInfo returns the guest's mounted file systems.
func (d *Domain) FSInfo(ctx context.Context, flags uint32) ([]FSInfo, error) {
	g, err := writeFamily[DomainGuestInfo](d.c, FromDomain, "virDomainGetFSInfo")
	if err != nil {
		return nil, err
	}
	return g.DomainFSInfo(ctx, d.Ref(), flags)
}

// FSFreeze freezes the guest's file systems (all when mounts is empty).
func (d *Domain) FSFreeze(ctx context.Context, mounts []string, flags uint32) (int, error) {
	g, err := writeFamily[DomainGuestInfo](d.c, FromDomain, "virDomainFSFreeze")
	if err != nil {
		return 0, err
	}
	return g.DomainFSFreeze(ctx, d.Ref(), mounts, flags)
}

// FSThaw thaws the guest's file systems (all when mounts is empty).
func (d *Domain) FSThaw(ctx context.Context, mounts []string, flags uint32) (int, error) {
	g, err := writeFamily[DomainGuestInfo](d.c, FromDomain, "virDomainFSThaw")
	if err != nil {
		return 0, err
	}
	return g.DomainFSThaw(ctx, d.Ref(), mounts, flags)
}

// FSTrim discards unused blocks of a guest file system (all when mount
// is "").
func (d *Domain) FSTrim(ctx context.Context, mount string, minimum uint64, flags uint32) error {
	g, err := writeFamily[DomainGuestInfo](d.c, FromDomain, "virDomainFSTrim")
	if err != nil {
		return err
	}
	return g.DomainFSTrim(ctx, d.Ref(), mount, minimum, flags)
}

// SetUserPassword sets a guest user's password.
func (d *Domain) SetUserPassword(ctx context.Context, user, password string, flags uint32) error {
	g, err := writeFamily[DomainGuestInfo](d.c, FromDomain, "virDomainSetUserPassword")
	if err != nil {
		return err
	}
	return g.SetDomainUserPassword(ctx, d.Ref(), user, password, flags)
}

// DomainStats returns the statistics of every domain that passes the
// flags' filters (virConnectGetAllDomainStats).
func (c *Conn) DomainStats(ctx context.Context, stats, flags uint32) ([]DomainStatsRecord, error) {
	s, err := family[DomainStatsReader](c, FromDomain, "virConnectGetAllDomainStats")
	if err != nil {
		return nil, err
	}
	return s.DomainStats(ctx, nil, stats, flags)
}

// DomainListStats returns the statistics of the given domains
// (virDomainListGetStats).
func (c *Conn) DomainListStats(ctx context.Context, doms []*Domain, stats, flags uint32) ([]DomainStatsRecord, error) {
	s, err := family[DomainStatsReader](c, FromDomain, "virDomainListGetStats")
	if err != nil {
		return nil, err
	}
	refs := make([]DomainRef, len(doms))
	for i, d := range doms {
		refs[i] = d.Ref()
	}
	return s.DomainStats(ctx, refs, stats, flags)
}

// JobInfo returns the progress of the domain's current job.
func (d *Domain) JobInfo(ctx context.Context) ([]TypedParam, error) {
	j, err := family[DomainJobs](d.c, FromDomain, "virDomainGetJobInfo")
	if err != nil {
		return nil, err
	}
	return j.DomainJobInfo(ctx, d.Ref())
}

// JobStats returns the type and statistics of the domain's current (or,
// with flag 1, last completed) job.
func (d *Domain) JobStats(ctx context.Context, flags uint32) (int32, []TypedParam, error) {
	j, err := family[DomainJobs](d.c, FromDomain, "virDomainGetJobStats")
	if err != nil {
		return 0, nil, err
	}
	return j.DomainJobStats(ctx, d.Ref(), flags)
}

// AbortJob aborts the domain's current job.
func (d *Domain) AbortJob(ctx context.Context, flags uint32) error {
	api := "virDomainAbortJob"
	if flags != 0 {
		api = "virDomainAbortJobFlags"
	}
	j, err := writeFamily[DomainJobs](d.c, FromDomain, api)
	if err != nil {
		return err
	}
	return j.AbortDomainJob(ctx, d.Ref(), flags)
}
