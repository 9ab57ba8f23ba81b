package virt

import (
	"context"
	"net/url"
)

// This file is the driver side of the API: the small interfaces that a
// hypervisor driver (test, qemu, remote) implements. They are public only
// because Go needs them to be for the driver packages of this module; they
// may grow between releases and are not meant to be implemented elsewhere.
//
// A driver implements ConnDriver and, for each object family it supports,
// the family's interfaces. virt discovers them with type assertions and
// answers VIR_ERR_NO_SUPPORT for the rest; drivers can embed
// internal/driver.Unsupported to get that answer for single methods too.

// Driver opens connections for the URIs it claims.
type Driver interface {
	// Name is the driver's name, the URI scheme it claims ("test", "qemu").
	Name() string
	// Open connects to uri. It returns (nil, nil) when the URI is not for
	// this driver after all (wrong host or path), so that another may try.
	Open(ctx context.Context, uri *url.URL, flags OpenFlags) (ConnDriver, error)
}

// OpenFlags modify Open (virConnectFlags).
type OpenFlags uint32

// Open flags.
const (
	OpenReadOnlyFlag OpenFlags = 1 << 0
	OpenNoAliases    OpenFlags = 1 << 1
)

// ConnDriver is an open connection to one hypervisor node.
type ConnDriver interface {
	// Close releases the connection. Events stop.
	Close() error
	// URI returns the canonical URI of the connection.
	URI() string
	// Type returns the hypervisor name libvirt reports ("TEST", "QEMU").
	Type() string
	// Version returns the hypervisor version as major*1e6+minor*1e3+micro.
	Version(ctx context.Context) (uint64, error)
	// Hostname returns the node's host name.
	Hostname(ctx context.Context) (string, error)
	// NodeInfo describes the node's CPUs and memory.
	NodeInfo(ctx context.Context) (NodeInfo, error)
	// Capabilities returns the capabilities XML document.
	Capabilities(ctx context.Context) (string, error)
}

// DomainStore finds, lists, defines and describes domains.
type DomainStore interface {
	LookupDomainByName(ctx context.Context, name string) (DomainRef, error)
	LookupDomainByUUID(ctx context.Context, uuid UUID) (DomainRef, error)
	LookupDomainByID(ctx context.Context, id int32) (DomainRef, error)
	ListDomains(ctx context.Context, flags ListDomainsFlags) ([]DomainRef, error)
	DefineDomain(ctx context.Context, xml string, flags DefineFlags) (DomainRef, error)
	UndefineDomain(ctx context.Context, d DomainRef, flags UndefineFlags) error
	DomainXML(ctx context.Context, d DomainRef, flags DomainXMLFlags) (string, error)
	DomainInfo(ctx context.Context, d DomainRef) (DomainInfo, error)
	// DomainState returns the state and the reason for it.
	DomainState(ctx context.Context, d DomainRef) (DomainState, int, error)
	// DomainFlags reports whether the domain is persistent, has autostart
	// set and has a managed save image.
	DomainFlags(ctx context.Context, d DomainRef) (DomainFlagSet, error)
	SetDomainAutostart(ctx context.Context, d DomainRef, on bool) error
}

// DomainFlagSet is a domain's persistent-config facts.
type DomainFlagSet struct {
	Persistent  bool
	Autostart   bool
	ManagedSave bool
	OSType      string
}

// DomainLifecycle starts and stops domains.
type DomainLifecycle interface {
	CreateDomain(ctx context.Context, xml string, flags CreateFlags) (DomainRef, error)
	StartDomain(ctx context.Context, d DomainRef, flags CreateFlags) (DomainRef, error)
	ShutdownDomain(ctx context.Context, d DomainRef, flags uint32) error
	DestroyDomain(ctx context.Context, d DomainRef, flags uint32) error
	RebootDomain(ctx context.Context, d DomainRef, flags uint32) error
	ResetDomain(ctx context.Context, d DomainRef) error
	SuspendDomain(ctx context.Context, d DomainRef) error
	ResumeDomain(ctx context.Context, d DomainRef) error
}

// DomainTuner changes a domain's resources.
type DomainTuner interface {
	SetDomainMemory(ctx context.Context, d DomainRef, kib uint64, flags ModifyFlags) error
	SetDomainVcpus(ctx context.Context, d DomainRef, n uint32, flags ModifyFlags) error
	DomainVcpuCount(ctx context.Context, d DomainRef, flags ModifyFlags) (int32, error)
	DomainVcpus(ctx context.Context, d DomainRef) ([]VcpuInfo, error)
	// DomainScheduler returns the scheduler type and its parameters.
	DomainScheduler(ctx context.Context, d DomainRef, flags ModifyFlags) (string, []SchedParam, error)
	SetDomainScheduler(ctx context.Context, d DomainRef, params []SchedParam, flags ModifyFlags) error
}

