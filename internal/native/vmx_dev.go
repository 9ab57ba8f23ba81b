package native

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/govirt/govirt/virtxml"
)

// vmxSCSIModels maps scsiN.virtualDev to libvirt's controller models.
var vmxSCSIModels = map[string]string{
	"buslogic": "buslogic", "lsilogic": "lsilogic", "lsisas1068": "lsisas1068", "pvscsi": "vmpvscsi",
}

func (p *vmxParser) parseDisks() error {
	// SCSI: four controllers, one bus each, unit 7 being the controller.
	var scsiModel [4]string
	var scsiLast = -1
	for c := 0; c < 4; c++ {
		present, err := p.boolean(fmt.Sprintf("scsi%d.present", c), false)
		if err != nil {
			return err
		}
		if !present {
			continue
		}
		key := fmt.Sprintf("scsi%d.virtualDev", c)
		if v, ok := p.str(key); ok {
			m, good := vmxSCSIModels[strings.ToLower(v)]
			if !good {
				return p.fail(key, "expecting VMX entry '%s' to be 'buslogic' or 'lsilogic' or 'lsisas1068' or 'pvscsi' but found '%s'", key, v)
			}
			scsiModel[c] = m
		}
		for u := 0; u < p.scsiUnit; u++ {
			if u == 7 {
				continue
			}
			disk, err := p.parseDiskOrCDROM("scsi", c, u)
			if err != nil {
				return err
			}
			if disk != nil {
				p.dev.Disks = append(p.dev.Disks, *disk)
				scsiLast = int(disk.Address.Controller)
			}
		}
	}
	for c := 0; c <= scsiLast; c++ {
		addController(p.dev, virtxml.Controller{Type: "scsi", Index: uintp(uint(c)), Model: scsiModel[c%4]})
	}
	sataLast := -1
	for c := 0; c < 4; c++ {
		present, err := p.boolean(fmt.Sprintf("sata%d.present", c), false)
		if err != nil {
			return err
		}
		if !present {
			continue
		}
		for u := 0; u < 30; u++ {
			disk, err := p.parseDiskOrCDROM("sata", c, u)
			if err != nil {
				return err
			}
			if disk != nil {
				p.dev.Disks = append(p.dev.Disks, *disk)
				sataLast = int(disk.Address.Controller)
			}
		}
	}
	for c := 0; c <= sataLast; c++ {
		addController(p.dev, virtxml.Controller{Type: "sata", Index: uintp(uint(c))})
	}
	for bus := 0; bus < 2; bus++ {
		for u := 0; u < 2; u++ {
			disk, err := p.parseDiskOrCDROM("ide", bus, u)
			if err != nil {
				return err
			}
			if disk != nil {
				p.dev.Disks = append(p.dev.Disks, *disk)
			}
		}
	}
	for u := 0; u < 2; u++ {
		disk, err := p.parseDisk("floppy", "fdc", 0, u)
		if err != nil {
			return err
		}
		if disk != nil {
			p.dev.Disks = append(p.dev.Disks, *disk)
		}
	}
	return nil
}

// parseDiskOrCDROM reads the device at a bus position as a disk, or else
// as a CD-ROM.
func (p *vmxParser) parseDiskOrCDROM(bus string, c, u int) (*virtxml.Disk, error) {
	disk, err := p.parseDisk("disk", bus, c, u)
	if err != nil || disk != nil {
		return disk, err
	}
	return p.parseDisk("cdrom", bus, c, u)
}

// hasSuffixFold reports whether s ends with suffix, ignoring case.
func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}

