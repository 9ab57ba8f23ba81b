package virtxml

import (
	"crypto/rand"
	"fmt"
)

// diskNameIndex is libvirt's virDiskNameToIndex: "hda" -> 0, "sdb" -> 1,
// "vdaa" -> 26; -1 when the name has no known prefix.
func diskNameIndex(name string) int {
	rest := ""
	for _, p := range []string{"fd", "hd", "vd", "sd", "xvd", "ubd"} {
		if len(name) > len(p) && name[:len(p)] == p {
			rest = name[len(p):]
			break
		}
	}
	if rest == "" {
		return -1
	}
	idx := 0
	i := 0
	for ; i < len(rest) && rest[i] >= 'a' && rest[i] <= 'z'; i++ {
		idx = (idx+1)*26 + int(rest[i]-'a')
		if idx > 1<<24 {
			return -1
		}
	}
	if i == 0 {
		return -1
	}
	for ; i < len(rest); i++ {
		if rest[i] < '0' || rest[i] > '9' {
			return -1
		}
	}
	return idx - 26
}

// diskKey is what libvirt orders disks by while parsing: the bus as
// written and the index of the target name.
type diskKey struct {
	bus string
	idx int
}

// insertDisk places disk among disks as libvirt does while parsing: after
// the disks of the same (as written) bus whose index is not greater.
func insertDisk(disks []Disk, keys []diskKey, d Disk) ([]Disk, []diskKey) {
	k := diskKey{targetBus(&d), diskNameIndex(targetDev(&d))}
	at := -1
	for i := len(disks) - 1; i >= 0; i-- {
		if keys[i].bus != k.bus {
			continue
		}
		if keys[i].idx > k.idx {
			at = i
		} else if at == -1 {
			at = i + 1
		}
	}
	if at == -1 {
		return append(disks, d), append(keys, k)
	}
	disks = append(disks, Disk{})
	copy(disks[at+1:], disks[at:])
	disks[at] = d
	keys = append(keys, diskKey{})
	copy(keys[at+1:], keys[at:])
	keys[at] = k
	return disks, keys
}

func targetDev(d *Disk) string {
	if d.Target == nil {
		return ""
	}
	return d.Target.Dev
}

func targetBus(d *Disk) string {
	if d.Target == nil {
		return ""
	}
	return d.Target.Bus
}

// insertController places c among controllers as libvirt does: sorted by
// index within its type, unindexed ones after the last of their type.
func insertController(cs []Controller, c Controller) []Controller {
	at := -1
	for i := len(cs) - 1; i >= 0; i-- {
		cur := &cs[i]
		if cur.Type != c.Type {
			continue
		}
		if c.Index == nil {
			at = i + 1
			break
		}
		ci := -1
		if cur.Index != nil {
			ci = int(*cur.Index)
		}
		switch {
		case ci > int(*c.Index):
			at = i
		case c.Master == nil && cur.Master != nil && ci == int(*c.Index):
			at = i
		case at == -1:
			at = i + 1
		}
	}
	if at == -1 {
		return append(cs, c)
	}
	cs = append(cs, Controller{})
	copy(cs[at+1:], cs[at:])
	cs[at] = c
	return cs
}

func uintp(v uint) *uint { return &v }

func isUSBCompanion(model string) bool {
	return model == "ich9-uhci1" || model == "ich9-uhci2" || model == "ich9-uhci3"
}

// hasController reports whether a controller of type t with index idx
// exists.
func (dv *Devices) hasController(t string, idx uint) bool {
	for i := range dv.Controllers {
		c := &dv.Controllers[i]
		if c.Type == t && c.Index != nil && *c.Index == idx {
			return true
		}
	}
	return false
}

// maxImplicitControllers bounds the controllers added for one bus, so
// that a huge drive address cannot make us allocate without end.
const maxImplicitControllers = 1024

