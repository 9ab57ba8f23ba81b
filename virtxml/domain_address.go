package virtxml

import (
	"strconv"
	"strings"

	"github.com/govirt/govirt/internal/xmldoc"
)

// Address is a device address on its bus. Type selects which fields
// matter:
//
//	pci            Domain, Bus, Slot, Function, Multifunction (and ZPCI)
//	drive          Controller, Bus, Target, Unit
//	virtio-serial  Controller, Bus, Port
//	ccid           Controller, Slot
//	usb            Bus, USBPort
//	spapr-vio      Reg
//	ccw            CSSID, SSID, DevNo
//	isa            IOBase, IRQ
//	dimm           Slot, Base
//	virtio-mmio, virtio-s390, unassigned, none: no fields
type Address struct {
	Type          string
	Domain        uint64
	Bus           uint64
	Slot          uint64
	Function      uint64
	Multifunction string
	Controller    uint64
	Target        uint64
	Unit          uint64
	Port          uint64
	USBPort       string
	Reg           uint64
	HasReg        bool
	CSSID         uint64
	SSID          uint64
	DevNo         uint64
	HasCCW        bool
	IOBase        uint64
	IRQ           uint64
	Base          uint64
	HasBase       bool
	ZPCI          *ZPCIAddress
	// has records which attributes were present (by name).
	has uint32
}

// ZPCIAddress is the s390 zPCI identification of a PCI address.
type ZPCIAddress struct {
	UID            uint64
	FID            uint64
	HasUID, HasFID bool
}

const (
	hasDomain = 1 << iota
	hasBus
	hasSlot
	hasFunction
	hasController
	hasTarget
	hasUnit
	hasPort
	hasIOBase
	hasIRQ
)

// addressTypes lists the address types libvirt knows.
var addressTypes = map[string]bool{
	"none": true, "pci": true, "drive": true, "virtio-serial": true, "ccid": true,
	"usb": true, "spapr-vio": true, "virtio-s390": true, "ccw": true,
	"virtio-mmio": true, "isa": true, "dimm": true, "unassigned": true,
}

func attrErr(n *xmldoc.Node, name, value, tail string) error {
	return xmlErrorf("Invalid value for attribute '%s' in element '%s': '%s'.%s", name, n.Name, value, tail)
}

// parseUintBase parses like strtoul with the given base (0: C prefixes).
func parseUintBase(s string, base int) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	if base == 0 {
		switch {
		case len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
			s, base = s[2:], 16
		case len(s) > 1 && s[0] == '0':
			s, base = s[1:], 8
		default:
			base = 10
		}
	} else if base == 16 && len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		s = s[2:]
	}
	if s == "" || s[0] == '-' || s[0] == '+' {
		return 0, false
	}
	v, err := strconv.ParseUint(s, base, 64)
	return v, err == nil
}