// parseDisk reads the device at a bus position as device ("disk",
// "cdrom" or "floppy"); it returns nil when the position holds nothing of
// that kind.
func (p *vmxParser) parseDisk(device, bus string, c, u int) (*virtxml.Disk, error) {
	var prefix, dst string
	switch bus {
	case "scsi":
		prefix = fmt.Sprintf("scsi%d:%d", c, u)
		idx := u
		if u > 7 {
			idx = u - 1
		}
		dst = indexToDiskName(c*(p.scsiUnit-1)+idx, "sd")
	case "sata":
		prefix = fmt.Sprintf("sata%d:%d", c, u)
		dst = indexToDiskName(c*30+u, "sd")
	case "ide":
		prefix = fmt.Sprintf("ide%d:%d", c, u)
		dst = indexToDiskName(c*2+u, "hd")
	case "fdc":
		prefix = fmt.Sprintf("floppy%d", u)
		dst = indexToDiskName(u, "fd")
	}
	key := func(s string) string { return prefix + "." + s }
	present, err := p.boolean(key("present"), false)
	if err != nil {
		return nil, err
	}
	if _, err := p.boolean(key("startConnected"), true); err != nil {
		return nil, err
	}
	if !present {
		return nil, nil
	}
	devType, hasDevType := p.str(key("deviceType"))
	client, err := p.boolean(key("clientDevice"), false)
	if err != nil {
		return nil, err
	}
	mode, hasMode := p.str(key("mode"))
	if client {
		return nil, nil
	}
	fileType, hasFileType := p.str(key("fileType"))
	fileName, hasFileName := p.str(key("fileName"))
	writeThrough, err := p.boolean(key("writeThrough"), false)
	if err != nil {
		return nil, err
	}
	disk := &virtxml.Disk{Device: device, Target: &virtxml.DiskTarget{Dev: dst, Bus: bus}}
	unhandled := func() error {
		dt := "unknown"
		if hasDevType {
			dt = devType
		}
		return p.fail(key("fileName"), "invalid or not yet handled value '%s' for VMX entry '%s' for device type '%s'", fileName, key("fileName"), dt)
	}
	isDevType := func(names ...string) bool {
		for _, n := range names {
			if hasDevType && strings.EqualFold(devType, n) {
				return true
			}
		}
		return false
	}
	switch device {
	case "disk":
		switch {
		case !hasFileName || hasSuffixFold(fileName, ".iso") || fileName == "emptyBackingString" ||
			isDevType("atapi-cdrom", "cdrom-raw", "cdrom-image") ||
			(isDevType("scsi-passthru") && strings.HasPrefix(fileName, "/vmfs/devices/cdrom/")):
			return nil, nil
		case hasSuffixFold(fileName, ".vmdk"):
			if hasDevType {
				switch {
				case bus == "scsi" && !isDevType("scsi-hardDisk", "disk"):
					return nil, p.fail(key("deviceType"), "expecting VMX entry '%s' to be 'scsi-hardDisk' or 'disk' but found '%s'", key("deviceType"), devType)
				case bus == "ide" && !isDevType("ata-hardDisk", "disk"):
					return nil, p.fail(key("deviceType"), "expecting VMX entry '%s' to be 'ata-hardDisk' or 'disk' but found '%s'", key("deviceType"), devType)
				}
			}
			path, _, err := p.fileName(key("fileName"), fileName, false)
			if err != nil {
				return nil, err
			}
			disk.Type = "file"
			disk.Source = &virtxml.DiskSource{File: path}
			if writeThrough {
				disk.Driver = &virtxml.DiskDriver{Cache: "writethrough"}
			}
			if hasMode && strings.EqualFold(mode, "independent-nonpersistent") {
				disk.Transient = &virtxml.DiskTransient{}
			}
		default:
			return nil, unhandled()
		}
	case "cdrom":
		disk.ReadOnly = true
		switch {
		case hasFileName && hasSuffixFold(fileName, ".vmdk"):
			return nil, nil
		case hasFileName && hasSuffixFold(fileName, ".iso"):
			if hasDevType && !isDevType("cdrom-image") {
				return nil, p.fail(key("deviceType"), "expecting VMX entry '%s' to be 'cdrom-image' but found '%s'", key("deviceType"), devType)
			}
			disk.Type = "file"
			path, ok, err := p.fileName(key("fileName"), fileName, true)
			if err != nil {
				return nil, err
			}
			if ok {
				disk.Source = &virtxml.DiskSource{File: path}
			}
		case isDevType("atapi-cdrom"), isDevType("cdrom-raw"):
			if isDevType("cdrom-raw") {
				disk.Device = "lun"
			}
			disk.Type = "block"
			switch {
			case hasFileName && strings.EqualFold(fileName, "auto detect"):
				disk.Source = &virtxml.DiskSource{StartupPolicy: "optional"}
			case hasFileName:
				disk.Source = &virtxml.DiskSource{Dev: fileName}
			}
		case bus == "scsi" && isDevType("scsi-passthru"):
			if !hasFileName || !strings.HasPrefix(fileName, "/vmfs/devices/cdrom/") {
				return nil, nil
			}
			disk.Device = "lun"
			disk.Type = "block"
			disk.Source = &virtxml.DiskSource{Dev: fileName}
		case hasFileName && (fileName == "" || fileName == "emptyBackingString"):
			if hasDevType && !isDevType("cdrom-image") {
				return nil, p.fail(key("deviceType"), "expecting VMX entry '%s' to be 'cdrom-image' but found '%s'", key("deviceType"), devType)
			}
			disk.Type = "file"
		default:
			return nil, unhandled()
		}
	case "floppy":
		switch {
		case hasFileType && strings.EqualFold(fileType, "device"):
			disk.Type = "block"
			if hasFileName {
				disk.Source = &virtxml.DiskSource{Dev: fileName}
			}
		case hasFileType && strings.EqualFold(fileType, "file"):
			disk.Type = "file"
			if hasFileName {
				path, _, err := p.fileName(key("fileName"), fileName, false)
				if err != nil {
					return nil, err
				}
				disk.Source = &virtxml.DiskSource{File: path}
			}
		default:
			return nil, unhandled()
		}
	}
	assignDriveAddress(disk, scsiUnits(p.scsiUnit))
	return disk, nil
}

