package qemu

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// machineKind is the family of a machine type, which decides the buses.
type machineKind int

const (
	kindPC      machineKind = iota // i440FX + PIIX3: PCI root bus pci.0
	kindQ35                        // Q35 + ICH9: PCIe root bus pcie.0
	kindMicrovm                    // microvm: no PCI, virtio-mmio devices
)

// machineKindOf classifies a machine type name.
func machineKindOf(m string) (machineKind, error) {
	switch {
	case m == "q35" || strings.HasPrefix(m, "pc-q35-"):
		return kindQ35, nil
	case m == "pc" || strings.HasPrefix(m, "pc-i440fx-") || strings.HasPrefix(m, "pc-0.") || strings.HasPrefix(m, "pc-1."):
		return kindPC, nil
	case m == "microvm":
		return kindMicrovm, nil
	}
	return 0, unsupported("machine type '%s' is not supported (use pc, q35 or microvm)", m)
}

// unsupported is a VIR_ERR_CONFIG_UNSUPPORTED error.
func unsupported(format string, args ...any) error {
	return virt.Errorf(virt.ErrConfigUnsupported, virt.FromQEMU, format, args...)
}

// rootBus is the name of the root PCI bus.
func rootBus(k machineKind) string {
	if k == kindQ35 {
		return "pcie.0"
	}
	return "pci.0"
}

func uintp(v uint) *uint { return &v }

func ctrlIndex(c *virtxml.Controller) uint {
	if c.Index == nil {
		return 0
	}
	return *c.Index
}

// findController returns the controller of type typ with index idx.
func findController(dv *virtxml.Devices, typ string, idx uint) *virtxml.Controller {
	for i := range dv.Controllers {
		c := &dv.Controllers[i]
		if c.Type == typ && ctrlIndex(c) == idx {
			return c
		}
	}
	return nil
}

// usbNeeded reports whether a device sits on USB.
func usbNeeded(dv *virtxml.Devices) bool {
	for _, in := range dv.Inputs {
		if in.Bus == "usb" {
			return true
		}
	}
	for _, d := range dv.Disks {
		if d.Target != nil && d.Target.Bus == "usb" {
			return true
		}
	}
	return false
}

// addImplicitDevices adds what QEMU guests get unless told otherwise, as
// libvirt's QEMU driver does at define time: the root PCI controller, a
// USB controller model, a default NIC model and a virtio memory balloon.
func addImplicitDevices(def *virtxml.Domain, k machineKind) {
	dv := def.Devices
	if k != kindMicrovm {
		model := "pci-root"
		if k == kindQ35 {
			model = "pcie-root"
		}
		if c := findController(dv, "pci", 0); c == nil {
			dv.Controllers = append([]virtxml.Controller{{Type: "pci", Index: uintp(0), Model: model}}, dv.Controllers...)
		} else if c.Model == "" {
			c.Model = model
		}
		if c := findController(dv, "usb", 0); c == nil && usbNeeded(dv) {
			dv.Controllers = append(dv.Controllers, virtxml.Controller{Type: "usb", Index: uintp(0)})
		}
		for i := range dv.Controllers {
			c := &dv.Controllers[i]
			if c.Type == "usb" && c.Model == "" {
				c.Model = "piix3-uhci"
				if k == kindQ35 {
					c.Model = "qemu-xhci"
				}
			}
			if c.Type == "scsi" && c.Model == "" {
				c.Model = "virtio-scsi"
			}
		}
	}
	for i := range dv.Interfaces {
		n := &dv.Interfaces[i]
		if n.Model == nil {
			m := "rtl8139"
			if k == kindMicrovm {
				m = "virtio"
			}
			n.Model = &virtxml.InterfaceModel{Type: m}
		}
	}
	if dv.MemBalloon == nil {
		dv.MemBalloon = &virtxml.MemBalloon{Model: "virtio"}
	}
}

// diskIndex is the index of a disk name (vda 0, vdb 1, ..., vdaa 26).
func diskIndex(name string) int {
	rest := ""
	for _, p := range []string{"xvd", "ubd", "vd", "hd", "sd", "fd"} {
		if strings.HasPrefix(name, p) {
			rest = name[len(p):]
			break
		}
	}
	idx, j := 0, 0
	for ; j < len(rest) && rest[j] >= 'a' && rest[j] <= 'z'; j++ {
		idx = (idx+1)*26 + int(rest[j]-'a')
		if idx > 1<<20 {
			return -1
		}
	}
	if j == 0 {
		return -1
	}
	return idx - 26
}

