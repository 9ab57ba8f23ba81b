package qemu

import (
	"strconv"

	"github.com/govirt/govirt/virtxml"
)

func (b *argvBuilder) controllers() {
	for i := range b.def.Devices.Controllers {
		b.controller(&b.def.Devices.Controllers[i])
	}
}

func (b *argvBuilder) controller(c *virtxml.Controller) {
	var o opts
	alias := c.Alias.Name
	idx := ctrlIndex(c)
	switch c.Type {
	case "pci":
		switch c.Model {
		case "pci-root":
			if b.kind != kindPC || idx != 0 {
				b.failf("a pci-root controller needs a pc machine type")
			}
			return
		case "pcie-root":
			if b.kind != kindQ35 || idx != 0 {
				b.failf("a pcie-root controller needs a q35 machine type")
			}
			return
		case "pcie-root-port":
			if b.kind != kindQ35 {
				b.failf("pcie-root-port controllers need a q35 machine type")
				return
			}
			port, chassis := uint64(0x10+idx), idx
			if t := c.Target; t != nil {
				if t.Port != nil {
					port = uint64(*t.Port)
				}
				if t.Chassis != nil {
					chassis = *t.Chassis
				}
			}
			o.raw("port=" + hexAddr(port))
			o.raw("chassis=" + strconv.FormatUint(uint64(chassis), 10))
			o.raw("id=" + alias)
			b.pciAddr(&o, c.Address)
			b.device("pcie-root-port", o)
		case "pci-bridge":
			if b.kind != kindPC {
				b.failf("pci-bridge controllers need a pc machine type")
				return
			}
			o.raw("chassis_nr=" + strconv.FormatUint(uint64(idx), 10))
			o.raw("id=" + alias)
			b.pciAddr(&o, c.Address)
			b.device("pci-bridge", o)
		default:
			b.failf("PCI controller model '%s' is not supported", c.Model)
		}
	case "usb":
		if b.kind == kindMicrovm {
			b.failf("USB is not supported on microvm")
			return
		}
		drv := map[string]string{
			"piix3-uhci": "piix3-usb-uhci", "piix4-uhci": "piix4-usb-uhci", "qemu-xhci": "qemu-xhci",
			"nec-xhci": "nec-usb-xhci", "ehci": "usb-ehci", "ich9-ehci1": "ich9-usb-ehci1",
		}[c.Model]
		if c.Model == "none" {
			return
		}
		if drv == "" {
			b.failf("USB controller model '%s' is not supported", c.Model)
			return
		}
		o.raw("id=" + alias)
		if c.Ports != nil && (c.Model == "qemu-xhci" || c.Model == "nec-xhci") {
			o.raw("p2=" + strconv.FormatUint(uint64(*c.Ports), 10))
			o.raw("p3=" + strconv.FormatUint(uint64(*c.Ports), 10))
		}
		b.pciAddr(&o, c.Address)
		b.device(drv, o)
	case "ide":
		if b.kind != kindPC || idx != 0 {
			b.failf("IDE controllers are unsupported for this QEMU binary or machine type")
		}
	case "sata":
		if b.kind == kindQ35 && idx == 0 {
			return // the ICH9 AHCI controller is built in
		}
		if b.kind == kindMicrovm {
			b.failf("SATA is not supported on microvm")
			return
		}
		o.raw("id=" + alias)
		b.pciAddr(&o, c.Address)
		b.device("ich9-ahci", o)
	case "scsi":
		drv := map[string]string{"virtio-scsi": b.virtioDev("virtio-scsi"), "lsilogic": "lsi53c895a"}[c.Model]
		if drv == "" {
			b.failf("SCSI controller model '%s' is not supported", c.Model)
			return
		}
		o.raw("id=" + alias)
		b.pciAddr(&o, c.Address)
		b.device(drv, o)
	case "virtio-serial":
		o.raw("id=" + alias)
		if c.Ports != nil {
			o.raw("max_ports=" + strconv.FormatUint(uint64(*c.Ports), 10))
		}
		b.pciAddr(&o, c.Address)
		b.device(b.virtioDev("virtio-serial"), o)
	default:
		b.failf("controller type '%s' is not supported", c.Type)
	}
}

// controllerAliasOf returns the alias of controller typ/idx.
func (b *argvBuilder) controllerAliasOf(typ string, idx uint64) string {
	if c := findController(b.def.Devices, typ, uint(idx)); c != nil && c.Alias != nil {
		return c.Alias.Name
	}
	b.failf("no %s controller with index %d", typ, idx)
	return ""
}

func (b *argvBuilder) disks() {
	for i := range b.def.Devices.Disks {
		b.disk(&b.def.Devices.Disks[i])
	}
}

// cacheMode is how a disk cache mode maps to block node and device options.
type cacheMode struct {
	direct, noFlush, writeCache bool
}

