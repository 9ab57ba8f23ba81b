package virtxml

// Disk is a <disk> device.
type Disk struct {
	Type     string `xml:"type,attr,omitempty"`
	Device   string `xml:"device,attr,omitempty"`
	Model    string `xml:"model,attr,omitempty"`
	RawIO    string `xml:"rawio,attr,omitempty"`
	SGIO     string `xml:"sgio,attr,omitempty"`
	Snapshot string `xml:"snapshot,attr,omitempty"`
	Attrs    []Attr `xml:",any,attr"`

	Driver        *DiskDriver    `xml:"driver"`
	Auth          *DiskAuth      `xml:"auth"`
	Source        *DiskSource    `xml:"source"`
	BackingStore  *BackingStore  `xml:"backingStore"`
	BackendDomain *BackendDomain `xml:"backenddomain"`
	Mirror        *DiskMirror    `xml:"mirror"`
	Geometry      *DiskGeometry  `xml:"geometry"`
	BlockIO       *DiskBlockIO   `xml:"blockio"`
	Target        *DiskTarget    `xml:"target"`
	IOTune        *DiskIOTune    `xml:"iotune"`
	ReadOnly      bool           `xml:"readonly"`
	Shareable     bool           `xml:"shareable"`
	Transient     *DiskTransient `xml:"transient"`
	Serial        string         `xml:"serial,omitempty"`
	WWN           string         `xml:"wwn,omitempty"`
	Vendor        string         `xml:"vendor,omitempty"`
	Product       string         `xml:"product,omitempty"`
	Encryption    *Encryption    `xml:"encryption"`
	Boot          *DeviceBoot    `xml:"boot"`
	ACPI          *DeviceACPI    `xml:"acpi"`
	Alias         *DeviceAlias   `xml:"alias"`
	Address       *Address       `xml:"address"`
	Extra         []*Node        `xml:",any"`

	// autoAddress records that libvirt's rules assigned the address.
	autoAddress bool
}

// DiskTransient marks a disk whose changes are discarded at shutdown.
type DiskTransient struct {
	ShareBacking string `xml:"shareBacking,attr,omitempty"`
}

// DiskDriver is the hypervisor driver options of a disk.
type DiskDriver struct {
	Name         string `xml:"name,attr,omitempty"`
	Type         string `xml:"type,attr,omitempty"`
	Cache        string `xml:"cache,attr,omitempty"`
	ErrorPolicy  string `xml:"error_policy,attr,omitempty"`
	RErrorPolicy string `xml:"rerror_policy,attr,omitempty"`
	IO           string `xml:"io,attr,omitempty"`
	IOEventFD    string `xml:"ioeventfd,attr,omitempty"`
	EventIdx     string `xml:"event_idx,attr,omitempty"`
	CopyOnRead   string `xml:"copy_on_read,attr,omitempty"`
	Discard      string `xml:"discard,attr,omitempty"`
	IOThread     *uint  `xml:"iothread,attr"`
	DetectZeroes string `xml:"detect_zeroes,attr,omitempty"`
	Queues       *uint  `xml:"queues,attr"`
	QueueSize    *uint  `xml:"queue_size,attr"`
	VirtioOptions
	MetadataCache *DiskMetadataCache `xml:"metadata_cache"`
	Attrs         []Attr             `xml:",any,attr"`
	Extra         []*Node            `xml:",any"`
}

// VirtioOptions are the virtio transport options shared by virtio devices.
type VirtioOptions struct {
	IOMMU     string `xml:"iommu,attr,omitempty"`
	ATS       string `xml:"ats,attr,omitempty"`
	Packed    string `xml:"packed,attr,omitempty"`
	PagePerVQ string `xml:"page_per_vq,attr,omitempty"`
}

// DiskMetadataCache bounds the qcow2 metadata cache.
type DiskMetadataCache struct {
	MaxSize *ScaledValue `xml:"max_size"`
}

// DiskAuth is the authentication for a network disk.
type DiskAuth struct {
	Username string      `xml:"username,attr,omitempty"`
	Secret   *DiskSecret `xml:"secret"`
}

// DiskSecret names the secret holding a password or key.
type DiskSecret struct {
	Type  string `xml:"type,attr,omitempty"`
	Usage string `xml:"usage,attr,omitempty"`
	UUID  string `xml:"uuid,attr,omitempty"`
}