func (p *vmxParser) parseSharedFolders() error {
	disabled, err := p.boolean("isolation.tools.hgfs.disable", true)
	if err != nil || disabled {
		return err
	}
	max, err := p.long("sharedFolder.maxNum", 0)
	if err != nil {
		return err
	}
	if max > 1024 {
		return p.fail("sharedFolder.maxNum", "more than 1024 shared folders")
	}
	for n := 0; n < int(max); n++ {
		key := func(s string) string { return fmt.Sprintf("sharedFolder%d.%s", n, s) }
		present, err := p.boolean(key("present"), false)
		if err != nil {
			return err
		}
		enabled, err := p.boolean(key("enabled"), false)
		if err != nil {
			return err
		}
		if !present || !enabled {
			continue
		}
		host, err := p.required(key("hostPath"))
		if err != nil {
			return err
		}
		guest, err := p.required(key("guestName"))
		if err != nil {
			return err
		}
		write, err := p.boolean(key("writeAccess"), false)
		if err != nil {
			return err
		}
		p.dev.Filesystems = append(p.dev.Filesystems, virtxml.Filesystem{Type: "mount", AccessMode: "passthrough",
			Source: &virtxml.FilesystemSource{Dir: host}, Target: &virtxml.FilesystemTarget{Dir: guest}, ReadOnly: !write})
	}
	return nil
}

// vmxNetModels maps ethernetN.virtualDev to libvirt's NIC models.
var vmxNetModels = map[string]string{
	"vlance": "vlance", "vmxnet": "vmxnet", "vmxnet3": "vmxnet3", "e1000": "e1000", "e1000e": "e1000e",
}

func (p *vmxParser) parseEthernets() error {
	max := -1
	for _, e := range p.c.Entries {
		if len(e.Key) < 8 || !strings.EqualFold(e.Key[:8], "ethernet") {
			continue
		}
		rest := e.Key[8:]
		i := 0
		for i < len(rest) && isDigit(rest[i]) {
			i++
		}
		idx, err := strconv.Atoi(rest[:i])
		if i == 0 || err != nil || i >= len(rest) || rest[i] != '.' {
			return errAt(codeInternal, e.Line, e.Key, "failed to parse the index of the VMX key")
		}
		if idx > 1024 {
			return errAt(codeInternal, e.Line, e.Key, "ethernet index out of range")
		}
		if idx > max {
			max = idx
		}
	}
	for c := 0; c <= max; c++ {
		n, err := p.parseEthernet(c)
		if err != nil {
			return err
		}
		if n != nil {
			p.dev.Interfaces = append(p.dev.Interfaces, *n)
		}
	}
	return nil
}