var cacheModes = map[string]cacheMode{
	"none":         {direct: true, writeCache: true},
	"writeback":    {writeCache: true},
	"writethrough": {},
	"directsync":   {direct: true},
	"unsafe":       {noFlush: true, writeCache: true},
}

// blockNodes adds the -blockdev options of a disk and returns its format
// node name ("" for an empty drive).
func (b *argvBuilder) blockNodes(d *virtxml.Disk) string {
	nodes, format, err := blockdevs(d)
	if err != nil {
		b.fail(err)
		return ""
	}
	for _, n := range nodes {
		b.add("-blockdev", n)
	}
	return format
}

// blockdevs returns the JSON of a disk's block nodes (storage, then
// format) and the format node's name; none for an empty drive.
func blockdevs(d *virtxml.Disk) ([]string, string, error) {
	src := ""
	if d.Source != nil {
		src = d.Source.File
		if d.Type == "block" {
			src = d.Source.Dev
		}
	}
	if src == "" {
		return nil, "", nil
	}
	storage, format := nodeNames(d.Alias.Name)
	drv := d.Driver
	cache, cacheSet := cacheMode{}, false
	io, discard, detect, fmtName := "", "", "", "raw"
	if drv != nil {
		if drv.Cache != "" && drv.Cache != "default" {
			cache, cacheSet = cacheModes[drv.Cache]
			if !cacheSet {
				return nil, "", unsupported("disk cache mode '%s' is not supported", drv.Cache)
			}
		}
		io, discard, detect = drv.IO, drv.Discard, drv.DetectZeroes
		if drv.Type != "" {
			fmtName = drv.Type
		}
	}
	if io == "default" {
		io = ""
	}
	if io == "native" && !cache.direct {
		return nil, "", unsupported("native I/O needs either no disk cache or directsync cache mode, QEMU will fallback to aio=threads")
	}
	kind := "file"
	if d.Type == "block" {
		kind = "host_device"
		if d.Device == "cdrom" {
			kind = "host_cdrom"
		}
	}
	readOnly := d.ReadOnly || d.Device == "cdrom"
	kv := []any{"driver", kind, "filename", src, "node-name", storage, "auto-read-only", true}
	if discard != "" && discard != "ignore" {
		kv = append(kv, "discard", discard)
	} else {
		kv = append(kv, "discard", "unmap")
	}
	if io != "" {
		kv = append(kv, "aio", io)
	}
	if cacheSet {
		kv = append(kv, "cache", map[string]bool{"direct": cache.direct, "no-flush": cache.noFlush})
	}
	storageJSON := jsonArg(kv...)
	fkv := []any{"node-name", format, "read-only", readOnly}
	if discard == "unmap" {
		fkv = append(fkv, "discard", "unmap")
	}
	if detect != "" && detect != "off" {
		fkv = append(fkv, "detect-zeroes", detect)
	}
	if cacheSet {
		fkv = append(fkv, "cache", map[string]bool{"direct": cache.direct, "no-flush": cache.noFlush})
	}
	fkv = append(fkv, "driver", fmtName, "file", storage)
	return []string{storageJSON, jsonArg(fkv...)}, format, nil
}

func (b *argvBuilder) disk(d *virtxml.Disk) {
	if err := checkDisk(d, b.kind); err != nil {
		b.fail(err)
		return
	}
	node := b.blockNodes(d)
	drv, o := b.diskDevice(d, node)
	b.device(drv, o)
}

// diskDevice returns the QEMU device of a disk whose format node is node.
func (b *argvBuilder) diskDevice(d *virtxml.Disk, node string) (string, opts) {
	var o opts
	bus := d.Target.Bus
	a := d.Address
	cdrom := d.Device == "cdrom"
	drv := ""
	switch bus {
	case "virtio":
		drv = b.virtioDev("virtio-blk")
		b.pciAddr(&o, a)
	case "ide", "sata":
		drv = "ide-hd"
		if cdrom {
			drv = "ide-cd"
		}
		if bus == "ide" {
			o.raw("bus=ide." + strconv.FormatUint(a.Bus, 10))
			o.raw("unit=" + strconv.FormatUint(a.Unit, 10))
		} else {
			ctrl := b.controllerAliasOf("sata", a.Controller)
			o.raw("bus=" + ctrl + "." + strconv.FormatUint(a.Unit, 10))
		}
	case "scsi":
		drv = "scsi-hd"
		if cdrom {
			drv = "scsi-cd"
		}
		ctrl := b.controllerAliasOf("scsi", a.Controller)
		o.raw("bus=" + ctrl + ".0")
		o.raw("channel=" + strconv.FormatUint(a.Bus, 10))
		o.raw("scsi-id=" + strconv.FormatUint(a.Target, 10))
		o.raw("lun=" + strconv.FormatUint(a.Unit, 10))
	}
	if node != "" {
		o.raw("drive=" + node)
	}
	o.raw("id=" + d.Alias.Name)
	if bi := b.bootIndex[d.Alias.Name]; bi > 0 {
		o.raw("bootindex=" + strconv.Itoa(bi))
	}
	if d.Shareable {
		o.raw("share-rw=on")
	}
	if d.Serial != "" {
		o.add("serial", d.Serial)
	}
	if d.WWN != "" {
		o.raw("wwn=" + d.WWN)
	}
	if d.Vendor != "" {
		o.add("vendor", d.Vendor)
	}
	if d.Product != "" {
		o.add("product", d.Product)
	}
	if d.Driver != nil && d.Driver.Cache != "" && d.Driver.Cache != "default" && node != "" {
		o.raw("write-cache=" + onOff(boolStr(cacheModes[d.Driver.Cache].writeCache)))
	}
	if bus == "virtio" && d.Driver != nil && d.Driver.Queues != nil {
		o.raw("num-queues=" + strconv.FormatUint(uint64(*d.Driver.Queues), 10))
	}
	return drv, o
}

