package test

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// memUnlimited is VIR_DOMAIN_MEMORY_PARAM_UNLIMITED: no memory limit.
const memUnlimited = 1<<53 - 1

// paramType names the typed parameter type a Go value has, as libvirt
// names them.
func paramType(v any) string { return typedParamName(v) }

// validateParams is libvirt's virTypedParamsValidate: every parameter
// must be known, of its type, and given once.
func validateParams(params []virt.TypedParam, want map[string]string) error {
	seen := map[string]bool{}
	for _, p := range params {
		typ, ok := want[p.Field]
		if !ok {
			return virt.Errorf(virt.ErrArgumentUnsupported, virt.FromNone, "parameter '%s' not supported", p.Field)
		}
		if seen[p.Field] {
			return virt.Errorf(virt.ErrInvalidArg, virt.FromNone, "parameter '%s' occurs multiple times", p.Field)
		}
		seen[p.Field] = true
		if got := paramType(p.Value); got != typ {
			return virt.Errorf(virt.ErrInvalidArg, virt.FromNone, "invalid type '%s' for parameter '%s', expected '%s'", got, p.Field, typ)
		}
	}
	return nil
}

// paramFuncs names the test driver functions behind each family, for
// libvirt's unsupported-flags errors.
var paramFuncs = map[virt.ParamKind][2]string{
	virt.ParamsMemory:         {"testDomainGetMemoryParameters", "testDomainSetMemoryParameters"},
	virt.ParamsNUMA:           {"testDomainGetNumaParameters", "testDomainSetNumaParameters"},
	virt.ParamsBlkio:          {"testDomainGetBlkioParameters", "testDomainSetBlkioParameters"},
	virt.ParamsInterface:      {"testDomainGetInterfaceParameters", "testDomainSetInterfaceParameters"},
	virt.ParamsBlockIOTune:    {"testDomainGetBlockIoTune", "testDomainSetBlockIoTune"},
	virt.ParamsPerf:           {"testDomainGetPerfEvents", "testDomainSetPerfEvents"},
	virt.ParamsLaunchSecurity: {"testDomainGetLaunchSecurityInfo", ""},
}

// DomainParams implements virt.DomainParams.
func (c *conn) DomainParams(ctx context.Context, ref virt.DomainRef, kind virt.ParamKind, device string, flags uint32) ([]virt.TypedParam, error) {
	allowed := uint32(virt.AffectLive|virt.AffectConfig) | virt.TypedParamStringOkay
	if kind == virt.ParamsLaunchSecurity {
		allowed = 0
	}
	d, err := c.checkedDomain(ref, flags, allowed, paramFuncs[kind][0])
	if err != nil {
		return nil, err
	}
	defer d.mu.Unlock()
	if kind == virt.ParamsLaunchSecurity {
		return nil, nil
	}
	def, _, err := d.oneDef(virt.ModifyFlags(flags &^ virt.TypedParamStringOkay))
	if err != nil {
		return nil, err
	}
	switch kind {
	case virt.ParamsMemory:
		return memoryParams(def), nil
	case virt.ParamsNUMA:
		mode, nodeset := numaTune(def)
		return []virt.TypedParam{{Field: "numa_mode", Value: int32(mode)}, {Field: "numa_nodeset", Value: nodeset}}, nil
	case virt.ParamsBlkio:
		return blkioParams(def), nil
	case virt.ParamsInterface:
		nic, err := findNet(def, device)
		if err != nil {
			return nil, err
		}
		return bandwidthParams(nic.Bandwidth), nil
	case virt.ParamsBlockIOTune:
		disk := findDisk(def, device, true)
		if disk == nil {
			return nil, virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "disk '%s' was not found in the domain config", device)
		}
		return iotuneParams(disk.IOTune), nil
	case virt.ParamsPerf:
		return perfParams(def), nil
	}
	return nil, virt.Errorf(virt.ErrNoSupport, virt.FromTest, "unknown parameter family %d", kind)
}

