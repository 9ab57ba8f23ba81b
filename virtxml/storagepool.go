package virtxml

import (
	"strings"

	"github.com/govirt/govirt/internal/xmldoc"
)

// Storage pool XML namespaces for backend-specific options.
const (
	FSPoolNamespace  = "http://libvirt.org/schemas/storagepool/fs/1.0"
	RBDPoolNamespace = "http://libvirt.org/schemas/storagepool/rbd/1.0"
)

// StoragePool is a storage pool definition: libvirt's <pool>.
type StoragePool struct {
	Type string // dir, fs, netfs, logical, disk, iscsi, iscsi-direct, scsi, mpath, rbd, sheepdog, gluster, zfs, vstorage
	Name string
	UUID UUID
	// Capacity, Allocation and Available are in bytes. They are runtime
	// values: libvirt does not read them from a definition.
	Capacity   uint64
	Allocation uint64
	Available  uint64
	// COW is the <features><cow state=.../> setting: "", "yes" or "no".
	COW    string
	Source StoragePoolSource
	Target *StoragePoolTarget
	// RefreshVolumeAllocation is <refresh><volume allocation=.../>:
	// "", "default" or "capacity".
	RefreshVolumeAllocation string
	// MountOpts are fs/netfs mount options (<fs:mount_opts>).
	MountOpts []string
	// RBDConfigOpts are RBD options (<rbd:config_opts>).
	RBDConfigOpts []RBDOption
}

// RBDOption is one <rbd:option name= value=/>.
type RBDOption struct {
	Name  string
	Value string
}

// StoragePoolSource is a pool's <source>.
type StoragePoolSource struct {
	Hosts        []StoragePoolHost
	Devices      []StoragePoolDevice
	Dir          string
	Adapter      *StorageAdapter
	Name         string
	InitiatorIQN string
	// Format is the source format; ParseStoragePool sets the pool type's
	// default (auto, lvm2, unknown) when the type has formats.
	Format      string
	Auth        *StorageAuth
	ProtocolVer string
	Vendor      string
	Product     string
}

// StoragePoolHost is a <host name= port=>.
type StoragePoolHost struct {
	Name string
	Port int
}

// StoragePoolDevice is a <device path=>.
type StoragePoolDevice struct {
	Path          string
	PartSeparator string // "", "yes" or "no"
	FreeExtents   []StorageExtent
}

// StorageExtent is a byte range on a device.
type StorageExtent struct {
	Start uint64
	End   uint64
}

// StoragePoolTarget is a pool's <target>.
type StoragePoolTarget struct {
	Path  string
	Perms *StoragePerms
}

// Source element flags per pool type, as libvirt's pool options.
const (
	srcHost = 1 << iota
	srcDevice
	srcDir
	srcAdapter
	srcName
	srcInitiator
	srcNetwork
)

type poolTypeInfo struct {
	flags         int
	formats       []string // index 0..n, libvirt's enum order
	defaultFormat int
}

var (
	fsFormats      = []string{"auto", "ext2", "ext3", "ext4", "ufs", "iso9660", "udf", "gfs", "gfs2", "vfat", "hfs+", "xfs", "ocfs2", "vmfs"}
	netfsFormats   = []string{"auto", "nfs", "glusterfs", "cifs"}
	diskFormats    = []string{"unknown", "dos", "dvh", "gpt", "mac", "bsd", "pc98", "sun", "lvm2"}
	logicalFormats = []string{"unknown", "lvm2"}
)

var poolTypes = map[string]poolTypeInfo{
	"dir":          {},
	"fs":           {flags: srcDevice, formats: fsFormats},
	"netfs":        {flags: srcHost | srcDir, formats: netfsFormats},
	"logical":      {flags: srcName | srcDevice, formats: logicalFormats, defaultFormat: 1},
	"disk":         {flags: srcDevice, formats: diskFormats},
	"iscsi":        {flags: srcHost | srcDevice | srcInitiator},
	"iscsi-direct": {flags: srcHost | srcDevice | srcNetwork | srcInitiator},
	"scsi":         {flags: srcAdapter},
	"mpath":        {},
	"rbd":          {flags: srcHost | srcNetwork | srcName},
	"sheepdog":     {flags: srcHost | srcNetwork | srcName},
	"gluster":      {flags: srcHost | srcNetwork | srcName | srcDir},
	"zfs":          {flags: srcName | srcDevice},
	"vstorage":     {flags: srcName},
}

// StoragePoolTypes lists the pool types libvirt knows, in its order.
var StoragePoolTypes = []string{"dir", "fs", "netfs", "logical", "disk", "iscsi", "iscsi-direct",
	"scsi", "mpath", "rbd", "sheepdog", "gluster", "zfs", "vstorage"}

