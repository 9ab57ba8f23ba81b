package virtxml

import "github.com/govirt/govirt/internal/xmldoc"

// Devices lists the domain's devices, in libvirt's output order.
type Devices struct {
	Emulator     string         `xml:"emulator,omitempty"`
	Disks        []Disk         `xml:"disk"`
	Controllers  []Controller   `xml:"controller"`
	Leases       []Lease        `xml:"lease"`
	Filesystems  []Filesystem   `xml:"filesystem"`
	Interfaces   []Interface    `xml:"interface"`
	Smartcards   []Smartcard    `xml:"smartcard"`
	Serials      []Chardev      `xml:"serial"`
	Parallels    []Chardev      `xml:"parallel"`
	Consoles     []Chardev      `xml:"console"`
	Channels     []Chardev      `xml:"channel"`
	Inputs       []Input        `xml:"input"`
	TPMs         []TPM          `xml:"tpm"`
	Graphics     []Graphics     `xml:"graphics"`
	Sounds       []Sound        `xml:"sound"`
	Audios       []Audio        `xml:"audio"`
	Videos       []Video        `xml:"video"`
	Hostdevs     []Hostdev      `xml:"hostdev"`
	RedirDevs    []RedirDev     `xml:"redirdev"`
	RedirFilters []RedirFilter  `xml:"redirfilter"`
	Hubs         []Hub          `xml:"hub"`
	Watchdogs    []Watchdog     `xml:"watchdog"`
	MemBalloon   *MemBalloon    `xml:"memballoon"`
	RNGs         []RNG          `xml:"rng"`
	NVRAM        *NVRAMDevice   `xml:"nvram"`
	Panics       []Panic        `xml:"panic"`
	Shmems       []Shmem        `xml:"shmem"`
	Memories     []MemoryDevice `xml:"memory"`
	IOMMU        *IOMMU         `xml:"iommu"`
	VSock        *VSock         `xml:"vsock"`
	Extra        []*Node        `xml:",any"`
}

// devicesFields is Devices without its marshaler, for the binder.
type devicesFields Devices

// MarshalNode implements xmldoc.NodeMarshaler: libvirt always writes
// <devices> open and closed, even when empty.
func (d *Devices) MarshalNode(e *xmldoc.Encoder, name string) error {
	e.Open(name)
	e.EndOpen()
	if err := xmldoc.MarshalChildren(e, (*devicesFields)(d)); err != nil {
		return err
	}
	e.Close(name)
	return nil
}

// withoutSecrets returns d, or a copy with graphics passwords removed.
func (d *Devices) withoutSecrets() *Devices {
	has := false
	for i := range d.Graphics {
		if d.Graphics[i].Passwd != "" {
			has = true
		}
	}
	cookies := false
	for i := range d.Disks {
		if s := d.Disks[i].Source; s != nil && s.Cookies != nil {
			cookies = true
		}
	}
	if !has && !cookies {
		return d
	}
	c := *d
	if has {
		c.Graphics = append([]Graphics(nil), d.Graphics...)
		for i := range c.Graphics {
			c.Graphics[i].Passwd = ""
		}
	}
	if cookies {
		// HTTP cookies are secrets: only the secure XML shows them.
		c.Disks = append([]Disk(nil), d.Disks...)
		for i := range c.Disks {
			if s := c.Disks[i].Source; s != nil && s.Cookies != nil {
				src := *s
				src.Cookies = nil
				c.Disks[i].Source = &src
			}
		}
	}
	return &c
}

