package virt

import "context"

// TypedParam is one of libvirt's typed parameters (virTypedParameter): a
// field name and a value whose Go type is int32, uint32, int64, uint64,
// float64, bool or string. It is the same type as SchedParam.
type TypedParam = SchedParam

// NodeStat is one field of a host CPU or memory statistic
// (virNodeCPUStats, virNodeMemoryStats).
type NodeStat struct {
	Field string
	Value uint64
}

// Cell and CPU selectors of NodeCPUStats and NodeMemoryStats.
const (
	// NodeCPUStatsAll sums over every host CPU (VIR_NODE_CPU_STATS_ALL_CPUS).
	NodeCPUStatsAll = -1
	// NodeMemoryStatsAll sums over every NUMA cell (VIR_NODE_MEMORY_STATS_ALL_CELLS).
	NodeMemoryStatsAll = -1
)

// HostStats is implemented by drivers that report host statistics and
// facts beyond NodeInfo.
type HostStats interface {
	// MaxVcpus is the most vCPUs a guest of the given type may have
	// (virConnectGetMaxVcpus).
	MaxVcpus(ctx context.Context, typ string) (int, error)
	// NodeCPUStats returns the CPU time counters of one host CPU or of all
	// (NodeCPUStatsAll), in nanoseconds (virNodeGetCPUStats).
	NodeCPUStats(ctx context.Context, cpu int, flags uint32) ([]NodeStat, error)
	// NodeCellsFreeMemory returns the free memory of up to max NUMA cells
	// from start, in bytes (virNodeGetCellsFreeMemory).
	NodeCellsFreeMemory(ctx context.Context, start, max int) ([]uint64, error)
	// NodeFreeMemory returns the host's free memory in bytes
	// (virNodeGetFreeMemory).
	NodeFreeMemory(ctx context.Context) (uint64, error)
	// NodeFreePages returns, for count cells from start, the number of
	// free pages of each size in pages (KiB), cell by cell
	// (virNodeGetFreePages).
	NodeFreePages(ctx context.Context, pages []uint32, start, count int, flags uint32) ([]uint64, error)
	// Sysinfo returns the host's SMBIOS description as XML
	// (virConnectGetSysinfo).
	Sysinfo(ctx context.Context, flags uint32) (string, error)
	// CPUModelNames lists the CPU models known for an architecture
	// (virConnectGetCPUModelNames).
	CPUModelNames(ctx context.Context, arch string, flags uint32) ([]string, error)
}

// HostMemory is implemented by drivers that report and tune host memory
// (virNodeGetMemoryStats, virNodeGetMemoryParameters, virNodeAllocPages).
type HostMemory interface {
	NodeMemoryStats(ctx context.Context, cell int, flags uint32) ([]NodeStat, error)
	NodeMemoryParameters(ctx context.Context, flags uint32) ([]TypedParam, error)
	SetNodeMemoryParameters(ctx context.Context, params []TypedParam, flags uint32) error
	// NodeAllocPages changes the size of the huge page pools; it returns
	// the number of cells changed.
	NodeAllocPages(ctx context.Context, pages []uint32, counts []uint64, start, count int, flags uint32) (int, error)
}

// HostPower is implemented by drivers that can suspend the host
// (virNodeSuspendForDuration).
type HostPower interface {
	NodeSuspend(ctx context.Context, target uint32, seconds uint64, flags uint32) error
}

// HostCapabilities is implemented by drivers that describe what domains
// they can run and compare CPUs (virConnectGetDomainCapabilities,
// virConnectBaselineCPU, virConnectCompareCPU, virNodeGetSEVInfo,
// virConnectGetStoragePoolCapabilities).
type HostCapabilities interface {
	DomainCapabilities(ctx context.Context, emulator, arch, machine, virtType string, flags uint32) (string, error)
	BaselineCPU(ctx context.Context, cpus []string, flags uint32) (string, error)
	CompareCPU(ctx context.Context, cpu string, flags uint32) (int, error)
	SEVInfo(ctx context.Context, flags uint32) ([]TypedParam, error)
	StoragePoolCapabilities(ctx context.Context, flags uint32) (string, error)
}

// HostCPUBaseliner is implemented by drivers that compute a baseline CPU
// from host CPU descriptions (virConnectBaselineCPU) without the rest of
// HostCapabilities.
type HostCPUBaseliner interface {
	BaselineCPU(ctx context.Context, cpus []string, flags uint32) (string, error)
}

// MaxVcpus returns the most vCPUs a guest of type typ ("" for the
// driver's default) may have.
func (c *Conn) MaxVcpus(ctx context.Context, typ string) (int, error) {
	h, err := family[HostStats](c, FromNone, "virConnectGetMaxVcpus")
	if err != nil {
		return 0, err
	}
	return h.MaxVcpus(ctx, typ)
}

// NodeCPUStats returns the CPU time counters of host CPU cpu, or of all
// CPUs with NodeCPUStatsAll.
func (c *Conn) NodeCPUStats(ctx context.Context, cpu int, flags uint32) ([]NodeStat, error) {
	h, err := family[HostStats](c, FromNone, "virNodeGetCPUStats")
	if err != nil {
		return nil, err
	}
	return h.NodeCPUStats(ctx, cpu, flags)
}

// NodeCellsFreeMemory returns the free memory in bytes of up to max NUMA
// cells from start.
func (c *Conn) NodeCellsFreeMemory(ctx context.Context, start, max int) ([]uint64, error) {
	h, err := family[HostStats](c, FromNone, "virNodeGetCellsFreeMemory")
	if err != nil {
		return nil, err
	}
	return h.NodeCellsFreeMemory(ctx, start, max)
}