// ParseStoragePool parses a storage pool XML document with libvirt's rules
// and defaults. Errors are *Error values.
func ParseStoragePool(data []byte) (*StoragePool, error) {
	root, err := parseRoot(data, "pool", "storage_pool_definition")
	if err != nil {
		return nil, err
	}
	return parsePoolNode(root)
}

func parsePoolNode(root *xmldoc.Node) (*StoragePool, error) {
	p := &StoragePool{}
	t, ok := propStr(root, "type")
	if !ok {
		return nil, xmlErrorf("Missing required attribute 'type' in element 'pool'")
	}
	info, known := poolTypes[t]
	if !known {
		return nil, invalidAttr(root, "type", t, ".")
	}
	p.Type = t
	if src := child(root, "source"); src != nil {
		if err := parsePoolSource(&p.Source, t, info, src); err != nil {
			return nil, err
		}
	} else if info.formats != nil {
		p.Source.Format = info.formats[info.defaultFormat]
	}
	name, ok := xpText(root, "name")
	if !ok && info.flags&srcName != 0 && p.Source.Name != "" {
		name, ok = p.Source.Name, true
	}
	if !ok {
		return nil, xmlErrorf("missing pool source name element")
	}
	if strings.ContainsRune(name, '/') {
		return nil, xmlErrorf("name %s cannot contain '/'", name)
	}
	p.Name = name
	if s, ok := xpText(root, "uuid"); ok {
		u, err := ParseUUID(s)
		if err != nil {
			return nil, xmlErrorf("malformed uuid element")
		}
		p.UUID = u
	} else {
		p.UUID = NewUUID()
	}
	if cow := child(child(root, "features"), "cow"); cow != nil {
		v, err := propTristate(cow, "state")
		if err != nil {
			return nil, err
		}
		if v != "" {
			if t != "fs" && t != "dir" {
				return nil, errorf(CodeNoSupport, "cow feature may only be used for 'fs' and 'dir' pools")
			}
			p.COW = v
		}
	}
	if info.flags&srcHost != 0 && len(p.Source.Hosts) == 0 {
		return nil, xmlErrorf("missing storage pool source host name")
	}
	if info.flags&srcDir != 0 && p.Source.Dir == "" {
		return nil, xmlErrorf("missing storage pool source path")
	}
	if info.flags&srcName != 0 && p.Source.Name == "" {
		p.Source.Name = p.Name
	}
	if info.flags&srcAdapter != 0 {
		if err := p.Source.Adapter.validate(); err != nil {
			return nil, err
		}
	}
	if info.flags == srcDevice && len(p.Source.Devices) == 0 {
		return nil, xmlErrorf("missing storage pool source device name")
	}
	if info.flags&srcNetwork == 0 {
		var path string
		switch t {
		case "logical":
			path = "/dev/" + p.Source.Name
		case "zfs":
			path = "/dev/zvol/" + p.Source.Name
		default:
			var ok bool
			if path, ok = xpText(child(root, "target"), "path"); !ok {
				return nil, xmlErrorf("missing storage pool target path")
			}
		}
		p.Target = &StoragePoolTarget{Path: sanitizePath(path)}
		perms, err := parsePerms(child(child(root, "target"), "permissions"))
		if err != nil {
			return nil, err
		}
		p.Target.Perms = perms
	}
	if t == "iscsi-direct" && p.Source.InitiatorIQN == "" {
		return nil, unsupportedf("missing initiator IQN")
	}
	if v, ok := xpAttr(child(child(root, "refresh"), "volume"), "allocation"); ok {
		if v != "default" && v != "capacity" {
			return nil, unsupportedf("unknown storage pool volume refresh allocation type %s", v)
		}
		p.RefreshVolumeAllocation = v
	}
	p.parseNamespaces(root)
	return p, nil
}

// CodeNoSupport is VIR_ERR_NO_SUPPORT.
const CodeNoSupport ErrorCode = 3

