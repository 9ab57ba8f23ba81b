package virtxml

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"

	"github.com/govirt/govirt/internal/xmldoc"
)

// StorageVol is a storage volume definition: libvirt's <volume>.
type StorageVol struct {
	// Type is file, block, dir, network, netdir or ploop ("" writes file).
	Type string
	Name string
	Key  string
	// Extents are the source extents (logical volumes), grouped by device
	// path on output.
	Extents []StorageVolExtent
	// Capacity, Allocation and Physical are in bytes; Physical is written
	// only when non-zero (libvirt never reads it).
	Capacity      uint64
	Allocation    uint64
	HasAllocation bool
	Physical      uint64
	Target        StorageVolTarget
	BackingStore  *StorageVolTarget
}

// StorageVolExtent is one <extent> of a volume's source device.
type StorageVolExtent struct {
	Path  string
	Start uint64
	End   uint64
}

// StorageVolTarget is a volume's <target> (or <backingStore>).
type StorageVolTarget struct {
	Path   string
	Format *StorageVolFormat
	Perms  *StoragePerms
	// Timestamps are written only (libvirt fills them from stat).
	Timestamps *StorageVolTimestamps
	Encryption *StorageEncryption
	Compat     string
	// NoCOW is the <nocow/> request; libvirt reads it but never writes it.
	NoCOW       bool
	ClusterSize uint64
	// Features is the list of <features> children (lazy_refcounts,
	// extended_l2); nil means no <features> element, empty an empty one.
	Features []string
}

// StorageVolFormat is <format type=>.
type StorageVolFormat struct {
	Type string
}

// StorageVolTimestamps are a volume's access, modify, change and birth
// times, as "seconds[.nanoseconds]" strings ("" leaves one out).
type StorageVolTimestamps struct {
	Atime, Mtime, Ctime, Btime string
}

// StorageEncryption is an <encryption> element of a volume.
type StorageEncryption struct {
	Format  string // default, qcow, luks, luks2, luks-any
	Secrets []StorageEncryptionSecret
	Cipher  *StorageEncryptionCipher
	IVGen   *StorageEncryptionIVGen
}

// StorageEncryptionSecret is a <secret type='passphrase' uuid=|usage=/>.
type StorageEncryptionSecret struct {
	Type  string
	UUID  string
	Usage string
}

// StorageEncryptionCipher is LUKS' <cipher name= size= mode= hash=/>.
type StorageEncryptionCipher struct {
	Name string
	Size uint
	Mode string
	Hash string
}

// StorageEncryptionIVGen is LUKS' <ivgen name= hash=/>.
type StorageEncryptionIVGen struct {
	Name string
	Hash string
}

// StorageFileFormats are libvirt's volume file formats, in its order.
var StorageFileFormats = []string{"none", "raw", "dir", "bochs", "cloop", "dmg", "iso", "vpc", "vdi",
	"fat", "vhd", "ploop", "cow", "qcow", "qcow2", "qed", "vmdk"}

var diskVolFormats = []string{"none", "linux", "fat16", "fat32", "linux-swap", "linux-lvm", "linux-raid", "extended"}

var volTypes = []string{"file", "block", "dir", "network", "netdir", "ploop"}

// volFormats returns the volume formats of a pool type, its default, and
// whether it has formats at all.
func volFormats(poolType string) (formats []string, def string, ok bool) {
	switch poolType {
	case "dir", "fs", "netfs", "gluster", "vstorage", "rbd":
		return StorageFileFormats, "raw", true
	case "disk":
		return diskVolFormats, "none", true
	}
	return nil, "", false
}

// ParseStorageVol parses a volume XML document for a directory pool.
func ParseStorageVol(data []byte) (*StorageVol, error) {
	return ParseStorageVolFor("dir", data)
}

// ParseStorageVolFor parses a volume XML document for a pool of the given
// type, which decides the accepted and default formats.
func ParseStorageVolFor(poolType string, data []byte) (*StorageVol, error) {
	root, err := parseRoot(data, "volume", "storage_volume_definition")
	if err != nil {
		return nil, err
	}
	return parseVolNode(poolType, root)
}