// NodeFreeMemory returns the host's free memory in bytes.
func (c *Conn) NodeFreeMemory(ctx context.Context) (uint64, error) {
	h, err := family[HostStats](c, FromNone, "virNodeGetFreeMemory")
	if err != nil {
		return 0, err
	}
	return h.NodeFreeMemory(ctx)
}

// NodeFreePages returns the free pages of each size in pages (KiB) for
// count cells from start, cell by cell.
func (c *Conn) NodeFreePages(ctx context.Context, pages []uint32, start, count int, flags uint32) ([]uint64, error) {
	h, err := family[HostStats](c, FromNone, "virNodeGetFreePages")
	if err != nil {
		return nil, err
	}
	return h.NodeFreePages(ctx, pages, start, count, flags)
}

// Sysinfo returns the host's SMBIOS description as XML.
func (c *Conn) Sysinfo(ctx context.Context, flags uint32) (string, error) {
	h, err := family[HostStats](c, FromNone, "virConnectGetSysinfo")
	if err != nil {
		return "", err
	}
	return h.Sysinfo(ctx, flags)
}

// CPUModelNames lists the CPU models the driver knows for arch.
func (c *Conn) CPUModelNames(ctx context.Context, arch string, flags uint32) ([]string, error) {
	h, err := family[HostStats](c, FromNone, "virConnectGetCPUModelNames")
	if err != nil {
		return nil, err
	}
	return h.CPUModelNames(ctx, arch, flags)
}

// NodeMemoryStats returns the memory counters (KiB) of NUMA cell cell, or
// of the whole host with NodeMemoryStatsAll.
func (c *Conn) NodeMemoryStats(ctx context.Context, cell int, flags uint32) ([]NodeStat, error) {
	h, err := family[HostMemory](c, FromNone, "virNodeGetMemoryStats")
	if err != nil {
		return nil, err
	}
	return h.NodeMemoryStats(ctx, cell, flags)
}

// NodeMemoryParameters returns the host's memory tunables.
func (c *Conn) NodeMemoryParameters(ctx context.Context, flags uint32) ([]TypedParam, error) {
	h, err := family[HostMemory](c, FromNone, "virNodeGetMemoryParameters")
	if err != nil {
		return nil, err
	}
	return h.NodeMemoryParameters(ctx, flags)
}

// SetNodeMemoryParameters changes the host's memory tunables.
func (c *Conn) SetNodeMemoryParameters(ctx context.Context, params []TypedParam, flags uint32) error {
	h, err := writeFamily[HostMemory](c, FromNone, "virNodeSetMemoryParameters")
	if err != nil {
		return err
	}
	return h.SetNodeMemoryParameters(ctx, params, flags)
}

// NodeAllocPages sizes the huge page pools of count cells from start.
func (c *Conn) NodeAllocPages(ctx context.Context, pages []uint32, counts []uint64, start, count int, flags uint32) (int, error) {
	h, err := writeFamily[HostMemory](c, FromNone, "virNodeAllocPages")
	if err != nil {
		return 0, err
	}
	return h.NodeAllocPages(ctx, pages, counts, start, count, flags)
}

// NodeSuspend suspends the host to target (0 mem, 1 disk, 2 hybrid) for
// seconds.
func (c *Conn) NodeSuspend(ctx context.Context, target uint32, seconds uint64, flags uint32) error {
	h, err := writeFamily[HostPower](c, FromNone, "virNodeSuspendForDuration")
	if err != nil {
		return err
	}
	return h.NodeSuspend(ctx, target, seconds, flags)
}

// DomainCapabilities returns the domain capabilities XML for the given
// emulator, architecture, machine and virtualization type (any may be "").
func (c *Conn) DomainCapabilities(ctx context.Context, emulator, arch, machine, virtType string, flags uint32) (string, error) {
	h, err := family[HostCapabilities](c, FromNone, "virConnectGetDomainCapabilities")
	if err != nil {
		return "", err
	}
	return h.DomainCapabilities(ctx, emulator, arch, machine, virtType, flags)
}

// BaselineCPU computes the most capable CPU all the given host CPUs
// provide.
func (c *Conn) BaselineCPU(ctx context.Context, cpus []string, flags uint32) (string, error) {
	h, err := family[HostCPUBaseliner](c, FromNone, "virConnectBaselineCPU")
	if err != nil {
		return "", err
	}
	return h.BaselineCPU(ctx, cpus, flags)
}

// CompareCPU compares a CPU description with the host CPU: 0 incompatible,
// 1 identical, 2 superset.
func (c *Conn) CompareCPU(ctx context.Context, cpu string, flags uint32) (int, error) {
	h, err := family[HostCapabilities](c, FromNone, "virConnectCompareCPU")
	if err != nil {
		return 0, err
	}
	return h.CompareCPU(ctx, cpu, flags)
}

// SEVInfo returns the host's AMD SEV parameters.
func (c *Conn) SEVInfo(ctx context.Context, flags uint32) ([]TypedParam, error) {
	h, err := family[HostCapabilities](c, FromNone, "virNodeGetSEVInfo")
	if err != nil {
		return nil, err
	}
	return h.SEVInfo(ctx, flags)
}

// StoragePoolCapabilities returns the storage pool capabilities XML.
func (c *Conn) StoragePoolCapabilities(ctx context.Context, flags uint32) (string, error) {
	h, err := family[HostCapabilities](c, FromStorage, "virConnectGetStoragePoolCapabilities")
	if err != nil {
		return "", err
	}
	return h.StoragePoolCapabilities(ctx, flags)
}