// SetDomainParams implements virt.DomainParams.
func (c *conn) SetDomainParams(ctx context.Context, ref virt.DomainRef, kind virt.ParamKind, device string, params []virt.TypedParam, flags uint32) error {
	if kind == virt.ParamsLaunchSecurity {
		return virt.Errorf(virt.ErrNoSupport, virt.FromNone, "virDomainSetLaunchSecurityState")
	}
	if err := driver.CheckFlags(virt.FromTest, flags, uint32(virt.AffectLive|virt.AffectConfig), paramFuncs[kind][1]); err != nil {
		return err
	}
	if err := validateParams(params, paramSpecs[kind]); err != nil {
		return err
	}
	d, err := c.domain(ref)
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	def, live, err := d.oneDef(virt.ModifyFlags(flags))
	if err != nil {
		return err
	}
	switch kind {
	case virt.ParamsMemory:
		return setMemoryParams(d.def, def, params)
	case virt.ParamsNUMA:
		return setNUMAParams(def, live, params)
	case virt.ParamsBlkio:
		return setBlkioParams(def, params)
	case virt.ParamsInterface:
		nic, err := findNet(def, device)
		if err != nil {
			return err
		}
		setBandwidth(nic, params)
		return nil
	case virt.ParamsBlockIOTune:
		disk := findDisk(def, device, true)
		if disk == nil {
			return virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "missing persistent configuration for disk '%s'", device)
		}
		return setIOTune(disk, params)
	case virt.ParamsPerf:
		setPerf(def, params)
		return nil
	}
	return virt.Errorf(virt.ErrNoSupport, virt.FromTest, "unknown parameter family %d", kind)
}

// paramSpecs are the parameters each family accepts and their types.
var paramSpecs = map[virt.ParamKind]map[string]string{
	virt.ParamsMemory: {"hard_limit": "ullong", "soft_limit": "ullong", "swap_hard_limit": "ullong"},
	virt.ParamsNUMA:   {"numa_mode": "int", "numa_nodeset": "string"},
	virt.ParamsBlkio: {"weight": "uint", "device_weight": "string", "device_read_iops_sec": "string",
		"device_write_iops_sec": "string", "device_read_bytes_sec": "string", "device_write_bytes_sec": "string"},
	virt.ParamsInterface: {"inbound.average": "uint", "inbound.peak": "uint", "inbound.burst": "uint",
		"inbound.floor": "uint", "outbound.average": "uint", "outbound.peak": "uint", "outbound.burst": "uint"},
	virt.ParamsBlockIOTune: func() map[string]string {
		m := map[string]string{"group_name": "string"}
		for _, f := range iotuneFields {
			m[f] = "ullong"
		}
		return m
	}(),
	virt.ParamsPerf: func() map[string]string {
		m := map[string]string{}
		for _, e := range perfEvents {
			m[e] = "boolean"
		}
		return m
	}(),
}

// memLimit reads a memtune limit in KiB; absent means unlimited.
func memLimit(m *virtxml.Memory) uint64 {
	if m == nil {
		return memUnlimited
	}
	return memKiB(m)
}

func memoryParams(def *virtxml.Domain) []virt.TypedParam {
	mt := def.MemTune
	if mt == nil {
		mt = &virtxml.MemTune{}
	}
	return []virt.TypedParam{
		{Field: "hard_limit", Value: memLimit(mt.HardLimit)},
		{Field: "soft_limit", Value: memLimit(mt.SoftLimit)},
		{Field: "swap_hard_limit", Value: memLimit(mt.SwapHardLimit)},
	}
}

// limitElem is the memtune element for a limit, nil when unlimited.
func limitElem(kib uint64) *virtxml.Memory {
	if kib >= memUnlimited {
		return nil
	}
	return &virtxml.Memory{Unit: "KiB", Value: kib}
}

// setMemoryParams changes def's memory limits. Like libvirt's test driver
// it checks the hard limit against the swap limit of the running
// definition.
func setMemoryParams(running, def *virtxml.Domain, params []virt.TypedParam) error {
	get := func(name string) (uint64, bool) {
		for _, p := range params {
			if p.Field == name {
				return p.Value.(uint64), true
			}
		}
		return 0, false
	}
	swap, setSwap := get("swap_hard_limit")
	hard, setHard := get("hard_limit")
	soft, setSoft := get("soft_limit")
	if setSwap || setHard {
		cur := running.MemTune
		if cur == nil {
			cur = &virtxml.MemTune{}
		}
		memL, swapL := memLimit(cur.HardLimit), memLimit(cur.SwapHardLimit)
		if setSwap {
			swapL = swap
		}
		if setHard {
			memL = hard
		}
		if memL > swapL {
			return virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "memory hard_limit tunable value must be lower than or equal to swap_hard_limit")
		}
	}
	if def.MemTune == nil {
		def.MemTune = &virtxml.MemTune{}
	}
	mt := def.MemTune
	if setSoft {
		mt.SoftLimit = limitElem(soft)
	}
	if setHard {
		mt.HardLimit = limitElem(hard)
	}
	if setSwap {
		mt.SwapHardLimit = limitElem(swap)
	}
	if mt.HardLimit == nil && mt.SoftLimit == nil && mt.SwapHardLimit == nil && mt.MinGuarantee == nil {
		def.MemTune = nil
	}
	return nil
}

