package virt

import "github.com/govirt/govirt/virtxml"

// UUID identifies domains, networks and pools.
type UUID = virtxml.UUID

// DomainState is libvirt's virDomainState.
type DomainState int32

// Domain states.
const (
	DomainNoState     DomainState = 0
	DomainRunning     DomainState = 1
	DomainBlocked     DomainState = 2
	DomainPaused      DomainState = 3
	DomainShutdown    DomainState = 4
	DomainShutoff     DomainState = 5
	DomainCrashed     DomainState = 6
	DomainPMSuspended DomainState = 7
)

// String returns the state as virsh prints it ("running", "shut off", ...).
func (s DomainState) String() string {
	switch s {
	case DomainNoState:
		return "no state"
	case DomainRunning:
		return "running"
	case DomainBlocked:
		return "idle"
	case DomainPaused:
		return "paused"
	case DomainShutdown:
		return "in shutdown"
	case DomainShutoff:
		return "shut off"
	case DomainCrashed:
		return "crashed"
	case DomainPMSuspended:
		return "pmsuspended"
	}
	return "unknown"
}

// Reasons that go with a state (virDomainRunningReason, virDomainPausedReason,
// virDomainShutoffReason, ...). The number's meaning depends on the state.
const (
	ReasonUnknown = 0

	RunningBooted            = 1
	RunningMigrated          = 2
	RunningRestored          = 3
	RunningFromSnapshot      = 4
	RunningUnpaused          = 5
	RunningMigrationCanceled = 6
	RunningSaveCanceled      = 7
	RunningWakeup            = 8
	RunningCrashed           = 9
	RunningPostcopy          = 10

	PausedUser          = 1
	PausedMigration     = 2
	PausedSave          = 3
	PausedDump          = 4
	PausedIOError       = 5
	PausedWatchdog      = 6
	PausedFromSnapshot  = 7
	PausedShuttingDown  = 8
	PausedSnapshot      = 9
	PausedCrashed       = 10
	PausedStartingUp    = 11
	PausedPostcopy      = 12
	PausedPostcopyFail  = 13
	ShutdownUser        = 1
	ShutoffShutdown     = 1
	ShutoffDestroyed    = 2
	ShutoffCrashed      = 3
	ShutoffMigrated     = 4
	ShutoffSaved        = 5
	ShutoffFailed       = 6
	ShutoffFromSnapshot = 7
	ShutoffDaemon       = 8
	CrashedPanicked     = 1
	PMSuspendedUnknown  = 0
)

// DomainInfo is libvirt's virDomainInfo. Memory is in KiB, CPUTime in ns.
type DomainInfo struct {
	State     DomainState
	MaxMem    uint64
	Memory    uint64
	NrVirtCPU uint16
	CPUTime   uint64
}

// NodeInfo is libvirt's virNodeInfo. Memory is in KiB, MHz the CPU clock.
type NodeInfo struct {
	Model   string
	Memory  uint64
	CPUs    uint32
	MHz     uint32
	Nodes   uint32
	Sockets uint32
	Cores   uint32
	Threads uint32
}

// VcpuInfo is libvirt's virVcpuInfo plus the CPU affinity map.
type VcpuInfo struct {
	Number  uint32
	State   int32 // 0 offline, 1 running, 2 blocked
	CPUTime uint64
	CPU     int32
	// Affinity has one entry per host CPU: true where the vCPU may run.
	Affinity []bool
}

// SchedParam is one scheduler parameter (virTypedParameter restricted to
// what schedinfo shows).
type SchedParam struct {
	Field string
	// Value is the parameter's value; its Go type is one of int32, uint32,
	// int64, uint64, float64, bool or string (libvirt's typed parameters).
	Value any
}

// SecurityModel is what a connection's security driver reports.
type SecurityModel struct {
	Model string
	DOI   string
}

// SecurityLabel is a domain's security label.
type SecurityLabel struct {
	Label     string
	Enforcing bool
}

// NetworkInfo gathers what net-info shows about a network.
type NetworkInfo struct {
	Active     bool
	Persistent bool
	Autostart  bool
	Bridge     string
}

// StoragePoolState is libvirt's virStoragePoolState.
type StoragePoolState int32

// Storage pool states.
const (
	PoolInactive     StoragePoolState = 0
	PoolBuilding     StoragePoolState = 1
	PoolRunning      StoragePoolState = 2
	PoolDegraded     StoragePoolState = 3
	PoolInaccessible StoragePoolState = 4
)

// String returns the state as virsh prints it.
func (s StoragePoolState) String() string {
	switch s {
	case PoolInactive:
		return "inactive"
	case PoolBuilding:
		return "building"
	case PoolRunning:
		return "running"
	case PoolDegraded:
		return "degraded"
	case PoolInaccessible:
		return "inaccessible"
	}
	return "unknown"
}

// StoragePoolInfo is libvirt's virStoragePoolInfo; sizes in bytes.
type StoragePoolInfo struct {
	State      StoragePoolState
	Capacity   uint64
	Allocation uint64
	Available  uint64
}

