package qemu

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// parseDevice parses one device element (<disk>, <interface>) with the
// parser's defaults, by wrapping it in a minimal domain.
func parseDevice(xml string) (*virtxml.Devices, error) {
	doc := "<domain type='qemu'><name>device</name><memory>65536</memory><os><type arch='x86_64'>hvm</type></os><devices>" +
		xml + "</devices></domain>"
	def, err := virtxml.ParseDomain([]byte(doc))
	if err != nil {
		return nil, virt.FromXMLError(err, virt.FromDomain)
	}
	dv := def.Devices
	if n := len(dv.Disks) + len(dv.Interfaces); n != 1 || len(dv.Serials)+len(dv.Consoles)+len(dv.Graphics)+len(dv.Videos)+len(dv.Inputs)+len(dv.RNGs)+len(dv.Watchdogs)+len(dv.Panics) > 0 {
		return nil, virt.Errorf(virt.ErrOperationUnsupported, virt.FromQEMU, "only one <disk> or <interface> device can be attached or detached")
	}
	return dv, nil
}

// resolveModify turns AffectCurrent into live or config as libvirt does,
// and checks the combination against the domain. The caller holds d.mu.
func resolveModify(d *domain, flags virt.ModifyFlags) (live, config bool, err error) {
	live, config = flags&virt.AffectLive != 0, flags&virt.AffectConfig != 0
	if !live && !config {
		live, config = d.active(), !d.active()
	}
	if live && !d.active() {
		return false, false, virt.Errorf(virt.ErrOperationInvalid, virt.FromQEMU, "domain is not running")
	}
	if config && d.def == nil {
		return false, false, virt.Errorf(virt.ErrOperationInvalid, virt.FromQEMU, "transient domains do not have any persistent config")
	}
	return live, config, nil
}

// qmpProps turns key=value device or netdev options into QMP arguments
// with the types QEMU's schema wants.
func qmpProps(o opts) map[string]any {
	ints := map[string]bool{"bootindex": true, "num-queues": true, "host_mtu": true, "channel": true, "scsi-id": true, "lun": true, "unit": true}
	bools := map[string]bool{"share-rw": true, "restrict": true}
	m := map[string]any{}
	for _, kv := range o {
		k, v, _ := strings.Cut(kv, "=")
		v = strings.ReplaceAll(v, ",,", ",")
		switch {
		case ints[k]:
			n, _ := strconv.ParseInt(v, 0, 64)
			m[k] = n
		case bools[k]:
			m[k] = v == "on"
		default:
			m[k] = v
		}
	}
	return m
}

// AttachDomainDevice implements virt.DomainDevices: a disk or an
// interface, hot-plugged into the running guest and/or added to the
// persistent definition.
func (c *conn) AttachDomainDevice(ctx context.Context, ref virt.DomainRef, xml string, flags virt.ModifyFlags) error {
	if err := driver.CheckFlags(virt.FromQEMU, uint32(flags), uint32(virt.AffectLive|virt.AffectConfig), "qemuDomainAttachDeviceFlags"); err != nil {
		return err
	}
	dv, err := parseDevice(xml)
	if err != nil {
		return err
	}
	d, err := c.withJob(ctx, ref)
	if err != nil {
		return err
	}
	defer d.endJob()
	d.mu.Lock()
	live, config, err := resolveModify(d, flags)
	d.mu.Unlock()
	if err != nil {
		return err
	}
	if config {
		if err := c.node.attachConfig(ctx, d, dv); err != nil {
			return err
		}
	}
	if live {
		return c.node.attachLive(ctx, d, dv)
	}
	return nil
}

// attachConfig adds a device to the persistent definition.
func (n *node) attachConfig(ctx context.Context, d *domain, dv *virtxml.Devices) error {
	d.mu.Lock()
	def := d.def.Clone()
	d.mu.Unlock()
	if err := addDevice(def, dv); err != nil {
		return err
	}
	emu, err := n.emulatorFor(def)
	if err != nil {
		return err
	}
	caps, err := n.capsOf(ctx, emu)
	if err != nil {
		return err
	}
	if err := postParse(def, caps); err != nil {
		return err
	}
	if err := n.writeDefinition(def); err != nil {
		return err
	}
	d.mu.Lock()
	d.def = def
	d.mu.Unlock()
	return nil
}