// controllerAlias is libvirt's alias of a controller.
func controllerAlias(c *virtxml.Controller, k machineKind) string {
	if c.Alias != nil && c.Alias.Name != "" {
		return c.Alias.Name
	}
	idx := ctrlIndex(c)
	switch c.Type {
	case "pci":
		if c.Model == "pcie-root" {
			return "pcie.0"
		}
		return "pci." + strconv.FormatUint(uint64(idx), 10)
	case "usb":
		if idx == 0 {
			return "usb"
		}
		return "usb" + strconv.FormatUint(uint64(idx), 10)
	case "ide":
		if idx == 0 {
			return "ide"
		}
	case "sata":
		if k == kindQ35 && idx == 0 {
			return "ide"
		}
	}
	return c.Type + strconv.FormatUint(uint64(idx), 10)
}

// diskAlias is libvirt's alias of a disk.
func diskAlias(d *virtxml.Disk) string {
	if d.Alias != nil && d.Alias.Name != "" {
		return d.Alias.Name
	}
	bus, dev := "", ""
	if d.Target != nil {
		bus, dev = d.Target.Bus, d.Target.Dev
	}
	a := d.Address
	switch bus {
	case "ide", "sata", "fdc":
		if a != nil && a.Type == "drive" {
			return fmt.Sprintf("%s%d-%d-%d", bus, a.Controller, a.Bus, a.Unit)
		}
	case "scsi":
		if a != nil && a.Type == "drive" {
			return fmt.Sprintf("scsi%d-%d-%d-%d", a.Controller, a.Bus, a.Target, a.Unit)
		}
	case "virtio":
		return fmt.Sprintf("virtio-disk%d", diskIndex(dev))
	case "usb":
		return fmt.Sprintf("usb-disk%d", diskIndex(dev))
	}
	return bus + "-disk" + strconv.Itoa(diskIndex(dev))
}

// nodeNames are the block node names of a disk: storage and format.
func nodeNames(alias string) (storage, format string) {
	// Node names may have at most 31 characters.
	base := alias
	if len(base) > 26 {
		h := sha256.Sum256([]byte(alias))
		base = "h" + hex.EncodeToString(h[:6])
	}
	return "s-" + base, "f-" + base
}

func setAlias(a **virtxml.DeviceAlias, name string) {
	if *a == nil || (*a).Name == "" {
		*a = &virtxml.DeviceAlias{Name: name}
	}
}

// hasAlias reports whether a user alias or an earlier assignment exists.
func hasAlias(a *virtxml.DeviceAlias) bool { return a != nil && a.Name != "" }

// assignAliases gives every device the alias libvirt's QEMU driver would,
// keeping aliases already set. QEMU device ids are these aliases.
func assignAliases(def *virtxml.Domain, k machineKind) {
	dv := def.Devices
	for i := range dv.Controllers {
		setAlias(&dv.Controllers[i].Alias, controllerAlias(&dv.Controllers[i], k))
	}
	for i := range dv.Disks {
		setAlias(&dv.Disks[i].Alias, diskAlias(&dv.Disks[i]))
	}
	used := map[string]bool{}
	for i := range dv.Interfaces {
		if hasAlias(dv.Interfaces[i].Alias) {
			used[dv.Interfaces[i].Alias.Name] = true
		}
	}
	n := 0
	for i := range dv.Interfaces {
		if hasAlias(dv.Interfaces[i].Alias) {
			continue
		}
		for used["net"+strconv.Itoa(n)] {
			n++
		}
		name := "net" + strconv.Itoa(n)
		used[name] = true
		setAlias(&dv.Interfaces[i].Alias, name)
	}
	for i := range dv.Serials {
		setAlias(&dv.Serials[i].Alias, "serial"+strconv.Itoa(i))
	}
	for i := range dv.Parallels {
		setAlias(&dv.Parallels[i].Alias, "parallel"+strconv.Itoa(i))
	}
	for i := range dv.Consoles {
		c := &dv.Consoles[i]
		if i == 0 && (c.Target == nil || c.Target.Type == "" || c.Target.Type == "serial") {
			// The first console of target type serial is serial0.
			setAlias(&c.Alias, "serial0")
			continue
		}
		setAlias(&c.Alias, "console"+strconv.Itoa(i))
	}
	for i := range dv.Channels {
		setAlias(&dv.Channels[i].Alias, "channel"+strconv.Itoa(i))
	}
	for i := range dv.Inputs {
		setAlias(&dv.Inputs[i].Alias, "input"+strconv.Itoa(i))
	}
	for i := range dv.Videos {
		setAlias(&dv.Videos[i].Alias, "video"+strconv.Itoa(i))
	}
	for i := range dv.Watchdogs {
		setAlias(&dv.Watchdogs[i].Alias, "watchdog"+strconv.Itoa(i))
	}
	if dv.MemBalloon != nil && dv.MemBalloon.Model != "none" {
		setAlias(&dv.MemBalloon.Alias, "balloon0")
	}
	for i := range dv.RNGs {
		setAlias(&dv.RNGs[i].Alias, "rng"+strconv.Itoa(i))
	}
	for i := range dv.Panics {
		setAlias(&dv.Panics[i].Alias, "panic"+strconv.Itoa(i))
	}
}

