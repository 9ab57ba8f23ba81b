package qemu

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// SetDomainMemory implements virt.DomainTuner: the balloon target of the
// running guest, or the current (or, with MemMaximum, maximum) memory of
// the persistent definition.
func (c *conn) SetDomainMemory(ctx context.Context, ref virt.DomainRef, kib uint64, flags virt.ModifyFlags) error {
	if err := driver.CheckFlags(virt.FromQEMU, uint32(flags), uint32(virt.AffectLive|virt.AffectConfig|virt.MemMaximum), "qemuDomainSetMemoryFlags"); err != nil {
		return err
	}
	d, err := c.withJob(ctx, ref)
	if err != nil {
		return err
	}
	defer d.endJob()
	d.mu.Lock()
	live, config, err := resolveModify(d, flags&^virt.MemMaximum)
	d.mu.Unlock()
	if err != nil {
		return err
	}
	if flags&virt.MemMaximum != 0 {
		if live {
			return virt.Errorf(virt.ErrOperationInvalid, virt.FromQEMU, "cannot resize the maximum memory on an active domain")
		}
		return c.node.changeConfig(d, func(def *virtxml.Domain) error {
			if kib == 0 {
				return virt.Errorf(virt.ErrInvalidArg, virt.FromQEMU, "invalid argument: memory must not be zero")
			}
			def.Memory = &virtxml.Memory{Unit: "KiB", Value: kib}
			if def.CurrentMemory != nil && def.CurrentMemory.Value > kib {
				def.CurrentMemory.Value = kib
			}
			return nil
		})
	}
	if live {
		p, err := d.running()
		if err != nil {
			return err
		}
		d.mu.Lock()
		max := memTotal(d.live)
		hasBalloon := d.live.Devices.MemBalloon != nil && d.live.Devices.MemBalloon.Model != "none"
		d.mu.Unlock()
		if kib > max {
			return virt.Errorf(virt.ErrInvalidArg, virt.FromQEMU, "cannot set memory higher than max memory")
		}
		if !hasBalloon {
			return virt.Errorf(virt.ErrOperationInvalid, virt.FromQEMU, "Unable to change memory of active domain without the balloon device and guest OS balloon driver")
		}
		if err := qmpRun(ctx, p.mon, "balloon", map[string]any{"value": kib * 1024}, nil); err != nil {
			return qmpError("cannot set the balloon target", err)
		}
		d.mu.Lock()
		if d.proc == p {
			d.live.CurrentMemory = &virtxml.Memory{Unit: "KiB", Value: kib}
			c.node.writeStatus(d, false)
		}
		d.mu.Unlock()
	}
	if config {
		return c.node.changeConfig(d, func(def *virtxml.Domain) error {
			if kib > memTotal(def) {
				return virt.Errorf(virt.ErrInvalidArg, virt.FromQEMU, "cannot set memory higher than max memory")
			}
			def.CurrentMemory = &virtxml.Memory{Unit: "KiB", Value: kib}
			return nil
		})
	}
	return nil
}

