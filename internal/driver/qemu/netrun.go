package qemu

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/govirt/govirt/internal/network"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// netStatus is what RUN/networks/NAME.json records of a running network:
// enough to re-adopt it (and its dnsmasq) after the managing process
// restarts, or to remove its leftovers.
type netStatus struct {
	XML     string       `json:"xml"`
	Dnsmasq network.Proc `json:"dnsmasq"`
}

// dnsmasqWatchPeriod is how often a running network's dnsmasq is checked.
const dnsmasqWatchPeriod = time.Second

// writeNetStatus records a running network. The caller holds v.mu.
func (n *node) writeNetStatus(v *vnet) error {
	if v.live == nil {
		return removeIfExists(n.paths.netStatusFile(v.name))
	}
	b, err := v.live.Format(0)
	if err != nil {
		return err
	}
	data, err := json.Marshal(netStatus{XML: string(b), Dnsmasq: v.dnsmasq})
	if err != nil {
		return err
	}
	path := n.paths.netStatusFile(v.name)
	if err := mkdirFor(path); err != nil {
		return err
	}
	return writeFileAtomic(path, data, 0o600)
}

// startNetwork creates the network's devices, firewall rules and dnsmasq
// from def and records it running. The caller holds v.mu.
func (n *node) startNetwork(ctx context.Context, v *vnet, def *virtxml.Network) error {
	live := def.Clone()
	if err := n.fillNetworkDefaults(live, v); err != nil {
		return err
	}
	f := n.paths.dnsmasqFiles(v.name)
	if err := mkdirFor(f.PidFile); err != nil {
		return sysErr("cannot create folder for %s: %v", f.PidFile, err)
	}
	p, err := network.Setup(ctx, live, f)
	if err != nil {
		return netErr(virt.ErrInternal, "%v", err)
	}
	v.live, v.dnsmasq = live, p
	if err := n.writeNetStatus(v); err != nil {
		n.log.Warn("cannot write network status", "network", v.name, "err", err)
	}
	n.claimBridges(v)
	n.watchNetwork(v)
	return nil
}

// stopNetwork removes what the network created on the host. The caller
// holds v.mu.
func (n *node) stopNetwork(ctx context.Context, v *vnet) error {
	if v.stopWatch != nil {
		close(v.stopWatch)
		v.stopWatch = nil
	}
	err := network.Teardown(ctx, v.live, n.paths.dnsmasqFiles(v.name), v.dnsmasq)
	v.live, v.dnsmasq = nil, network.Proc{}
	if v.newDef != nil {
		v.def, v.newDef = v.newDef, nil
	}
	removeIfExists(n.paths.netStatusFile(v.name))
	n.claimBridges(v)
	return err
}

// watchNetwork supervises a running network's dnsmasq until the network
// stops or the node closes: a dnsmasq that dies is started again. The
// caller holds v.mu.
func (n *node) watchNetwork(v *vnet) {
	if v.live == nil || !network.NeedsDnsmasq(v.live) || v.stopWatch != nil {
		return
	}
	stop := make(chan struct{})
	v.stopWatch = stop
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		t := time.NewTicker(dnsmasqWatchPeriod)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-n.ctx.Done():
				return
			case <-t.C:
			}
			v.mu.Lock()
			select {
			case <-stop:
				v.mu.Unlock()
				return
			default:
			}
			if v.live != nil && !v.dnsmasq.Alive() {
				n.log.Warn("dnsmasq of network died; starting it again", "network", v.name, "pid", v.dnsmasq.PID)
				if p, err := network.StartDnsmasq(n.ctx, v.live, n.paths.dnsmasqFiles(v.name)); err != nil {
					n.log.Warn("cannot restart dnsmasq", "network", v.name, "err", err)
				} else {
					v.dnsmasq = p
					n.writeNetStatus(v)
				}
			}
			v.mu.Unlock()
		}
	}()
}