// StorageVolType is libvirt's virStorageVolType.
type StorageVolType int32

// Storage volume types.
const (
	VolFile    StorageVolType = 0
	VolBlock   StorageVolType = 1
	VolDir     StorageVolType = 2
	VolNetwork StorageVolType = 3
	VolNetDir  StorageVolType = 4
	VolPloop   StorageVolType = 5
)

// String returns the type as virsh prints it.
func (t StorageVolType) String() string {
	switch t {
	case VolFile:
		return "file"
	case VolBlock:
		return "block"
	case VolDir:
		return "dir"
	case VolNetwork:
		return "network"
	case VolNetDir:
		return "netdir"
	case VolPloop:
		return "ploop"
	}
	return "unknown"
}

// StorageVolInfo is libvirt's virStorageVolInfo; sizes in bytes.
type StorageVolInfo struct {
	Type       StorageVolType
	Capacity   uint64
	Allocation uint64
}

// ListDomainsFlags filter ListAllDomains (virConnectListAllDomainsFlags).
// Zero lists every domain.
type ListDomainsFlags uint32

// ListAllDomains filters.
const (
	ListDomainsActive        ListDomainsFlags = 1 << 0
	ListDomainsInactive      ListDomainsFlags = 1 << 1
	ListDomainsPersistent    ListDomainsFlags = 1 << 2
	ListDomainsTransient     ListDomainsFlags = 1 << 3
	ListDomainsRunning       ListDomainsFlags = 1 << 4
	ListDomainsPaused        ListDomainsFlags = 1 << 5
	ListDomainsShutoff       ListDomainsFlags = 1 << 6
	ListDomainsOther         ListDomainsFlags = 1 << 7
	ListDomainsManagedSave   ListDomainsFlags = 1 << 8
	ListDomainsNoManagedSave ListDomainsFlags = 1 << 9
	ListDomainsAutostart     ListDomainsFlags = 1 << 10
	ListDomainsNoAutostart   ListDomainsFlags = 1 << 11
	ListDomainsHasSnapshot   ListDomainsFlags = 1 << 12
	ListDomainsNoSnapshot    ListDomainsFlags = 1 << 13
	ListDomainsHasCheckpoint ListDomainsFlags = 1 << 14
	ListDomainsNoCheckpoint  ListDomainsFlags = 1 << 15
)

// ListNetworksFlags filter ListAllNetworks (virConnectListAllNetworksFlags).
type ListNetworksFlags uint32

// ListAllNetworks filters.
const (
	ListNetworksInactive    ListNetworksFlags = 1 << 0
	ListNetworksActive      ListNetworksFlags = 1 << 1
	ListNetworksPersistent  ListNetworksFlags = 1 << 2
	ListNetworksTransient   ListNetworksFlags = 1 << 3
	ListNetworksAutostart   ListNetworksFlags = 1 << 4
	ListNetworksNoAutostart ListNetworksFlags = 1 << 5
)

// ListPoolsFlags filter ListAllStoragePools (virConnectListAllStoragePoolsFlags).
// Bits from 1<<6 up select pool types, as in libvirt.
type ListPoolsFlags uint32

// ListAllStoragePools filters.
const (
	ListPoolsInactive    ListPoolsFlags = 1 << 0
	ListPoolsActive      ListPoolsFlags = 1 << 1
	ListPoolsPersistent  ListPoolsFlags = 1 << 2
	ListPoolsTransient   ListPoolsFlags = 1 << 3
	ListPoolsAutostart   ListPoolsFlags = 1 << 4
	ListPoolsNoAutostart ListPoolsFlags = 1 << 5
	ListPoolsDir         ListPoolsFlags = 1 << 6
	ListPoolsFS          ListPoolsFlags = 1 << 7
	ListPoolsNetFS       ListPoolsFlags = 1 << 8
	ListPoolsLogical     ListPoolsFlags = 1 << 9
	ListPoolsDisk        ListPoolsFlags = 1 << 10
	ListPoolsISCSI       ListPoolsFlags = 1 << 11
	ListPoolsSCSI        ListPoolsFlags = 1 << 12
	ListPoolsMpath       ListPoolsFlags = 1 << 13
	ListPoolsRBD         ListPoolsFlags = 1 << 14
	ListPoolsSheepdog    ListPoolsFlags = 1 << 15
	ListPoolsGluster     ListPoolsFlags = 1 << 16
	ListPoolsZFS         ListPoolsFlags = 1 << 17
	ListPoolsVstorage    ListPoolsFlags = 1 << 18
	ListPoolsISCSIDirect ListPoolsFlags = 1 << 19
)

// DomainXMLFlags select what DomainXML shows (virDomainXMLFlags).
type DomainXMLFlags uint32

// DomainXML flags.
const (
	XMLSecure     DomainXMLFlags = 1 << 0
	XMLInactive   DomainXMLFlags = 1 << 1
	XMLUpdateCPU  DomainXMLFlags = 1 << 2
	XMLMigratable DomainXMLFlags = 1 << 3
)

