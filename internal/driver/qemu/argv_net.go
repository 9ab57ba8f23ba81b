package qemu

import (
	"strconv"
	"strings"

	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// nicModels maps NIC models to QEMU devices (virtio is per transport).
var nicModels = map[string]string{
	"e1000": "e1000", "e1000e": "e1000e", "rtl8139": "rtl8139", "ne2k_pci": "ne2k_pci",
	"pcnet": "pcnet", "vmxnet3": "vmxnet3", "i82551": "i82551", "i82557b": "i82557b", "i82559er": "i82559er",
}

func (b *argvBuilder) interfaces() {
	for i := range b.def.Devices.Interfaces {
		b.iface(&b.def.Devices.Interfaces[i])
	}
}

// netdevID is the id of an interface's host side.
func netdevID(alias string) string {
	if n, ok := strings.CutPrefix(alias, "net"); ok {
		return "hostnet" + n
	}
	return "host" + alias
}

func (b *argvBuilder) iface(n *virtxml.Interface) {
	if err := checkInterface(n, b.kind); err != nil {
		b.fail(err)
		return
	}
	nd, ok := b.netdev(n)
	if !ok {
		return
	}
	b.add("-netdev", nd.String())
	drv, o := b.nicDevice(n)
	b.device(drv, o)
}

// netdev returns the host side of an interface.
func (b *argvBuilder) netdev(n *virtxml.Interface) (opts, bool) {
	alias := n.Alias.Name
	id := netdevID(alias)
	var nd opts
	switch n.Type {
	case "user":
		nd.raw("user")
		nd.raw("id=" + id)
		if b.cfg.RestrictUserNet {
			nd.raw("restrict=on")
		}
	case "network", "bridge":
		br := ""
		if n.Source != nil {
			br = n.Source.Bridge
			if n.Type == "network" {
				br = b.cfg.Bridges[n.Source.Network]
				if br == "" {
					b.fail(virt.Errorf(virt.ErrNoNetwork, virt.FromQEMU, "no network with matching name '%s'", n.Source.Network))
					return nil, false
				}
			}
		}
		if br == "" {
			b.failf("interface '%s' names no bridge", alias)
			return nil, false
		}
		if fd, ok := b.cfg.TapFDs[alias]; ok {
			nd.raw("tap")
			nd.raw("fd=" + strconv.Itoa(fd))
			nd.raw("id=" + id)
		} else {
			// qemu-bridge-helper creates the tap device and plugs it in.
			nd.raw("bridge")
			nd.raw("id=" + id)
			nd.add("br", br)
		}
	case "ethernet":
		nd.raw("tap")
		if fd, ok := b.cfg.TapFDs[alias]; ok {
			nd.raw("fd=" + strconv.Itoa(fd))
		} else if n.Target != nil && n.Target.Dev != "" {
			nd.add("ifname", n.Target.Dev)
			nd.raw("script=no")
			nd.raw("downscript=no")
		} else {
			b.failf("interface '%s' of type 'ethernet' needs <target dev=.../>", alias)
			return nil, false
		}
		nd.raw("id=" + id)
	case "direct":
		fd, ok := b.cfg.TapFDs[alias]
		if !ok {
			b.failf("interface '%s' of type 'direct' needs a macvtap device, which this driver does not create", alias)
			return nil, false
		}
		nd.raw("tap")
		nd.raw("fd=" + strconv.Itoa(fd))
		nd.raw("id=" + id)
	}
	return nd, true
}

// nicDevice returns the guest side of an interface.
func (b *argvBuilder) nicDevice(n *virtxml.Interface) (string, opts) {
	alias := n.Alias.Name
	id := netdevID(alias)
	model := n.Model.Type
	drv := nicModels[model]
	if model == "virtio" {
		drv = b.virtioDev("virtio-net")
	}
	var o opts
	o.raw("netdev=" + id)
	o.raw("id=" + alias)
	if n.MAC != nil && n.MAC.Address != "" {
		o.raw("mac=" + n.MAC.Address)
	}
	if bi := b.bootIndex[alias]; bi > 0 {
		o.raw("bootindex=" + strconv.Itoa(bi))
	}
	if n.MTU != nil && model == "virtio" {
		o.raw("host_mtu=" + strconv.FormatUint(uint64(n.MTU.Size), 10))
	}
	if n.ROM != nil {
		if n.ROM.Enabled == "no" {
			o.raw("romfile=")
		} else if n.ROM.File != nil {
			o.add("romfile", *n.ROM.File)
		}
		if n.ROM.Bar != "" {
			o.raw("rombar=" + map[string]string{"on": "1", "off": "0"}[n.ROM.Bar])
		}
	}
	b.pciAddr(&o, n.Address)
	return drv, o
}

// checkInterface refuses interfaces the driver cannot give QEMU.
func checkInterface(n *virtxml.Interface, k machineKind) error {
	switch n.Type {
	case "user", "network", "bridge", "ethernet", "direct":
	default:
		return unsupported("interface type '%s' is not supported", n.Type)
	}
	if n.Model == nil {
		return unsupported("interface has no model")
	}
	if n.Model.Type != "virtio" && nicModels[n.Model.Type] == "" {
		return unsupported("interface model '%s' is not supported", n.Model.Type)
	}
	if k == kindMicrovm && n.Model.Type != "virtio" {
		return unsupported("microvm guests support virtio interfaces only")
	}
	if n.Type == "user" && n.Source != nil && (n.Source.Dev != "" || n.Source.Network != "") {
		return unsupported("a user-mode interface has no source")
	}
	if n.Backend != nil && (n.Backend.Type != "" && n.Backend.Type != "default") {
		return unsupported("interface backend type '%s' is not supported", n.Backend.Type)
	}
	if n.VLAN != nil || n.VirtualPort != nil || n.Bandwidth != nil || n.FilterRef != nil || n.Teaming != nil ||
		n.Coalesce != nil || n.Tune != nil || len(n.IPs) > 0 || len(n.Routes) > 0 || n.Script != nil || n.DownScript != nil {
		return unsupported("interface vlan, virtualport, bandwidth, filterref, teaming, coalesce, tune, ip, route and script settings are not supported")
	}
	if n.Driver != nil && ((n.Driver.Queues != nil && *n.Driver.Queues > 1) || n.Driver.Name == "vhostuser") {
		return unsupported("multiqueue and vhost-user interfaces are not supported")
	}
	if n.MTU != nil && n.Model.Type != "virtio" {
		return unsupported("setting an MTU needs a virtio interface")
	}
	return nil
}
