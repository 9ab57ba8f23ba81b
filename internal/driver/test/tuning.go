package test

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// maxVcpus is what the test driver reports as the most vCPUs a guest may
// have (virConnectGetMaxVcpus).
const maxVcpus = 32

// errExclusive is libvirt's error for flags that exclude each other.
func errExclusive(a, b string) error {
	return driver.RawError(virt.ErrInvalidArg, virt.FromDomain, "Flags '%s' and '%s' are mutually exclusive", a, b)
}

// impact resolves AFFECT_CURRENT and checks the flags against d's state
// (libvirt's virDomainObjUpdateModificationImpact). The caller holds d.mu.
func (d *domain) impact(flags virt.ModifyFlags) (virt.ModifyFlags, error) {
	if flags&(virt.AffectLive|virt.AffectConfig) == 0 {
		if d.active() {
			flags |= virt.AffectLive
		} else {
			flags |= virt.AffectConfig
		}
	}
	if !d.active() && flags&virt.AffectLive != 0 {
		return 0, errNotRunning()
	}
	if !d.persistent && flags&virt.AffectConfig != 0 {
		return 0, virt.Errorf(virt.ErrOperationInvalid, virt.FromDomain, "transient domains do not have any persistent config")
	}
	return flags, nil
}

// defs returns the running and persistent definitions flags select (either
// may be nil). The caller holds d.mu.
func (d *domain) defs(flags virt.ModifyFlags) (live, config *virtxml.Domain, err error) {
	flags, err = d.impact(flags)
	if err != nil {
		return nil, nil, err
	}
	if flags&virt.AffectLive != 0 {
		live = d.def
	}
	if flags&virt.AffectConfig != 0 {
		config = d.persistentDef()
	}
	return live, config, nil
}

// oneDef returns the single definition flags select (libvirt's
// virDomainObjGetOneDefState); live reports whether it is the running one.
func (d *domain) oneDef(flags virt.ModifyFlags) (def *virtxml.Domain, live bool, err error) {
	if flags&virt.AffectLive != 0 && flags&virt.AffectConfig != 0 {
		return nil, false, errExclusive("VIR_DOMAIN_AFFECT_LIVE", "VIR_DOMAIN_AFFECT_CONFIG")
	}
	flags, err = d.impact(flags)
	if err != nil {
		return nil, false, err
	}
	if flags&virt.AffectLive != 0 {
		return d.def, true, nil
	}
	return d.persistentDef(), false, nil
}

// SetDomainMemory implements virt.DomainTuner.
func (c *conn) SetDomainMemory(ctx context.Context, ref virt.DomainRef, kib uint64, flags virt.ModifyFlags) error {
	if kib == 0 {
		api := "virDomainSetMemoryFlags"
		if flags&virt.MemMaximum != 0 {
			api = "virDomainSetMaxMemory"
		}
		return driver.RawError(virt.ErrInvalidArg, virt.FromDomain, "memory in %s must not be zero", api)
	}
	if err := driver.CheckFlags(virt.FromTest, uint32(flags),
		uint32(virt.AffectLive|virt.AffectConfig|virt.MemMaximum), "testDomainSetMemoryFlags"); err != nil {
		return err
	}
	d, err := c.domain(ref)
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	def, live, err := d.oneDef(flags)
	if err != nil {
		return err
	}
	if flags&virt.MemMaximum != 0 {
		if live {
			return virt.Errorf(virt.ErrOperationInvalid, virt.FromTest, "cannot resize the maximum memory on an active domain")
		}
		if m := memHotplugMax(def); m != 0 && m < kib {
			return virt.Errorf(virt.ErrOperationInvalid, virt.FromTest, "cannot set initial memory size greater than the maximum memory size")
		}
		setMemTotal(def, kib)
		if memCurrent(def) > kib {
			setMemCurrent(def, kib)
		}
		return nil
	}
	if kib > memTotal(def) {
		return virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "cannot set memory higher than max memory")
	}
	setMemCurrent(def, kib)
	return nil
}