// DiskSource is where a disk's data comes from. Which attributes apply
// depends on the disk type.
type DiskSource struct {
	File          string              `xml:"file,attr,omitempty"`
	Dev           string              `xml:"dev,attr,omitempty"`
	Dir           string              `xml:"dir,attr,omitempty"`
	Protocol      string              `xml:"protocol,attr,omitempty"`
	Name          string              `xml:"name,attr,omitempty"`
	Query         string              `xml:"query,attr,omitempty"`
	TLS           string              `xml:"tls,attr,omitempty"`
	TLSHostname   string              `xml:"tlsHostname,attr,omitempty"`
	Pool          string              `xml:"pool,attr,omitempty"`
	Volume        string              `xml:"volume,attr,omitempty"`
	Mode          string              `xml:"mode,attr,omitempty"`
	Type          string              `xml:"type,attr,omitempty"`
	Managed       string              `xml:"managed,attr,omitempty"`
	Namespace     string              `xml:"namespace,attr,omitempty"`
	Path          string              `xml:"path,attr,omitempty"`
	StartupPolicy string              `xml:"startupPolicy,attr,omitempty"`
	Index         string              `xml:"index,attr,omitempty"`
	Attrs         []Attr              `xml:",any,attr"`
	Address       *HostdevAddress     `xml:"address"`
	Hosts         []DiskSourceHost    `xml:"host"`
	Snapshot      *DiskSourceName     `xml:"snapshot"`
	Config        *DiskSourceFile     `xml:"config"`
	Initiator     *DiskInitiator      `xml:"initiator"`
	SSL           *DiskSourceSSL      `xml:"ssl"`
	Cookies       *DiskCookies        `xml:"cookies"`
	Readahead     *DiskSourceSize     `xml:"readahead"`
	Timeout       *DiskSourceTimeout  `xml:"timeout"`
	Identity      *DiskSourceIdentity `xml:"identity"`
	Reconnect     *Reconnect          `xml:"reconnect"`
	Slices        *DiskSlices         `xml:"slices"`
	SecLabels     []SecLabel          `xml:"seclabel"`
	Auth          *DiskAuth           `xml:"auth"`
	Encryption    *Encryption         `xml:"encryption"`
	Reservations  *DiskReservations   `xml:"reservations"`
	DataStore     *DataStore          `xml:"dataStore"`
	Extra         []*Node             `xml:",any"`
}

// DiskSourceHost is one server of a network disk.
type DiskSourceHost struct {
	Name      string `xml:"name,attr,omitempty"`
	Port      string `xml:"port,attr,omitempty"`
	Transport string `xml:"transport,attr,omitempty"`
	Socket    string `xml:"socket,attr,omitempty"`
}

// DiskSourceName names a snapshot.
type DiskSourceName struct {
	Name string `xml:"name,attr"`
}

// DiskSourceFile names a configuration file.
type DiskSourceFile struct {
	File string `xml:"file,attr"`
}

// DiskReservations configures SCSI persistent reservations.
type DiskReservations struct {
	Enabled string      `xml:"enabled,attr,omitempty"`
	Managed string      `xml:"managed,attr,omitempty"`
	Source  *CharSource `xml:"source"`
}

// DiskInitiator is the iSCSI initiator.
type DiskInitiator struct {
	IQN *DiskSourceName `xml:"iqn"`
}

// DiskSourceSSL sets TLS verification for HTTPS/FTPS disks.
type DiskSourceSSL struct {
	Verify string `xml:"verify,attr"`
}

// DiskCookies lists HTTP cookies sent with requests.
type DiskCookies struct {
	Cookies []DiskCookie `xml:"cookie"`
}

// DiskCookie is one HTTP cookie.
type DiskCookie struct {
	Name  string `xml:"name,attr"`
	Value string `xml:",chardata"`
}

// DiskSourceSize is a readahead size.
type DiskSourceSize struct {
	Size uint64 `xml:"size,attr"`
}

// DiskSourceTimeout is a network timeout in seconds.
type DiskSourceTimeout struct {
	Seconds uint64 `xml:"seconds,attr"`
}

// DiskSourceIdentity is the user and group used to reach an NFS source.
type DiskSourceIdentity struct {
	User  string `xml:"user,attr,omitempty"`
	Group string `xml:"group,attr,omitempty"`
}

// Reconnect sets the reconnect policy of a socket.
type Reconnect struct {
	Enabled string `xml:"enabled,attr"`
	Timeout *uint  `xml:"timeout,attr"`
}

// DiskSlices lists the slices of an image used.
type DiskSlices struct {
	Slices []DiskSlice `xml:"slice"`
}

// DiskSlice is one slice (offset and size) of an image.
type DiskSlice struct {
	Type   string `xml:"type,attr"`
	Offset uint64 `xml:"offset,attr"`
	Size   uint64 `xml:"size,attr"`
}

// DataStore is an external data file of a qcow2 image.
type DataStore struct {
	Type   string      `xml:"type,attr"`
	Format *DiskFormat `xml:"format"`
	Source *DiskSource `xml:"source"`
}