// ensureControllers adds controllers of type t with indexes 0..max that
// are missing.
func (dv *Devices) ensureControllers(t string, max int) {
	if max < 0 {
		return
	}
	if max >= maxImplicitControllers {
		max = maxImplicitControllers - 1
	}
	have := make([]bool, max+1)
	for i := range dv.Controllers {
		c := &dv.Controllers[i]
		if c.Type == t && c.Index != nil && int(*c.Index) <= max {
			have[*c.Index] = true
		}
	}
	for i := 0; i <= max; i++ {
		if !have[i] {
			dv.Controllers = append(dv.Controllers, Controller{Type: t, Index: uintp(uint(i))})
		}
	}
}

// ensureController adds <controller type=t index=idx/> when missing.
func (dv *Devices) ensureController(t string, idx uint) {
	if !dv.hasController(t, idx) {
		dv.Controllers = append(dv.Controllers, Controller{Type: t, Index: uintp(idx)})
	}
}

// hasUSB reports whether the domain has a usable USB bus.
func (dv *Devices) hasUSB() bool {
	for i := range dv.Controllers {
		if dv.Controllers[i].Type == "usb" && dv.Controllers[i].Model != "none" {
			return true
		}
	}
	return false
}

// usbNone reports whether USB was turned off with model='none'.
func (dv *Devices) usbNone() bool {
	for i := range dv.Controllers {
		if dv.Controllers[i].Type == "usb" && dv.Controllers[i].Model == "none" {
			return true
		}
	}
	return false
}

// sortParsedDevices reorders disks and controllers the way libvirt's
// parser inserts them.
func (dv *Devices) sortParsedDevices() error {
	if len(dv.Disks) > 1 {
		disks := make([]Disk, 0, len(dv.Disks))
		keys := make([]diskKey, 0, len(dv.Disks))
		for _, d := range dv.Disks {
			disks, keys = insertDisk(disks, keys, d)
		}
		dv.Disks = disks
	}
	usbNone, usbOther := false, false
	cs := make([]Controller, 0, len(dv.Controllers))
	for _, c := range dv.Controllers {
		if c.Type == "usb" {
			if c.Model == "none" {
				if usbOther {
					return errorf(CodeXMLDetail, "Can't add another USB controller: USB is disabled for this domain")
				}
				usbNone = true
			} else {
				if usbNone {
					return errorf(CodeXMLDetail, "Can't add another USB controller: USB is disabled for this domain")
				}
				usbOther = true
			}
		}
		cs = insertController(cs, c)
	}
	dv.Controllers = cs
	return nil
}

// postParseDevices fills device defaults and adds implicit devices.
func (d *Domain) postParseDevices() error {
	dv := d.Devices
	if err := dv.sortParsedDevices(); err != nil {
		return err
	}
	if err := d.postParseDisks(); err != nil {
		return err
	}
	if err := d.postParseChardevs(); err != nil {
		return err
	}
	if err := d.postParseNets(); err != nil {
		return err
	}
	if err := d.postParseGraphics(); err != nil {
		return err
	}
	if err := d.postParseVideos(); err != nil {
		return err
	}
	if err := d.postParseMisc(); err != nil {
		return err
	}
	if err := d.postParseMore(); err != nil {
		return err
	}
	// Host devices are set up before controllers get their indexes (as
	// libvirt's device iteration does), the other implicit controllers
	// after.
	d.addHostdevSCSIControllers()
	if err := d.postParseControllers(); err != nil {
		return err
	}
	return d.addImplicitControllers()
}

// addHostdevSCSIControllers assigns SCSI host devices their addresses and
// adds the SCSI controllers they need.
func (d *Domain) addHostdevSCSIControllers() {
	dv := d.Devices
	d.assignHostdevSCSIAddresses()
	max := -1
	for i := range dv.Hostdevs {
		h := &dv.Hostdevs[i]
		if h.Type == "scsi" && h.Address != nil && h.Address.Type == "drive" && int(h.Address.Controller) > max {
			max = int(h.Address.Controller)
		}
	}
	dv.ensureControllers("scsi", max)
}