// UnmarshalNode implements xmldoc.NodeUnmarshaler.
func (a *Address) UnmarshalNode(n *xmldoc.Node) error {
	*a = Address{}
	t, ok := n.Attr("type")
	if !ok || t == "" {
		return errorf(CodeInternal, "No type specified for device address")
	}
	if !addressTypes[t] {
		return unsupportedf("unknown address type '%s'", t)
	}
	a.Type = t
	uintAttr := func(name string, base int, bit uint32, max uint64) (uint64, error) {
		v, ok := n.Attr(name)
		if !ok {
			return 0, nil
		}
		x, good := parseUintBase(v, base)
		if !good || x > max {
			return 0, attrErr(n, name, v, " Expected non-negative integer value")
		}
		a.has |= bit
		return x, nil
	}
	var err error
	switch t {
	case "pci":
		if a.Domain, err = uintAttr("domain", 0, hasDomain, 0xffffffff); err != nil {
			return err
		}
		if a.Bus, err = uintAttr("bus", 0, hasBus, 0xffffffff); err != nil {
			return err
		}
		if a.Slot, err = uintAttr("slot", 0, hasSlot, 0xffffffff); err != nil {
			return err
		}
		if a.Function, err = uintAttr("function", 0, hasFunction, 0xffffffff); err != nil {
			return err
		}
		if v, ok := n.Attr("multifunction"); ok {
			if v != "on" && v != "off" {
				return attrErr(n, "multifunction", v, "")
			}
			a.Multifunction = v
		}
		if z := n.Child("zpci"); z != nil {
			a.ZPCI = &ZPCIAddress{}
			if v, ok := z.Attr("uid"); ok {
				x, good := parseUintBase(v, 0)
				if !good || x > 0xffff {
					return attrErr(z, "uid", v, " Expected non-negative integer value")
				}
				a.ZPCI.UID, a.ZPCI.HasUID = x, true
			}
			if v, ok := z.Attr("fid"); ok {
				x, good := parseUintBase(v, 0)
				if !good || x > 0xffffffff {
					return attrErr(z, "fid", v, " Expected non-negative integer value")
				}
				a.ZPCI.FID, a.ZPCI.HasFID = x, true
			}
		}
		if !a.pciEmpty() {
			if a.Domain > 0xffff {
				return xmlErrorf("Invalid PCI address domain='0x%x', must be <= 0xFFFF", a.Domain)
			}
			if a.Bus > 0xff {
				return xmlErrorf("Invalid PCI address bus='0x%x', must be <= 0xFF", a.Bus)
			}
			if a.Slot > 0x1f {
				return xmlErrorf("Invalid PCI address slot='0x%x', must be <= 0x1F", a.Slot)
			}
			if a.Function > 7 {
				return xmlErrorf("Invalid PCI address function=0x%x, must be <= 7", a.Function)
			}
		}
	case "drive":
		for _, f := range []struct {
			name string
			p    *uint64
			bit  uint32
		}{{"controller", &a.Controller, hasController}, {"bus", &a.Bus, hasBus}, {"target", &a.Target, hasTarget}, {"unit", &a.Unit, hasUnit}} {
			if *f.p, err = uintAttr(f.name, 10, f.bit, 0xffffffff); err != nil {
				return err
			}
		}
	case "virtio-serial":
		for _, f := range []struct {
			name string
			p    *uint64
			bit  uint32
		}{{"controller", &a.Controller, hasController}, {"bus", &a.Bus, hasBus}, {"port", &a.Port, hasPort}} {
			if *f.p, err = uintAttr(f.name, 10, f.bit, 0xffffffff); err != nil {
				return err
			}
		}
	case "ccid":
		if a.Controller, err = uintAttr("controller", 10, hasController, 0xffffffff); err != nil {
			return err
		}
		if a.Slot, err = uintAttr("slot", 10, hasSlot, 0xffffffff); err != nil {
			return err
		}
	case "usb":
		if a.Bus, err = uintAttr("bus", 10, hasBus, 0xffffffff); err != nil {
			return err
		}
		if v, ok := n.Attr("port"); ok {
			if !validUSBPort(v) {
				return errorf(CodeInternal, "Cannot parse <address> 'port' attribute")
			}
			a.USBPort = v
		}
	case "spapr-vio":
		if v, ok := n.Attr("reg"); ok {
			x, good := parseUintBase(v, 16)
			if !good {
				return errorf(CodeInternal, "Cannot parse <address> 'reg' attribute")
			}
			a.Reg, a.HasReg = x, true
		}
	case "ccw":
		var got int
		for _, f := range []struct {
			name string
			p    *uint64
		}{{"cssid", &a.CSSID}, {"ssid", &a.SSID}, {"devno", &a.DevNo}} {
			v, ok := n.Attr(f.name)
			if !ok {
				continue
			}
			x, good := parseUintBase(v, 0)
			if !good || x > 0xffffffff {
				return attrErr(n, f.name, v, " Expected non-negative integer value")
			}
			*f.p = x
			got++
		}
		switch {
		case got == 3:
			if a.CSSID > 0xfe || a.SSID > 3 || a.DevNo > 0xffff {
				return errorf(CodeInternal, "Invalid specification for virtio ccw address: cssid='0x%x' ssid='0x%x' devno='0x%04x'", a.CSSID, a.SSID, a.DevNo)
			}
			a.HasCCW = true
		case got != 0:
			return errorf(CodeInternal, "Invalid partial specification for virtio ccw address")
		}
	case "isa":
		if v, ok := n.Attr("iobase"); ok {
			x, good := parseUintBase(v, 16)
			if !good {
				return errorf(CodeInternal, "Cannot parse <address> 'iobase' attribute")
			}
			a.IOBase = x
			a.has |= hasIOBase
		}
		if v, ok := n.Attr("irq"); ok {
			x, good := parseUintBase(v, 16)
			if !good {
				return errorf(CodeInternal, "Cannot parse <address> 'irq' attribute")
			}
			a.IRQ = x
			a.has |= hasIRQ
		}
	case "dimm":
		if a.Slot, err = uintAttr("slot", 10, hasSlot, 0xffffffff); err != nil {
			return err
		}
		if v, ok := n.Attr("base"); ok {
			x, good := parseUintBase(v, 16)
			if !good {
				return errorf(CodeInternal, "Cannot parse <address> 'base' attribute")
			}
			a.Base, a.HasBase = x, true
		}
	}
	return nil
}

