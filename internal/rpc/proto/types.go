package proto

// This file declares the REMOTE program's argument, reply and message
// types that govirt speaks, field for field in libvirt's wire order. gen/
// reads it and writes their XDR codecs into types_xdr.go. Field types map
// to XDR as follows: string = remote_nonnull_string, *string =
// remote_string, int32/uint32/int64/uint64/float64 = int/unsigned
// int/hyper/unsigned hyper/double, UUID = remote_uuid, []byte = variable
// opaque (tag `xdr:"chars"`: a char array, 4 bytes per char), a string
// tagged `xdr:"fixedchars=N"` = char[N], []T = variable array, *T =
// optional T. `xdr:"max=N"` bounds strings and arrays.

// Limits from remote_protocol.x.
const (
	StringMax              = 4194304
	DomainListMax          = 16384
	NetworkListMax         = 16384
	InterfaceListMax       = 16384
	StoragePoolListMax     = 16384
	StorageVolListMax      = 16384
	AuthTypeListMax        = 20
	SecurityModelMax       = 257
	SecurityLabelMax       = 4097
	SecurityDOIMax         = 257
	DomainMessagesMax      = 2048
	SchedulerParamsMax     = 16
	VcpuInfoMax            = 16384
	CpumapsMax             = 8388608
	CpumapMax              = 2048
	ErrorStringMax         = StringMax
	DomainEventIDLast      = 27
	NetworkEventIDLast     = 2
	StoragePoolEventIDLast = 2
)

// UUID is remote_uuid: 16 raw bytes.
type UUID [16]byte

// Domain is remote_nonnull_domain. ID is -1 for an inactive domain.
type Domain struct {
	Name string
	UUID UUID
	ID   int32
}

// Network is remote_nonnull_network.
type Network struct {
	Name string
	UUID UUID
}

// StoragePool is remote_nonnull_storage_pool.
type StoragePool struct {
	Name string
	UUID UUID
}

// StorageVol is remote_nonnull_storage_vol.
type StorageVol struct {
	Pool string
	Name string
	Key  string
}

// Interface is remote_nonnull_interface.
type Interface struct {
	Name string
	MAC  string
}

// Error is remote_error (virNetMessageError), the payload of every failed
// reply.
type Error struct {
	Code    int32
	Domain  int32
	Message *string
	Level   int32
	Dom     *Domain
	Str1    *string
	Str2    *string
	Str3    *string
	Int1    int32
	Int2    int32
	Net     *Network
}

// VcpuInfo is remote_vcpu_info.
type VcpuInfo struct {
	Number  uint32
	State   int32
	CPUTime uint64
	CPU     int32
}

// TypedParam is remote_typed_param; its value is a union (TypedParamValue,
// coded by hand in typedparam.go).
type TypedParam struct {
	Field string
	Value TypedParamValue
}

// ConnectOpenArgs is remote_connect_open_args.
type ConnectOpenArgs struct {
	Name  *string
	Flags uint32
}

// ConnectSupportsFeatureArgs is remote_connect_supports_feature_args.
type ConnectSupportsFeatureArgs struct{ Feature int32 }

// ConnectSupportsFeatureRet is remote_connect_supports_feature_ret.
type ConnectSupportsFeatureRet struct{ Supported int32 }

// StringRet is every reply made of one remote_nonnull_string (type, URI,
// hostname, capabilities, XML descriptions, OS type, bridge and volume path).
type StringRet struct{ Str string }

// Uint64Ret is every reply made of one unsigned hyper (versions, memory).
type Uint64Ret struct{ Value uint64 }

// IntRet is every reply made of one int (num, active, persistent,
// autostart, result, callbackID, ...).
type IntRet struct{ Value int32 }

// IntArgs is every argument made of one int (maxnames, maxids, id, eventID,
// callbackID).
type IntArgs struct{ Value int32 }

// FlagsArgs is every argument made of one unsigned int (flags).
type FlagsArgs struct{ Flags uint32 }