func (d *Domain) postParseControllers() error {
	dv := d.Devices
	for i := range dv.Controllers {
		c := &dv.Controllers[i]
		if c.Target != nil && *c.Target == (ControllerTarget{}) {
			c.Target = nil
		}
		if c.Type != "usb" || c.Master != nil {
			continue
		}
		switch c.Model {
		case "ich9-uhci1":
			c.Master = &ControllerMaster{StartPort: 0}
		case "ich9-uhci2":
			c.Master = &ControllerMaster{StartPort: 2}
		case "ich9-uhci3":
			c.Master = &ControllerMaster{StartPort: 4}
		}
	}
	used := map[string]map[uint]bool{}
	next := map[string]uint{}
	for i := range dv.Controllers {
		c := &dv.Controllers[i]
		if c.Index == nil {
			continue
		}
		if used[c.Type] == nil {
			used[c.Type] = map[uint]bool{}
		}
		used[c.Type][*c.Index] = true
	}
	for i := range dv.Controllers {
		c := &dv.Controllers[i]
		if c.Index != nil {
			continue
		}
		if used[c.Type] == nil {
			used[c.Type] = map[uint]bool{}
		}
		if c.Type == "usb" && isUSBCompanion(c.Model) {
			// A companion takes the index of the controller before it
			// when that one is its master or another companion model.
			var prev *Controller
			for j := i - 1; j >= 0; j-- {
				if dv.Controllers[j].Type == "usb" && dv.Controllers[j].Index != nil {
					prev = &dv.Controllers[j]
					break
				}
			}
			if prev != nil && prev.Model != c.Model && (prev.Model == "ich9-ehci1" || isUSBCompanion(prev.Model)) {
				c.Index = uintp(*prev.Index)
				c.autoIndex = true
				continue
			}
		}
		// The lowest unused index only grows as indexes are taken.
		idx := next[c.Type]
		for used[c.Type][idx] {
			idx++
		}
		used[c.Type][idx] = true
		next[c.Type] = idx + 1
		c.Index = uintp(idx)
		c.autoIndex = true
	}
	return nil
}

// diskBusFromName guesses the bus from a target name as libvirt does.
func diskBusFromName(dev string) string {
	switch {
	case len(dev) >= 2 && dev[:2] == "hd":
		return "ide"
	case len(dev) >= 2 && dev[:2] == "sd":
		return "scsi"
	case len(dev) >= 2 && dev[:2] == "vd":
		return "virtio"
	case len(dev) >= 3 && dev[:3] == "xvd":
		return "xen"
	case len(dev) >= 3 && dev[:3] == "ubd":
		return "uml"
	case len(dev) >= 2 && dev[:2] == "fd":
		return "fdc"
	}
	return "ide"
}

var diskBuses = map[string]bool{"ide": true, "fdc": true, "scsi": true, "virtio": true, "xen": true, "usb": true, "uml": true, "sata": true, "sd": true}

func (d *Domain) postParseDisks() error {
	dv := d.Devices
	for i := range dv.Disks {
		disk := &dv.Disks[i]
		if disk.Type == "" {
			disk.Type = "file"
		}
		switch disk.Type {
		case "file", "block", "dir", "network", "volume", "nvme", "vhostuser":
		default:
			return xmlErrorf("Invalid value for attribute 'type' in element 'disk': '%s'.", disk.Type)
		}
		if disk.Device == "" {
			disk.Device = "disk"
		}
		switch disk.Device {
		case "disk", "cdrom", "floppy", "lun":
		default:
			return xmlErrorf("Invalid value for attribute 'device' in element 'disk': '%s'.", disk.Device)
		}
		if disk.Target == nil || disk.Target.Dev == "" {
			what := ""
			if disk.Source != nil {
				what = disk.Source.File + disk.Source.Dev + disk.Source.Dir + disk.Source.Name
			}
			return errorf(CodeNoTarget, "missing target information for device %s", what)
		}
		if disk.Target.Bus == "" {
			if disk.Device == "floppy" {
				disk.Target.Bus = "fdc"
			} else {
				disk.Target.Bus = diskBusFromName(disk.Target.Dev)
			}
		} else if !diskBuses[disk.Target.Bus] {
			return xmlErrorf("Invalid value for attribute 'bus' in element 'target': '%s'.", disk.Target.Bus)
		}
		if disk.Device == "cdrom" || disk.Device == "floppy" {
			if disk.Device == "cdrom" {
				disk.ReadOnly = true
			}
		} else if disk.Source == nil || disk.sourceEmpty() {
			return errorf(CodeNoSource, "missing source information for device %s", disk.Target.Dev)
		}
		if disk.Address == nil {
			disk.assignDriveAddress()
		}
	}
	seen := make(map[string]int, len(dv.Disks))
	for i := range dv.Disks {
		if j, dup := seen[dv.Disks[i].Target.Dev]; dup {
			return xmlErrorf("target '%s' duplicated for disk sources '%s' and '%s'",
				dv.Disks[i].Target.Dev, dv.Disks[j].sourcePath(), dv.Disks[i].sourcePath())
		}
		seen[dv.Disks[i].Target.Dev] = i
	}
	return nil
}