func parseVolNode(poolType string, root *xmldoc.Node) (*StorageVol, error) {
	v := &StorageVol{}
	formats, defFormat, hasFormats := volFormats(poolType)
	name, ok := xpText(root, "name")
	if !ok {
		return nil, xmlErrorf("missing volume name element")
	}
	v.Name = name
	v.Key, _ = xpText(root, "key")
	if t, ok := xpAttr(root, "type"); ok {
		if !contains(volTypes, t) {
			return nil, unsupportedf("unknown volume type '%s'", t)
		}
		v.Type = t
	}
	parseFormat := func(n *xmldoc.Node) (*StorageVolFormat, error) {
		if !hasFormats {
			return nil, nil
		}
		f, ok := xpAttr(child(n, "format"), "type")
		if !ok {
			return &StorageVolFormat{Type: defFormat}, nil
		}
		if !contains(formats, f) || poolType != "disk" && f == "none" {
			return nil, unsupportedf("unknown volume format type %s", f)
		}
		return &StorageVolFormat{Type: f}, nil
	}
	if bs := child(root, "backingStore"); bs != nil {
		if path, ok := xpText(bs, "path"); ok {
			b := &StorageVolTarget{Path: path}
			var err error
			if b.Format, err = parseFormat(bs); err != nil {
				return nil, err
			}
			if b.Perms, err = parsePerms(child(bs, "permissions")); err != nil {
				return nil, err
			}
			v.BackingStore = b
		}
	}
	if c := child(root, "capacity"); c != nil && nodeText(c) != "" {
		unit, _ := xpAttr(c, "unit")
		n, err := storageSize(unit, nodeText(c))
		if err != nil {
			return nil, err
		}
		v.Capacity = n
	} else {
		return nil, xmlErrorf("missing capacity element")
	}
	if a := child(root, "allocation"); a != nil && nodeText(a) != "" {
		unit, _ := xpAttr(a, "unit")
		n, err := storageSize(unit, nodeText(a))
		if err != nil {
			return nil, err
		}
		v.Allocation, v.HasAllocation = n, true
	} else {
		v.Allocation = v.Capacity
	}
	tn := child(root, "target")
	v.Target.Path, _ = xpText(tn, "path")
	var err error
	if v.Target.Format, err = parseFormat(tn); err != nil {
		return nil, err
	}
	if v.Target.Perms, err = parsePerms(child(tn, "permissions")); err != nil {
		return nil, err
	}
	if en := child(tn, "encryption"); en != nil {
		if v.Target.Encryption, err = parseEncryption(en); err != nil {
			return nil, err
		}
	}
	if compat, ok := xpText(tn, "compat"); ok {
		major, minor, found := strings.Cut(compat, ".")
		if _, err1 := cParseUintWrap(major, 10, 32); err1 != nil || !found {
			return nil, xmlErrorf("forbidden characters in 'compat' attribute")
		}
		if _, err2 := cParseUintWrap(minor, 10, 32); err2 != nil {
			return nil, xmlErrorf("forbidden characters in 'compat' attribute")
		}
		v.Target.Compat = compat
	}
	v.Target.NoCOW = child(tn, "nocow") != nil
	if cs := child(tn, "clusterSize"); cs != nil {
		unit, _ := xpAttr(cs, "unit")
		n, err := scaledValue("./target/clusterSize", unit, nodeText(cs), 1<<64-1)
		if err != nil {
			return nil, err
		}
		v.Target.ClusterSize = n
	}
	if fn := child(tn, "features"); fn != nil {
		if v.Target.Compat == "" {
			v.Target.Compat = "1.1"
		}
		v.Target.Features = []string{}
		for _, c := range fn.Children {
			if c.Name == xmldoc.TextNodeName {
				continue
			}
			if c.Name != "lazy_refcounts" && c.Name != "extended_l2" {
				return nil, unsupportedf("unsupported feature %s", c.Name)
			}
			if !contains(v.Target.Features, c.Name) {
				v.Target.Features = append(v.Target.Features, c.Name)
			}
		}
	}
	return v, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// storageSize parses a volume size with its unit, as libvirt's
// virStorageSize does (bytes by default, at most 2^63-1).
func storageSize(unit, val string) (uint64, error) {
	n, err := cParseUint(val, 10)
	if err != nil {
		return 0, xmlErrorf("malformed capacity element")
	}
	return scaleInteger(n, unit, 1, 1<<63-1)
}

// scaleInteger multiplies n by unit's scale like virScaleInteger.
func scaleInteger(n uint64, unit string, def, limit uint64) (uint64, error) {
	scale, err := ScaleUnit(unit, def)
	if err != nil {
		return 0, errorf(CodeInvalidArg, "unknown suffix '%s'", unit)
	}
	hi, lo := bits.Mul64(n, scale)
	if hi != 0 || lo > limit {
		return 0, errorf(CodeOverflow, "value too large: %d%s", n, unit)
	}
	return lo, nil
}

// scaledValue parses an element holding a scaled number, as libvirt's
// virParseScaledValue does.
func scaledValue(xpath, unit, text string, limit uint64) (uint64, error) {
	n, err := cParseUint(text, 10)
	if err != nil {
		return 0, xmlErrorf("Invalid value '%s' for element or attribute '%s'", text, xpath)
	}
	return scaleInteger(n, unit, 1, limit)
}

// ParseSizeArg parses a size given on the command line, such as virsh's
// vol-create-as capacity: a decimal number with an optional unit suffix
// (b, k/KiB = 1024, KB = 1000, M, G, T, P, E).
func ParseSizeArg(s string) (uint64, error) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, fmt.Errorf("malformed size %s", s)
	}
	n, err := strconv.ParseUint(s[:i], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("malformed size %s", s)
	}
	return scaleInteger(n, s[i:], 1, 1<<64-1)
}

