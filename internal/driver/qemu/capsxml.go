package qemu

import (
	"context"
	"os"
	"runtime"
	"sort"
	"strings"

	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// capsNamespace is the namespace of govirt's own additions to the
// capabilities document.
const capsNamespace = "https://govirt.dev/xmlns/capabilities/1.0"

// Capabilities implements virt.ConnDriver: the host and the guests the
// probed QEMU binaries run. KVM guests are listed only when the KVM probe
// ran a guest; when it did not, <host> says why in a govirt:kvm element.
func (c *conn) Capabilities(ctx context.Context) (string, error) {
	caps, err := c.node.defaultCaps(ctx)
	if err != nil {
		return "", err
	}
	kvm := c.node.kvm.status(ctx, caps)
	doc := buildCapabilities(caps, kvm)
	b, err := doc.Format()
	if err != nil {
		return "", virt.Errorf(virt.ErrInternal, virt.FromQEMU, "format capabilities: %v", err)
	}
	return string(b), nil
}

// buildCapabilities makes the capabilities document. It does no I/O
// beyond reading the host's description from /proc and /sys.
func buildCapabilities(caps *Caps, kvm KVMStatus) *virtxml.Capabilities {
	doc := &virtxml.Capabilities{}
	h := &doc.Host
	if u, err := virtxml.ParseUUID(hostUUID()); err == nil {
		h.UUID = u
	}
	info, _ := hostNodeInfo()
	h.CPU = virtxml.CapsHostCPU{
		Arch:     hostArch(),
		Topology: &virtxml.CapsCPUTopology{Sockets: uint(info.Sockets), Dies: 1, Cores: uint(info.Cores), Threads: uint(info.Threads)},
		Pages:    []uint64{4, 2048, 1048576},
	}
	if vendor := cpuVendor(); vendor != "" {
		h.CPU.Vendor = vendor
	}
	h.PowerManagement = []string{}
	h.Migration = &virtxml.CapsMigration{Live: true, URITransports: []string{"tcp", "rdma"}}
	cell := virtxml.CapsCell{ID: 0, MemoryKiB: info.Memory}
	for i := 0; i < int(info.CPUs); i++ {
		cell.CPUs = append(cell.CPUs, virtxml.CapsCellCPU{ID: i, Siblings: itoa(i)})
	}
	h.Topology = &virtxml.CapsTopology{Cells: []virtxml.CapsCell{cell}}
	h.SecModels = []virtxml.CapsSecModel{{Model: "none", DOI: "0"}}
	if !kvm.Usable {
		h.Extra = append(h.Extra, &virtxml.Node{
			Name:  "govirt:kvm",
			Attrs: []virtxml.Attr{{Name: "xmlns:govirt", Value: capsNamespace}, {Name: "usable", Value: "no"}},
			Text:  kvm.Reason,
		})
	}
	g := virtxml.CapsGuest{
		OSType: "hvm",
		Arch: virtxml.CapsGuestArch{
			Name:     caps.Arch,
			WordSize: 64,
			Emulator: caps.Binary,
		},
	}
	if caps.Arch == "i686" {
		g.Arch.WordSize = 32
	}
	ms := append([]Machine(nil), caps.Machines...)
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].Default && !ms[j].Default })
	for _, m := range ms {
		if _, err := machineKindOf(m.Name); err != nil {
			continue
		}
		g.Arch.Machines = append(g.Arch.Machines, virtxml.CapsMachine{Name: m.Name, MaxCPUs: m.MaxCPUs, Deprecated: m.Deprecated})
		if m.Alias != "" {
			g.Arch.Machines = append(g.Arch.Machines, virtxml.CapsMachine{Name: m.Alias, Canonical: m.Name, MaxCPUs: m.MaxCPUs})
		}
	}
	g.Arch.Domains = []virtxml.CapsGuestDomain{{Type: "qemu"}}
	if kvm.Usable {
		g.Arch.Domains = append(g.Arch.Domains, virtxml.CapsGuestDomain{Type: "kvm"})
	}
	g.Features = []virtxml.CapsGuestFeature{
		{Name: "acpi", Default: "on", Toggle: "yes"},
		{Name: "apic", Default: "on", Toggle: "no"},
		{Name: "cpuselection"},
		{Name: "deviceboot"},
		{Name: "disksnapshot", Default: "on", Toggle: "no"},
	}
	if caps.Arch == "i686" {
		g.Features = append([]virtxml.CapsGuestFeature{{Name: "pae"}, {Name: "nonpae"}}, g.Features...)
	}
	doc.Guests = []virtxml.CapsGuest{g}
	return doc
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// hostUUID is the host's UUID: the firmware's, else one derived from the
// machine ID.
func hostUUID() string {
	if b, err := os.ReadFile("/sys/class/dmi/id/product_uuid"); err == nil {
		return strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/etc/machine-id"); err == nil {
		s := strings.TrimSpace(string(b))
		if len(s) == 32 {
			return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
		}
	}
	return ""
}

// cpuVendor is the host CPU's vendor as libvirt names it.
func cpuVendor() string {
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "386" {
		return ""
	}
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	switch {
	case strings.Contains(string(b), "GenuineIntel"):
		return "Intel"
	case strings.Contains(string(b), "AuthenticAMD"):
		return "AMD"
	}
	return ""
}
