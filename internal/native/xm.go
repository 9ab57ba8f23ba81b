package native

import (
	"fmt"
	"strings"

	"github.com/govirt/govirt/virtxml"
)

// ParseXM converts a Xen xm config to a domain, as libvirt's xen-xm
// native format does.
func ParseXM(data []byte) (*Result, error) {
	c, err := ParseConfig(data)
	if err != nil {
		return nil, err
	}
	return XMToDomain(c)
}

// XMToDomain converts a parsed xm config to a domain.
func XMToDomain(c *Config) (*Result, error) {
	p := newXenParser(c, flavorXM)
	if err := p.parseCommon(); err != nil {
		return nil, err
	}
	for _, step := range []func() error{p.parseXMOS, p.parseXMDisks, p.parseUSBDevice} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return p.finish(), nil
}

func newXenParser(c *Config, f xenFlavor) *xenParser {
	d := &virtxml.Domain{Type: "xen", Devices: &virtxml.Devices{}}
	return &xenParser{xenReader: newXenReader(c), flavor: f, d: d, dev: d.Devices}
}

// finish applies the driver's defaults and returns the result.
func (p *xenParser) finish() *Result {
	xenPostParse(p.d)
	return &Result{Domain: p.d, Unknown: p.unknown(), Legacy: p.legacy}
}

// parseBoot reads "boot" (a string of a, c, d, n: floppy, disk, cdrom,
// network) into the boot order.
func (p *xenParser) parseBoot() error {
	boot, err := p.strDef("boot", "c")
	if err != nil {
		return err
	}
	for i := 0; i < len(boot) && i < 4; i++ {
		dev := "hd"
		switch boot[i] {
		case 'a':
			dev = "fd"
		case 'd':
			dev = "cdrom"
		case 'n':
			dev = "network"
		}
		p.d.OS.Boots = append(p.d.OS.Boots, virtxml.Boot{Dev: dev})
	}
	return nil
}

// parsePVBoot reads the PV boot settings: bootloader, its arguments, the
// kernel, initrd and command line.
func (p *xenParser) parsePVBoot(cmdlineKey string) error {
	bl, ok, err := p.str("bootloader")
	if err != nil {
		return err
	}
	if ok {
		p.d.Bootloader = &bl
	}
	if p.d.BootloaderArgs, _, err = p.str("bootargs"); err != nil {
		return err
	}
	return p.parseKernel(cmdlineKey)
}

// parseKernel reads kernel, ramdisk and the command line: cmdlineKey
// ("cmdline" for xl, "extra" for xm) as written, else built from root=
// and extra=.
func (p *xenParser) parseKernel(cmdlineKey string) error {
	var err error
	if p.d.OS.Kernel, _, err = p.str("kernel"); err != nil {
		return err
	}
	if p.d.OS.Initrd, _, err = p.str("ramdisk"); err != nil {
		return err
	}
	var cmdline string
	var have bool
	if cmdlineKey == "cmdline" {
		if cmdline, have, err = p.str("cmdline"); err != nil {
			return err
		}
	}
	extra, haveExtra, err := p.str("extra")
	if err != nil {
		return err
	}
	root, haveRoot, err := p.str("root")
	if err != nil {
		return err
	}
	switch {
	case have:
		if haveRoot || haveExtra {
			p.note("root= or extra= beside cmdline=")
		}
	case haveRoot && haveExtra:
		cmdline = "root=" + root + " " + extra
	case haveRoot:
		cmdline = "root=" + root
	case haveExtra:
		cmdline = extra
	}
	if !have && haveRoot {
		p.note("root= (written as part of the command line)")
	}
	if !have && haveExtra && cmdlineKey == "cmdline" {
		p.note("extra= (written as cmdline=)")
	}
	p.d.OS.Cmdline = cmdline
	return nil
}

func (p *xenParser) parseXMOS() error {
	if !p.hvm() {
		return p.parsePVBoot("extra")
	}
	kernel, ok, err := p.str("kernel")
	if err != nil {
		return err
	}
	if !ok {
		return errAt(codeInternal, 0, "kernel", "missing (an xm HVM guest names its firmware as kernel)")
	}
	p.d.OS.Loader = &virtxml.OSLoader{Type: "rom", Path: kernel}
	return p.parseBoot()
}

// storageFormats lists libvirt's storage file formats.
var storageFormats = map[string]bool{
	"raw": true, "dir": true, "bochs": true, "cloop": true, "dmg": true, "iso": true,
	"vpc": true, "vdi": true, "fat": true, "vhd": true, "ploop": true, "cow": true,
	"qcow": true, "qcow2": true, "qed": true, "vmdk": true,
}

func (p *xenParser) parseXMDisks() error {
	v, _, ok := p.lookup("disk")
	if !ok {
		return nil
	}
	if v.Kind != List {
		return p.fail("disk", "expected a list of strings")
	}
	list, _, err := p.strList("disk", false)
	if err != nil {
		return err
	}
	for i, s := range list {
		disk, err := parseXMDisk(s, p.hvm())
		if err != nil {
			return p.fail("disk", "item %d: %v", i+1, err)
		}
		p.dev.Disks = append(p.dev.Disks, *disk)
	}
	return nil
}