var encryptionFormats = []string{"default", "qcow", "luks", "luks2", "luks-any"}

func parseEncryption(n *xmldoc.Node) (*StorageEncryption, error) {
	enc := &StorageEncryption{}
	f, ok := propStr(n, "format")
	if !ok {
		return nil, xmlErrorf("unknown volume encryption format")
	}
	if !contains(encryptionFormats, f) {
		return nil, unsupportedf("unknown volume encryption format type %s", f)
	}
	enc.Format = f
	for _, s := range childrenNamed(n, "secret") {
		var sec StorageEncryptionSecret
		t, ok := propStr(s, "type")
		if !ok {
			return nil, xmlErrorf("unknown volume encryption secret type")
		}
		if t != "passphrase" {
			return nil, unsupportedf("unknown volume encryption secret type %s", t)
		}
		sec.Type = t
		uuid, hasUUID := propStr(s, "uuid")
		usage, hasUsage := propStr(s, "usage")
		switch {
		case !hasUUID && !hasUsage:
			return nil, xmlErrorf("missing secret uuid or usage attribute")
		case hasUUID && hasUsage:
			return nil, xmlErrorf("either secret uuid or usage expected")
		case hasUUID:
			id, err := ParseUUID(uuid)
			if err != nil {
				return nil, xmlErrorf("invalid secret uuid '%s'", uuid)
			}
			sec.UUID = id.String()
		default:
			sec.Usage = usage
		}
		enc.Secrets = append(enc.Secrets, sec)
	}
	if c := child(n, "cipher"); c != nil {
		name, ok := propStr(c, "name")
		if !ok {
			return nil, xmlErrorf("cipher element missing name attribute")
		}
		sz, ok := propStr(c, "size")
		if !ok {
			return nil, xmlErrorf("cipher element missing size attribute")
		}
		size, err := cParseUintWrap(sz, 10, 32)
		if err != nil {
			return nil, xmlErrorf("cannot parse cipher size: '%s'", sz)
		}
		mode, _ := propStr(c, "mode")
		hash, _ := propStr(c, "hash")
		enc.Cipher = &StorageEncryptionCipher{Name: name, Size: uint(size), Mode: mode, Hash: hash}
	}
	if g := child(n, "ivgen"); g != nil {
		name, ok := propStr(g, "name")
		if !ok {
			return nil, xmlErrorf("missing ivgen element name")
		}
		hash, _ := propStr(g, "hash")
		enc.IVGen = &StorageEncryptionIVGen{Name: name, Hash: hash}
	}
	return enc, nil
}

func (en *StorageEncryption) format(e *enc) {
	e.Open("encryption")
	e.Attr("format", en.Format)
	if len(en.Secrets) == 0 && en.Cipher == nil && en.IVGen == nil {
		e.EndEmpty()
		return
	}
	e.EndOpen()
	for _, s := range en.Secrets {
		e.Open("secret")
		e.Attr("type", s.Type)
		if s.UUID != "" {
			e.Attr("uuid", s.UUID)
		} else {
			e.Attr("usage", s.Usage)
		}
		e.EndEmpty()
	}
	if c := en.Cipher; c != nil {
		e.Open("cipher")
		e.Attr("name", c.Name)
		e.AttrUint("size", uint64(c.Size))
		if c.Mode != "" {
			e.Attr("mode", c.Mode)
		}
		if c.Hash != "" {
			e.Attr("hash", c.Hash)
		}
		e.EndEmpty()
	}
	if g := en.IVGen; g != nil {
		e.Open("ivgen")
		e.Attr("name", g.Name)
		if g.Hash != "" {
			e.Attr("hash", g.Hash)
		}
		e.EndEmpty()
	}
	e.Close("encryption")
}

