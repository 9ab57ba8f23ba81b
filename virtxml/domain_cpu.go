package virtxml

// CPU is the guest CPU model, topology, features and NUMA layout.
type CPU struct {
	Mode        string          `xml:"mode,attr,omitempty"`
	Match       string          `xml:"match,attr,omitempty"`
	Check       string          `xml:"check,attr,omitempty"`
	Migratable  string          `xml:"migratable,attr,omitempty"`
	Attrs       []Attr          `xml:",any,attr"`
	Model       *CPUModel       `xml:"model"`
	Vendor      string          `xml:"vendor,omitempty"`
	Topology    *CPUTopology    `xml:"topology"`
	Cache       *CPUCache       `xml:"cache"`
	MaxPhysAddr *CPUMaxPhysAddr `xml:"maxphysaddr"`
	Features    []CPUFeature    `xml:"feature"`
	NUMA        *NUMA           `xml:"numa"`
	Extra       []*Node         `xml:",any"`
}

// CPUModel names the CPU model.
type CPUModel struct {
	Fallback string `xml:"fallback,attr,omitempty"`
	VendorID string `xml:"vendor_id,attr,omitempty"`
	Name     string `xml:",chardata"`
}

// CPUTopology is the guest CPU topology.
type CPUTopology struct {
	Sockets uint `xml:"sockets,attr"`
	Dies    uint `xml:"dies,attr"`
	Cores   uint `xml:"cores,attr"`
	Threads uint `xml:"threads,attr"`
}

// CPUCache is the CPU cache emulation mode.
type CPUCache struct {
	Level *uint  `xml:"level,attr"`
	Mode  string `xml:"mode,attr"`
}

// CPUMaxPhysAddr is the physical address width.
type CPUMaxPhysAddr struct {
	Mode string `xml:"mode,attr"`
	Bits *uint  `xml:"bits,attr"`
}

// CPUFeature is one CPU feature with its policy.
type CPUFeature struct {
	Policy string `xml:"policy,attr,omitempty"`
	Name   string `xml:"name,attr"`
}

// NUMA is the guest NUMA topology.
type NUMA struct {
	Cells         []NUMACell         `xml:"cell"`
	Interconnects *NUMAInterconnects `xml:"interconnects"`
}

// NUMACell is one guest NUMA node.
type NUMACell struct {
	ID        *uint          `xml:"id,attr"`
	CPUs      string         `xml:"cpus,attr,omitempty"`
	Memory    uint64         `xml:"memory,attr"`
	Unit      string         `xml:"unit,attr,omitempty"`
	MemAccess string         `xml:"memAccess,attr,omitempty"`
	Discard   string         `xml:"discard,attr,omitempty"`
	Distances *NUMADistances `xml:"distances"`
	Caches    []NUMACache    `xml:"cache"`
	// MemoryText keeps the memory attribute as written until postParse.
	MemoryText string `xml:"-"`
}

// NUMADistances lists the distances to other cells.
type NUMADistances struct {
	Siblings []NUMASibling `xml:"sibling"`
}

// NUMASibling is the distance to one other cell.
type NUMASibling struct {
	ID    uint `xml:"id,attr"`
	Value uint `xml:"value,attr"`
}

// NUMACache describes a memory-side cache of a cell.
type NUMACache struct {
	Level         uint           `xml:"level,attr"`
	Associativity string         `xml:"associativity,attr"`
	Policy        string         `xml:"policy,attr"`
	Size          *NUMAValueUnit `xml:"size"`
	Line          *NUMAValueUnit `xml:"line"`
}

// NUMAValueUnit is a value with its unit.
type NUMAValueUnit struct {
	Value uint64 `xml:"value,attr"`
	Unit  string `xml:"unit,attr,omitempty"`
}

// NUMAInterconnects lists latencies and bandwidths between cells.
type NUMAInterconnects struct {
	Latencies  []NUMAInterconnect `xml:"latency"`
	Bandwidths []NUMAInterconnect `xml:"bandwidth"`
}

// NUMAInterconnect is one latency or bandwidth entry.
type NUMAInterconnect struct {
	Initiator uint   `xml:"initiator,attr"`
	Target    uint   `xml:"target,attr"`
	Cache     *uint  `xml:"cache,attr"`
	Type      string `xml:"type,attr"`
	Value     uint64 `xml:"value,attr"`
	Unit      string `xml:"unit,attr,omitempty"`
}

// CPUTune holds the CPU tuning parameters.
type CPUTune struct {
	Shares         *uint64        `xml:"shares"`
	Period         *uint64        `xml:"period"`
	Quota          *int64         `xml:"quota"`
	GlobalPeriod   *uint64        `xml:"global_period"`
	GlobalQuota    *int64         `xml:"global_quota"`
	EmulatorPeriod *uint64        `xml:"emulator_period"`
	EmulatorQuota  *int64         `xml:"emulator_quota"`
	IOThreadPeriod *uint64        `xml:"iothread_period"`
	IOThreadQuota  *int64         `xml:"iothread_quota"`
	VCPUPins       []CPUTunePin   `xml:"vcpupin"`
	EmulatorPin    *CPUTunePin    `xml:"emulatorpin"`
	IOThreadPins   []CPUTunePin   `xml:"iothreadpin"`
	EmulatorSched  *CPUTuneSched  `xml:"emulatorsched"`
	VCPUScheds     []CPUTuneSched `xml:"vcpusched"`
	IOThreadScheds []CPUTuneSched `xml:"iothreadsched"`
	CacheTunes     []CacheTune    `xml:"cachetune"`
	MemoryTunes    []MemoryTune   `xml:"memorytune"`
	Extra          []*Node        `xml:",any"`
}