func parsePoolSource(s *StoragePoolSource, t string, info poolTypeInfo, n *xmldoc.Node) error {
	s.Name, _ = xpText(n, "name")
	if t == "rbd" && s.Name == "" {
		return xmlErrorf("element 'name' is mandatory for RBD pool")
	}
	idx := 0
	if info.formats != nil {
		idx = info.defaultFormat
		if f, ok := xpAttr(child(n, "format"), "type"); ok {
			idx = -1
			for i, x := range info.formats {
				if x == f {
					idx = i
				}
			}
			if idx < 0 {
				return unsupportedf("unknown pool format type %s", f)
			}
		}
		s.Format = info.formats[idx]
	}
	for _, h := range childrenNamed(n, "host") {
		name, ok := propStr(h, "name")
		if !ok {
			return xmlErrorf("missing storage pool host name")
		}
		host := StoragePoolHost{Name: name}
		if v, ok := propStr(h, "port"); ok {
			x, err := cParseInt(v, 10)
			if err != nil || x < -1<<31 || x > 1<<31-1 {
				return invalidAttr(h, "port", v, ". Expected integer value")
			}
			host.Port = int(x)
		}
		s.Hosts = append(s.Hosts, host)
	}
	s.InitiatorIQN, _ = xpAttr(child(child(n, "initiator"), "iqn"), "name")
	for _, d := range childrenNamed(n, "device") {
		path, ok := propStr(d, "path")
		if !ok {
			return xmlErrorf("missing storage pool source device path")
		}
		sep, err := propTristate(d, "part_separator")
		if err != nil {
			return err
		}
		s.Devices = append(s.Devices, StoragePoolDevice{Path: path, PartSeparator: sep})
	}
	if dir, ok := xpAttr(child(n, "dir"), "path"); ok {
		s.Dir = sanitizePath(dir)
	}
	if s.Dir == "" && t == "gluster" {
		s.Dir = "/"
	}
	if a := child(n, "adapter"); a != nil {
		ad, err := parseAdapter(a)
		if err != nil {
			return err
		}
		if ad.Type != "" {
			s.Adapter = ad
		}
	}
	if a := child(n, "auth"); a != nil {
		auth, err := parseAuth(a)
		if err != nil {
			return err
		}
		if auth.Type == "" {
			return unsupportedf("storage pool missing auth type")
		}
		s.Auth = auth
	}
	if ver, ok := xpAttr(child(n, "protocol"), "ver"); ok {
		// libvirt compares the format's number with netfs' auto and nfs,
		// whatever the pool type.
		if idx != 0 && idx != 1 {
			name := ""
			if idx < len(netfsFormats) {
				name = netfsFormats[idx]
			}
			return unsupportedf("storage pool protocol ver unsupported for pool type '%s'", name)
		}
		if strings.ContainsRune(ver, ',') {
			return errorf(CodeXMLDetail, "storage pool protocol ver '%s' must not contain ','", ver)
		}
		s.ProtocolVer = ver
	}
	s.Vendor, _ = xpAttr(child(n, "vendor"), "name")
	s.Product, _ = xpAttr(child(n, "product"), "name")
	return nil
}

// parseNamespaces reads the fs and rbd backend options, found through the
// prefixes bound on the root element.
func (p *StoragePool) parseNamespaces(root *xmldoc.Node) {
	for _, a := range root.Attrs {
		prefix, ok := strings.CutPrefix(a.Name, "xmlns:")
		if !ok {
			continue
		}
		switch {
		case a.Value == FSPoolNamespace && (p.Type == "fs" || p.Type == "netfs"):
			for _, c := range childrenNamed(root, prefix+":mount_opts") {
				for _, o := range childrenNamed(c, prefix+":option") {
					if v, ok := propStr(o, "name"); ok {
						p.MountOpts = append(p.MountOpts, v)
					}
				}
			}
		case a.Value == RBDPoolNamespace && p.Type == "rbd":
			for _, c := range childrenNamed(root, prefix+":config_opts") {
				for _, o := range childrenNamed(c, prefix+":option") {
					name, _ := propStr(o, "name")
					value, _ := propStr(o, "value")
					p.RBDConfigOpts = append(p.RBDConfigOpts, RBDOption{Name: name, Value: value})
				}
			}
		}
	}
}

// StorageFormatFlags select what pool and volume Format write. No flag
// changes the output yet (libvirt's pool XML has no live-only parts); the
// parameter keeps the signature in line with the other formats.
type StorageFormatFlags uint32

// StorageFormatInactive asks for the persistent definition
// (VIR_STORAGE_XML_INACTIVE).
const StorageFormatInactive StorageFormatFlags = 1 << 0