func (disk *Disk) sourceEmpty() bool {
	s := disk.Source
	switch disk.Type {
	case "file":
		return s.File == ""
	case "block":
		return s.Dev == ""
	case "dir":
		return s.Dir == ""
	case "network":
		return s.Protocol == ""
	case "volume":
		return s.Pool == "" || s.Volume == ""
	}
	return false
}

func (disk *Disk) sourcePath() string {
	if disk.Source == nil {
		return ""
	}
	s := disk.Source
	switch {
	case s.File != "":
		return s.File
	case s.Dev != "":
		return s.Dev
	case s.Dir != "":
		return s.Dir
	case s.Name != "":
		return s.Name
	case s.Volume != "":
		return s.Pool + "/" + s.Volume
	}
	return ""
}

// assignDriveAddress gives IDE, SCSI, SATA and floppy disks libvirt's
// default drive address from their target name.
func (disk *Disk) assignDriveAddress() {
	idx := diskNameIndex(disk.Target.Dev)
	if idx < 0 {
		return
	}
	a := &Address{Type: "drive"}
	u := uint64(idx)
	switch disk.Target.Bus {
	case "scsi":
		a.Controller, a.Unit = u/7, u%7
	case "fdc":
		a.Controller, a.Unit = u/2, u%2
	case "sata":
		a.Controller, a.Unit = u/6, u%6
	case "ide":
		a.Controller, a.Bus, a.Unit = u/4, (u%4)/2, u%2
	default:
		return
	}
	disk.Address = a
	disk.autoAddress = true
}

// addImplicitControllers adds the controllers devices need: disk
// controllers for drive addresses, virtio-serial, ccid, SCSI for hostdevs.
func (d *Domain) addImplicitControllers() error {
	dv := d.Devices
	for _, bus := range []string{"scsi", "fdc", "ide", "sata"} {
		max := -1
		for i := range dv.Disks {
			disk := &dv.Disks[i]
			if disk.Target.Bus == bus && disk.Address != nil && disk.Address.Type == "drive" {
				if int(disk.Address.Controller) > max {
					max = int(disk.Address.Controller)
				}
			}
		}
		dv.ensureControllers(bus, max)
	}
	// virtio-serial for virtio channels and consoles.
	vs := func(c *Chardev) {
		if c.Target == nil || c.Target.Type != "virtio" {
			return
		}
		idx := uint(0)
		if c.Address != nil && c.Address.Type == "virtio-serial" {
			idx = uint(c.Address.Controller)
		}
		dv.ensureController("virtio-serial", idx)
	}
	for i := range dv.Channels {
		vs(&dv.Channels[i])
	}
	for i := range dv.Consoles {
		vs(&dv.Consoles[i])
	}
	// ccid for smartcards.
	for i := range dv.Smartcards {
		sc := &dv.Smartcards[i]
		if sc.Address == nil {
			continue
		}
		dv.ensureController("ccid", uint(sc.Address.Controller))
	}
	return nil
}