func boolStr(v bool) string {
	if v {
		return "on"
	}
	return "off"
}

// checkDisk refuses disks the driver cannot give QEMU.
func checkDisk(d *virtxml.Disk, k machineKind) error {
	if d.Target == nil {
		return unsupported("disk has no target")
	}
	switch d.Type {
	case "", "file", "block":
	default:
		return unsupported("disk type '%s' is not supported (use file or block)", d.Type)
	}
	switch d.Device {
	case "", "disk", "cdrom":
	default:
		return unsupported("disk device '%s' is not supported", d.Device)
	}
	bus := d.Target.Bus
	switch bus {
	case "virtio":
		if d.Device == "cdrom" {
			return unsupported("disk device 'cdrom' does not support bus 'virtio'")
		}
	case "ide":
		if k != kindPC {
			return unsupported("IDE controllers are unsupported for this QEMU binary or machine type")
		}
		if d.ReadOnly && d.Device != "cdrom" {
			return unsupported("readonly ide disks are not supported")
		}
	case "sata", "scsi":
		if k == kindMicrovm && bus == "sata" {
			return unsupported("disk bus 'sata' is not supported on microvm")
		}
		if d.ReadOnly && d.Device != "cdrom" && bus == "sata" {
			return unsupported("readonly sata disks are not supported")
		}
	default:
		return unsupported("disk bus '%s' is not supported (use virtio, sata, ide or scsi)", bus)
	}
	if bus != "virtio" && (d.Address == nil || d.Address.Type != "drive") {
		return unsupported("disk '%s' has no drive address", d.Target.Dev)
	}
	if drv := d.Driver; drv != nil {
		if drv.Name != "" && drv.Name != "qemu" {
			return unsupported("disk driver '%s' is not supported (use qemu)", drv.Name)
		}
		switch drv.Type {
		case "", "raw", "qcow2":
		default:
			return unsupported("disk format '%s' is not supported (use raw or qcow2)", drv.Type)
		}
		switch drv.IO {
		case "", "default", "native", "threads", "io_uring":
		default:
			return unsupported("disk io mode '%s' is not supported", drv.IO)
		}
		if drv.ErrorPolicy != "" || drv.RErrorPolicy != "" {
			return unsupported("disk error policies are not supported")
		}
		if drv.IOThread != nil || drv.CopyOnRead == "on" {
			return unsupported("disk iothread and copy_on_read are not supported")
		}
		if d.Shareable && drv.Type == "qcow2" {
			return unsupported("shareable disks must use the raw format")
		}
	}
	if d.Source != nil {
		if d.Source.Protocol != "" || d.Source.Pool != "" || len(d.Source.Hosts) > 0 {
			return unsupported("network and volume disk sources are not supported")
		}
		if d.Source.StartupPolicy != "" {
			return unsupported("disk startupPolicy is not supported")
		}
	}
	if d.Type == "" || d.Type == "file" || d.Type == "block" {
		if (d.Source == nil || (d.Source.File == "" && d.Source.Dev == "")) && d.Device != "cdrom" {
			return unsupported("disk '%s' has no source", d.Target.Dev)
		}
	}
	if d.IOTune != nil || d.Encryption != nil || d.Geometry != nil || d.BlockIO != nil || d.Transient != nil || d.Mirror != nil {
		return unsupported("disk '%s': iotune, encryption, geometry, blockio, transient and mirror are not supported", d.Target.Dev)
	}
	if d.Source != nil && d.Source.Encryption != nil {
		return unsupported("encrypted disks are not supported")
	}
	return nil
}