// Format writes the pool in libvirt's canonical form. Sizes print in bytes;
// <source> always prints as an open and a close tag, even when empty.
func (p *StoragePool) Format(flags StorageFormatFlags) ([]byte, error) {
	var e enc
	info := poolTypes[p.Type]
	e.Open("pool")
	e.Attr("type", p.Type)
	if len(p.MountOpts) > 0 {
		e.Attr("xmlns:fs", FSPoolNamespace)
	}
	if len(p.RBDConfigOpts) > 0 {
		e.Attr("xmlns:rbd", RBDPoolNamespace)
	}
	e.EndOpen()
	e.TextElement("name", p.Name)
	e.TextElement("uuid", p.UUID.String())
	for _, sz := range []struct {
		name string
		v    uint64
	}{{"capacity", p.Capacity}, {"allocation", p.Allocation}, {"available", p.Available}} {
		e.Open(sz.name)
		e.Attr("unit", "bytes")
		e.EndText(sz.name, uitoa(sz.v))
	}
	if p.COW != "" {
		e.Open("features")
		e.EndOpen()
		e.empty("cow", "state", p.COW)
		e.Close("features")
	}
	p.Source.format(&e, info)
	switch p.Type {
	case "rbd", "sheepdog", "gluster", "iscsi-direct":
	default:
		e.Open("target")
		e.EndOpen()
		if p.Target != nil {
			e.text("path", p.Target.Path)
			p.Target.Perms.format(&e)
		}
		e.Close("target")
	}
	if p.RefreshVolumeAllocation != "" {
		e.Open("refresh")
		e.EndOpen()
		e.empty("volume", "allocation", p.RefreshVolumeAllocation)
		e.Close("refresh")
	}
	if len(p.MountOpts) > 0 {
		e.Open("fs:mount_opts")
		e.EndOpen()
		for _, o := range p.MountOpts {
			e.empty("fs:option", "name", o)
		}
		e.Close("fs:mount_opts")
	}
	if len(p.RBDConfigOpts) > 0 {
		e.Open("rbd:config_opts")
		e.EndOpen()
		for _, o := range p.RBDConfigOpts {
			e.Open("rbd:option")
			e.Attr("name", o.Name)
			e.Attr("value", o.Value)
			e.EndEmpty()
		}
		e.Close("rbd:config_opts")
	}
	e.Close("pool")
	return e.Bytes(), nil
}

// FormatSource writes just the <source> element, as virConnectFindStoragePoolSources lists them.
func (s *StoragePoolSource) FormatSource(poolType string) []byte {
	var e enc
	s.format(&e, poolTypes[poolType])
	return e.Bytes()
}

func (s *StoragePoolSource) format(e *enc, info poolTypeInfo) {
	// libvirt writes "<source>\n" and "</source>\n" unconditionally.
	e.Open("source")
	e.EndOpen()
	if info.flags&srcHost != 0 {
		for _, h := range s.Hosts {
			e.Open("host")
			e.Attr("name", h.Name)
			if h.Port != 0 {
				e.Attr("port", itoa(h.Port))
			}
			e.EndEmpty()
		}
	}
	if info.flags&srcDevice != 0 {
		for _, d := range s.Devices {
			e.Open("device")
			e.Attr("path", d.Path)
			if d.PartSeparator != "" {
				e.Attr("part_separator", d.PartSeparator)
			}
			if len(d.FreeExtents) == 0 {
				e.EndEmpty()
				continue
			}
			e.EndOpen()
			for _, x := range d.FreeExtents {
				e.Open("freeExtent")
				e.AttrUint("start", x.Start)
				e.AttrUint("end", x.End)
				e.EndEmpty()
			}
			e.Close("device")
		}
	}
	if info.flags&srcDir != 0 {
		e.empty("dir", "path", s.Dir)
	}
	if info.flags&srcAdapter != 0 && s.Adapter != nil && s.Adapter.Type != "" {
		s.Adapter.format(e)
	}
	if info.flags&srcName != 0 {
		e.text("name", s.Name)
	}
	if info.flags&srcInitiator != 0 && s.InitiatorIQN != "" {
		e.Open("initiator")
		e.EndOpen()
		e.empty("iqn", "name", s.InitiatorIQN)
		e.Close("initiator")
	}
	if info.formats != nil {
		f := s.Format
		if f == "" {
			f = info.formats[info.defaultFormat]
		}
		e.empty("format", "type", f)
	}
	if s.Auth != nil {
		s.Auth.format(e)
	}
	if s.ProtocolVer != "" {
		e.empty("protocol", "ver", s.ProtocolVer)
	}
	if s.Vendor != "" {
		e.empty("vendor", "name", s.Vendor)
	}
	if s.Product != "" {
		e.empty("product", "name", s.Product)
	}
	e.Close("source")
}

// Clone returns a deep copy of p.
func (p *StoragePool) Clone() *StoragePool {
	c := *p
	c.Source.Hosts = append([]StoragePoolHost(nil), p.Source.Hosts...)
	c.Source.Devices = make([]StoragePoolDevice, len(p.Source.Devices))
	for i, d := range p.Source.Devices {
		d.FreeExtents = append([]StorageExtent(nil), d.FreeExtents...)
		c.Source.Devices[i] = d
	}
	if p.Source.Devices == nil {
		c.Source.Devices = nil
	}
	if a := p.Source.Adapter; a != nil {
		ac := *a
		if a.ParentAddr != nil {
			pa := *a.ParentAddr
			ac.ParentAddr = &pa
		}
		c.Source.Adapter = &ac
	}
	if p.Source.Auth != nil {
		a := *p.Source.Auth
		c.Source.Auth = &a
	}
	if p.Target != nil {
		t := *p.Target
		t.Perms = p.Target.Perms.clone()
		c.Target = &t
	}
	c.MountOpts = append([]string(nil), p.MountOpts...)
	c.RBDConfigOpts = append([]RBDOption(nil), p.RBDConfigOpts...)
	return &c
}