var consoleTargets = map[string]bool{"serial": true, "xen": true, "uml": true, "virtio": true, "lxc": true, "openvz": true, "sclp": true, "sclplm": true}
var channelTargets = map[string]bool{"guestfwd": true, "virtio": true, "xen": true}
var chardevTypes = map[string]bool{"null": true, "vc": true, "pty": true, "dev": true, "file": true, "pipe": true, "stdio": true,
	"udp": true, "tcp": true, "unix": true, "spicevmc": true, "spiceport": true, "nmdm": true, "qemu-vdagent": true, "dbus": true}

// postParseChardev checks and normalises one character device; kind is
// serial, parallel, console or channel.
// postParse normalises the host side of a character device of type typ.
// assignPorts numbers serial or parallel ports without one: one past the
// highest port of the devices before it.
// consoleCompat pairs the first serial port with a serial console, as
// libvirt does for HVM guests.
// newMAC returns a random address with the 52:54:00 (QEMU) prefix.
func newMAC() string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("52:54:00:%02x:%02x:%02x", b[0], b[1], b[2])
}

func (d *Domain) postParseNets() error {
	dv := d.Devices
	for i := range dv.Interfaces {
		n := &dv.Interfaces[i]
		if n.Type == "hostdev" && n.Driver != nil {
			n.HostdevDriver = nil
			if n.Driver.Name != "" {
				n.HostdevDriver = &InterfaceHostdevDriver{Name: n.Driver.Name}
			}
			n.Driver = nil
		}
		if n.MAC == nil || n.MAC.Address == "" {
			n.MAC = &InterfaceMAC{Address: newMAC()}
		}
	}
	return nil
}

func (d *Domain) postParseGraphics() error {
	dv := d.Devices
	for i := range dv.Graphics {
		g := &dv.Graphics[i]
		if err := g.checkListens(); err != nil {
			return err
		}
		switch g.Type {
		case "vnc", "spice":
			g.defaultPortAndListen(g.Type == "vnc")
		case "rdp":
			if g.Port == nil {
				z := 0
				g.Port = &z
			}
			if len(g.Listens) == 0 {
				g.Listens = []GraphicsListen{{Type: "address", Address: g.Listen}}
			}
		}
	}
	return nil
}

// checkListens validates <listen> elements against the legacy attributes.
func (g *Graphics) checkListens() error {
	for i := range g.Listens {
		l := &g.Listens[i]
		switch l.Type {
		case "address", "none", "socket":
		case "network":
			if l.Network == "" {
				return xmlErrorf("'network' attribute is required for listen type 'network'")
			}
		default:
			return xmlErrorf("Invalid value for attribute 'type' in element 'listen': '%s'.", l.Type)
		}
		l.FromConfig, l.AutoGenerated = "", ""
	}
	if len(g.Listens) == 0 {
		return nil
	}
	l0 := &g.Listens[0]
	if g.Listen != "" && l0.Type == "address" {
		if l0.Address == "" {
			l0.Address = g.Listen
		} else if l0.Address != g.Listen {
			return unsupportedf("graphics 'listen' attribute '%s' must match 'address' attribute of first listen element (found '%s')", g.Listen, l0.Address)
		}
	}
	if g.Socket != "" && l0.Type == "socket" {
		if l0.Socket == "" {
			l0.Socket = g.Socket
		} else if l0.Socket != g.Socket {
			return unsupportedf("graphics 'socket' attribute '%s' must match 'socket' attribute of first listen element (found '%s')", g.Socket, l0.Socket)
		}
	}
	return nil
}