// Controller is a bus controller.
type Controller struct {
	Type             string            `xml:"type,attr"`
	Index            *uint             `xml:"index,attr"`
	Model            string            `xml:"model,attr,omitempty"`
	Ports            *uint             `xml:"ports,attr"`
	Vectors          *uint             `xml:"vectors,attr"`
	MaxGrantFrames   *uint             `xml:"maxGrantFrames,attr"`
	MaxEventChannels *uint             `xml:"maxEventChannels,attr"`
	Attrs            []Attr            `xml:",any,attr"`
	Alias            *DeviceAlias      `xml:"alias"`
	Driver           *ControllerDriver `xml:"driver"`
	Master           *ControllerMaster `xml:"master"`
	ModelName        *ControllerModel  `xml:"model"`
	Target           *ControllerTarget `xml:"target"`
	PCIHole64        *ScaledValue      `xml:"pcihole64"`
	Address          *Address          `xml:"address"`
	Extra            []*Node           `xml:",any"`

	// autoIndex records that the index was assigned, not written.
	autoIndex bool
}

// ControllerDriver holds controller driver options.
type ControllerDriver struct {
	Queues     *uint  `xml:"queues,attr"`
	CmdPerLun  *uint  `xml:"cmd_per_lun,attr"`
	MaxSectors *uint  `xml:"max_sectors,attr"`
	IOEventFD  string `xml:"ioeventfd,attr,omitempty"`
	IOThread   *uint  `xml:"iothread,attr"`
	VirtioOptions
}

// ControllerMaster ties a USB companion controller to its master.
type ControllerMaster struct {
	StartPort uint `xml:"startport,attr"`
}

// ControllerModel names the emulated model of a PCI controller.
type ControllerModel struct {
	Name string `xml:"name,attr"`
}

// ControllerTarget holds PCI controller target options.
type ControllerTarget struct {
	ChassisNr  *uint    `xml:"chassisNr,attr"`
	Chassis    *uint    `xml:"chassis,attr"`
	Port       *HexUint `xml:"port,attr"`
	BusNr      *uint    `xml:"busNr,attr"`
	Hotplug    string   `xml:"hotplug,attr,omitempty"`
	Index      *uint    `xml:"index,attr"`
	MemReserve *uint64  `xml:"memReserve,attr"`
	Node       *uint    `xml:"node"`
}

// Lease is a lock manager lease.
type Lease struct {
	LockSpace string       `xml:"lockspace"`
	Key       string       `xml:"key"`
	Target    *LeaseTarget `xml:"target"`
}

// LeaseTarget is where a lease is stored.
type LeaseTarget struct {
	Path   string  `xml:"path,attr"`
	Offset *uint64 `xml:"offset,attr"`
}

// Filesystem is a host directory or image shared with the guest.
type Filesystem struct {
	Type           string            `xml:"type,attr,omitempty"`
	AccessMode     string            `xml:"accessmode,attr,omitempty"`
	Model          string            `xml:"model,attr,omitempty"`
	Multidevs      string            `xml:"multidevs,attr,omitempty"`
	FMode          string            `xml:"fmode,attr,omitempty"`
	DMode          string            `xml:"dmode,attr,omitempty"`
	Attrs          []Attr            `xml:",any,attr"`
	Driver         *FilesystemDriver `xml:"driver"`
	Binary         *FilesystemBinary `xml:"binary"`
	IDMap          *IDMap            `xml:"idmap"`
	Source         *FilesystemSource `xml:"source"`
	Target         *FilesystemTarget `xml:"target"`
	ReadOnly       bool              `xml:"readonly"`
	SpaceHardLimit *ScaledValue      `xml:"space_hard_limit"`
	SpaceSoftLimit *ScaledValue      `xml:"space_soft_limit"`
	Boot           *DeviceBoot       `xml:"boot"`
	Alias          *DeviceAlias      `xml:"alias"`
	Address        *Address          `xml:"address"`
	Extra          []*Node           `xml:",any"`
}

// FilesystemDriver selects the filesystem driver.
type FilesystemDriver struct {
	Type     string `xml:"type,attr,omitempty"`
	Format   string `xml:"format,attr,omitempty"`
	Queue    *uint  `xml:"queue,attr"`
	WRPolicy string `xml:"wrpolicy,attr,omitempty"`
	VirtioOptions
}