// pciSlots tracks the slots in use on each PCI bus.
type pciSlots struct {
	used map[uint64]map[uint64]bool // bus -> slot -> used
	kind machineKind
	// hotplugBuses are buses (other than 0) whose slot 0 a device may take:
	// the PCIe root ports.
	rootPorts []uint64
}

func (p *pciSlots) mark(a *virtxml.Address) {
	if a == nil || a.Type != "pci" {
		return
	}
	if p.used[a.Bus] == nil {
		p.used[a.Bus] = map[uint64]bool{}
	}
	p.used[a.Bus][a.Slot] = true
}

// next returns the first free slot on bus 0.
func (p *pciSlots) next() (*virtxml.Address, error) {
	first, last := uint64(2), uint64(31)
	if p.kind == kindQ35 {
		first, last = 2, 30 // 0x1f is the ICH9 LPC/SATA/SMBus slot
	}
	if p.used[0] == nil {
		p.used[0] = map[uint64]bool{}
	}
	for s := first; s <= last; s++ {
		if !p.used[0][s] {
			p.used[0][s] = true
			return &virtxml.Address{Type: "pci", Slot: s}, nil
		}
	}
	return nil, unsupported("no free PCI slot on bus 0 for another device")
}

// nextHotplug returns a free slot a device may be hot-plugged into: on the
// root bus of pc machines, or a free PCIe root port of q35 machines.
func (p *pciSlots) nextHotplug() (*virtxml.Address, error) {
	if p.kind != kindQ35 {
		return p.next()
	}
	for _, bus := range p.rootPorts {
		if !p.used[bus][0] {
			if p.used[bus] == nil {
				p.used[bus] = map[uint64]bool{}
			}
			p.used[bus][0] = true
			return &virtxml.Address{Type: "pci", Bus: bus}, nil
		}
	}
	return nil, unsupported("no free pcie-root-port for a hot-plugged device: define the domain with spare <controller type='pci' model='pcie-root-port'/> controllers")
}

// newPCISlots records the slots the definition already uses, with the
// fixed ones of the machine.
func newPCISlots(def *virtxml.Domain, k machineKind) *pciSlots {
	p := &pciSlots{used: map[uint64]map[uint64]bool{0: {0: true}}, kind: k}
	if k == kindPC {
		p.used[0][1] = true // PIIX3: ISA, IDE, USB, ACPI
	} else {
		p.used[0][0x1f] = true // ICH9
	}
	dv := def.Devices
	for i := range dv.Controllers {
		c := &dv.Controllers[i]
		p.mark(c.Address)
		if c.Type == "pci" && c.Model == "pcie-root-port" {
			p.rootPorts = append(p.rootPorts, uint64(ctrlIndex(c)))
		}
	}
	for i := range dv.Disks {
		p.mark(dv.Disks[i].Address)
	}
	for i := range dv.Interfaces {
		p.mark(dv.Interfaces[i].Address)
	}
	for i := range dv.Videos {
		p.mark(dv.Videos[i].Address)
	}
	for i := range dv.Inputs {
		p.mark(dv.Inputs[i].Address)
	}
	for i := range dv.Watchdogs {
		p.mark(dv.Watchdogs[i].Address)
	}
	for i := range dv.RNGs {
		p.mark(dv.RNGs[i].Address)
	}
	for i := range dv.Panics {
		p.mark(dv.Panics[i].Address)
	}
	for i := range dv.Serials {
		p.mark(dv.Serials[i].Address)
	}
	if dv.MemBalloon != nil {
		p.mark(dv.MemBalloon.Address)
	}
	return p
}