func (p *vmxParser) parseEthernet(c int) (*virtxml.Interface, error) {
	key := func(s string) string { return fmt.Sprintf("ethernet%d.%s", c, s) }
	present, err := p.boolean(key("present"), false)
	if err != nil {
		return nil, err
	}
	if _, err := p.boolean(key("startConnected"), true); err != nil {
		return nil, err
	}
	if !present {
		return nil, nil
	}
	n := &virtxml.Interface{MAC: &virtxml.InterfaceMAC{Address: "00:00:00:00:00:00"}}
	conn, hasConn := p.str(key("connectionType"))
	addrType, hasAddrType := p.str(key("addressType"))
	gen, hasGen := p.str(key("generatedAddress"))
	addr, hasAddr := p.str(key("address"))
	check, hasCheck := p.str(key("checkMACAddress"))
	p.str(key("generatedAddressOffset"))
	mac := func(k, v string) error {
		m, err := normMAC(v)
		if err != nil {
			return p.fail(k, "expecting VMX entry '%s' to be MAC address but found '%s'", k, v)
		}
		n.MAC.Address = m
		return nil
	}
	switch {
	case !hasAddrType || strings.EqualFold(addrType, "generated") || strings.EqualFold(addrType, "vpx"):
		if hasGen {
			if err := mac(key("generatedAddress"), gen); err != nil {
				return nil, err
			}
		}
		if hasAddrType {
			n.MAC.Type = "generated"
		}
	case strings.EqualFold(addrType, "static"):
		if hasAddr {
			if err := mac(key("address"), addr); err != nil {
				return nil, err
			}
		}
		n.MAC.Type = "static"
	default:
		return nil, p.fail(key("addressType"), "expecting VMX entry '%s' to be 'generated' or 'static' or 'vpx' but found '%s'", key("addressType"), addrType)
	}
	if hasCheck {
		n.MAC.Check = "no"
		if check == "true" {
			n.MAC.Check = "yes"
		}
	}
	model := ""
	if dev, ok := p.str(key("virtualDev")); ok {
		m, good := vmxNetModels[strings.ToLower(dev)]
		if !good {
			return nil, p.fail(key("virtualDev"), "expecting VMX entry '%s' to be 'vlance' or 'vmxnet' or 'vmxnet3' or 'e1000' or 'e1000e' but found '%s'", key("virtualDev"), dev)
		}
		features, err := p.long(key("features"), 0)
		if err != nil {
			return nil, err
		}
		if m == "vmxnet" && features == 15 {
			m = "vmxnet2"
		}
		model = m
	}
	var network, vnet string
	var hasNetwork bool
	if !hasConn || strings.EqualFold(conn, "bridged") || strings.EqualFold(conn, "custom") {
		network, hasNetwork = p.str(key("networkName"))
		if !hasNetwork && hasConn {
			return nil, errAt(codeInternal, 0, key("networkName"), "missing essential config entry")
		}
	}
	if hasConn && strings.EqualFold(conn, "custom") {
		if vnet, err = p.required(key("vnet")); err != nil {
			return nil, err
		}
	}
	switchID, hasSwitch := p.str(key("dvs.switchId"))
	switch {
	case hasSwitch:
		u, ok := parseVMXUUID(switchID)
		if !ok {
			return nil, p.fail(key("dvs.switchId"), "could not parse UUID from string '%s'", switchID)
		}
		n.Type = "vds"
		src := &virtxml.InterfaceSource{Attrs: []virtxml.Attr{{Name: "switchid", Value: u.String()}}}
		portID, err := p.long(key("dvs.portId"), 0)
		if err != nil {
			return nil, err
		}
		if portID != 0 {
			src.Attrs = append(src.Attrs, virtxml.Attr{Name: "portid", Value: strconv.FormatInt(portID, 10)})
		}
		if pg, ok := p.str(key("dvs.portgroupId")); ok {
			src.Attrs = append(src.Attrs, virtxml.Attr{Name: "portgroupid", Value: pg})
		}
		connID, err := p.long(key("dvs.connectionId"), 0)
		if err != nil {
			return nil, err
		}
		if connID != 0 {
			src.Attrs = append(src.Attrs, virtxml.Attr{Name: "connectionid", Value: strconv.FormatInt(connID, 10)})
		}
		n.Source = src
	case !hasConn && !hasNetwork:
		n.Type = "null"
	case !hasConn || strings.EqualFold(conn, "bridged"):
		n.Type = "bridge"
		n.Source = &virtxml.InterfaceSource{Bridge: network}
	case strings.EqualFold(conn, "hostonly"):
		return nil, p.fail(key("connectionType"), "not yet handled value '%s' for VMX entry '%s'", conn, key("connectionType"))
	case strings.EqualFold(conn, "nat"):
		n.Type = "user"
	case strings.EqualFold(conn, "custom"):
		n.Type = "bridge"
		n.Source = &virtxml.InterfaceSource{Bridge: network}
		n.Target = &virtxml.InterfaceTarget{Dev: vnet}
	default:
		return nil, p.fail(key("connectionType"), "invalid value '%s' for VMX entry '%s'", conn, key("connectionType"))
	}
	if model != "" {
		n.Model = &virtxml.InterfaceModel{Type: model}
	}
	return n, nil
}