// FilesystemBinary tunes virtiofsd.
type FilesystemBinary struct {
	Path       string                `xml:"path,attr,omitempty"`
	XAttr      string                `xml:"xattr,attr,omitempty"`
	Cache      *FilesystemBinaryMode `xml:"cache"`
	Sandbox    *FilesystemBinaryMode `xml:"sandbox"`
	Lock       *FilesystemBinaryLock `xml:"lock"`
	ThreadPool *FilesystemThreadPool `xml:"thread_pool"`
}

// FilesystemBinaryMode is a mode setting of virtiofsd.
type FilesystemBinaryMode struct {
	Mode string `xml:"mode,attr"`
}

// FilesystemBinaryLock sets virtiofsd's locking.
type FilesystemBinaryLock struct {
	POSIX string `xml:"posix,attr,omitempty"`
	Flock string `xml:"flock,attr,omitempty"`
}

// FilesystemThreadPool sizes virtiofsd's thread pool.
type FilesystemThreadPool struct {
	Size uint `xml:"size,attr"`
}

// FilesystemSource is what is shared.
type FilesystemSource struct {
	Dir    string `xml:"dir,attr,omitempty"`
	Dev    string `xml:"dev,attr,omitempty"`
	File   string `xml:"file,attr,omitempty"`
	Name   string `xml:"name,attr,omitempty"`
	Usage  string `xml:"usage,attr,omitempty"`
	Units  string `xml:"units,attr,omitempty"`
	Socket string `xml:"socket,attr,omitempty"`
}

// FilesystemTarget is the mount tag in the guest.
type FilesystemTarget struct {
	Dir string `xml:"dir,attr"`
}

// Smartcard is a smartcard device.
type Smartcard struct {
	Mode         string   `xml:"mode,attr"`
	Type         string   `xml:"type,attr,omitempty"`
	Attrs        []Attr   `xml:",any,attr"`
	Certificates []string `xml:"certificate"`
	Database     string   `xml:"database,omitempty"`
	CharSourceFields
	Alias   *DeviceAlias `xml:"alias"`
	Address *Address     `xml:"address"`
	Extra   []*Node      `xml:",any"`
}

// Input is an input device.
type Input struct {
	Type    string        `xml:"type,attr"`
	Bus     string        `xml:"bus,attr,omitempty"`
	Model   string        `xml:"model,attr,omitempty"`
	Attrs   []Attr        `xml:",any,attr"`
	Driver  *VirtioDriver `xml:"driver"`
	Source  *InputSource  `xml:"source"`
	Alias   *DeviceAlias  `xml:"alias"`
	Address *Address      `xml:"address"`
	Extra   []*Node       `xml:",any"`
}

// VirtioDriver holds only the virtio transport options.
type VirtioDriver struct {
	VirtioOptions
}

// InputSource is the host device an input passes through.
type InputSource struct {
	Dev        string `xml:"dev,attr,omitempty"`
	EvDev      string `xml:"evdev,attr,omitempty"`
	Grab       string `xml:"grab,attr,omitempty"`
	GrabToggle string `xml:"grabToggle,attr,omitempty"`
	Repeat     string `xml:"repeat,attr,omitempty"`
}

// TPM is a TPM device.
type TPM struct {
	Model   string       `xml:"model,attr,omitempty"`
	Backend *TPMBackend  `xml:"backend"`
	Alias   *DeviceAlias `xml:"alias"`
	Address *Address     `xml:"address"`
	Extra   []*Node      `xml:",any"`
}

// TPMBackend is the TPM implementation.
type TPMBackend struct {
	Type            string            `xml:"type,attr"`
	Version         string            `xml:"version,attr,omitempty"`
	PersistentState string            `xml:"persistent_state,attr,omitempty"`
	Device          *TPMBackendDevice `xml:"device"`
	Encryption      *TPMEncryption    `xml:"encryption"`
	ActivePCRBanks  *Node             `xml:"active_pcr_banks"`
	Source          *CharSource       `xml:"source"`
}

