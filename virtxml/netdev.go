package virtxml

import (
	"fmt"
	"strconv"

	"github.com/govirt/govirt/internal/xmldoc"
)

// Bandwidth is a <bandwidth> element: QoS limits in each direction.
type Bandwidth struct {
	Inbound  *BandwidthRate
	Outbound *BandwidthRate
}

// BandwidthRate is an <inbound> or <outbound> rate (kilobytes per second,
// burst in kilobytes).
type BandwidthRate struct {
	Average uint64
	Peak    uint64
	Floor   uint64
	Burst   uint64
}

func parseBandwidthRate(n *xmldoc.Node) (*BandwidthRate, error) {
	r := &BandwidthRate{}
	avg, hasAvg := propStr(n, "average")
	peak, hasPeak := propStr(n, "peak")
	burst, hasBurst := propStr(n, "burst")
	floor, hasFloor := propStr(n, "floor")
	conv := func(what, s string, dst *uint64) error {
		v, err := cParseUint(s, 10)
		if err != nil {
			return unsupportedf("could not convert bandwidth %s value '%s'", what, s)
		}
		*dst = v
		return nil
	}
	if hasAvg {
		if err := conv("average", avg, &r.Average); err != nil {
			return nil, err
		}
	} else if !hasFloor {
		return nil, errorf(CodeXMLDetail, "Missing mandatory average or floor attributes")
	}
	if (hasPeak || hasBurst) && !hasAvg {
		return nil, unsupportedf("'peak' and 'burst' require 'average' attribute")
	}
	if hasPeak {
		if err := conv("peak", peak, &r.Peak); err != nil {
			return nil, err
		}
	}
	if hasBurst {
		if err := conv("burst", burst, &r.Burst); err != nil {
			return nil, err
		}
	}
	if hasFloor {
		if err := conv("floor", floor, &r.Floor); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// parseBandwidth reads <bandwidth>; it returns nil when neither direction
// is given. allowFloor says whether inbound floor is accepted.
func parseBandwidth(n *xmldoc.Node, allowFloor bool) (*Bandwidth, error) {
	if _, ok := propStr(n, "classID"); ok {
		return nil, errorf(CodeXMLDetail, "classID attribute not supported on <bandwidth> in this usage context")
	}
	var in, out *xmldoc.Node
	for _, c := range n.Children {
		switch c.Name {
		case "inbound":
			if in != nil {
				return nil, errorf(CodeXMLDetail, "Only one child <inbound> element allowed")
			}
			in = c
		case "outbound":
			if out != nil {
				return nil, errorf(CodeXMLDetail, "Only one child <outbound> element allowed")
			}
			out = c
		}
	}
	b := &Bandwidth{}
	var err error
	if in != nil {
		if b.Inbound, err = parseBandwidthRate(in); err != nil {
			return nil, err
		}
		if b.Inbound.Floor != 0 && !allowFloor {
			return nil, unsupportedf("floor attribute is not supported for this config")
		}
	}
	if out != nil {
		if b.Outbound, err = parseBandwidthRate(out); err != nil {
			return nil, err
		}
		if b.Outbound.Floor != 0 {
			return nil, unsupportedf("'floor' attribute allowed only in <inbound> element")
		}
	}
	if b.Inbound == nil && b.Outbound == nil {
		return nil, nil
	}
	return b, nil
}

func (r *BandwidthRate) format(e *enc, name string) {
	if r == nil || r.Average == 0 && r.Floor == 0 {
		return
	}
	e.Open(name)
	if r.Average != 0 {
		e.AttrUint("average", r.Average)
	}
	if r.Peak != 0 {
		e.AttrUint("peak", r.Peak)
	}
	if r.Floor != 0 {
		e.AttrUint("floor", r.Floor)
	}
	if r.Burst != 0 {
		e.AttrUint("burst", r.Burst)
	}
	e.EndEmpty()
}

func (b *Bandwidth) format(e *enc) {
	if b == nil {
		return
	}
	e.Open("bandwidth")
	e.EndOpen()
	b.Inbound.format(e, "inbound")
	b.Outbound.format(e, "outbound")
	e.Close("bandwidth")
}

// VLAN is a <vlan> element: one tag, or a trunk of several.
type VLAN struct {
	Trunk bool
	Tags  []VLANTag
}

// VLANTag is one <tag>; NativeMode ("tagged" or "untagged") marks the
// native VLAN of a trunk.
type VLANTag struct {
	ID         uint
	NativeMode string
}

func parseVLAN(n *xmldoc.Node) (*VLAN, error) {
	tags := childrenNamed(n, "tag")
	if len(tags) == 0 {
		return nil, xmlErrorf("missing tag id - each <vlan> must have at least one <tag id='n'/> subelement")
	}
	v := &VLAN{}
	native := false
	for _, t := range tags {
		s, _ := xpAttr(t, "id")
		id, err := cParseUintWrap(s, 10, 64)
		if err != nil {
			return nil, xmlErrorf("missing or invalid vlan tag id attribute")
		}
		if id > 4095 {
			return nil, xmlErrorf("vlan tag id %d too large (maximum 4095)", id)
		}
		tag := VLANTag{ID: uint(id)}
		if mode, ok := xpAttr(t, "nativeMode"); ok {
			if native {
				return nil, xmlErrorf("duplicate native vlan setting")
			}
			if mode != "tagged" && mode != "untagged" {
				return nil, unsupportedf("Invalid \"nativeMode='%s'\" in vlan <tag> element", mode)
			}
			native = true
			tag.NativeMode = mode
		}
		v.Tags = append(v.Tags, tag)
	}
	v.Trunk = len(tags) > 1
	if trunk, ok := xpAttr(n, "trunk"); ok {
		v.Trunk = equalFold(trunk, "yes")
		if !v.Trunk {
			if len(tags) > 1 {
				return nil, xmlErrorf("invalid \"trunk='%s'\" in <vlan> - trunk='yes' is required for more than one vlan tag", trunk)
			}
			if native {
				return nil, xmlErrorf("invalid configuration in <vlan> - \"trunk='no'\" is not allowed with a native vlan id")
			}
			if !equalFold(trunk, "no") {
				return nil, xmlErrorf("invalid \"trunk='%s'\" in <vlan> - must be yes or no", trunk)
			}
		}
	}
	return v, nil
}

func (v *VLAN) format(e *enc) {
	if v == nil || len(v.Tags) == 0 {
		return
	}
	e.Open("vlan")
	if v.Trunk {
		e.Attr("trunk", "yes")
	}
	e.EndOpen()
	nativeID, nativeMode := uint(0), ""
	for _, t := range v.Tags {
		if t.NativeMode != "" {
			nativeID, nativeMode = t.ID, t.NativeMode
			break
		}
	}
	for _, t := range v.Tags {
		e.Open("tag")
		e.AttrUint("id", uint64(t.ID))
		if nativeMode != "" && t.ID == nativeID {
			e.Attr("nativeMode", nativeMode)
		}
		e.EndEmpty()
	}
	e.Close("vlan")
}

// VirtualPort is a <virtualport> element: the switch port profile.
type VirtualPort struct {
	Type          string // "", "802.1Qbg", "802.1Qbh", "openvswitch", "midonet"
	ManagerID     *uint8
	TypeID        *uint32
	TypeIDVersion *uint8
	InstanceID    *UUID
	InterfaceID   *UUID
	ProfileID     string
}

var vportTypes = []string{"802.1Qbg", "802.1Qbh", "openvswitch", "midonet"}

func parseVirtualPort(n *xmldoc.Node, requireType bool) (*VirtualPort, error) {
	vp := &VirtualPort{}
	if t, ok := propStr(n, "type"); ok {
		known := false
		for _, x := range vportTypes {
			if t == x {
				known = true
			}
		}
		if !known {
			return nil, unsupportedf("unknown virtualport type %s", t)
		}
		vp.Type = t
	}
	if vp.Type == "" && requireType {
		return nil, xmlErrorf("missing required virtualport type")
	}
	p := child(n, "parameters")
	num := func(attr string, max uint64) (uint64, bool, error) {
		s, ok := propStr(p, attr)
		if !ok {
			return 0, false, nil
		}
		v, err := cParseUint(s, 0)
		if err != nil || v > 1<<32-1 {
			return 0, false, xmlErrorf("cannot parse value of %s parameter", attr)
		}
		if v > max {
			if attr == "typeid" {
				return 0, false, xmlErrorf("value for typeid out of range")
			}
			return 0, false, xmlErrorf("value of %s out of range", attr)
		}
		return v, true, nil
	}
	if v, ok, err := num("managerid", 0xff); err != nil {
		return nil, err
	} else if ok {
		x := uint8(v)
		vp.ManagerID = &x
	}
	if v, ok, err := num("typeid", 0xffffff); err != nil {
		return nil, err
	} else if ok {
		x := uint32(v)
		vp.TypeID = &x
	}
	if v, ok, err := num("typeidversion", 0xff); err != nil {
		return nil, err
	} else if ok {
		x := uint8(v)
		vp.TypeIDVersion = &x
	}
	if s, ok := propStr(p, "instanceid"); ok {
		u, err := ParseUUID(s)
		if err != nil {
			return nil, xmlErrorf("cannot parse instanceid parameter as a uuid")
		}
		vp.InstanceID = &u
	}
	if s, ok := propStr(p, "profileid"); ok {
		if len(s) >= 40 {
			return nil, xmlErrorf("profileid parameter too long")
		}
		vp.ProfileID = s
	}
	if s, ok := propStr(p, "interfaceid"); ok {
		u, err := ParseUUID(s)
		if err != nil {
			return nil, xmlErrorf("cannot parse interfaceid parameter as a uuid")
		}
		vp.InterfaceID = &u
	}
	if err := vp.checkNoExtras(); err != nil {
		return nil, err
	}
	return vp, nil
}

// checkNoExtras refuses parameters the port type does not use.
func (vp *VirtualPort) checkNoExtras() error {
	bad := func(what string) error {
		return xmlErrorf("extra %s unsupported in <virtualport type='%s'>", what, vp.Type)
	}
	switch vp.Type {
	case "802.1Qbg":
		if vp.ProfileID != "" {
			return bad("profileid")
		}
		if vp.InterfaceID != nil {
			return bad("interfaceid")
		}
	case "802.1Qbh":
		switch {
		case vp.ManagerID != nil:
			return bad("managerid")
		case vp.TypeID != nil:
			return bad("typeid")
		case vp.TypeIDVersion != nil:
			return bad("typeidversion")
		case vp.InstanceID != nil:
			return bad("instanceid")
		case vp.InterfaceID != nil:
			return bad("interfaceid")
		}
	case "openvswitch", "midonet":
		switch {
		case vp.ManagerID != nil:
			return bad("managerid")
		case vp.TypeID != nil:
			return bad("typeid")
		case vp.TypeIDVersion != nil:
			return bad("typeidversion")
		case vp.InstanceID != nil:
			return bad("instanceid")
		case vp.Type == "midonet" && vp.ProfileID != "":
			return bad("profileid")
		}
	}
	return nil
}

func (vp *VirtualPort) format(e *enc) {
	if vp == nil {
		return
	}
	noParams := vp.ManagerID == nil && vp.TypeID == nil && vp.TypeIDVersion == nil &&
		vp.InstanceID == nil && vp.ProfileID == "" && vp.InterfaceID == nil
	t := vp.Type
	if noParams {
		if t != "" {
			e.empty("virtualport", "type", t)
		}
		return
	}
	e.Open("virtualport")
	if t != "" {
		e.Attr("type", t)
	}
	e.EndOpen()
	qbg := t == "802.1Qbg" || t == ""
	e.Open("parameters")
	if vp.ManagerID != nil && qbg {
		e.AttrUint("managerid", uint64(*vp.ManagerID))
	}
	if vp.TypeID != nil && qbg {
		e.AttrUint("typeid", uint64(*vp.TypeID))
	}
	if vp.TypeIDVersion != nil && qbg {
		e.AttrUint("typeidversion", uint64(*vp.TypeIDVersion))
	}
	if vp.InstanceID != nil && qbg {
		e.Attr("instanceid", vp.InstanceID.String())
	}
	if vp.InterfaceID != nil && (t == "midonet" || t == "openvswitch" || t == "") {
		e.Attr("interfaceid", vp.InterfaceID.String())
	}
	if vp.ProfileID != "" && (t == "openvswitch" || t == "802.1Qbh" || t == "") {
		e.Attr("profileid", vp.ProfileID)
	}
	e.EndEmpty()
	e.Close("virtualport")
}

// PCIAddress is a host PCI address.
type PCIAddress struct {
	Domain, Bus, Slot, Function uint
}

// String formats a as dddd:bb:ss.f.
func (a PCIAddress) String() string {
	return fmt.Sprintf("%04x:%02x:%02x.%x", a.Domain, a.Bus, a.Slot, a.Function)
}

func parsePCIAddress(n *xmldoc.Node) (PCIAddress, error) {
	var a PCIAddress
	for _, f := range []struct {
		name string
		dst  *uint
	}{{"domain", &a.Domain}, {"bus", &a.Bus}, {"slot", &a.Slot}, {"function", &a.Function}} {
		v, _, err := propUint(n, f.name, 0, 1<<32-1)
		if err != nil {
			return a, err
		}
		*f.dst = uint(v)
	}
	if a != (PCIAddress{}) {
		switch {
		case a.Domain > 0xffff:
			return a, xmlErrorf("Invalid PCI address domain='0x%x', must be <= 0xFFFF", a.Domain)
		case a.Bus > 0xff:
			return a, xmlErrorf("Invalid PCI address bus='0x%x', must be <= 0xFF", a.Bus)
		case a.Slot > 0x1f:
			return a, xmlErrorf("Invalid PCI address slot='0x%x', must be <= 0x1F", a.Slot)
		case a.Function > 7:
			return a, xmlErrorf("Invalid PCI address function=0x%x, must be <= 7", a.Function)
		}
	}
	return a, nil
}

func (a PCIAddress) format(e *enc, withType bool) {
	e.Open("address")
	if withType {
		e.Attr("type", "pci")
	}
	e.Attr("domain", "0x"+pad(strconv.FormatUint(uint64(a.Domain), 16), 4))
	e.Attr("bus", "0x"+pad(strconv.FormatUint(uint64(a.Bus), 16), 2))
	e.Attr("slot", "0x"+pad(strconv.FormatUint(uint64(a.Slot), 16), 2))
	e.Attr("function", "0x"+strconv.FormatUint(uint64(a.Function), 16))
	e.EndEmpty()
}

func pad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i]|0x20 != b[i]|0x20 {
			return false
		}
	}
	return true
}