// NameArgs is every argument made of one remote_nonnull_string (a name,
// key, path, MAC or XML document).
type NameArgs struct{ Name string }

// StringFlagsArgs is every argument made of a string and flags (define and
// create from XML with flags).
type StringFlagsArgs struct {
	Str   string
	Flags uint32
}

// UUIDArgs is every lookup by UUID.
type UUIDArgs struct{ UUID UUID }

// NamesRet is every reply made of a list of names.
type NamesRet struct {
	Names []string `xdr:"max=16384"`
}

// NodeGetInfoRet is remote_node_get_info_ret.
type NodeGetInfoRet struct {
	Model   string `xdr:"fixedchars=32"`
	Memory  uint64
	CPUs    int32
	MHz     int32
	Nodes   int32
	Sockets int32
	Cores   int32
	Threads int32
}

// AuthListRet is remote_auth_list_ret.
type AuthListRet struct {
	Types []int32 `xdr:"max=20"`
}

// AuthPolkitRet is remote_auth_polkit_ret.
type AuthPolkitRet struct{ Complete int32 }

// NodeGetSecurityModelRet is remote_node_get_security_model_ret.
type NodeGetSecurityModelRet struct {
	Model []byte `xdr:"chars,max=257"`
	DOI   []byte `xdr:"chars,max=257"`
}

// NodeGetCPUMapArgs is remote_node_get_cpu_map_args.
type NodeGetCPUMapArgs struct {
	NeedMap    int32
	NeedOnline int32
	Flags      uint32
}

// NodeGetCPUMapRet is remote_node_get_cpu_map_ret.
type NodeGetCPUMapRet struct {
	Cpumap []byte `xdr:"max=2048"`
	Online uint32
	Ret    int32
}

// ListAllArgs is every CONNECT_LIST_ALL_* argument.
type ListAllArgs struct {
	NeedResults int32
	Flags       uint32
}

// DomainArgs is every argument made of one domain.
type DomainArgs struct{ Dom Domain }

// DomainFlagsArgs is every argument made of a domain and flags.
type DomainFlagsArgs struct {
	Dom   Domain
	Flags uint32
}

// DomainRet is every reply made of one domain.
type DomainRet struct{ Dom Domain }

// DomainIntArgs is a domain and an int (set autostart).
type DomainIntArgs struct {
	Dom   Domain
	Value int32
}

// DomainUint64Args is a domain and an unsigned hyper (set memory).
type DomainUint64Args struct {
	Dom   Domain
	Value uint64
}

// DomainUint64FlagsArgs is remote_domain_set_memory_flags_args.
type DomainUint64FlagsArgs struct {
	Dom   Domain
	Value uint64
	Flags uint32
}

// DomainUint32Args is a domain and an unsigned int (set vcpus).
type DomainUint32Args struct {
	Dom   Domain
	Value uint32
}

// DomainUint32FlagsArgs is remote_domain_set_vcpus_flags_args.
type DomainUint32FlagsArgs struct {
	Dom   Domain
	Value uint32
	Flags uint32
}

// DomainGetInfoRet is remote_domain_get_info_ret.
type DomainGetInfoRet struct {
	State     int32
	MaxMem    uint64
	Memory    uint64
	NrVirtCPU int32
	CPUTime   uint64
}

// DomainGetStateRet is remote_domain_get_state_ret.
type DomainGetStateRet struct {
	State  int32
	Reason int32
}

// DomainListRet is remote_connect_list_all_domains_ret.
type DomainListRet struct {
	Domains []Domain `xdr:"max=16384"`
	Ret     uint32
}

// IDsRet is remote_connect_list_domains_ret.
type IDsRet struct {
	IDs []int32 `xdr:"max=16384"`
}

// DomainGetVcpusArgs is remote_domain_get_vcpus_args.
type DomainGetVcpusArgs struct {
	Dom     Domain
	Maxinfo int32
	Maplen  int32
}