// TPMBackendDevice is the host TPM device.
type TPMBackendDevice struct {
	Path string `xml:"path,attr"`
}

// TPMEncryption names the secret encrypting the TPM state.
type TPMEncryption struct {
	Secret string `xml:"secret,attr"`
}

// Sound is a sound card.
type Sound struct {
	Model   string       `xml:"model,attr"`
	Attrs   []Attr       `xml:",any,attr"`
	Codecs  []SoundCodec `xml:"codec"`
	Audio   *SoundAudio  `xml:"audio"`
	Alias   *DeviceAlias `xml:"alias"`
	Address *Address     `xml:"address"`
	Extra   []*Node      `xml:",any"`
}

// SoundCodec is an HDA codec.
type SoundCodec struct {
	Type string `xml:"type,attr"`
}

// SoundAudio ties a device to an audio backend.
type SoundAudio struct {
	ID uint `xml:"id,attr"`
}

// Audio is an audio backend.
type Audio struct {
	ID          uint     `xml:"id,attr"`
	Type        string   `xml:"type,attr"`
	TimerPeriod *uint    `xml:"timerPeriod,attr"`
	Driver      string   `xml:"driver,attr,omitempty"`
	Path        string   `xml:"path,attr,omitempty"`
	ServerName  string   `xml:"serverName,attr,omitempty"`
	TryMMap     string   `xml:"tryMMap,attr,omitempty"`
	Exclusive   string   `xml:"exclusive,attr,omitempty"`
	DSPPolicy   *uint    `xml:"dspPolicy,attr"`
	Attrs       []Attr   `xml:",any,attr"`
	Input       *AudioIO `xml:"input"`
	Output      *AudioIO `xml:"output"`
	Extra       []*Node  `xml:",any"`
}

// AudioIO tunes one direction of an audio backend.
type AudioIO struct {
	MixingEngine  string         `xml:"mixingEngine,attr,omitempty"`
	FixedSettings string         `xml:"fixedSettings,attr,omitempty"`
	Voices        *uint          `xml:"voices,attr"`
	BufferLength  *uint          `xml:"bufferLength,attr"`
	Dev           string         `xml:"dev,attr,omitempty"`
	BufferCount   *uint          `xml:"bufferCount,attr"`
	TryPoll       string         `xml:"tryPoll,attr,omitempty"`
	Name          string         `xml:"name,attr,omitempty"`
	ServerName    string         `xml:"serverName,attr,omitempty"`
	ClientName    string         `xml:"clientName,attr,omitempty"`
	ConnectPorts  string         `xml:"connectPorts,attr,omitempty"`
	Latency       *uint          `xml:"latency,attr"`
	ExactName     string         `xml:"exactName,attr,omitempty"`
	StreamName    string         `xml:"streamName,attr,omitempty"`
	Attrs         []Attr         `xml:",any,attr"`
	Settings      *AudioSettings `xml:"settings"`
}

// AudioSettings are fixed audio settings.
type AudioSettings struct {
	Frequency *uint  `xml:"frequency,attr"`
	Channels  *uint  `xml:"channels,attr"`
	Format    string `xml:"format,attr,omitempty"`
}

// Video is a video card.
type Video struct {
	Driver  *VideoDriver `xml:"driver"`
	Model   *VideoModel  `xml:"model"`
	Alias   *DeviceAlias `xml:"alias"`
	Address *Address     `xml:"address"`
	Extra   []*Node      `xml:",any"`
}

// VideoDriver holds video driver options.
type VideoDriver struct {
	VirtioOptions
	Name    string `xml:"name,attr,omitempty"`
	VGAConf string `xml:"vgaconf,attr,omitempty"`
}