// needsPCI reports whether a device of this kind needs a PCI address.
func needsAddr(a *virtxml.Address) bool {
	return a == nil || (a.Type == "pci" && a.Bus == 0 && a.Slot == 0)
}

// assignAddresses gives PCI addresses to the devices of pc and q35 guests
// that need one and have none, in the order libvirt's QEMU driver fills
// slots: the primary video card first (slot 2 on pc, 1 on q35), then
// controllers, NICs, virtio disks and inputs, the balloon, RNGs,
// watchdogs and panic devices.
func assignAddresses(def *virtxml.Domain, k machineKind) error {
	if k == kindMicrovm {
		return nil
	}
	dv := def.Devices
	p := newPCISlots(def, k)
	fixed := func(a **virtxml.Address, slot, fn uint64) {
		if needsAddr(*a) {
			*a = &virtxml.Address{Type: "pci", Slot: slot, Function: fn}
			p.mark(*a)
		}
	}
	var err error
	take := func(a **virtxml.Address) {
		if err != nil || !needsAddr(*a) {
			return
		}
		*a, err = p.next()
	}
	if len(dv.Videos) > 0 && dv.Videos[0].Model != nil && dv.Videos[0].Model.Type != "none" {
		slot := uint64(2)
		if k == kindQ35 {
			slot = 1
		}
		if needsAddr(dv.Videos[0].Address) && !p.used[0][slot] {
			fixed(&dv.Videos[0].Address, slot, 0)
		}
	}
	for i := range dv.Controllers {
		c := &dv.Controllers[i]
		switch {
		case c.Type == "pci" && (c.Model == "pci-root" || c.Model == "pcie-root"):
		case c.Type == "ide" && k == kindPC && ctrlIndex(c) == 0:
			fixed(&c.Address, 1, 1)
		case c.Type == "usb" && k == kindPC && ctrlIndex(c) == 0 && c.Model == "piix3-uhci":
			fixed(&c.Address, 1, 2)
		case c.Type == "sata" && k == kindQ35 && ctrlIndex(c) == 0:
			fixed(&c.Address, 0x1f, 2)
		case c.Type == "usb" && c.Model == "none":
		case c.Type == "pci", c.Type == "usb", c.Type == "scsi", c.Type == "sata", c.Type == "virtio-serial":
			take(&c.Address)
		}
	}
	for i := range dv.Interfaces {
		take(&dv.Interfaces[i].Address)
	}
	for i := range dv.Videos {
		if dv.Videos[i].Model != nil && dv.Videos[i].Model.Type != "none" && dv.Videos[i].Model.Type != "ramfb" {
			take(&dv.Videos[i].Address)
		}
	}
	for i := range dv.Disks {
		if dv.Disks[i].Target != nil && dv.Disks[i].Target.Bus == "virtio" {
			take(&dv.Disks[i].Address)
		}
	}
	for i := range dv.Inputs {
		if dv.Inputs[i].Bus == "virtio" {
			take(&dv.Inputs[i].Address)
		}
	}
	if b := dv.MemBalloon; b != nil && b.Model != "none" {
		take(&b.Address)
	}
	for i := range dv.RNGs {
		take(&dv.RNGs[i].Address)
	}
	for i := range dv.Watchdogs {
		if dv.Watchdogs[i].Model == "i6300esb" {
			take(&dv.Watchdogs[i].Address)
		}
	}
	for i := range dv.Panics {
		if dv.Panics[i].Model == "pvpanic" {
			take(&dv.Panics[i].Address)
		}
	}
	return err
}