// DomainGetVcpusRet is remote_domain_get_vcpus_ret.
type DomainGetVcpusRet struct {
	Info    []VcpuInfo `xdr:"max=16384"`
	Cpumaps []byte     `xdr:"max=8388608"`
}

// DomainGetVcpuPinInfoArgs is remote_domain_get_vcpu_pin_info_args.
type DomainGetVcpuPinInfoArgs struct {
	Dom      Domain
	Ncpumaps int32
	Maplen   int32
	Flags    uint32
}

// DomainGetVcpuPinInfoRet is remote_domain_get_vcpu_pin_info_ret.
type DomainGetVcpuPinInfoRet struct {
	Cpumaps []byte `xdr:"max=8388608"`
	Num     int32
}

// DomainGetSchedulerTypeRet is remote_domain_get_scheduler_type_ret.
type DomainGetSchedulerTypeRet struct {
	Type    string
	Nparams int32
}

// DomainGetSchedulerParametersArgs is
// remote_domain_get_scheduler_parameters_flags_args (the flagless variant
// has no Flags field and is coded by DomainIntArgs).
type DomainGetSchedulerParametersArgs struct {
	Dom     Domain
	Nparams int32
	Flags   uint32
}

// TypedParamsRet is every reply made of a typed parameter list alone.
type TypedParamsRet struct {
	Params []TypedParam `xdr:"max=16"`
}

// DomainSetSchedulerParametersArgs is
// remote_domain_set_scheduler_parameters_args.
type DomainSetSchedulerParametersArgs struct {
	Dom    Domain
	Params []TypedParam `xdr:"max=16"`
}

// DomainSetSchedulerParametersFlagsArgs is
// remote_domain_set_scheduler_parameters_flags_args.
type DomainSetSchedulerParametersFlagsArgs struct {
	Dom    Domain
	Params []TypedParam `xdr:"max=16"`
	Flags  uint32
}

// DomainGetSecurityLabelRet is remote_domain_get_security_label_ret.
type DomainGetSecurityLabelRet struct {
	Label     []byte `xdr:"chars,max=4097"`
	Enforcing int32
}

// DomainGetMessagesRet is remote_domain_get_messages_ret.
type DomainGetMessagesRet struct {
	Msgs []string `xdr:"max=2048"`
}

// DomainOpenConsoleArgs is remote_domain_open_console_args.
type DomainOpenConsoleArgs struct {
	Dom     Domain
	DevName *string
	Flags   uint32
}

// DomainEventCallbackRegisterAnyArgs is
// remote_connect_domain_event_callback_register_any_args.
type DomainEventCallbackRegisterAnyArgs struct {
	EventID int32
	Dom     *Domain
}

// DomainEventLifecycleMsg is remote_domain_event_lifecycle_msg.
type DomainEventLifecycleMsg struct {
	Dom    Domain
	Event  int32
	Detail int32
}

// DomainEventCallbackLifecycleMsg is
// remote_domain_event_callback_lifecycle_msg.
type DomainEventCallbackLifecycleMsg struct {
	CallbackID int32
	Msg        DomainEventLifecycleMsg
}

// NetworkEventRegisterAnyArgs is
// remote_connect_network_event_register_any_args.
type NetworkEventRegisterAnyArgs struct {
	EventID int32
	Net     *Network
}

// NetworkEventLifecycleMsg is remote_network_event_lifecycle_msg.
type NetworkEventLifecycleMsg struct {
	CallbackID int32
	Net        Network
	Event      int32
	Detail     int32
}

// StoragePoolEventRegisterAnyArgs is
// remote_connect_storage_pool_event_register_any_args.
type StoragePoolEventRegisterAnyArgs struct {
	EventID int32
	Pool    *StoragePool
}

// StoragePoolEventLifecycleMsg is remote_storage_pool_event_lifecycle_msg.
type StoragePoolEventLifecycleMsg struct {
	CallbackID int32
	Pool       StoragePool
	Event      int32
	Detail     int32
}