// validUSBPort checks a USB port path: up to 4 dot-separated numbers.
func validUSBPort(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return false
	}
	for _, p := range parts {
		if p == "" {
			return false
		}
		if _, err := strconv.ParseUint(p, 10, 32); err != nil {
			return false
		}
	}
	return true
}

// pciEmpty reports whether a PCI address names no slot (libvirt then
// assigns one and writes only the type).
func (a *Address) pciEmpty() bool {
	return a.Domain == 0 && a.Bus == 0 && a.Slot == 0 && a.Function == 0
}

// IsPCI reports whether a is a PCI address.
func (a *Address) IsPCI() bool { return a != nil && a.Type == "pci" }

// MarshalNode implements xmldoc.NodeMarshaler.
func (a *Address) MarshalNode(e *xmldoc.Encoder, name string) error {
	e.Open(name)
	e.Attr("type", a.Type)
	hex := func(attr string, v uint64, width int) {
		s := strconv.FormatUint(v, 16)
		for len(s) < width {
			s = "0" + s
		}
		e.Attr(attr, "0x"+s)
	}
	switch a.Type {
	case "pci":
		if !a.pciEmpty() {
			hex("domain", a.Domain, 4)
			hex("bus", a.Bus, 2)
			hex("slot", a.Slot, 2)
			hex("function", a.Function, 1)
		}
		if a.Multifunction != "" {
			e.Attr("multifunction", a.Multifunction)
		}
		if a.ZPCI != nil && (a.ZPCI.HasUID || a.ZPCI.HasFID) {
			e.EndOpen()
			e.Open("zpci")
			hex("uid", a.ZPCI.UID, 4)
			hex("fid", a.ZPCI.FID, 8)
			e.EndEmpty()
			e.Close(name)
			return nil
		}
	case "drive":
		e.AttrUint("controller", a.Controller)
		e.AttrUint("bus", a.Bus)
		e.AttrUint("target", a.Target)
		e.AttrUint("unit", a.Unit)
	case "virtio-serial":
		e.AttrUint("controller", a.Controller)
		e.AttrUint("bus", a.Bus)
		e.AttrUint("port", a.Port)
	case "ccid":
		e.AttrUint("controller", a.Controller)
		e.AttrUint("slot", a.Slot)
	case "usb":
		e.AttrUint("bus", a.Bus)
		if a.USBPort != "" {
			e.Attr("port", a.USBPort)
		}
	case "spapr-vio":
		if a.HasReg {
			hex("reg", a.Reg, 8)
		}
	case "ccw":
		if a.HasCCW {
			hex("cssid", a.CSSID, 1)
			hex("ssid", a.SSID, 1)
			hex("devno", a.DevNo, 4)
		}
	case "isa":
		if a.has&hasIOBase != 0 {
			hex("iobase", a.IOBase, 1)
		}
		if a.has&hasIRQ != 0 {
			hex("irq", a.IRQ, 1)
		}
	case "dimm":
		e.AttrUint("slot", a.Slot)
		if a.HasBase {
			hex("base", a.Base, 1)
		}
	}
	e.EndEmpty()
	return nil
}