// VideoModel is the emulated video model with its memory sizes.
type VideoModel struct {
	Type         string             `xml:"type,attr"`
	Ram          *uint              `xml:"ram,attr"`
	VRam         *uint              `xml:"vram,attr"`
	VRam64       *uint              `xml:"vram64,attr"`
	VGAMem       *uint              `xml:"vgamem,attr"`
	Heads        *uint              `xml:"heads,attr"`
	Primary      string             `xml:"primary,attr,omitempty"`
	Blob         string             `xml:"blob,attr,omitempty"`
	Acceleration *VideoAcceleration `xml:"acceleration"`
	Resolution   *VideoResolution   `xml:"resolution"`
}

// VideoAcceleration turns on 2D/3D acceleration.
type VideoAcceleration struct {
	Accel3D    string `xml:"accel3d,attr,omitempty"`
	Accel2D    string `xml:"accel2d,attr,omitempty"`
	RenderNode string `xml:"rendernode,attr,omitempty"`
}

// VideoResolution is the initial resolution.
type VideoResolution struct {
	X uint `xml:"x,attr"`
	Y uint `xml:"y,attr"`
}

// RedirFilter filters redirected USB devices.
type RedirFilter struct {
	USBDevs []RedirFilterUSB `xml:"usbdev"`
}

// RedirFilterUSB is one filter rule.
type RedirFilterUSB struct {
	Class   string `xml:"class,attr,omitempty"`
	Vendor  string `xml:"vendor,attr,omitempty"`
	Product string `xml:"product,attr,omitempty"`
	Version string `xml:"version,attr,omitempty"`
	Allow   string `xml:"allow,attr"`
}

// Hub is a USB hub.
type Hub struct {
	Type    string       `xml:"type,attr"`
	Alias   *DeviceAlias `xml:"alias"`
	Address *Address     `xml:"address"`
	Extra   []*Node      `xml:",any"`
}

// Watchdog is a watchdog device.
type Watchdog struct {
	Model   string       `xml:"model,attr"`
	Action  string       `xml:"action,attr,omitempty"`
	Alias   *DeviceAlias `xml:"alias"`
	Address *Address     `xml:"address"`
	Extra   []*Node      `xml:",any"`
}

// MemBalloon is the memory balloon device.
type MemBalloon struct {
	Model             string           `xml:"model,attr"`
	AutoDeflate       string           `xml:"autodeflate,attr,omitempty"`
	FreePageReporting string           `xml:"freePageReporting,attr,omitempty"`
	Alias             *DeviceAlias     `xml:"alias"`
	Address           *Address         `xml:"address"`
	Stats             *MemBalloonStats `xml:"stats"`
	Driver            *VirtioDriver    `xml:"driver"`
	Extra             []*Node          `xml:",any"`
}

// MemBalloonStats sets the statistics polling period.
type MemBalloonStats struct {
	Period int `xml:"period,attr"`
}

// RNG is a random number generator device.
type RNG struct {
	Model   string        `xml:"model,attr"`
	Rate    *RNGRate      `xml:"rate"`
	Backend *RNGBackend   `xml:"backend"`
	Driver  *VirtioDriver `xml:"driver"`
	Alias   *DeviceAlias  `xml:"alias"`
	Address *Address      `xml:"address"`
	Extra   []*Node       `xml:",any"`
}

// RNGRate limits the entropy rate.
type RNGRate struct {
	Bytes  uint  `xml:"bytes,attr"`
	Period *uint `xml:"period,attr"`
}

// RNGBackend is the entropy source.
type RNGBackend struct {
	Model string `xml:"model,attr"`
	Type  string `xml:"type,attr,omitempty"`
	CharSourceFields
	Device string `xml:",chardata"`
}

// NVRAMDevice is the pSeries NVRAM device.
type NVRAMDevice struct {
	Alias   *DeviceAlias `xml:"alias"`
	Address *Address     `xml:"address"`
}

// Panic is a panic notifier device.
type Panic struct {
	Model   string       `xml:"model,attr,omitempty"`
	Alias   *DeviceAlias `xml:"alias"`
	Address *Address     `xml:"address"`
}