func (p *vmxParser) parseSerials() error {
	for port := 0; port < 4; port++ {
		key := func(s string) string { return fmt.Sprintf("serial%d.%s", port, s) }
		present, err := p.boolean(key("present"), false)
		if err != nil {
			return err
		}
		if _, err := p.boolean(key("startConnected"), true); err != nil {
			return err
		}
		if !present {
			continue
		}
		fileType, hasType := p.str(key("fileType"))
		fileName, _ := p.str(key("fileName"))
		endPoint, hasEnd := p.str(key("network.endPoint"))
		p.str(key("pipe.endPoint"))
		p.str(key("tryNoRxLoss"))
		p.str(key("yieldOnMsrRead"))
		c := virtxml.Chardev{Target: &virtxml.CharTarget{Port: strp(strconv.Itoa(port))}}
		switch {
		case !hasType || strings.EqualFold(fileType, "device"):
			c.Type = "dev"
			c.Sources = []virtxml.CharSource{{Path: fileName}}
		case strings.EqualFold(fileType, "file"):
			c.Type = "file"
			path, _, err := p.fileName(key("fileName"), fileName, false)
			if err != nil {
				return err
			}
			c.Sources = []virtxml.CharSource{{Path: path}}
		case strings.EqualFold(fileType, "pipe"):
			c.Type = "pipe"
			c.Sources = []virtxml.CharSource{{Path: fileName}}
		case strings.EqualFold(fileType, "network"):
			if err := p.networkSerial(&c, key, fileName, endPoint, hasEnd); err != nil {
				return err
			}
		default:
			return p.fail(key("fileType"), "expecting VMX entry '%s' to be 'device', 'file' or 'pipe' or 'network' but found '%s'", key("fileType"), fileType)
		}
		p.dev.Serials = append(p.dev.Serials, c)
	}
	return nil
}

// networkSerial reads a serial port connected over the network
// ("telnet://host:port"); what cannot be represented becomes a null port.
func (p *vmxParser) networkSerial(c *virtxml.Chardev, key func(string) string, fileName, endPoint string, hasEnd bool) error {
	u, err := url.Parse(fileName)
	port := 0
	if err == nil {
		port, _ = strconv.Atoi(u.Port())
	}
	if err != nil || port <= 0 || port > 65535 {
		c.Type = "null"
		return nil
	}
	proto := ""
	switch s := strings.ToLower(u.Scheme); s {
	case "", "tcp", "tcp4", "tcp6":
		proto = "raw"
	case "telnet", "telnets":
		proto = s
	case "ssl", "tcp+ssl", "tcp4+ssl", "tcp6+ssl":
		proto = "tls"
	default:
		return p.fail(key("fileName"), "VMX entry '%s' contains unsupported scheme '%s'", key("fileName"), u.Scheme)
	}
	src := virtxml.CharSource{Mode: "bind", Host: u.Hostname(), Service: strconv.Itoa(port)}
	switch {
	case !hasEnd || strings.EqualFold(endPoint, "server"):
	case strings.EqualFold(endPoint, "client"):
		src.Mode = "connect"
	default:
		return p.fail(key("network.endPoint"), "expecting VMX entry '%s' to be 'server' or 'client' but found '%s'", key("network.endPoint"), endPoint)
	}
	c.Type = "tcp"
	c.Sources = []virtxml.CharSource{src}
	c.Protocol = &virtxml.CharProtocol{Type: proto}
	return nil
}

func (p *vmxParser) parseParallels() error {
	for port := 0; port < 3; port++ {
		key := func(s string) string { return fmt.Sprintf("parallel%d.%s", port, s) }
		present, err := p.boolean(key("present"), false)
		if err != nil {
			return err
		}
		if _, err := p.boolean(key("startConnected"), true); err != nil {
			return err
		}
		if !present {
			continue
		}
		fileType, err := p.required(key("fileType"))
		if err != nil {
			return err
		}
		fileName, err := p.required(key("fileName"))
		if err != nil {
			return err
		}
		p.str(key("bidirectional"))
		c := virtxml.Chardev{Target: &virtxml.CharTarget{Port: strp(strconv.Itoa(port))}}
		switch {
		case strings.EqualFold(fileType, "device"):
			c.Type = "dev"
			c.Sources = []virtxml.CharSource{{Path: fileName}}
		case strings.EqualFold(fileType, "file"):
			c.Type = "file"
			path, _, err := p.fileName(key("fileName"), fileName, false)
			if err != nil {
				return err
			}
			c.Sources = []virtxml.CharSource{{Path: path}}
		default:
			return p.fail(key("fileType"), "expecting VMX entry '%s' to be 'device' or 'file' but found '%s'", key("fileType"), fileType)
		}
		p.dev.Parallels = append(p.dev.Parallels, c)
	}
	return nil
}