// ModifyFlags say whether a change applies to the running guest, its
// persistent definition or both (virDomainModificationImpact), together
// with call-specific bits.
type ModifyFlags uint32

// Modification flags. The Vcpu and Mem bits share values, as in libvirt.
const (
	AffectCurrent    ModifyFlags = 0
	AffectLive       ModifyFlags = 1 << 0
	AffectConfig     ModifyFlags = 1 << 1
	VcpuMaximum      ModifyFlags = 1 << 2
	VcpuGuest        ModifyFlags = 1 << 3
	VcpuHotpluggable ModifyFlags = 1 << 4
	MemMaximum       ModifyFlags = 1 << 2
)

// UndefineFlags modify UndefineDomain (virDomainUndefineFlagsValues).
type UndefineFlags uint32

// Undefine flags.
const (
	UndefineManagedSave         UndefineFlags = 1 << 0
	UndefineSnapshotsMetadata   UndefineFlags = 1 << 1
	UndefineNvram               UndefineFlags = 1 << 2
	UndefineKeepNvram           UndefineFlags = 1 << 3
	UndefineCheckpointsMetadata UndefineFlags = 1 << 4
	UndefineTPM                 UndefineFlags = 1 << 5
	UndefineKeepTPM             UndefineFlags = 1 << 6
)

// DefineFlags modify DefineDomain (virDomainDefineFlags).
type DefineFlags uint32

// Define flags.
const (
	DefineValidate DefineFlags = 1 << 0
)

// CreateFlags modify CreateDomain and StartDomain (virDomainCreateFlags).
type CreateFlags uint32

// Create flags.
const (
	StartPaused      CreateFlags = 1 << 0
	StartAutodestroy CreateFlags = 1 << 1
	StartBypassCache CreateFlags = 1 << 2
	StartForceBoot   CreateFlags = 1 << 3
	StartValidate    CreateFlags = 1 << 4
	StartResetNvram  CreateFlags = 1 << 5
)

// DomainEventType is libvirt's virDomainEventType (lifecycle events).
type DomainEventType int32

// Lifecycle event types.
const (
	EventDefined     DomainEventType = 0
	EventUndefined   DomainEventType = 1
	EventStarted     DomainEventType = 2
	EventSuspended   DomainEventType = 3
	EventResumed     DomainEventType = 4
	EventStopped     DomainEventType = 5
	EventShutdown    DomainEventType = 6
	EventPMSuspended DomainEventType = 7
	EventCrashed     DomainEventType = 8
)

// Event details, whose meaning depends on the event type.
const (
	DetailDefinedAdded   = 0
	DetailDefinedUpdated = 1
	DetailDefinedRenamed = 2

	DetailUndefinedRemoved = 0
	DetailUndefinedRenamed = 1

	DetailStartedBooted   = 0
	DetailStartedMigrated = 1
	DetailStartedRestored = 2

	DetailSuspendedPaused   = 0
	DetailSuspendedAPIError = 6

	DetailResumedUnpaused = 0

	DetailStoppedShutdown  = 0
	DetailStoppedDestroyed = 1
	DetailStoppedCrashed   = 2
	DetailStoppedMigrated  = 3
	DetailStoppedSaved     = 4
	DetailStoppedFailed    = 5

	DetailShutdownFinished = 0
	DetailShutdownGuest    = 1
	DetailShutdownHost     = 2

	DetailCrashedPanicked = 0
)

// DomainEvent is a lifecycle event of a domain.
type DomainEvent struct {
	Domain DomainRef
	Type   DomainEventType
	Detail int32
}

// ObjectEventType is the lifecycle event type of networks and pools
// (virNetworkEventLifecycleType, virStoragePoolEventLifecycleType).
type ObjectEventType int32

// Network and storage pool lifecycle events.
const (
	ObjectDefined   ObjectEventType = 0
	ObjectUndefined ObjectEventType = 1
	ObjectStarted   ObjectEventType = 2
	ObjectStopped   ObjectEventType = 3
	ObjectCreated   ObjectEventType = 4 // pools only
	ObjectDeleted   ObjectEventType = 5 // pools only
)

// NetworkEvent is a lifecycle event of a network.
type NetworkEvent struct {
	Network NetworkRef
	Type    ObjectEventType
}

// StoragePoolEvent is a lifecycle event of a storage pool.
type StoragePoolEvent struct {
	Pool StoragePoolRef
	Type ObjectEventType
}

// DomainRef names a domain as libvirt's virDomainPtr does. ID is -1 when
// the domain is not running.
type DomainRef struct {
	Name string
	UUID UUID
	ID   int32
}

// NetworkRef names a network.
type NetworkRef struct {
	Name string
	UUID UUID
}

// StoragePoolRef names a storage pool.
type StoragePoolRef struct {
	Name string
	UUID UUID
}

// StorageVolRef names a storage volume: its pool, name and key.
type StorageVolRef struct {
	Pool string
	Name string
	Key  string
}