// SetDomainVcpus implements virt.DomainTuner.
func (c *conn) SetDomainVcpus(ctx context.Context, ref virt.DomainRef, n uint32, flags virt.ModifyFlags) error {
	if n == 0 {
		return driver.RawError(virt.ErrInvalidArg, virt.FromDomain, "nvcpus in virDomainSetVcpusFlags must not be zero")
	}
	if flags&virt.VcpuMaximum != 0 && flags&virt.AffectConfig == 0 {
		return driver.RawError(virt.ErrInvalidArg, virt.FromDomain, "Flag 'VIR_DOMAIN_AFFECT_CONFIG' is required by flag 'VIR_DOMAIN_VCPU_MAXIMUM'")
	}
	if err := driver.CheckFlags(virt.FromTest, uint32(flags),
		uint32(virt.AffectLive|virt.AffectConfig|virt.VcpuMaximum), "testDomainSetVcpusFlags"); err != nil {
		return err
	}
	if n > maxVcpus {
		return virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "requested cpu amount exceeds maximum supported amount (%d > %d)", n, maxVcpus)
	}
	d, err := c.domain(ref)
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	live, config, err := d.defs(flags)
	if err != nil {
		return err
	}
	if live != nil && vcpusMax(live) < n {
		return virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "requested cpu amount exceeds maximum (%d > %d)", n, vcpusMax(live))
	}
	if config != nil && flags&virt.VcpuMaximum == 0 && vcpusMax(config) < n {
		return virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "requested cpu amount exceeds maximum (%d > %d)", n, vcpusMax(config))
	}
	if live != nil {
		setVcpusCurrent(live, n)
	}
	if config != nil {
		if flags&virt.VcpuMaximum != 0 {
			setVcpusMax(config, n)
		} else {
			setVcpusCurrent(config, n)
		}
	}
	return nil
}

// DomainVcpuCount implements virt.DomainTuner.
func (c *conn) DomainVcpuCount(ctx context.Context, ref virt.DomainRef, flags virt.ModifyFlags) (int32, error) {
	if err := driver.CheckFlags(virt.FromTest, uint32(flags),
		uint32(virt.AffectLive|virt.AffectConfig|virt.VcpuMaximum), "testDomainGetVcpusFlags"); err != nil {
		return 0, err
	}
	d, err := c.domain(ref)
	if err != nil {
		return 0, err
	}
	defer d.mu.Unlock()
	def, _, err := d.oneDef(flags)
	if err != nil {
		return 0, err
	}
	if flags&virt.VcpuMaximum != 0 {
		return int32(vcpusMax(def)), nil
	}
	return int32(vcpusCurrent(def)), nil
}

// cpuMapWidth is the number of host CPUs in the map clients receive: libvirt's
// test node reports an 8-CPU map (virNodeGetCPUMap), so vCPU affinities
// are shown that wide.
const cpuMapWidth = 8

// DomainVcpus implements virt.DomainTuner.
func (c *conn) DomainVcpus(ctx context.Context, ref virt.DomainRef) ([]virt.VcpuInfo, error) {
	d, err := c.domain(ref)
	if err != nil {
		return nil, err
	}
	defer d.mu.Unlock()
	if !d.active() {
		return nil, virt.Errorf(virt.ErrOperationInvalid, virt.FromTest, "cannot list vcpus for an inactive domain")
	}
	host := c.node.hostCPUs()
	width := min(cpuMapWidth, host)
	// libvirt's test driver fakes an increasing CPU time from the clock.
	cpuTime := uint64(time.Now().UnixMicro()) / 10
	n := vcpusCurrent(d.def)
	out := make([]virt.VcpuInfo, n)
	for i := range out {
		mask := vcpuMask(d.def, i, host)
		last := int32(-1)
		for j := host - 1; j >= 0; j-- {
			if mask[j] {
				last = int32(j)
				break
			}
		}
		aff := make([]bool, cpuMapWidth)
		copy(aff, mask[:width])
		out[i] = virt.VcpuInfo{Number: uint32(i), State: 1, CPUTime: cpuTime, CPU: last, Affinity: aff}
	}
	return out, nil
}