// Format writes the volume in libvirt's canonical form.
func (v *StorageVol) Format(flags StorageFormatFlags) ([]byte, error) {
	var e enc
	t := v.Type
	if t == "" {
		t = "file"
	}
	e.Open("volume")
	e.Attr("type", t)
	e.EndOpen()
	e.TextElement("name", v.Name)
	e.text("key", v.Key)
	if len(v.Extents) > 0 {
		e.Open("source")
		e.EndOpen()
		for i, x := range v.Extents {
			if i == 0 || x.Path != v.Extents[i-1].Path {
				if i > 0 {
					e.Close("device")
				}
				e.Open("device")
				e.Attr("path", x.Path)
				e.EndOpen()
			}
			e.Open("extent")
			e.AttrUint("start", x.Start)
			e.AttrUint("end", x.End)
			e.EndEmpty()
		}
		e.Close("device")
		e.Close("source")
	}
	for _, sz := range []struct {
		name string
		v    uint64
	}{{"capacity", v.Capacity}, {"allocation", v.Allocation}, {"physical", v.Physical}} {
		if sz.name == "physical" && sz.v == 0 {
			continue
		}
		e.Open(sz.name)
		e.Attr("unit", "bytes")
		e.EndText(sz.name, uitoa(sz.v))
	}
	v.Target.format(&e, "target")
	if v.BackingStore != nil {
		v.BackingStore.format(&e, "backingStore")
	}
	e.Close("volume")
	return e.Bytes(), nil
}

func (t *StorageVolTarget) format(e *enc, name string) {
	e.Open(name)
	e.EndOpen()
	e.text("path", t.Path)
	if t.Format != nil && t.Format.Type != "" {
		e.empty("format", "type", t.Format.Type)
	}
	t.Perms.format(e)
	if ts := t.Timestamps; ts != nil {
		e.Open("timestamps")
		e.EndOpen()
		e.text("atime", ts.Atime)
		e.text("mtime", ts.Mtime)
		e.text("ctime", ts.Ctime)
		e.text("btime", ts.Btime)
		e.Close("timestamps")
	}
	if t.Encryption != nil {
		t.Encryption.format(e)
	}
	e.text("compat", t.Compat)
	if t.ClusterSize > 0 {
		e.Open("clusterSize")
		e.Attr("unit", "B")
		e.EndText("clusterSize", uitoa(t.ClusterSize))
	}
	if t.Features != nil {
		var set []string
		for _, f := range []string{"lazy_refcounts", "extended_l2"} {
			if contains(t.Features, f) {
				set = append(set, f)
			}
		}
		e.Open("features")
		if len(set) == 0 {
			e.EndEmpty()
		} else {
			e.EndOpen()
			for _, f := range set {
				e.Open(f)
				e.EndEmpty()
			}
			e.Close("features")
		}
	}
	e.Close(name)
}

// Clone returns a deep copy of v.
func (v *StorageVol) Clone() *StorageVol {
	c := *v
	c.Extents = append([]StorageVolExtent(nil), v.Extents...)
	c.Target = v.Target.clone()
	if v.BackingStore != nil {
		b := v.BackingStore.clone()
		c.BackingStore = &b
	}
	return &c
}

func (t *StorageVolTarget) clone() StorageVolTarget {
	c := *t
	if t.Format != nil {
		f := *t.Format
		c.Format = &f
	}
	c.Perms = t.Perms.clone()
	if t.Timestamps != nil {
		ts := *t.Timestamps
		c.Timestamps = &ts
	}
	if en := t.Encryption; en != nil {
		ec := *en
		ec.Secrets = append([]StorageEncryptionSecret(nil), en.Secrets...)
		if en.Cipher != nil {
			x := *en.Cipher
			ec.Cipher = &x
		}
		if en.IVGen != nil {
			x := *en.IVGen
			ec.IVGen = &x
		}
		c.Encryption = &ec
	}
	if t.Features != nil {
		c.Features = append([]string{}, t.Features...)
	}
	return c
}