// numaModes are libvirt's NUMA memory modes by number.
var numaModes = []string{"strict", "preferred", "interleave", "restrictive"}

// numaTune returns def's domain-wide NUMA mode and node set.
func numaTune(def *virtxml.Domain) (int, string) {
	if def.NUMATune == nil || def.NUMATune.Memory == nil {
		return 0, ""
	}
	m := def.NUMATune.Memory
	mode := indexOfString(numaModes, m.Mode)
	if mode < 0 {
		mode = 0
	}
	return mode, m.NodeSet
}

func indexOfString(list []string, v string) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return -1
}

// setNUMAParams applies numatune changes as libvirt's
// virDomainNumatuneSet does.
func setNUMAParams(def *virtxml.Domain, live bool, params []virt.TypedParam) error {
	mode := -1
	nodeset := ""
	hasNodeset := false
	for _, p := range params {
		switch p.Field {
		case "numa_mode":
			mode = int(p.Value.(int32))
			if mode < 0 || mode >= len(numaModes) {
				return virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "unsupported numatune mode: '%d'", mode)
			}
		case "numa_nodeset":
			set, ok := virtxml.ParseBitmap(p.Value.(string))
			if !ok {
				return virt.Errorf(virt.ErrInvalidArg, virt.FromNone, "Failed to parse bitmap '%s'", p.Value)
			}
			if len(set) == 0 {
				return virt.Errorf(virt.ErrOperationInvalid, virt.FromTest, "Invalid nodeset of 'numatune': %s", p.Value)
			}
			nodeset, hasNodeset = formatNodes(set), true
		}
	}
	var cur *virtxml.NUMATuneMemory
	if def.NUMATune != nil {
		cur = def.NUMATune.Memory
	}
	if live && mode != -1 && cur != nil {
		if cm := indexOfString(numaModes, cur.Mode); cm != mode && !(cm < 0 && mode == 0) {
			return virt.Errorf(virt.ErrOperationInvalid, virt.FromTest, "can't change numatune mode for running domain")
		}
	}
	if mode == -1 && !hasNodeset {
		return nil
	}
	next := virtxml.NUMATuneMemory{Mode: "strict"}
	if cur != nil {
		next = *cur
	}
	if mode != -1 {
		next.Mode = numaModes[mode]
	}
	if hasNodeset {
		next.NodeSet = nodeset
		next.Placement = ""
	}
	staticPlacement := def.VCPU == nil || def.VCPU.Placement != "auto"
	if next.NodeSet == "" && next.Placement != "auto" && staticPlacement {
		return virt.Errorf(virt.ErrConfigUnsupported, virt.FromDomain, "nodeset for NUMA memory tuning must be set if 'placement' is 'static'")
	}
	if next.Mode == "strict" {
		// libvirt writes the default mode too; keep it explicit.
		next.Mode = "strict"
	}
	if def.NUMATune == nil {
		def.NUMATune = &virtxml.NUMATune{}
	}
	def.NUMATune.Memory = &next
	return nil
}