// BackingStore is one image of a disk's backing chain.
type BackingStore struct {
	Type         string        `xml:"type,attr,omitempty"`
	Index        string        `xml:"index,attr,omitempty"`
	Format       *DiskFormat   `xml:"format"`
	Source       *DiskSource   `xml:"source"`
	BackingStore *BackingStore `xml:"backingStore"`
	// Empty marks an explicit empty <backingStore/> (end of the chain).
	Empty bool `xml:"-"`
}

// DiskFormat is an image format.
type DiskFormat struct {
	Type string `xml:"type,attr"`
}

// BackendDomain is the domain providing a Xen backend.
type BackendDomain struct {
	Name string `xml:"name,attr"`
}

// DiskMirror is an ongoing block copy.
type DiskMirror struct {
	Type         string        `xml:"type,attr,omitempty"`
	File         string        `xml:"file,attr,omitempty"`
	Format       string        `xml:"format,attr,omitempty"`
	Job          string        `xml:"job,attr,omitempty"`
	Ready        string        `xml:"ready,attr,omitempty"`
	FormatElem   *DiskFormat   `xml:"format"`
	Source       *DiskSource   `xml:"source"`
	BackingStore *BackingStore `xml:"backingStore"`
}

// DiskGeometry overrides the BIOS geometry.
type DiskGeometry struct {
	Cyls  uint   `xml:"cyls,attr"`
	Heads uint   `xml:"heads,attr"`
	Secs  uint   `xml:"secs,attr"`
	Trans string `xml:"trans,attr,omitempty"`
}

// DiskBlockIO overrides the block sizes.
type DiskBlockIO struct {
	LogicalBlockSize   *uint `xml:"logical_block_size,attr"`
	PhysicalBlockSize  *uint `xml:"physical_block_size,attr"`
	DiscardGranularity *uint `xml:"discard_granularity,attr"`
}

// DiskTarget is the disk's name and bus in the guest.
type DiskTarget struct {
	Dev          string `xml:"dev,attr"`
	Bus          string `xml:"bus,attr,omitempty"`
	Tray         string `xml:"tray,attr,omitempty"`
	Removable    string `xml:"removable,attr,omitempty"`
	RotationRate *uint  `xml:"rotation_rate,attr"`
	Attrs        []Attr `xml:",any,attr"`
}

// DiskIOTune throttles a disk.
type DiskIOTune struct {
	TotalBytesSec          *uint64 `xml:"total_bytes_sec"`
	ReadBytesSec           *uint64 `xml:"read_bytes_sec"`
	WriteBytesSec          *uint64 `xml:"write_bytes_sec"`
	TotalIOPSSec           *uint64 `xml:"total_iops_sec"`
	ReadIOPSSec            *uint64 `xml:"read_iops_sec"`
	WriteIOPSSec           *uint64 `xml:"write_iops_sec"`
	TotalBytesSecMax       *uint64 `xml:"total_bytes_sec_max"`
	ReadBytesSecMax        *uint64 `xml:"read_bytes_sec_max"`
	WriteBytesSecMax       *uint64 `xml:"write_bytes_sec_max"`
	TotalIOPSSecMax        *uint64 `xml:"total_iops_sec_max"`
	ReadIOPSSecMax         *uint64 `xml:"read_iops_sec_max"`
	WriteIOPSSecMax        *uint64 `xml:"write_iops_sec_max"`
	SizeIOPSSec            *uint64 `xml:"size_iops_sec"`
	GroupName              string  `xml:"group_name,omitempty"`
	TotalBytesSecMaxLength *uint64 `xml:"total_bytes_sec_max_length"`
	ReadBytesSecMaxLength  *uint64 `xml:"read_bytes_sec_max_length"`
	WriteBytesSecMaxLength *uint64 `xml:"write_bytes_sec_max_length"`
	TotalIOPSSecMaxLength  *uint64 `xml:"total_iops_sec_max_length"`
	ReadIOPSSecMaxLength   *uint64 `xml:"read_iops_sec_max_length"`
	WriteIOPSSecMaxLength  *uint64 `xml:"write_iops_sec_max_length"`
}

// Encryption is the encryption of a disk image.
type Encryption struct {
	Format  string       `xml:"format,attr,omitempty"`
	Engine  string       `xml:"engine,attr,omitempty"`
	Secrets []DiskSecret `xml:"secret"`
	Cipher  *Node        `xml:"cipher"`
	IVGen   *Node        `xml:"ivgen"`
}

// DeviceBoot is a per-device boot order.
type DeviceBoot struct {
	Order    uint   `xml:"order,attr"`
	LoadParm string `xml:"loadparm,attr,omitempty"`
}

// DeviceACPI is a device's ACPI index.
type DeviceACPI struct {
	Index uint `xml:"index,attr"`
}

// DeviceAlias is a user-chosen device alias ("ua-" prefixed).
type DeviceAlias struct {
	Name string `xml:"name,attr"`
}