// NetworkArgs is every argument made of one network.
type NetworkArgs struct{ Net Network }

// NetworkFlagsArgs is a network and flags.
type NetworkFlagsArgs struct {
	Net   Network
	Flags uint32
}

// NetworkIntArgs is a network and an int (set autostart).
type NetworkIntArgs struct {
	Net   Network
	Value int32
}

// NetworkRet is every reply made of one network.
type NetworkRet struct{ Net Network }

// NetworkListRet is remote_connect_list_all_networks_ret.
type NetworkListRet struct {
	Nets []Network `xdr:"max=16384"`
	Ret  uint32
}

// PoolArgs is every argument made of one storage pool.
type PoolArgs struct{ Pool StoragePool }

// PoolFlagsArgs is a storage pool and flags.
type PoolFlagsArgs struct {
	Pool  StoragePool
	Flags uint32
}

// PoolIntArgs is a storage pool and an int (set autostart, maxnames).
type PoolIntArgs struct {
	Pool  StoragePool
	Value int32
}

// PoolRet is every reply made of one storage pool.
type PoolRet struct{ Pool StoragePool }

// PoolListRet is remote_connect_list_all_storage_pools_ret.
type PoolListRet struct {
	Pools []StoragePool `xdr:"max=16384"`
	Ret   uint32
}

// PoolGetInfoRet is remote_storage_pool_get_info_ret.
type PoolGetInfoRet struct {
	State      int32
	Capacity   uint64
	Allocation uint64
	Available  uint64
}

// PoolListAllVolumesArgs is remote_storage_pool_list_all_volumes_args.
type PoolListAllVolumesArgs struct {
	Pool        StoragePool
	NeedResults int32
	Flags       uint32
}

// VolListRet is remote_storage_pool_list_all_volumes_ret.
type VolListRet struct {
	Vols []StorageVol `xdr:"max=16384"`
	Ret  uint32
}

// VolCreateXMLArgs is remote_storage_vol_create_xml_args.
type VolCreateXMLArgs struct {
	Pool  StoragePool
	XML   string
	Flags uint32
}

// VolCreateXMLFromArgs is remote_storage_vol_create_xml_from_args.
type VolCreateXMLFromArgs struct {
	Pool     StoragePool
	XML      string
	Clonevol StorageVol
	Flags    uint32
}

// VolLookupByNameArgs is remote_storage_vol_lookup_by_name_args.
type VolLookupByNameArgs struct {
	Pool StoragePool
	Name string
}

// VolArgs is every argument made of one volume.
type VolArgs struct{ Vol StorageVol }

// VolFlagsArgs is a volume and flags.
type VolFlagsArgs struct {
	Vol   StorageVol
	Flags uint32
}

// VolRet is every reply made of one volume.
type VolRet struct{ Vol StorageVol }

// VolGetInfoRet is remote_storage_vol_get_info_ret.
type VolGetInfoRet struct {
	Type       int32
	Capacity   uint64
	Allocation uint64
}

// VolTransferArgs is remote_storage_vol_upload_args and _download_args.
type VolTransferArgs struct {
	Vol    StorageVol
	Offset uint64
	Length uint64
	Flags  uint32
}

// InterfaceArgs is every argument made of one host interface.
type InterfaceArgs struct{ Iface Interface }

// InterfaceFlagsArgs is a host interface and flags.
type InterfaceFlagsArgs struct {
	Iface Interface
	Flags uint32
}

// InterfaceRet is every reply made of one host interface.
type InterfaceRet struct{ Iface Interface }

// InterfaceListRet is remote_connect_list_all_interfaces_ret.
type InterfaceListRet struct {
	Ifaces []Interface `xdr:"max=16384"`
	Ret    uint32
}

// StreamHole is virNetStreamHole, the payload of a STREAM_HOLE message.
type StreamHole struct {
	Length int64
	Flags  uint32
}