// formatNodes writes a set of numbers as libvirt's bitmap syntax.
func formatNodes(set []uint) string {
	var b strings.Builder
	for i := 0; i < len(set); i++ {
		j := i
		for j+1 < len(set) && set[j+1] == set[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		if j > i {
			fmt.Fprintf(&b, "%d-%d", set[i], set[j])
		} else {
			fmt.Fprintf(&b, "%d", set[i])
		}
		i = j
	}
	return b.String()
}

// blkioDeviceFields are the per-device blkio parameters and how to reach
// their value in a device entry.
var blkioDeviceFields = []struct {
	name  string
	bytes bool
	get   func(d *virtxml.BlkioTuneDevice) uint64
	set   func(d *virtxml.BlkioTuneDevice, v uint64)
}{
	{"device_weight", false,
		func(d *virtxml.BlkioTuneDevice) uint64 { return derefUint(d.Weight) },
		func(d *virtxml.BlkioTuneDevice, v uint64) { w := uint(v); d.Weight = &w }},
	{"device_read_iops_sec", false,
		func(d *virtxml.BlkioTuneDevice) uint64 { return deref64(d.ReadIOPSSec) },
		func(d *virtxml.BlkioTuneDevice, v uint64) { d.ReadIOPSSec = &v }},
	{"device_write_iops_sec", false,
		func(d *virtxml.BlkioTuneDevice) uint64 { return deref64(d.WriteIOPSSec) },
		func(d *virtxml.BlkioTuneDevice, v uint64) { d.WriteIOPSSec = &v }},
	{"device_read_bytes_sec", true,
		func(d *virtxml.BlkioTuneDevice) uint64 { return deref64(d.ReadBytesSec) },
		func(d *virtxml.BlkioTuneDevice, v uint64) { d.ReadBytesSec = &v }},
	{"device_write_bytes_sec", true,
		func(d *virtxml.BlkioTuneDevice) uint64 { return deref64(d.WriteBytesSec) },
		func(d *virtxml.BlkioTuneDevice, v uint64) { d.WriteBytesSec = &v }},
}

func derefUint(p *uint) uint64 {
	if p == nil {
		return 0
	}
	return uint64(*p)
}

func deref64(p *uint64) uint64 {
	if p == nil {
		return 0
	}
	return *p
}

func blkioParams(def *virtxml.Domain) []virt.TypedParam {
	bt := def.BlkioTune
	if bt == nil {
		bt = &virtxml.BlkioTune{}
	}
	out := []virt.TypedParam{{Field: "weight", Value: uint32(derefUint(bt.Weight))}}
	for _, f := range blkioDeviceFields {
		var parts []string
		for i := range bt.Devices {
			if v := f.get(&bt.Devices[i]); v != 0 {
				parts = append(parts, bt.Devices[i].Path+","+strconv.FormatUint(v, 10))
			}
		}
		out = append(out, virt.TypedParam{Field: f.name, Value: strings.Join(parts, ",")})
	}
	return out
}

// setBlkioParams applies blkio changes; like libvirt it goes on after a
// bad parameter and reports the first failure at the end.
func setBlkioParams(def *virtxml.Domain, params []virt.TypedParam) error {
	if def.BlkioTune == nil {
		def.BlkioTune = &virtxml.BlkioTune{}
	}
	bt := def.BlkioTune
	var firstErr error
	for _, p := range params {
		if p.Field == "weight" {
			w := uint(p.Value.(uint32))
			bt.Weight = &w
			continue
		}
		for _, f := range blkioDeviceFields {
			if f.name != p.Field {
				continue
			}
			text := p.Value.(string)
			entries, err := parseBlkioDevices(f.name, text, f.bytes)
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				break
			}
			for _, e := range entries {
				found := false
				for i := range bt.Devices {
					if bt.Devices[i].Path == e.path {
						f.set(&bt.Devices[i], e.value)
						found = true
						break
					}
				}
				if !found && e.value != 0 {
					dev := virtxml.BlkioTuneDevice{Path: e.path}
					f.set(&dev, e.value)
					bt.Devices = append(bt.Devices, dev)
				}
			}
		}
	}
	if bt.Weight == nil && len(bt.Devices) == 0 {
		def.BlkioTune = nil
	}
	return firstErr
}

type blkioEntry struct {
	path  string
	value uint64
}

// parseBlkioDevices reads "path,value[,path,value...]".
func parseBlkioDevices(field, text string, bytes bool) ([]blkioEntry, error) {
	if text == "" {
		return nil, nil
	}
	parts := strings.Split(text, ",")
	bad := virt.Errorf(virt.ErrInvalidArg, virt.FromNone, "unable to parse blkio device '%s' '%s'", field, text)
	if len(parts)%2 != 0 {
		return nil, bad
	}
	var out []blkioEntry
	for i := 0; i < len(parts); i += 2 {
		bits := 32
		if bytes {
			bits = 64
		}
		v, err := strconv.ParseUint(parts[i+1], 10, bits)
		if err != nil || parts[i] == "" {
			return nil, bad
		}
		out = append(out, blkioEntry{parts[i], v})
	}
	return out, nil
}

