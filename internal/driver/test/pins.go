package test

import (
	"context"
	"os"
	"runtime"
	"strings"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// vcpuMask returns the host CPUs vCPU i of def may use: its own pinning,
// else the domain's cpuset, else all of the host's n CPUs.
func vcpuMask(def *virtxml.Domain, i, n int) []bool {
	if def.CPUTune != nil {
		for _, p := range def.CPUTune.VCPUPins {
			if p.VCPU != nil && int(*p.VCPU) == i {
				return parseCPUSet(p.CPUSet, n)
			}
		}
	}
	return parseCPUSet(vcpuCPUSet(def), n)
}

// maskString writes a CPU map in libvirt's bitmap syntax.
func maskString(m []bool) string {
	var set []uint
	for i, on := range m {
		if on {
			set = append(set, uint(i))
		}
	}
	return virtxml.FormatBitmap(set)
}

// PinDomainVcpu implements virt.DomainPinning: only the running guest's
// vCPUs can be pinned.
func (c *conn) PinDomainVcpu(ctx context.Context, ref virt.DomainRef, vcpu uint32, cpumap []bool, flags virt.ModifyFlags) error {
	if err := driver.CheckFlags(virt.FromTest, uint32(flags), 0, "testDomainPinVcpuFlags"); err != nil {
		return err
	}
	d, err := c.domain(ref)
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	if !d.active() {
		return virt.Errorf(virt.ErrOperationInvalid, virt.FromTest, "cannot pin vcpus on an inactive domain")
	}
	if vcpu >= vcpusCurrent(d.def) {
		return virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "requested vcpu '%d' is not present in the domain", vcpu)
	}
	setVcpuPin(d.def, uint(vcpu), maskString(cpumap))
	return nil
}

// setVcpuPin records <vcpupin vcpu= cpuset=/>, keeping the pins in vCPU
// order.
func setVcpuPin(def *virtxml.Domain, vcpu uint, set string) {
	if def.CPUTune == nil {
		def.CPUTune = &virtxml.CPUTune{}
	}
	pins := def.CPUTune.VCPUPins
	for i := range pins {
		if pins[i].VCPU != nil && *pins[i].VCPU == vcpu {
			pins[i].CPUSet = set
			return
		}
	}
	v := vcpu
	pin := virtxml.CPUTunePin{VCPU: &v, CPUSet: set}
	at := len(pins)
	for i := range pins {
		if pins[i].VCPU != nil && *pins[i].VCPU > vcpu {
			at = i
			break
		}
	}
	pins = append(pins, virtxml.CPUTunePin{})
	copy(pins[at+1:], pins[at:])
	pins[at] = pin
	def.CPUTune.VCPUPins = pins
}

// DomainVcpuPinInfo implements virt.DomainVcpuPinner: the affinity of
// every vCPU up to the maximum, over the node's CPUs.
func (c *conn) DomainVcpuPinInfo(ctx context.Context, ref virt.DomainRef, flags virt.ModifyFlags) ([][]bool, error) {
	d, err := c.domain(ref)
	if err != nil {
		return nil, err
	}
	defer d.mu.Unlock()
	def, _, err := d.oneDef(flags)
	if err != nil {
		return nil, err
	}
	host := c.node.hostCPUs()
	out := make([][]bool, vcpusMax(def))
	for i := range out {
		out[i] = vcpuMask(def, i, host)
	}
	return out, nil
}

// PinDomainEmulator implements virt.DomainPinning.
func (c *conn) PinDomainEmulator(ctx context.Context, ref virt.DomainRef, cpumap []bool, flags virt.ModifyFlags) error {
	if err := driver.CheckFlags(virt.FromTest, uint32(flags), uint32(virt.AffectLive|virt.AffectConfig), "testDomainPinEmulator"); err != nil {
		return err
	}
	d, err := c.domain(ref)
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	def, _, err := d.oneDef(flags)
	if err != nil {
		return err
	}
	set := maskString(cpumap)
	if set == "" {
		return virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "Empty cpu list for pinning")
	}
	if def.CPUTune == nil {
		def.CPUTune = &virtxml.CPUTune{}
	}
	def.CPUTune.EmulatorPin = &virtxml.CPUTunePin{CPUSet: set}
	return nil
}