// addDevice appends the device of dv to def, refusing a clash.
func addDevice(def *virtxml.Domain, dv *virtxml.Devices) error {
	for _, nd := range dv.Disks {
		for _, od := range def.Devices.Disks {
			if od.Target != nil && nd.Target != nil && od.Target.Dev == nd.Target.Dev {
				return virt.Errorf(virt.ErrOperationFailed, virt.FromQEMU, "target %s already exists", nd.Target.Dev)
			}
		}
		def.Devices.Disks = append(def.Devices.Disks, nd)
	}
	for _, ni := range dv.Interfaces {
		for _, oi := range def.Devices.Interfaces {
			if oi.MAC != nil && ni.MAC != nil && strings.EqualFold(oi.MAC.Address, ni.MAC.Address) {
				return virt.Errorf(virt.ErrOperationFailed, virt.FromQEMU, "domain already has an interface with mac %s", ni.MAC.Address)
			}
		}
		def.Devices.Interfaces = append(def.Devices.Interfaces, ni)
	}
	return nil
}

// attachLive hot-plugs a device into the running guest.
func (n *node) attachLive(ctx context.Context, d *domain, dv *virtxml.Devices) error {
	p, err := d.running()
	if err != nil {
		return err
	}
	d.mu.Lock()
	live := d.live.Clone()
	d.mu.Unlock()
	k, err := machineKindOf(machineOf(live))
	if err != nil {
		return err
	}
	if err := addDevice(live, dv); err != nil {
		return err
	}
	slots := newPCISlots(live, k)
	b := &argvBuilder{def: live, kind: k, cfg: ArgvConfig{RestrictUserNet: n.drv.opts.RestrictUserNet}, bootIndex: map[string]int{}}
	var cmds []qmpCmd
	switch {
	case len(dv.Disks) == 1:
		disk := &live.Devices.Disks[len(live.Devices.Disks)-1]
		if disk.Target.Bus != "virtio" {
			return unsupported("disk bus '%s' cannot be hot-plugged (use virtio)", disk.Target.Bus)
		}
		if disk.Device == "cdrom" {
			return unsupported("cdrom devices cannot be hot-plugged")
		}
		if err := checkDisk(disk, k); err != nil {
			return err
		}
		if k != kindMicrovm && needsAddr(disk.Address) {
			if disk.Address, err = slots.nextHotplug(); err != nil {
				return err
			}
		}
		setAlias(&disk.Alias, diskAlias(disk))
		nodes, format, err := blockdevs(disk)
		if err != nil {
			return err
		}
		for _, nd := range nodes {
			cmds = append(cmds, qmpCmd{"blockdev-add", json.RawMessage(nd)})
		}
		drv, o := b.diskDevice(disk, format)
		args := qmpProps(o)
		args["driver"] = drv
		cmds = append(cmds, qmpCmd{"device_add", args})
	case len(dv.Interfaces) == 1:
		nic := &live.Devices.Interfaces[len(live.Devices.Interfaces)-1]
		if nic.Model == nil {
			// The model defined interfaces get (addImplicitDevices).
			nic.Model = &virtxml.InterfaceModel{Type: "rtl8139"}
			if k == kindMicrovm {
				nic.Model.Type = "virtio"
			}
		}
		if err := checkInterface(nic, k); err != nil {
			return err
		}
		if nic.Type != "user" && nic.Type != "bridge" && nic.Type != "ethernet" {
			return unsupported("interfaces of type '%s' cannot be hot-plugged", nic.Type)
		}
		if k != kindMicrovm && needsAddr(nic.Address) {
			if nic.Address, err = slots.nextHotplug(); err != nil {
				return err
			}
		}
		used := map[string]bool{}
		for _, o := range live.Devices.Interfaces {
			if o.Alias != nil {
				used[o.Alias.Name] = true
			}
		}
		for i := 0; ; i++ {
			if a := "net" + strconv.Itoa(i); !used[a] {
				nic.Alias = &virtxml.DeviceAlias{Name: a}
				break
			}
		}
		nd, ok := b.netdev(nic)
		if !ok {
			return b.err
		}
		nargs := qmpProps(nd[1:])
		nargs["type"] = nd[0]
		cmds = append(cmds, qmpCmd{"netdev_add", nargs})
		drv, o := b.nicDevice(nic)
		args := qmpProps(o)
		args["driver"] = drv
		cmds = append(cmds, qmpCmd{"device_add", args})
	}
	if b.err != nil {
		return b.err
	}
	for i, cmd := range cmds {
		if err := qmpRun(ctx, p.mon, cmd.name, cmd.args, nil); err != nil {
			undoAttach(ctx, p, cmds[:i])
			return qmpError("cannot attach the device", err)
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.proc == p {
		d.live = live
		n.writeStatus(d, true)
	}
	return nil
}

type qmpCmd struct {
	name string
	args any
}

// undoAttach removes what the commands of a failed attach added.
func undoAttach(ctx context.Context, p *process, done []qmpCmd) {
	for i := len(done) - 1; i >= 0; i-- {
		switch done[i].name {
		case "blockdev-add":
			var nd struct {
				NodeName string `json:"node-name"`
			}
			json.Unmarshal(done[i].args.(json.RawMessage), &nd)
			qmpRun(ctx, p.mon, "blockdev-del", map[string]any{"node-name": nd.NodeName}, nil)
		case "netdev_add":
			qmpRun(ctx, p.mon, "netdev_del", map[string]any{"id": done[i].args.(map[string]any)["id"]}, nil)
		}
	}
}

// unplugTimeout bounds the wait for a guest to release a device.
const unplugTimeout = 30 * time.Second

// DetachDomainDevice implements virt.DomainDevices: the disk with the same
// target, or the interface with the same MAC address, is unplugged once
// the guest lets it go and/or removed from the persistent definition.
func (c *conn) DetachDomainDevice(ctx context.Context, ref virt.DomainRef, xml string, flags virt.ModifyFlags) error {
	if err := driver.CheckFlags(virt.FromQEMU, uint32(flags), uint32(virt.AffectLive|virt.AffectConfig), "qemuDomainDetachDeviceFlags"); err != nil {
		return err
	}
	dv, err := parseDevice(xml)
	if err != nil {
		return err
	}
	d, err := c.withJob(ctx, ref)
	if err != nil {
		return err
	}
	defer d.endJob()
	d.mu.Lock()
	live, config, err := resolveModify(d, flags)
	d.mu.Unlock()
	if err != nil {
		return err
	}
	if live {
		if err := c.node.detachLive(ctx, d, dv); err != nil {
			return err
		}
	}
	if config {
		d.mu.Lock()
		def := d.def.Clone()
		d.mu.Unlock()
		if _, err := removeDevice(def, dv); err != nil {
			return err
		}
		if err := c.node.writeDefinition(def); err != nil {
			return err
		}
		d.mu.Lock()
		d.def = def
		d.mu.Unlock()
	}
	return nil
}

// removed describes a device taken out of a definition.
type removedDevice struct {
	alias string
	disk  *virtxml.Disk
	nic   *virtxml.Interface
}

// removeDevice takes the device dv describes out of def: a disk by its
// target, an interface by its MAC address.
func removeDevice(def *virtxml.Domain, dv *virtxml.Devices) (removedDevice, error) {
	for _, nd := range dv.Disks {
		for i, od := range def.Devices.Disks {
			if od.Target != nil && nd.Target != nil && od.Target.Dev == nd.Target.Dev {
				r := removedDevice{disk: &def.Devices.Disks[i]}
				if od.Alias != nil {
					r.alias = od.Alias.Name
				}
				cp := od
				r.disk = &cp
				def.Devices.Disks = append(def.Devices.Disks[:i], def.Devices.Disks[i+1:]...)
				return r, nil
			}
		}
		return removedDevice{}, virt.Errorf(virt.ErrDeviceMissing, virt.FromQEMU, "no target device %s", nd.Target.Dev)
	}
	for _, ni := range dv.Interfaces {
		for i, oi := range def.Devices.Interfaces {
			if oi.MAC != nil && ni.MAC != nil && strings.EqualFold(oi.MAC.Address, ni.MAC.Address) {
				cp := oi
				r := removedDevice{nic: &cp}
				if oi.Alias != nil {
					r.alias = oi.Alias.Name
				}
				def.Devices.Interfaces = append(def.Devices.Interfaces[:i], def.Devices.Interfaces[i+1:]...)
				return r, nil
			}
		}
		mac := ""
		if ni.MAC != nil {
			mac = ni.MAC.Address
		}
		return removedDevice{}, virt.Errorf(virt.ErrDeviceMissing, virt.FromQEMU, "no device found with mac %s", mac)
	}
	return removedDevice{}, virt.Errorf(virt.ErrDeviceMissing, virt.FromQEMU, "no such device")
}

// detachLive unplugs a device from the running guest and waits until the
// guest has let it go.
func (n *node) detachLive(ctx context.Context, d *domain, dv *virtxml.Devices) error {
	p, err := d.running()
	if err != nil {
		return err
	}
	d.mu.Lock()
	live := d.live.Clone()
	d.mu.Unlock()
	r, err := removeDevice(live, dv)
	if err != nil {
		return err
	}
	if r.disk != nil && (r.disk.Target == nil || r.disk.Target.Bus != "virtio") {
		return unsupported("only virtio disks can be hot-unplugged")
	}
	deleted := make(chan struct{})
	d.mu.Lock()
	p.deleted[r.alias] = deleted
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		delete(p.deleted, r.alias)
		d.mu.Unlock()
	}()
	if err := qmpRun(ctx, p.mon, "device_del", map[string]any{"id": r.alias}, nil); err != nil {
		return qmpError("cannot detach the device", err)
	}
	select {
	case <-deleted:
	case <-time.After(unplugTimeout):
		return virt.Errorf(virt.ErrOperationTimeout, virt.FromQEMU, "the guest did not release device '%s'", r.alias)
	case <-ctx.Done():
		return virt.Errorf(virt.ErrOperationTimeout, virt.FromQEMU, "detach of '%s': %v", r.alias, ctx.Err())
	}
	if r.disk != nil {
		storage, format := nodeNames(r.alias)
		if r.disk.Source != nil && (r.disk.Source.File != "" || r.disk.Source.Dev != "") {
			if err := qmpRun(ctx, p.mon, "blockdev-del", map[string]any{"node-name": format}, nil); err != nil {
				return qmpError("cannot release the disk", err)
			}
			if err := qmpRun(ctx, p.mon, "blockdev-del", map[string]any{"node-name": storage}, nil); err != nil {
				return qmpError("cannot release the disk", err)
			}
		}
	}
	if r.nic != nil {
		if err := qmpRun(ctx, p.mon, "netdev_del", map[string]any{"id": netdevID(r.alias)}, nil); err != nil {
			return qmpError("cannot release the interface", err)
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.proc == p {
		d.live = live
		n.writeStatus(d, true)
	}
	return nil
}

// DetachDomainDeviceAlias implements virt.DomainDevices.
func (c *conn) DetachDomainDeviceAlias(ctx context.Context, ref virt.DomainRef, alias string, flags virt.ModifyFlags) error {
	d, err := c.locked(ref)
	if err != nil {
		return err
	}
	def := d.current()
	xml := ""
	for _, dk := range def.Devices.Disks {
		if dk.Alias != nil && dk.Alias.Name == alias && dk.Target != nil {
			xml = "<disk type='file'><target dev='" + dk.Target.Dev + "'/></disk>"
		}
	}
	for _, ni := range def.Devices.Interfaces {
		if ni.Alias != nil && ni.Alias.Name == alias && ni.MAC != nil {
			xml = "<interface type='user'><mac address='" + ni.MAC.Address + "'/></interface>"
		}
	}
	d.mu.Unlock()
	if xml == "" {
		return virt.Errorf(virt.ErrDeviceMissing, virt.FromQEMU, "no device found with alias %s", alias)
	}
	return c.DetachDomainDevice(ctx, ref, xml, flags)
}

// UpdateDomainDevice implements virt.DomainDevices; the driver changes
// no device in place.
func (c *conn) UpdateDomainDevice(ctx context.Context, ref virt.DomainRef, xml string, flags virt.ModifyFlags) error {
	if _, err := c.lookup(ref); err != nil {
		return err
	}
	return virt.Errorf(virt.ErrOperationUnsupported, virt.FromQEMU, "updating devices in place is not supported")
}