// defaultPortAndListen applies libvirt's VNC/SPICE port and listen
// defaults.
func (g *Graphics) defaultPortAndListen(vnc bool) {
	if vnc && g.Socket != "" && (len(g.Listens) == 0 || g.Listens[0].Type != "socket") {
		g.Listens = nil
	}
	if len(g.Listens) == 0 {
		switch {
		case vnc && g.Socket != "":
			g.Listens = []GraphicsListen{{Type: "socket", Socket: g.Socket}}
			g.Listen = ""
		case g.Listen != "":
			g.Listens = []GraphicsListen{{Type: "address", Address: g.Listen}}
		case vnc || g.AutoPort == "yes" || g.Port != nil && *g.Port != 0 || g.TLSPort != nil && *g.TLSPort != 0:
			g.Listens = []GraphicsListen{{Type: "address"}}
		default:
			g.Listens = []GraphicsListen{{Type: "none"}}
		}
	}
	switch g.Listens[0].Type {
	case "socket", "none":
		g.Port, g.TLSPort, g.AutoPort, g.WebSocket = nil, nil, "", nil
		g.Listen = ""
		if vnc {
			g.Socket = g.Listens[0].Socket
		}
		return
	}
	g.Socket = ""
	if g.Listen == "" && g.Listens[0].Type == "address" {
		g.Listen = g.Listens[0].Address
	}
	if vnc {
		if g.Port != nil && *g.Port == -1 && g.AutoPort != "no" || g.Port == nil && g.AutoPort == "" {
			g.AutoPort = "yes"
		}
		if g.AutoPort == "yes" {
			m := -1
			g.Port = &m
		} else {
			if g.Port != nil && *g.Port == -1 {
				g.Port = nil
			}
			g.AutoPort = "no"
		}
		return
	}
	if g.Port != nil && *g.Port == -1 {
		g.Port = nil
		if g.AutoPort == "" {
			g.AutoPort = "yes"
		}
	}
	if g.AutoPort == "" {
		g.AutoPort = "no"
	}
}

// videoDefaults gives the default vram of each video model.
var videoVRAM = map[string]uint{"vga": 16384, "cirrus": 16384, "vmvga": 16384, "bochs": 16384, "xen": 4096, "qxl": 65536}

func (d *Domain) postParseVideos() error {
	dv := d.Devices
	if len(dv.Videos) == 0 && len(dv.Graphics) > 0 {
		dv.Videos = append(dv.Videos, Video{Model: &VideoModel{Type: d.defaultVideoType()}})
	}
	primary := -1
	for i := range dv.Videos {
		v := &dv.Videos[i]
		if v.Model == nil {
			v.Model = &VideoModel{}
		}
		m := v.Model
		if m.Type == "" {
			m.Type = d.defaultVideoType()
		}
		if m.Type == "none" {
			continue
		}
		if m.Primary == "yes" {
			if primary >= 0 {
				return unsupportedf("Only one primary video device is supported")
			}
			primary = i
		}
		m.Primary = ""
		if m.Heads == nil {
			m.Heads = uintp(1)
		}
		if m.VRam == nil {
			if v, ok := videoVRAM[m.Type]; ok {
				m.VRam = uintp(v)
			}
		}
		if m.Type == "qxl" && m.Ram == nil {
			m.Ram = uintp(65536)
		}
		for _, p := range []*uint{m.VRam, m.Ram} {
			if p != nil && *p > 0 && *p < 1<<31 {
				v := uint(1)
				for v < *p {
					v <<= 1
				}
				*p = v
			}
		}
	}
	if len(dv.Videos) > 0 && dv.Videos[0].Model.Type != "none" {
		if primary < 0 {
			primary = 0
		}
		if primary > 0 {
			p := dv.Videos[primary]
			copy(dv.Videos[1:primary+1], dv.Videos[:primary])
			dv.Videos[0] = p
		}
		dv.Videos[0].Model.Primary = "yes"
	}
	return nil
}

// defaultVideoType is libvirt's default video model for the domain type.
func (d *Domain) defaultVideoType() string {
	switch d.Type {
	case "xen":
		return "xen"
	case "vbox":
		return "vbox"
	case "vmware":
		return "vmvga"
	case "vz", "parallels":
		return "vga"
	}
	if d.OS != nil && (d.OS.Type.Arch == "ppc64" || d.OS.Type.Arch == "ppc64le") {
		return "vga"
	}
	return "cirrus"
}