// changeConfig edits a copy of the persistent definition and stores it.
func (n *node) changeConfig(d *domain, edit func(def *virtxml.Domain) error) error {
	d.mu.Lock()
	if d.def == nil {
		d.mu.Unlock()
		return virt.Errorf(virt.ErrOperationInvalid, virt.FromQEMU, "transient domains do not have any persistent config")
	}
	def := d.def.Clone()
	d.mu.Unlock()
	if err := edit(def); err != nil {
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

// SetDomainVcpus implements virt.DomainTuner: vCPU hot-plug (and unplug)
// in the running guest, or the current or maximum count of the definition.
func (c *conn) SetDomainVcpus(ctx context.Context, ref virt.DomainRef, nv uint32, flags virt.ModifyFlags) error {
	if err := driver.CheckFlags(virt.FromQEMU, uint32(flags),
		uint32(virt.AffectLive|virt.AffectConfig|virt.VcpuMaximum|virt.VcpuGuest|virt.VcpuHotpluggable), "qemuDomainSetVcpusFlags"); err != nil {
		return err
	}
	if nv == 0 {
		return driver.RawError(virt.ErrInvalidArg, virt.FromQEMU, "nvcpus in virDomainSetVcpus must not be zero")
	}
	if flags&virt.VcpuGuest != 0 {
		return virt.Errorf(virt.ErrArgumentUnsupported, virt.FromQEMU, "changing vCPUs inside the guest needs the guest agent, which this driver does not use")
	}
	d, err := c.withJob(ctx, ref)
	if err != nil {
		return err
	}
	defer d.endJob()
	d.mu.Lock()
	live, config, err := resolveModify(d, flags&(virt.AffectLive|virt.AffectConfig))
	d.mu.Unlock()
	if err != nil {
		return err
	}
	if flags&virt.VcpuMaximum != 0 {
		if live {
			return virt.Errorf(virt.ErrArgumentUnsupported, virt.FromQEMU, "changing the maximum vCPU count of a running domain is not supported")
		}
		return c.node.changeConfig(d, func(def *virtxml.Domain) error {
			if def.CPU != nil && def.CPU.Topology != nil {
				return virt.Errorf(virt.ErrInvalidArg, virt.FromQEMU, "cannot change the maximum vCPU count of a domain with a CPU topology")
			}
			cur := vcpusCurrent(def)
			def.VCPU.Value = uint(nv)
			def.VCPU.Current = 0
			if cur < uint(nv) {
				def.VCPU.Current = cur
			}
			return nil
		})
	}
	if live {
		if err := c.node.hotplugVcpus(ctx, d, int(nv)); err != nil {
			return err
		}
	}
	if config {
		return c.node.changeConfig(d, func(def *virtxml.Domain) error {
			if uint(nv) > def.VCPU.Value {
				return virt.Errorf(virt.ErrInvalidArg, virt.FromQEMU, "requested vcpus is greater than max allowable vcpus for the persistent domain: %d > %d", nv, def.VCPU.Value)
			}
			def.VCPU.Current = uint(nv)
			if uint(nv) == def.VCPU.Value {
				def.VCPU.Current = 0
			}
			return nil
		})
	}
	return nil
}

// hotCPU is an entry of query-hotpluggable-cpus.
type hotCPU struct {
	Type    string         `json:"type"`
	Props   map[string]any `json:"props"`
	QOMPath string         `json:"qom-path"`
}

// hotplugVcpus adds or removes vCPUs of the running guest until it has n.
func (n *node) hotplugVcpus(ctx context.Context, d *domain, want int) error {
	p, err := d.running()
	if err != nil {
		return err
	}
	d.mu.Lock()
	max := int(d.live.VCPU.Value)
	d.mu.Unlock()
	if want > max {
		return virt.Errorf(virt.ErrInvalidArg, virt.FromQEMU, "requested vcpus is greater than max allowable vcpus for the live domain: %d > %d", want, max)
	}
	var cpus []hotCPU
	if err := qmpRun(ctx, p.mon, "query-hotpluggable-cpus", nil, &cpus); err != nil {
		return qmpError("cannot list vCPUs", err)
	}
	// QEMU lists the last CPU first.
	for i, j := 0, len(cpus)-1; i < j; i, j = i+1, j-1 {
		cpus[i], cpus[j] = cpus[j], cpus[i]
	}
	have := 0
	for _, c := range cpus {
		if c.QOMPath != "" {
			have++
		}
	}
	for i := 0; have < want && i < len(cpus); i++ {
		if cpus[i].QOMPath != "" {
			continue
		}
		args := map[string]any{"driver": cpus[i].Type, "id": "vcpu" + strconv.Itoa(i)}
		for k, v := range cpus[i].Props {
			args[k] = v
		}
		if err := qmpRun(ctx, p.mon, "device_add", args, nil); err != nil {
			return qmpError("cannot add a vCPU", err)
		}
		have++
	}
	for i := len(cpus) - 1; have > want && i > 0; i-- {
		id := "vcpu" + strconv.Itoa(i)
		if cpus[i].QOMPath != "/machine/peripheral/"+id {
			continue // only hot-plugged vCPUs can go
		}
		deleted := make(chan struct{})
		d.mu.Lock()
		p.deleted[id] = deleted
		d.mu.Unlock()
		err := qmpRun(ctx, p.mon, "device_del", map[string]any{"id": id}, nil)
		if err == nil {
			select {
			case <-deleted:
			case <-time.After(unplugTimeout):
				err = fmt.Errorf("the guest did not release %s", id)
			}
		}
		d.mu.Lock()
		delete(p.deleted, id)
		d.mu.Unlock()
		if err != nil {
			return qmpError("cannot remove a vCPU", err)
		}
		have--
	}
	if have != want {
		return virt.Errorf(virt.ErrOperationFailed, virt.FromQEMU, "the guest has %d vCPUs, %d asked (only hot-plugged vCPUs can be removed)", have, want)
	}
	d.mu.Lock()
	if d.proc == p {
		d.live.VCPU.Current = uint(want)
		if uint(want) == d.live.VCPU.Value {
			d.live.VCPU.Current = 0
		}
		n.writeStatus(d, false)
	}
	d.mu.Unlock()
	return nil
}

// DomainVcpuCount implements virt.DomainTuner.
func (c *conn) DomainVcpuCount(ctx context.Context, ref virt.DomainRef, flags virt.ModifyFlags) (int32, error) {
	if err := driver.CheckFlags(virt.FromQEMU, uint32(flags), uint32(virt.AffectLive|virt.AffectConfig|virt.VcpuMaximum|virt.VcpuGuest), "qemuDomainGetVcpusFlags"); err != nil {
		return 0, err
	}
	if flags&virt.AffectLive != 0 && flags&virt.AffectConfig != 0 {
		return 0, driver.RawError(virt.ErrInvalidArg, virt.FromQEMU, "Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are mutually exclusive")
	}
	if flags&virt.VcpuGuest != 0 {
		return 0, virt.Errorf(virt.ErrArgumentUnsupported, virt.FromQEMU, "counting vCPUs inside the guest needs the guest agent")
	}
	d, err := c.locked(ref)
	if err != nil {
		return 0, err
	}
	defer d.mu.Unlock()
	live, _, err := resolveModify(d, flags&(virt.AffectLive|virt.AffectConfig))
	if err != nil {
		return 0, err
	}
	def := d.def
	if live {
		def = d.live
	}
	if flags&virt.VcpuMaximum != 0 {
		return int32(def.VCPU.Value), nil
	}
	return int32(vcpusCurrent(def)), nil
}

// DomainVcpus implements virt.DomainTuner: each vCPU's host thread, its
// CPU time and the host CPU it last ran on.
func (c *conn) DomainVcpus(ctx context.Context, ref virt.DomainRef) ([]virt.VcpuInfo, error) {
	d, err := c.lookup(ref)
	if err != nil {
		return nil, err
	}
	p, err := d.running()
	if err != nil {
		return nil, virt.Errorf(virt.ErrOperationInvalid, virt.FromQEMU, "cannot list vcpu pinning for an inactive domain")
	}
	var cpus []struct {
		Index    int `json:"cpu-index"`
		ThreadID int `json:"thread-id"`
	}
	if err := qmpRun(ctx, p.mon, "query-cpus-fast", nil, &cpus); err != nil {
		return nil, qmpError("cannot list vCPUs", err)
	}
	host := runtime.NumCPU()
	out := make([]virt.VcpuInfo, 0, len(cpus))
	for _, vc := range cpus {
		info := virt.VcpuInfo{Number: uint32(vc.Index), State: 1, CPU: -1, Affinity: make([]bool, host)}
		for i := range info.Affinity {
			info.Affinity[i] = true
		}
		if t, cpu, ok := threadStat(p.pid, vc.ThreadID); ok {
			info.CPUTime, info.CPU = t, cpu
		}
		out = append(out, info)
	}
	return out, nil
}

// threadStat reads a thread's CPU time (ns) and last CPU.
func threadStat(pid, tid int) (uint64, int32, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + strconv.Itoa(tid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	s := string(b)
	i := len(s) - 1
	for i >= 0 && s[i] != ')' {
		i--
	}
	f := splitFields(s[i+1:])
	// f[0] is field 3; utime 14, stime 15, processor 39.
	if len(f) < 37 {
		return 0, 0, false
	}
	ut, _ := strconv.ParseUint(f[11], 10, 64)
	st, _ := strconv.ParseUint(f[12], 10, 64)
	cpu, _ := strconv.Atoi(f[36])
	return (ut + st) * (1e9 / clockTicks), int32(cpu), true
}

func splitFields(s string) []string {
	var out []string
	start := -1
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' || s[i] == '\n' {
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	return out
}

// DomainScheduler implements virt.DomainTuner: QEMU guests run under the
// host's "posix" scheduler; the driver manages no cgroup parameters.
func (c *conn) DomainScheduler(ctx context.Context, ref virt.DomainRef, flags virt.ModifyFlags) (string, []virt.SchedParam, error) {
	if _, err := c.lookup(ref); err != nil {
		return "", nil, err
	}
	return "posix", nil, nil
}

// SetDomainScheduler implements virt.DomainTuner.
func (c *conn) SetDomainScheduler(ctx context.Context, ref virt.DomainRef, params []virt.SchedParam, flags virt.ModifyFlags) error {
	if _, err := c.lookup(ref); err != nil {
		return err
	}
	if len(params) == 0 {
		return nil
	}
	return virt.Errorf(virt.ErrArgumentUnsupported, virt.FromQEMU, "scheduler parameter '%s' is not supported: the driver manages no cgroups", params[0].Field)
}