func bandwidthParams(bw *virtxml.Bandwidth) []virt.TypedParam {
	var in, out virtxml.BandwidthRate
	if bw != nil && bw.Inbound != nil {
		in = *bw.Inbound
	}
	if bw != nil && bw.Outbound != nil {
		out = *bw.Outbound
	}
	return []virt.TypedParam{
		{Field: "inbound.average", Value: uint32(in.Average)},
		{Field: "inbound.peak", Value: uint32(in.Peak)},
		{Field: "inbound.burst", Value: uint32(in.Burst)},
		{Field: "inbound.floor", Value: uint32(in.Floor)},
		{Field: "outbound.average", Value: uint32(out.Average)},
		{Field: "outbound.peak", Value: uint32(out.Peak)},
		{Field: "outbound.burst", Value: uint32(out.Burst)},
	}
}

// setBandwidth applies interface bandwidth changes: a direction given
// without an average (or floor) is removed.
func setBandwidth(nic *virtxml.Interface, params []virt.TypedParam) {
	in, out := &virtxml.BandwidthRate{}, &virtxml.BandwidthRate{}
	inSpecified, outSpecified := false, false
	for _, p := range params {
		v := uint64(p.Value.(uint32))
		switch p.Field {
		case "inbound.average":
			in.Average, inSpecified = v, true
		case "inbound.peak":
			in.Peak = v
		case "inbound.burst":
			in.Burst = v
		case "inbound.floor":
			in.Floor, inSpecified = v, true
		case "outbound.average":
			out.Average, outSpecified = v, true
		case "outbound.peak":
			out.Peak = v
		case "outbound.burst":
			out.Burst = v
		}
	}
	if in.Average == 0 && in.Floor == 0 {
		in = nil
	}
	if out.Average == 0 {
		out = nil
	}
	if nic.Bandwidth == nil {
		nic.Bandwidth = &virtxml.Bandwidth{Inbound: in, Outbound: out}
	} else {
		if in != nil || inSpecified {
			nic.Bandwidth.Inbound = in
		}
		if out != nil || outSpecified {
			nic.Bandwidth.Outbound = out
		}
	}
	if nic.Bandwidth.Inbound == nil && nic.Bandwidth.Outbound == nil {
		nic.Bandwidth = nil
	}
}

// iotuneFields are the numeric block I/O tune parameters in libvirt's
// order; group_name comes after size_iops_sec.
var iotuneFields = []string{
	"total_bytes_sec", "read_bytes_sec", "write_bytes_sec",
	"total_iops_sec", "read_iops_sec", "write_iops_sec",
	"total_bytes_sec_max", "read_bytes_sec_max", "write_bytes_sec_max",
	"total_iops_sec_max", "read_iops_sec_max", "write_iops_sec_max",
	"size_iops_sec",
	"total_bytes_sec_max_length", "read_bytes_sec_max_length", "write_bytes_sec_max_length",
	"total_iops_sec_max_length", "read_iops_sec_max_length", "write_iops_sec_max_length",
}

// iotuneField returns the pointer of the numeric field named name.
func iotuneField(t *virtxml.DiskIOTune, name string) **uint64 {
	switch name {
	case "total_bytes_sec":
		return &t.TotalBytesSec
	case "read_bytes_sec":
		return &t.ReadBytesSec
	case "write_bytes_sec":
		return &t.WriteBytesSec
	case "total_iops_sec":
		return &t.TotalIOPSSec
	case "read_iops_sec":
		return &t.ReadIOPSSec
	case "write_iops_sec":
		return &t.WriteIOPSSec
	case "total_bytes_sec_max":
		return &t.TotalBytesSecMax
	case "read_bytes_sec_max":
		return &t.ReadBytesSecMax
	case "write_bytes_sec_max":
		return &t.WriteBytesSecMax
	case "total_iops_sec_max":
		return &t.TotalIOPSSecMax
	case "read_iops_sec_max":
		return &t.ReadIOPSSecMax
	case "write_iops_sec_max":
		return &t.WriteIOPSSecMax
	case "size_iops_sec":
		return &t.SizeIOPSSec
	case "total_bytes_sec_max_length":
		return &t.TotalBytesSecMaxLength
	case "read_bytes_sec_max_length":
		return &t.ReadBytesSecMaxLength
	case "write_bytes_sec_max_length":
		return &t.WriteBytesSecMaxLength
	case "total_iops_sec_max_length":
		return &t.TotalIOPSSecMaxLength
	case "read_iops_sec_max_length":
		return &t.ReadIOPSSecMaxLength
	case "write_iops_sec_max_length":
		return &t.WriteIOPSSecMaxLength
	}
	return nil
}