// DomainSecurity reports security models and labels (dominfo shows them).
type DomainSecurity interface {
	SecurityModel(ctx context.Context) (SecurityModel, error)
	DomainSecurityLabel(ctx context.Context, d DomainRef) (SecurityLabel, error)
}

// DomainEvents delivers lifecycle events until ctx is done or the
// connection closes; then the channel is closed.
type DomainEvents interface {
	DomainEvents(ctx context.Context) (<-chan DomainEvent, error)
}

// NetworkDriver manages virtual networks.
type NetworkDriver interface {
	LookupNetworkByName(ctx context.Context, name string) (NetworkRef, error)
	LookupNetworkByUUID(ctx context.Context, uuid UUID) (NetworkRef, error)
	ListNetworks(ctx context.Context, flags ListNetworksFlags) ([]NetworkRef, error)
	DefineNetwork(ctx context.Context, xml string) (NetworkRef, error)
	CreateNetwork(ctx context.Context, xml string) (NetworkRef, error)
	UndefineNetwork(ctx context.Context, n NetworkRef) error
	StartNetwork(ctx context.Context, n NetworkRef) error
	DestroyNetwork(ctx context.Context, n NetworkRef) error
	NetworkXML(ctx context.Context, n NetworkRef, flags uint32) (string, error)
	NetworkInfo(ctx context.Context, n NetworkRef) (NetworkInfo, error)
	SetNetworkAutostart(ctx context.Context, n NetworkRef, on bool) error
}

// NetworkEvents delivers network lifecycle events.
type NetworkEvents interface {
	NetworkEvents(ctx context.Context) (<-chan NetworkEvent, error)
}

// StoragePoolDriver manages storage pools.
type StoragePoolDriver interface {
	LookupPoolByName(ctx context.Context, name string) (StoragePoolRef, error)
	LookupPoolByUUID(ctx context.Context, uuid UUID) (StoragePoolRef, error)
	ListPools(ctx context.Context, flags ListPoolsFlags) ([]StoragePoolRef, error)
	DefinePool(ctx context.Context, xml string) (StoragePoolRef, error)
	CreatePool(ctx context.Context, xml string, flags uint32) (StoragePoolRef, error)
	UndefinePool(ctx context.Context, p StoragePoolRef) error
	PoolXML(ctx context.Context, p StoragePoolRef, flags uint32) (string, error)
	PoolInfo(ctx context.Context, p StoragePoolRef) (StoragePoolInfo, error)
	// PoolFlags reports whether the pool is persistent and autostarted.
	PoolFlags(ctx context.Context, p StoragePoolRef) (persistent, autostart bool, err error)
	SetPoolAutostart(ctx context.Context, p StoragePoolRef, on bool) error
}

// StoragePoolLifecycle builds, starts, stops, refreshes and deletes pools.
type StoragePoolLifecycle interface {
	BuildPool(ctx context.Context, p StoragePoolRef, flags uint32) error
	StartPool(ctx context.Context, p StoragePoolRef, flags uint32) error
	DestroyPool(ctx context.Context, p StoragePoolRef) error
	DeletePool(ctx context.Context, p StoragePoolRef, flags uint32) error
	RefreshPool(ctx context.Context, p StoragePoolRef) error
}

// StorageVolDriver manages the volumes of pools.
type StorageVolDriver interface {
	LookupVolByName(ctx context.Context, p StoragePoolRef, name string) (StorageVolRef, error)
	LookupVolByKey(ctx context.Context, key string) (StorageVolRef, error)
	LookupVolByPath(ctx context.Context, path string) (StorageVolRef, error)
	ListVols(ctx context.Context, p StoragePoolRef) ([]StorageVolRef, error)
	CreateVol(ctx context.Context, p StoragePoolRef, xml string, flags uint32) (StorageVolRef, error)
	CloneVol(ctx context.Context, p StoragePoolRef, xml string, from StorageVolRef, flags uint32) (StorageVolRef, error)
	DeleteVol(ctx context.Context, v StorageVolRef, flags uint32) error
	VolXML(ctx context.Context, v StorageVolRef) (string, error)
	VolInfo(ctx context.Context, v StorageVolRef) (StorageVolInfo, error)
	VolPath(ctx context.Context, v StorageVolRef) (string, error)
}

// StoragePoolEvents delivers storage pool lifecycle events.
type StoragePoolEvents interface {
	StoragePoolEvents(ctx context.Context) (<-chan StoragePoolEvent, error)
}

// DomainSaver stops domains into a managed save image that their next start
// resumes from (virDomainManagedSave).
type DomainSaver interface {
	ManagedSaveDomain(ctx context.Context, d DomainRef, flags uint32) error
	ManagedSaveRemove(ctx context.Context, d DomainRef, flags uint32) error
}