// CPUTunePin pins a vCPU, the emulator or an I/O thread to host CPUs.
type CPUTunePin struct {
	VCPU     *uint  `xml:"vcpu,attr"`
	IOThread *uint  `xml:"iothread,attr"`
	CPUSet   string `xml:"cpuset,attr"`
}

// CPUTuneSched sets the scheduler of vCPUs, I/O threads or the emulator.
type CPUTuneSched struct {
	VCPUs     string `xml:"vcpus,attr,omitempty"`
	IOThreads string `xml:"iothreads,attr,omitempty"`
	Scheduler string `xml:"scheduler,attr"`
	Priority  *int   `xml:"priority,attr"`
}

// CacheTune allocates host cache to a set of vCPUs.
type CacheTune struct {
	VCPUs    string             `xml:"vcpus,attr"`
	ID       string             `xml:"id,attr,omitempty"`
	Caches   []CacheTuneCache   `xml:"cache"`
	Monitors []CacheTuneMonitor `xml:"monitor"`
}

// CacheTuneCache is one cache allocation.
type CacheTuneCache struct {
	ID    uint   `xml:"id,attr"`
	Level uint   `xml:"level,attr"`
	Type  string `xml:"type,attr"`
	Size  uint64 `xml:"size,attr"`
	Unit  string `xml:"unit,attr,omitempty"`
}

// CacheTuneMonitor monitors cache use of a set of vCPUs.
type CacheTuneMonitor struct {
	Level uint   `xml:"level,attr,omitempty"`
	VCPUs string `xml:"vcpus,attr"`
}

// MemoryTune allocates memory bandwidth to a set of vCPUs.
type MemoryTune struct {
	VCPUs    string             `xml:"vcpus,attr"`
	ID       string             `xml:"id,attr,omitempty"`
	Nodes    []MemoryTuneNode   `xml:"node"`
	Monitors []CacheTuneMonitor `xml:"monitor"`
}

// MemoryTuneNode is the bandwidth share on one host node.
type MemoryTuneNode struct {
	ID        uint `xml:"id,attr"`
	Bandwidth uint `xml:"bandwidth,attr"`
}

// NUMATune is the host NUMA memory policy.
type NUMATune struct {
	Memory   *NUMATuneMemory   `xml:"memory"`
	MemNodes []NUMATuneMemNode `xml:"memnode"`
}

// NUMATuneMemory is the domain-wide memory policy.
type NUMATuneMemory struct {
	Mode      string `xml:"mode,attr,omitempty"`
	NodeSet   string `xml:"nodeset,attr,omitempty"`
	Placement string `xml:"placement,attr,omitempty"`
}

// NUMATuneMemNode is the memory policy of one guest node.
type NUMATuneMemNode struct {
	CellID  uint   `xml:"cellid,attr"`
	Mode    string `xml:"mode,attr,omitempty"`
	NodeSet string `xml:"nodeset,attr,omitempty"`
}

// MemTune holds memory limits, in KiB after parsing.
type MemTune struct {
	HardLimit     *Memory `xml:"hard_limit"`
	SoftLimit     *Memory `xml:"soft_limit"`
	MinGuarantee  *Memory `xml:"min_guarantee"`
	SwapHardLimit *Memory `xml:"swap_hard_limit"`
}

// MemoryBacking says how guest memory is backed on the host.
type MemoryBacking struct {
	HugePages    *HugePages           `xml:"hugepages"`
	NoSharePages bool                 `xml:"nosharepages"`
	Locked       bool                 `xml:"locked"`
	Source       *MemoryBackingSource `xml:"source"`
	Access       *MemoryBackingAccess `xml:"access"`
	Allocation   *MemoryBackingAlloc  `xml:"allocation"`
	Discard      bool                 `xml:"discard"`
	Extra        []*Node              `xml:",any"`
}

// HugePages lists the huge page sizes used.
type HugePages struct {
	Pages []HugePage `xml:"page"`
}

// HugePage is one huge page size, optionally for some guest nodes.
type HugePage struct {
	Size    uint64 `xml:"size,attr"`
	Unit    string `xml:"unit,attr,omitempty"`
	NodeSet string `xml:"nodeset,attr,omitempty"`
}

// MemoryBackingSource is the memory backend type.
type MemoryBackingSource struct {
	Type string `xml:"type,attr"`
}

// MemoryBackingAccess is the shared/private access mode.
type MemoryBackingAccess struct {
	Mode string `xml:"mode,attr"`
}

// MemoryBackingAlloc is the allocation mode.
type MemoryBackingAlloc struct {
	Mode    string `xml:"mode,attr,omitempty"`
	Threads *uint  `xml:"threads,attr"`
}

// BlkioTune holds block I/O tuning.
type BlkioTune struct {
	Weight  *uint             `xml:"weight"`
	Devices []BlkioTuneDevice `xml:"device"`
}

// BlkioTuneDevice tunes one host block device.
type BlkioTuneDevice struct {
	Path          string  `xml:"path"`
	Weight        *uint   `xml:"weight"`
	ReadIOPSSec   *uint64 `xml:"read_iops_sec"`
	WriteIOPSSec  *uint64 `xml:"write_iops_sec"`
	ReadBytesSec  *uint64 `xml:"read_bytes_sec"`
	WriteBytesSec *uint64 `xml:"write_bytes_sec"`
}