func iotuneParams(t *virtxml.DiskIOTune) []virt.TypedParam {
	if t == nil {
		t = &virtxml.DiskIOTune{}
	}
	var out []virt.TypedParam
	for i, f := range iotuneFields {
		out = append(out, virt.TypedParam{Field: f, Value: deref64(*iotuneField(t, f))})
		if i == 12 {
			out = append(out, virt.TypedParam{Field: "group_name", Value: t.GroupName})
		}
	}
	return out
}

// iotuneMax is the largest throttle value libvirt's test driver accepts.
const iotuneMax = 1000000000000000

// setIOTune applies block I/O throttle changes with libvirt's checks.
func setIOTune(disk *virtxml.Disk, params []virt.TypedParam) error {
	var next virtxml.DiskIOTune
	if disk.IOTune != nil {
		next = *disk.IOTune
	}
	for _, p := range params {
		if p.Field == "group_name" {
			next.GroupName = p.Value.(string)
			continue
		}
		v := p.Value.(uint64)
		if v > iotuneMax {
			return virt.Errorf(virt.ErrArgumentUnsupported, virt.FromTest, "block I/O throttle limit value must be no more than %d", uint64(iotuneMax))
		}
		ptr := iotuneField(&next, p.Field)
		if v == 0 {
			*ptr = nil
		} else {
			*ptr = &v
		}
	}
	get := func(name string) uint64 { return deref64(*iotuneField(&next, name)) }
	for _, kind := range []string{"bytes_sec", "iops_sec", "bytes_sec_max", "iops_sec_max"} {
		if get("total_"+kind) != 0 && (get("read_"+kind) != 0 || get("write_"+kind) != 0) {
			return virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "total and read/write of %s cannot be set at the same time", kind)
		}
	}
	for _, base := range []string{"total_bytes_sec", "read_bytes_sec", "write_bytes_sec", "total_iops_sec", "read_iops_sec", "write_iops_sec"} {
		if get(base) > get(base+"_max") {
			return virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "%s cannot be set higher than %s_max ", base, base)
		}
	}
	if next == (virtxml.DiskIOTune{}) {
		disk.IOTune = nil
	} else {
		disk.IOTune = &next
	}
	return nil
}

// perfEvents are libvirt's perf events in order.
var perfEvents = []string{"cmt", "mbmt", "mbml", "cpu_cycles", "instructions", "cache_references",
	"cache_misses", "branch_instructions", "branch_misses", "bus_cycles", "stalled_cycles_frontend",
	"stalled_cycles_backend", "ref_cpu_cycles", "cpu_clock", "task_clock", "page_faults",
	"context_switches", "cpu_migrations", "page_faults_min", "page_faults_maj",
	"alignment_faults", "emulation_faults"}

func perfParams(def *virtxml.Domain) []virt.TypedParam {
	out := make([]virt.TypedParam, 0, len(perfEvents))
	for _, e := range perfEvents {
		on := false
		if def.Perf != nil {
			for _, pe := range def.Perf.Events {
				if pe.Name == e {
					on = pe.Enabled == "yes"
				}
			}
		}
		out = append(out, virt.TypedParam{Field: e, Value: on})
	}
	return out
}

// setPerf switches perf events; the XML lists them in libvirt's order.
func setPerf(def *virtxml.Domain, params []virt.TypedParam) {
	state := map[string]string{}
	if def.Perf != nil {
		for _, pe := range def.Perf.Events {
			state[pe.Name] = pe.Enabled
		}
	}
	for _, p := range params {
		state[p.Field] = map[bool]string{true: "yes", false: "no"}[p.Value.(bool)]
	}
	var events []virtxml.PerfEvent
	for _, e := range perfEvents {
		if v, ok := state[e]; ok {
			events = append(events, virtxml.PerfEvent{Name: e, Enabled: v})
		}
	}
	if len(events) == 0 {
		def.Perf = nil
		return
	}
	def.Perf = &virtxml.Perf{Events: events}
}