// parseCPUSet turns a libvirt CPU list ("0-3,^2,8") into a map of n host
// CPUs; an empty or unreadable list allows every CPU.
func parseCPUSet(s string, n int) []bool {
	m := make([]bool, n)
	all := func() []bool {
		for i := range m {
			m[i] = true
		}
		return m
	}
	if strings.TrimSpace(s) == "" {
		return all()
	}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		neg := strings.HasPrefix(part, "^")
		part = strings.TrimPrefix(part, "^")
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(strings.TrimSpace(lo))
		if err != nil {
			return all()
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(strings.TrimSpace(hi)); err != nil {
				return all()
			}
		}
		for i := a; i <= b && i < n; i++ {
			if i >= 0 {
				m[i] = !neg
			}
		}
	}
	return m
}

// schedWeight is the one scheduler parameter the test driver reports.
const schedWeight = "weight"

// DomainScheduler implements virt.DomainTuner: the "fair" scheduler with a
// fixed weight of 50, as libvirt's test driver reports.
func (c *conn) DomainScheduler(ctx context.Context, ref virt.DomainRef, flags virt.ModifyFlags) (string, []virt.SchedParam, error) {
	if err := driver.CheckFlags(virt.FromTest, uint32(flags), 0, "testDomainGetSchedulerParametersFlags"); err != nil {
		return "", nil, err
	}
	d, err := c.domain(ref)
	if err != nil {
		return "", nil, err
	}
	d.mu.Unlock()
	return "fair", []virt.SchedParam{{Field: schedWeight, Value: uint32(50)}}, nil
}

// SetDomainScheduler implements virt.DomainTuner. libvirt's test driver
// checks the parameters and then keeps nothing.
func (c *conn) SetDomainScheduler(ctx context.Context, ref virt.DomainRef, params []virt.SchedParam, flags virt.ModifyFlags) error {
	if err := driver.CheckFlags(virt.FromTest, uint32(flags), 0, "testDomainSetSchedulerParametersFlags"); err != nil {
		return err
	}
	for _, p := range params {
		if p.Field != schedWeight {
			return virt.Errorf(virt.ErrArgumentUnsupported, virt.FromNone, "parameter '%s' not supported", p.Field)
		}
		if _, ok := p.Value.(uint32); !ok {
			return virt.Errorf(virt.ErrInvalidArg, virt.FromNone, "invalid type '%s' for parameter '%s', expected 'uint'", typedParamName(p.Value), p.Field)
		}
	}
	d, err := c.domain(ref)
	if err != nil {
		return err
	}
	d.mu.Unlock()
	return nil
}

// typedParamName names a typed parameter's type as libvirt does.
func typedParamName(v any) string {
	switch v.(type) {
	case int32:
		return "int"
	case uint32:
		return "uint"
	case int64:
		return "llong"
	case uint64:
		return "ullong"
	case float64:
		return "double"
	case bool:
		return "boolean"
	case string:
		return "string"
	}
	return "unknown"
}

// SecurityModel implements virt.DomainSecurity.
func (c *conn) SecurityModel(ctx context.Context) (virt.SecurityModel, error) {
	return virt.SecurityModel{Model: "testSecurity", DOI: ""}, nil
}

// DomainSecurityLabel implements virt.DomainSecurity: running domains are
// labelled "libvirt-test", enforcing; others have no label.
func (c *conn) DomainSecurityLabel(ctx context.Context, ref virt.DomainRef) (virt.SecurityLabel, error) {
	d, err := c.domain(ref)
	if err != nil {
		return virt.SecurityLabel{}, err
	}
	defer d.mu.Unlock()
	if !d.active() {
		return virt.SecurityLabel{}, nil
	}
	return virt.SecurityLabel{Label: "libvirt-test", Enforcing: true}, nil
}