// loadNetworks reads the persistent network definitions.
func (n *node) loadNetworks() {
	files, _ := filepath.Glob(filepath.Join(n.paths.config, "networks", "*.xml"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			n.log.Warn("cannot read network definition", "file", f, "err", err)
			continue
		}
		def, err := virtxml.ParseNetwork(b)
		if err != nil || def.Name+".xml" != filepath.Base(f) {
			n.log.Warn("bad network definition", "file", f, "err", err)
			continue
		}
		v, _, err := n.assignNetwork(def, false)
		if err != nil {
			n.log.Warn("cannot load network definition", "file", f, "err", err)
			continue
		}
		v.def, v.persistent = def, true
		v.autostart = exists(n.paths.netAutostartLink(def.Name))
		n.claimBridges(v)
		v.mu.Unlock()
	}
}

// recoverNetworks re-adopts the networks that run: their bridge is there
// and their dnsmasq is provably theirs (pid, start time and command line
// naming their configuration), or is started again. A network whose
// bridge is gone is stopped and its leftovers (firewall chains, dnsmasq)
// removed.
func (n *node) recoverNetworks(ctx context.Context) {
	files, _ := filepath.Glob(filepath.Join(n.paths.run, "networks", "*.json"))
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		var st netStatus
		b, err := os.ReadFile(f)
		if err == nil {
			err = json.Unmarshal(b, &st)
		}
		var live *virtxml.Network
		if err == nil {
			live, err = virtxml.ParseNetwork([]byte(st.XML))
		}
		if err != nil || live.Name != name {
			n.log.Warn("bad network status", "file", f, "err", err)
			removeIfExists(f)
			continue
		}
		files := n.paths.dnsmasqFiles(name)
		if network.OwnBridge(live) && (live.Bridge == nil || !network.LinkExists(live.Bridge.Name)) {
			n.log.Warn("bridge of running network is gone; cleaning up", "network", name)
			network.Teardown(ctx, live, files, st.Dnsmasq)
			removeIfExists(f)
			continue
		}
		v, fresh, err := n.assignNetwork(live, false)
		if err != nil {
			n.log.Warn("cannot recover network", "network", name, "err", err)
			continue
		}
		if fresh {
			v.def = live // transient
		}
		v.live = live
		v.dnsmasq = st.Dnsmasq
		if network.NeedsDnsmasq(live) && !st.Dnsmasq.Runs(files.Conf) {
			n.log.Warn("dnsmasq of running network is gone; starting it again", "network", name)
			if p, err := network.StartDnsmasq(ctx, live, files); err != nil {
				n.log.Warn("cannot restart dnsmasq", "network", name, "err", err)
			} else {
				v.dnsmasq = p
			}
		}
		if network.OwnBridge(live) {
			if chains, err := network.FirewallChains(ctx); err == nil {
				want, _ := network.FirewallRules(live)
				if want != "" && !contains(chains, "FWD_"+live.Bridge.Name) {
					if err := network.AddFirewall(ctx, live); err != nil {
						n.log.Warn("cannot restore firewall rules", "network", name, "err", err)
					}
				}
			}
		}
		n.writeNetStatus(v)
		n.claimBridges(v)
		n.watchNetwork(v)
		v.mu.Unlock()
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// plugInterfaces creates the tap devices of a starting guest's
// interfaces of type network, plugged into their networks' bridges, and
// tells the command line builder about them: their descriptors will be
// numbered from firstFD in QEMU. The live definition records each tap
// (target dev) and bridge. The caller closes the files once QEMU has them.
func (n *node) plugInterfaces(live *virtxml.Domain, cfg *ArgvConfig, firstFD int) ([]*os.File, error) {
	var files []*os.File
	fail := func(err error) ([]*os.File, error) {
		for _, f := range files {
			f.Close()
		}
		return nil, err
	}
	for i := range live.Devices.Interfaces {
		ifc := &live.Devices.Interfaces[i]
		if ifc.Type != "network" || ifc.Source == nil {
			continue
		}
		v, err := n.network(virt.NetworkRef{Name: ifc.Source.Network})
		if err != nil {
			return fail(err)
		}
		var br string
		mtu := 0
		if v.live != nil && v.live.Bridge != nil {
			br = v.live.Bridge.Name
			mtu = int(v.live.MTU)
			if f := v.live.Forward; f != nil && f.Mode != "" && f.Mode != "nat" && f.Mode != "route" && f.Mode != "open" && f.Mode != "bridge" {
				v.mu.Unlock()
				return fail(unsupported("network '%s' of forward mode '%s' cannot take guest interfaces", v.name, f.Mode))
			}
		}
		active := v.live != nil
		v.mu.Unlock()
		if !active {
			return fail(netErr(virt.ErrOperationInvalid, "network '%s' is not active", ifc.Source.Network))
		}
		if ifc.MTU != nil {
			mtu = int(ifc.MTU.Size)
		}
		var mac net.HardwareAddr
		if ifc.MAC != nil {
			if mac, err = net.ParseMAC(ifc.MAC.Address); err != nil {
				return fail(unsupported("bad MAC address '%s'", ifc.MAC.Address))
			}
		}
		pattern := "vnet%d"
		if ifc.Target != nil && ifc.Target.Dev != "" && !strings.HasPrefix(ifc.Target.Dev, "vnet") {
			pattern = ifc.Target.Dev
		}
		tap, err := network.OpenTap(pattern, ifc.Model != nil && ifc.Model.Type == "virtio", network.TapMAC(mac), br, mtu)
		if err != nil {
			return fail(netErr(virt.ErrSystem, "cannot create a tap device for interface '%s': %v", ifc.Alias.Name, err))
		}
		files = append(files, tap.File)
		ifc.Target = &virtxml.InterfaceTarget{Dev: tap.Name}
		ifc.Source.Bridge = br
		if cfg.Bridges == nil {
			cfg.Bridges = map[string]string{}
		}
		if cfg.TapFDs == nil {
			cfg.TapFDs = map[string]int{}
		}
		cfg.Bridges[ifc.Source.Network] = br
		cfg.TapFDs[ifc.Alias.Name] = firstFD + len(files) - 1
	}
	return files, nil
}

// NetworkDHCPLeases implements virt.NetworkPorts: the leases of the
// network's dnsmasq that have not expired (of one MAC address when mac is
// not "").
func (c *conn) NetworkDHCPLeases(ctx context.Context, ref virt.NetworkRef, mac string, flags uint32) ([]virt.DHCPLease, error) {
	if flags != 0 {
		return nil, netErr(virt.ErrInvalidArg, "unsupported flags (0x%x) in function networkGetDHCPLeases", flags)
	}
	v, err := c.node.network(ref)
	if err != nil {
		return nil, err
	}
	def := v.live
	v.mu.Unlock()
	if def == nil || def.Bridge == nil {
		return nil, nil
	}
	leases, err := network.ReadLeases(c.node.paths.dnsmasqFiles(ref.Name).LeaseFile)
	if err != nil {
		return nil, sysErr("cannot read leases of network '%s': %v", ref.Name, err)
	}
	now := time.Now().Unix()
	var out []virt.DHCPLease
	for _, l := range leases {
		if l.Expiry != 0 && l.Expiry < now {
			continue
		}
		if mac != "" && !strings.EqualFold(mac, l.MAC) {
			continue
		}
		dl := virt.DHCPLease{Iface: def.Bridge.Name, ExpiryTime: l.Expiry, MAC: l.MAC, IAID: l.IAID,
			IPAddr: l.IP, Hostname: l.Hostname, ClientID: l.ClientID}
		if l.IPv6 {
			dl.Type = 1
		}
		dl.Prefix = leasePrefix(def, l.IP)
		out = append(out, dl)
	}
	return out, nil
}

// leasePrefix is the prefix length of the network's subnet holding ip.
func leasePrefix(def *virtxml.Network, ip string) uint32 {
	a := net.ParseIP(ip)
	for i := range def.IPs {
		p, err := network.IPPrefix(&def.IPs[i])
		if err != nil {
			continue
		}
		_, sub, err := net.ParseCIDR(p.String())
		if err == nil && a != nil && sub.Contains(a) {
			return uint32(p.Bits())
		}
	}
	return 0
}

// Interface address sources (virDomainInterfaceAddressesSource).
const (
	ifaddrLease = 0
	ifaddrAgent = 1
	ifaddrARP   = 2
)

// DomainInterfaceAddresses implements virt.DomainMonitor: from the DHCP
// leases of the guest's networks, or from the host's ARP table.
func (c *conn) DomainInterfaceAddresses(ctx context.Context, ref virt.DomainRef, source uint32, flags uint32) ([]virt.DomainInterface, error) {
	d, err := c.locked(ref)
	if err != nil {
		return nil, err
	}
	if d.live == nil || d.proc == nil {
		d.mu.Unlock()
		return nil, errNotRunning()
	}
	ifaces := append([]virtxml.Interface(nil), d.live.Devices.Interfaces...)
	d.mu.Unlock()
	switch source {
	case ifaddrLease:
		var out []virt.DomainInterface
		for _, ifc := range ifaces {
			if ifc.Type != "network" || ifc.Source == nil || ifc.MAC == nil {
				continue
			}
			nref, err := c.LookupNetworkByName(ctx, ifc.Source.Network)
			if err != nil {
				continue
			}
			leases, err := c.NetworkDHCPLeases(ctx, nref, ifc.MAC.Address, 0)
			if err != nil || len(leases) == 0 {
				continue
			}
			di := virt.DomainInterface{Name: targetDev(&ifc), HWAddr: ifc.MAC.Address}
			for _, l := range leases {
				di.Addrs = append(di.Addrs, virt.IPAddress{Type: l.Type, Addr: l.IPAddr, Prefix: l.Prefix})
			}
			out = append(out, di)
		}
		return out, nil
	case ifaddrARP:
		arp, _ := os.ReadFile("/proc/net/arp")
		var out []virt.DomainInterface
		for _, ifc := range ifaces {
			if ifc.MAC == nil {
				continue
			}
			di := virt.DomainInterface{Name: targetDev(&ifc), HWAddr: ifc.MAC.Address}
			for _, line := range strings.Split(string(arp), "\n")[1:] {
				f := strings.Fields(line)
				if len(f) >= 4 && strings.EqualFold(f[3], ifc.MAC.Address) {
					di.Addrs = append(di.Addrs, virt.IPAddress{Type: 0, Addr: f[0]})
				}
			}
			if len(di.Addrs) > 0 {
				out = append(out, di)
			}
		}
		return out, nil
	case ifaddrAgent:
		return nil, virt.Errorf(virt.ErrAgentUnresponsive, virt.FromQEMU, "QEMU guest agent is not configured")
	}
	return nil, virt.Errorf(virt.ErrInvalidArg, virt.FromQEMU, "Unknown IP address data source %d", source)
}

func targetDev(ifc *virtxml.Interface) string {
	if ifc.Target != nil && ifc.Target.Dev != "" {
		return ifc.Target.Dev
	}
	if ifc.Alias != nil {
		return ifc.Alias.Name
	}
	return ""
}

func errPorts() error {
	return netErr(virt.ErrNoSupport, "network ports are not supported by this driver")
}

// ListNetworkPorts implements virt.NetworkPorts (not supported).
func (c *conn) ListNetworkPorts(ctx context.Context, n virt.NetworkRef, flags uint32) ([]virt.NetworkPortRef, error) {
	return nil, errPorts()
}

// LookupNetworkPort implements virt.NetworkPorts (not supported).
func (c *conn) LookupNetworkPort(ctx context.Context, n virt.NetworkRef, uuid virt.UUID) (virt.NetworkPortRef, error) {
	return virt.NetworkPortRef{}, errPorts()
}

// CreateNetworkPort implements virt.NetworkPorts (not supported).
func (c *conn) CreateNetworkPort(ctx context.Context, n virt.NetworkRef, xml string, flags uint32) (virt.NetworkPortRef, error) {
	return virt.NetworkPortRef{}, errPorts()
}

// NetworkPortXML implements virt.NetworkPorts (not supported).
func (c *conn) NetworkPortXML(ctx context.Context, p virt.NetworkPortRef, flags uint32) (string, error) {
	return "", errPorts()
}

// DeleteNetworkPort implements virt.NetworkPorts (not supported).
func (c *conn) DeleteNetworkPort(ctx context.Context, p virt.NetworkPortRef, flags uint32) error {
	return errPorts()
}