// DomainEmulatorPinInfo implements virt.DomainPinning.
func (c *conn) DomainEmulatorPinInfo(ctx context.Context, ref virt.DomainRef, flags virt.ModifyFlags) ([]bool, error) {
	if err := driver.CheckFlags(virt.FromTest, uint32(flags), uint32(virt.AffectLive|virt.AffectConfig), "testDomainGetEmulatorPinInfo"); err != nil {
		return nil, err
	}
	d, err := c.domain(ref)
	if err != nil {
		return nil, err
	}
	defer d.mu.Unlock()
	def, _, err := d.oneDef(flags)
	if err != nil {
		return nil, err
	}
	host := c.node.hostCPUs()
	if def.CPUTune != nil && def.CPUTune.EmulatorPin != nil {
		return parseCPUSet(def.CPUTune.EmulatorPin.CPUSet, host), nil
	}
	return parseCPUSet(vcpuCPUSet(def), host), nil
}

// hostOnlineCPUs is the affinity libvirt gives unpinned IOThreads: the
// CPUs of the machine it runs on.
func hostOnlineCPUs() string {
	if b, err := os.ReadFile("/sys/devices/system/cpu/online"); err == nil {
		if s := strings.TrimSpace(string(b)); s != "" {
			return s
		}
	}
	n := runtime.NumCPU()
	if n <= 1 {
		return "0"
	}
	return "0-" + itoa(n-1)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// iothreadIDs returns the IOThread IDs of def.
func iothreadIDs(def *virtxml.Domain) []uint {
	var out []uint
	if def.IOThreadIDs != nil {
		for _, t := range def.IOThreadIDs.IOThreads {
			out = append(out, t.ID)
		}
		return out
	}
	if def.IOThreads != nil {
		for i := uint(1); i <= *def.IOThreads; i++ {
			out = append(out, i)
		}
	}
	return out
}

// DomainIOThreads implements virt.DomainIOThreads.
func (c *conn) DomainIOThreads(ctx context.Context, ref virt.DomainRef, flags virt.ModifyFlags) ([]virt.IOThreadInfo, error) {
	if err := driver.CheckFlags(virt.FromTest, uint32(flags), uint32(virt.AffectLive|virt.AffectConfig), "testDomainGetIOThreadInfo"); err != nil {
		return nil, err
	}
	d, err := c.domain(ref)
	if err != nil {
		return nil, err
	}
	defer d.mu.Unlock()
	def, _, err := d.oneDef(flags)
	if err != nil {
		return nil, err
	}
	host := c.node.hostCPUs()
	var out []virt.IOThreadInfo
	for _, id := range iothreadIDs(def) {
		set := hostOnlineCPUs()
		if def.CPUTune != nil {
			for _, p := range def.CPUTune.IOThreadPins {
				if p.IOThread != nil && *p.IOThread == id {
					set = p.CPUSet
				}
			}
		}
		out = append(out, virt.IOThreadInfo{ID: uint32(id), CPUMap: parseCPUSet(set, host)})
	}
	return out, nil
}

// iothreadDefs returns the definitions an IOThread change applies to.
func (d *domain) iothreadDefs(flags virt.ModifyFlags) ([]*virtxml.Domain, error) {
	live, config, err := d.defs(flags)
	if err != nil {
		return nil, err
	}
	var out []*virtxml.Domain
	for _, def := range []*virtxml.Domain{live, config} {
		if def != nil {
			out = append(out, def)
		}
	}
	return out, nil
}

// AddDomainIOThread implements virt.DomainIOThreads.
func (c *conn) AddDomainIOThread(ctx context.Context, ref virt.DomainRef, id uint32, flags virt.ModifyFlags) error {
	if err := driver.CheckFlags(virt.FromTest, uint32(flags), uint32(virt.AffectLive|virt.AffectConfig), "testDomainAddIOThread"); err != nil {
		return err
	}
	if id == 0 {
		return virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "invalid newly added iothread_id '%d'", id)
	}
	d, err := c.domain(ref)
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	defs, err := d.iothreadDefs(flags)
	if err != nil {
		return err
	}
	for _, def := range defs {
		for _, have := range iothreadIDs(def) {
			if have == uint(id) {
				return virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "an IOThread is already using iothread_id '%d'", id)
			}
		}
	}
	for _, def := range defs {
		ids := iothreadIDs(def)
		list := make([]virtxml.IOThread, 0, len(ids)+1)
		for _, x := range ids {
			list = append(list, virtxml.IOThread{ID: x})
		}
		list = append(list, virtxml.IOThread{ID: uint(id)})
		if def.IOThreadIDs != nil {
			list = append(def.IOThreadIDs.IOThreads, virtxml.IOThread{ID: uint(id)})
		}
		def.IOThreadIDs = &virtxml.IOThreadIDs{IOThreads: list}
		n := uint(len(list))
		def.IOThreads = &n
	}
	return nil
}