// parseXMDisk reads an xm disk ("[DRIVER:[SUBTYPE:]]SOURCE,TARGET[:cdrom],MODE").
func parseXMDisk(spec string, hvm bool) (*virtxml.Disk, error) {
	src, rest, ok := strings.Cut(spec, ",")
	if !ok {
		return nil, fmt.Errorf("'%s' is not SOURCE,TARGET,MODE", spec)
	}
	rest = strings.TrimPrefix(rest, "ioemu:")
	dst, mode, ok := strings.Cut(rest, ",")
	if !ok {
		return nil, fmt.Errorf("'%s' is not SOURCE,TARGET,MODE", spec)
	}
	disk := &virtxml.Disk{Device: "disk", Driver: &virtxml.DiskDriver{}}
	driver := ""
	if src != "" {
		if drv, after, ok := strings.Cut(src, ":"); ok {
			driver, src = drv, after
		}
		if driver == "tap" || driver == "tap2" {
			sub, after, ok := strings.Cut(src, ":")
			if !ok {
				return nil, fmt.Errorf("missing the %s driver type in '%s'", driver, spec)
			}
			switch {
			case sub == "aio":
				disk.Driver.Type = "raw"
			case storageFormats[sub]:
				disk.Driver.Type = sub
			default:
				return nil, fmt.Errorf("unknown driver type %s", sub)
			}
			src = after
		}
	}
	if driver == "" {
		driver = "phy"
	}
	disk.Driver.Name = driver
	disk.Type = "file"
	if driver == "phy" {
		disk.Type = "block"
	}
	if src != "" {
		if disk.Type == "block" {
			disk.Source = &virtxml.DiskSource{Dev: src}
		} else {
			disk.Source = &virtxml.DiskSource{File: src}
		}
	}
	if name, suffix, ok := strings.Cut(dst, ":"); ok {
		if suffix == "cdrom" {
			disk.Device = "cdrom"
		}
		dst = name
	}
	if dst == "" {
		return nil, fmt.Errorf("missing target device in '%s'", spec)
	}
	bus := "ide"
	switch {
	case strings.HasPrefix(dst, "xvd") || !hvm:
		bus = "xen"
	case strings.HasPrefix(dst, "sd"):
		bus = "scsi"
	}
	disk.Target = &virtxml.DiskTarget{Dev: dst, Bus: bus}
	switch mode {
	case "r", "ro":
		disk.ReadOnly = true
	case "w!", "!":
		disk.Shareable = true
	}
	return disk, nil
}

// parseUSBDevice reads usbdevice: a string (or, in xl, a list) naming USB
// input devices.
func (p *xenParser) parseUSBDevice() error {
	if !p.hvm() {
		return nil
	}
	p.lookup("usb") // implied by usbdevice
	v, _, ok := p.lookup("usbdevice")
	if !ok {
		return nil
	}
	var names []string
	switch {
	case v.Kind == String:
		names = []string{v.Str}
	case v.Kind == List && p.flavor == flavorXL:
		list, _, err := p.strList("usbdevice", false)
		if err != nil {
			return err
		}
		names = list
	default:
		return p.fail("usbdevice", "malformed value (expected a string)")
	}
	for _, n := range names {
		t := ""
		switch n {
		case "tablet", "mouse":
			t = n
		case "keyboard":
			t = "keyboard"
		default:
			continue
		}
		p.dev.Inputs = append(p.dev.Inputs, virtxml.Input{Type: t, Bus: "usb"})
	}
	return nil
}

// FormatXM converts a domain to an xm config, as libvirt's xen-xm native
// format does.
func FormatXM(d *virtxml.Domain, opts FormatOptions) (*Config, error) {
	w, err := newXenWriter(d, flavorXM, opts)
	if err != nil {
		return nil, err
	}
	if err := w.formatCommon(); err != nil {
		return nil, err
	}
	if w.hvm() {
		w.setStr("builder", "hvm")
		if l := d.OS.Loader; l != nil && l.Path != "" {
			w.setStr("kernel", l.Path)
		}
		w.formatBoot()
	} else {
		w.formatPVBoot("extra")
	}
	var disks []string
	for i := range w.dev.Disks {
		disk := &w.dev.Disks[i]
		if disk.Device == "floppy" {
			continue
		}
		s, err := formatXMDisk(disk)
		if err != nil {
			return nil, err
		}
		disks = append(disks, s)
	}
	if len(disks) > 0 {
		w.c.Set("disk", Strings(disks...))
	}
	w.formatUSBInputs()
	return w.c, nil
}

// formatXMDisk writes a disk as an xm disk specification.
func formatXMDisk(disk *virtxml.Disk) (string, error) {
	var b strings.Builder
	src := xmDiskSource(disk)
	if src != "" {
		format, driver := "", ""
		if disk.Driver != nil {
			format, driver = disk.Driver.Type, disk.Driver.Name
		}
		if format != "" && format != "none" {
			t := format
			if format == "raw" {
				t = "aio"
			}
			if driver != "" {
				b.WriteString(driver + ":")
				if driver == "tap" || driver == "tap2" {
					b.WriteString(t + ":")
				}
			}
		} else {
			switch disk.Type {
			case "file":
				b.WriteString("file:")
			case "block":
				b.WriteString("phy:")
			default:
				return "", errAt(codeInternal, 0, "", "unsupported disk type %s", disk.Type)
			}
		}
		b.WriteString(src)
	}
	b.WriteByte(',')
	if disk.Target != nil {
		b.WriteString(disk.Target.Dev)
	}
	if disk.Device == "cdrom" {
		b.WriteString(":cdrom")
	}
	switch {
	case disk.ReadOnly:
		b.WriteString(",r")
	case disk.Shareable:
		b.WriteString(",!")
	default:
		b.WriteString(",w")
	}
	if disk.Transient != nil {
		return "", errAt(codeUnsupported, 0, "", "transient disks not supported yet")
	}
	return b.String(), nil
}

// xmDiskSource returns a disk's local source path.
func xmDiskSource(disk *virtxml.Disk) string {
	if disk.Source == nil {
		return ""
	}
	for _, p := range []string{disk.Source.File, disk.Source.Dev, disk.Source.Dir} {
		if p != "" {
			return p
		}
	}
	return ""
}