// Shmem is an inter-VM shared memory device.
type Shmem struct {
	Name    string       `xml:"name,attr"`
	Role    string       `xml:"role,attr,omitempty"`
	Model   *ShmemModel  `xml:"model"`
	Size    *ScaledValue `xml:"size"`
	Server  *ShmemServer `xml:"server"`
	MSI     *ShmemMSI    `xml:"msi"`
	Alias   *DeviceAlias `xml:"alias"`
	Address *Address     `xml:"address"`
}

// ShmemModel is the shared memory device model.
type ShmemModel struct {
	Type string `xml:"type,attr"`
}

// ShmemServer is the ivshmem server socket.
type ShmemServer struct {
	Path string `xml:"path,attr,omitempty"`
}

// ShmemMSI configures MSI interrupts.
type ShmemMSI struct {
	Vectors   *uint  `xml:"vectors,attr"`
	IOEventFD string `xml:"ioeventfd,attr,omitempty"`
}

// MemoryDevice is a hotpluggable memory device (DIMM, NVDIMM, ...).
type MemoryDevice struct {
	Model   string              `xml:"model,attr"`
	Access  string              `xml:"access,attr,omitempty"`
	Discard string              `xml:"discard,attr,omitempty"`
	UUID    string              `xml:"uuid,omitempty"`
	Source  *MemoryDeviceSource `xml:"source"`
	Target  *MemoryDeviceTarget `xml:"target"`
	Alias   *DeviceAlias        `xml:"alias"`
	Address *Address            `xml:"address"`
	Extra   []*Node             `xml:",any"`
}

// MemoryDeviceSource is the host backing of a memory device.
type MemoryDeviceSource struct {
	NodeMask  string       `xml:"nodemask,omitempty"`
	PageSize  *ScaledValue `xml:"pagesize"`
	Path      string       `xml:"path,omitempty"`
	AlignSize *ScaledValue `xml:"alignsize"`
	PMem      bool         `xml:"pmem"`
}

// MemoryDeviceTarget is the memory device as the guest sees it.
type MemoryDeviceTarget struct {
	Size      *ScaledValue       `xml:"size"`
	Node      *uint              `xml:"node"`
	Label     *MemoryDeviceLabel `xml:"label"`
	Block     *ScaledValue       `xml:"block"`
	Requested *ScaledValue       `xml:"requested"`
	Current   *ScaledValue       `xml:"current"`
	ReadOnly  bool               `xml:"readonly"`
	Address   *Node              `xml:"address"`
}

// MemoryDeviceLabel is the NVDIMM label area.
type MemoryDeviceLabel struct {
	Size *ScaledValue `xml:"size"`
}

// IOMMU is the guest IOMMU.
type IOMMU struct {
	Model   string       `xml:"model,attr"`
	Driver  *IOMMUDriver `xml:"driver"`
	Alias   *DeviceAlias `xml:"alias"`
	Address *Address     `xml:"address"`
}

// IOMMUDriver holds IOMMU options.
type IOMMUDriver struct {
	IntRemap    string `xml:"intremap,attr,omitempty"`
	CachingMode string `xml:"caching_mode,attr,omitempty"`
	EIM         string `xml:"eim,attr,omitempty"`
	IOTLB       string `xml:"iotlb,attr,omitempty"`
	AWBits      *uint  `xml:"aw_bits,attr"`
}

// VSock is a virtio vsock device.
type VSock struct {
	Model   string        `xml:"model,attr,omitempty"`
	CID     *VSockCID     `xml:"cid"`
	Alias   *DeviceAlias  `xml:"alias"`
	Address *Address      `xml:"address"`
	Driver  *VirtioDriver `xml:"driver"`
}

// VSockCID is the guest's context ID.
type VSockCID struct {
	Auto    string `xml:"auto,attr,omitempty"`
	Address string `xml:"address,attr,omitempty"`
}