// DelDomainIOThread implements virt.DomainIOThreads.
func (c *conn) DelDomainIOThread(ctx context.Context, ref virt.DomainRef, id uint32, flags virt.ModifyFlags) error {
	if err := driver.CheckFlags(virt.FromTest, uint32(flags), uint32(virt.AffectLive|virt.AffectConfig), "testDomainDelIOThread"); err != nil {
		return err
	}
	d, err := c.domain(ref)
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	defs, err := d.iothreadDefs(flags)
	if err != nil {
		return err
	}
	for _, def := range defs {
		found := false
		for _, x := range iothreadIDs(def) {
			found = found || x == uint(id)
		}
		if !found {
			return virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "cannot find IOThread '%d' in iothreadids list", id)
		}
	}
	for _, def := range defs {
		var list []virtxml.IOThread
		for _, x := range iothreadIDs(def) {
			if x != uint(id) {
				list = append(list, virtxml.IOThread{ID: x})
			}
		}
		if def.CPUTune != nil {
			var pins []virtxml.CPUTunePin
			for _, p := range def.CPUTune.IOThreadPins {
				if p.IOThread == nil || *p.IOThread != uint(id) {
					pins = append(pins, p)
				}
			}
			def.CPUTune.IOThreadPins = pins
			dropEmptyCPUTune(def)
		}
		if len(list) == 0 {
			def.IOThreadIDs, def.IOThreads = nil, nil
			continue
		}
		def.IOThreadIDs = &virtxml.IOThreadIDs{IOThreads: list}
		n := uint(len(list))
		def.IOThreads = &n
	}
	return nil
}

// dropEmptyCPUTune removes a <cputune> that no longer says anything.
func dropEmptyCPUTune(def *virtxml.Domain) {
	t := def.CPUTune
	if t != nil && t.Shares == nil && t.Period == nil && t.Quota == nil && t.GlobalPeriod == nil &&
		t.GlobalQuota == nil && t.EmulatorPeriod == nil && t.EmulatorQuota == nil && t.IOThreadPeriod == nil &&
		t.IOThreadQuota == nil && len(t.VCPUPins) == 0 && t.EmulatorPin == nil && len(t.IOThreadPins) == 0 &&
		t.EmulatorSched == nil && len(t.VCPUScheds) == 0 && len(t.IOThreadScheds) == 0 && len(t.CacheTunes) == 0 &&
		len(t.MemoryTunes) == 0 {
		def.CPUTune = nil
	}
}

// PinDomainIOThread implements virt.DomainIOThreads.
func (c *conn) PinDomainIOThread(ctx context.Context, ref virt.DomainRef, id uint32, cpumap []bool, flags virt.ModifyFlags) error {
	if err := driver.CheckFlags(virt.FromTest, uint32(flags), uint32(virt.AffectLive|virt.AffectConfig), "testDomainPinIOThread"); err != nil {
		return err
	}
	d, err := c.domain(ref)
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	def, _, err := d.oneDef(flags)
	if err != nil {
		return err
	}
	found := false
	for _, x := range iothreadIDs(def) {
		found = found || x == uint(id)
	}
	if !found {
		return virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "iothreadid %d not found", id)
	}
	set := maskString(cpumap)
	if def.CPUTune == nil {
		def.CPUTune = &virtxml.CPUTune{}
	}
	for i, p := range def.CPUTune.IOThreadPins {
		if p.IOThread != nil && *p.IOThread == uint(id) {
			def.CPUTune.IOThreadPins[i].CPUSet = set
			return nil
		}
	}
	v := uint(id)
	def.CPUTune.IOThreadPins = append(def.CPUTune.IOThreadPins, virtxml.CPUTunePin{IOThread: &v, CPUSet: set})
	return nil
}

// SetDomainIOThreadParams implements virt.DomainIOThreads: the
// parameters are checked and kept nowhere.
func (c *conn) SetDomainIOThreadParams(ctx context.Context, ref virt.DomainRef, id uint32, params []virt.TypedParam, flags virt.ModifyFlags) error {
	if err := driver.CheckFlags(virt.FromTest, uint32(flags), uint32(virt.AffectLive|virt.AffectConfig), "testDomainSetIOThreadParams"); err != nil {
		return err
	}
	if err := validateParams(params, map[string]string{"poll_max_ns": "ullong", "poll_grow": "uint",
		"poll_shrink": "uint", "thread_pool_min": "int", "thread_pool_max": "int"}); err != nil {
		return err
	}
	d, err := c.domain(ref)
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	def, _, err := d.oneDef(flags)
	if err != nil {
		return err
	}
	for _, x := range iothreadIDs(def) {
		if x == uint(id) {
			return nil
		}
	}
	return virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "cannot find IOThread '%d' in iothreadids", id)
}