func (d *Domain) postParseMisc() error {
	dv := d.Devices
	for i := range dv.Hostdevs {
		h := &dv.Hostdevs[i]
		if h.Mode == "" {
			h.Mode = "subsystem"
		}
		if h.Mode == "subsystem" && h.Managed == "" {
			h.Managed = "no"
		}
	}
	for i := range dv.Filesystems {
		f := &dv.Filesystems[i]
		if f.Type == "" {
			f.Type = "mount"
		}
		if f.AccessMode == "" && !(f.Source != nil && f.Source.Socket != "") {
			f.AccessMode = "passthrough"
		}
	}
	for i := range dv.Watchdogs {
		if dv.Watchdogs[i].Action == "" {
			dv.Watchdogs[i].Action = "reset"
		}
	}
	for i := range dv.Shmems {
		if dv.Shmems[i].Model == nil {
			dv.Shmems[i].Model = &ShmemModel{Type: "ivshmem"}
		}
	}
	for i := range dv.RNGs {
		b := dv.RNGs[i].Backend
		if b == nil {
			continue
		}
		switch b.Model {
		case "random":
			if b.Device == "" {
				b.Device = "/dev/random"
			}
			b.CharSourceFields = CharSourceFields{}
		case "egd":
			if err := b.CharSourceFields.postParse(b.Type); err != nil {
				return err
			}
		}
	}
	for i := range dv.Inputs {
		in := &dv.Inputs[i]
		if in.Bus == "" {
			switch in.Type {
			case "mouse", "keyboard":
				in.Bus = "usb"
				if d.OS != nil && (d.OS.Type.Arch == "i686" || d.OS.Type.Arch == "x86_64") {
					in.Bus = "ps2"
				}
			case "tablet":
				in.Bus = "usb"
			case "passthrough":
				in.Bus = "virtio"
			}
		}
	}
	for i := range dv.TPMs {
		t := &dv.TPMs[i]
		if t.Backend != nil && t.Backend.Type == "passthrough" && t.Backend.Device == nil {
			t.Backend.Device = &TPMBackendDevice{Path: "/dev/tpm0"}
		}
	}
	slot := map[uint64]uint64{}
	for i := range dv.Smartcards {
		sc := &dv.Smartcards[i]
		if sc.Address == nil {
			sc.Address = &Address{Type: "ccid", Controller: 0, Slot: slot[0]}
		}
		if sc.Address.Type == "ccid" && sc.Address.Slot >= slot[sc.Address.Controller] {
			slot[sc.Address.Controller] = sc.Address.Slot + 1
		}
	}
	return nil
}

// assignHostdevSCSIAddresses gives SCSI host devices without an address
// the first free unit, as libvirt does.
func (d *Domain) assignHostdevSCSIAddresses() {
	dv := d.Devices
	type slot struct{ c, b, t, u uint64 }
	used := map[slot]bool{}
	for i := range dv.Disks {
		if a := dv.Disks[i].Address; a != nil && a.Type == "drive" && dv.Disks[i].Target.Bus == "scsi" {
			used[slot{a.Controller, a.Bus, a.Target, a.Unit}] = true
		}
	}
	for i := range dv.Hostdevs {
		if a := dv.Hostdevs[i].Address; a != nil && a.Type == "drive" {
			used[slot{a.Controller, a.Bus, a.Target, a.Unit}] = true
		}
	}
	units := func(ctrl uint64) uint64 {
		for i := range dv.Controllers {
			c := &dv.Controllers[i]
			if c.Type == "scsi" && c.Index != nil && uint64(*c.Index) == ctrl && c.Model == "virtio-scsi" {
				return 16384
			}
		}
		return 7
	}
	for i := range dv.Hostdevs {
		h := &dv.Hostdevs[i]
		if h.Type != "scsi" || h.Address != nil {
			continue
		}
		for ctrl := uint64(0); ctrl < maxImplicitControllers; ctrl++ {
			found := false
			for u := uint64(0); u < units(ctrl); u++ {
				if !used[slot{ctrl, 0, 0, u}] {
					h.Address = &Address{Type: "drive", Controller: ctrl, Unit: u}
					used[slot{ctrl, 0, 0, u}] = true
					found = true
					break
				}
			}
			if found {
				break
			}
		}
	}
}
