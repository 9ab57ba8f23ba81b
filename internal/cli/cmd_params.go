package cli

import (
	"math"
	"strconv"
	"strings"

	"github.com/govirt/govirt/virt"
)

// memUnlimited is VIR_DOMAIN_MEMORY_PARAM_UNLIMITED.
const memUnlimited = 1<<53 - 1

// printParams prints typed parameters as the tuning commands do:
// "%-15s: %s".
func (s *session) printParams(params []virt.TypedParam) {
	for _, p := range params {
		s.printf("%-15s: %s\n", p.Field, typedValue(p.Value))
	}
}

// memtuneSize reads a memtune limit: a scaled number (default KiB) in
// KiB, or a negative number for unlimited.
func memtuneSize(c *call, name string) (uint64, bool, error) {
	v, ok := c.find(name)
	if !ok || v.data == "" {
		return 0, false, nil
	}
	bad := fail(errNoCause, "Unable to parse integer parameter %s", name)
	t := strings.TrimLeft(v.data, " \t\n\v\f\r")
	i := 0
	if i < len(t) && (t[i] == '-' || t[i] == '+') {
		i++
	}
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	n, err := strconv.ParseInt(t[:i], 10, 64)
	if err != nil {
		return 0, false, bad
	}
	if n < 0 {
		return memUnlimited, true, nil
	}
	b, err := parseScaled(strconv.FormatInt(n, 10)+t[i:], 1024, math.MaxInt64)
	if err != nil {
		return 0, false, bad
	}
	return (b + 1023) / 1024, true, nil
}

func cmdMemtune(s *session, c *call) error {
	flags, _, err := modifyFlags(c)
	if err != nil {
		return err
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	var params []virt.TypedParam
	for _, p := range [][2]string{
		{"hard-limit", "hard_limit"}, {"soft-limit", "soft_limit"},
		{"swap-hard-limit", "swap_hard_limit"}, {"min-guarantee", "min_guarantee"},
	} {
		v, ok, err := memtuneSize(c, p[0])
		if err != nil {
			return err
		}
		if ok {
			params = append(params, virt.TypedParam{Field: p[1], Value: v})
		}
	}
	if len(params) > 0 {
		if err := d.SetParams(s.ctx, virt.ParamsMemory, "", params, uint32(flags)); err != nil {
			return fail(err, "Unable to change memory parameters")
		}
		return nil
	}
	got, err := d.Params(s.ctx, virt.ParamsMemory, "", uint32(flags))
	if err != nil {
		return fail(err, "Unable to get number of memory parameters")
	}
	for _, p := range got {
		if v, ok := p.Value.(uint64); ok && v == memUnlimited {
			s.printf("%-15s: %s\n", p.Field, "unlimited")
			continue
		}
		s.printf("%-15s: %s\n", p.Field, typedValue(p.Value))
	}
	return nil
}

// numaModeNames are libvirt's NUMA memory modes by number.
var numaModeNames = []string{"strict", "preferred", "interleave", "restrictive"}

func cmdNumatune(s *session, c *call) error {
	flags, _, err := modifyFlags(c)
	if err != nil {
		return err
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	var params []virt.TypedParam
	if ns, ok, err := c.str("nodeset"); err != nil {
		return err
	} else if ok {
		params = append(params, virt.TypedParam{Field: "numa_nodeset", Value: ns})
	}
	if mode, ok, err := c.str("mode"); err != nil {
		return err
	} else if ok {
		m := indexOf(numaModeNames, mode)
		if m < 0 {
			n, err := strconv.ParseInt(mode, 0, 32)
			if err != nil {
				return fail(errNoCause, "Invalid mode: %s", mode)
			}
			m = int(n)
		}
		params = append(params, virt.TypedParam{Field: "numa_mode", Value: int32(m)})
	}
	if len(params) > 0 {
		if err := d.SetParams(s.ctx, virt.ParamsNUMA, "", params, uint32(flags)); err != nil {
			return fail(err, "Unable to change numa parameters")
		}
		return nil
	}
	got, err := d.Params(s.ctx, virt.ParamsNUMA, "", uint32(flags))
	if err != nil {
		return fail(err, "Unable to get number of memory parameters")
	}
	for _, p := range got {
		if m, ok := p.Value.(int32); ok && p.Field == "numa_mode" && int(m) < len(numaModeNames) && m >= 0 {
			s.printf("%-15s: %s\n", p.Field, numaModeNames[m])
			continue
		}
		s.printf("%-15s: %s\n", p.Field, typedValue(p.Value))
	}
	return nil
}

func cmdBlkiotune(s *session, c *call) error {
	flags, _, err := modifyFlags(c)
	if err != nil {
		return err
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	var params []virt.TypedParam
	if w, ok, err := c.int("weight"); err != nil {
		return err
	} else if ok {
		if w <= 0 {
			return fail(errNoCause, "Invalid value of %d for I/O weight", w)
		}
		params = append(params, virt.TypedParam{Field: "weight", Value: uint32(w)})
	}
	for _, p := range [][2]string{
		{"device-weights", "device_weight"}, {"device-read-iops-sec", "device_read_iops_sec"},
		{"device-write-iops-sec", "device_write_iops_sec"}, {"device-read-bytes-sec", "device_read_bytes_sec"},
		{"device-write-bytes-sec", "device_write_bytes_sec"},
	} {
		if v, ok := c.find(p[0]); ok && v.data != "" {
			params = append(params, virt.TypedParam{Field: p[1], Value: v.data})
		}
	}
	if len(params) > 0 {
		if err := d.SetParams(s.ctx, virt.ParamsBlkio, "", params, uint32(flags)); err != nil {
			return fail(err, "Unable to change blkio parameters")
		}
		return nil
	}
	got, err := d.Params(s.ctx, virt.ParamsBlkio, "", uint32(flags))
	if err != nil {
		return fail(err, "Unable to get number of blkio parameters")
	}
	s.printParams(got)
	return nil
}

// rate is an interface bandwidth setting: average,peak,burst,floor.
type rate struct{ average, peak, burst, floor uint64 }

// parseRate reads virsh's "average[,peak[,burst[,floor]]]".
func parseRate(text string) (rate, error) {
	var r rate
	fields := []*uint64{&r.average, &r.peak, &r.burst, &r.floor}
	names := []string{"average", "peak", "burst", "floor"}
	parts := strings.Split(text, ",")
	if len(parts) > len(fields) {
		return r, fail(errNoCause, "too many fields in rate '%s'", text)
	}
	for i, p := range parts {
		if p == "" {
			continue
		}
		v, err := parseCUint(p, 64)
		if err != nil {
			return r, fail(errNoCause, "field '%s' is malformed", names[i])
		}
		*fields[i] = v
	}
	return r, nil
}

func cmdDomiftune(s *session, c *call) error {
	flags, _, err := modifyFlags(c)
	if err != nil {
		return err
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	dev, _, err := c.str("interface")
	if err != nil {
		return err
	}
	in, hasIn, err := c.str("inbound")
	if err != nil {
		return err
	}
	out, hasOut, err := c.str("outbound")
	if err != nil {
		return err
	}
	var params []virt.TypedParam
	add := func(field string, v uint64) { params = append(params, virt.TypedParam{Field: field, Value: uint32(v)}) }
	if hasIn {
		r, err := parseRate(in)
		if err != nil {
			return err
		}
		if r.average > math.MaxUint32 || r.peak > math.MaxUint32 || r.burst > math.MaxUint32 {
			return fail(errNoCause, "inbound rate larger than maximum %d", uint32(math.MaxUint32))
		}
		if r.average == 0 && (r.burst != 0 || r.peak != 0) && r.floor == 0 {
			return fail(errNoCause, "either inbound average or floor is mandatory")
		}
		add("inbound.average", r.average)
		if r.peak != 0 {
			add("inbound.peak", r.peak)
		}
		if r.burst != 0 {
			add("inbound.burst", r.burst)
		}
		if r.floor != 0 {
			add("inbound.floor", r.floor)
		}
	}
	if hasOut {
		r, err := parseRate(out)
		if err != nil {
			return err
		}
		if r.average > math.MaxUint32 || r.peak > math.MaxUint32 || r.burst > math.MaxUint32 {
			return fail(errNoCause, "outbound rate larger than maximum %d", uint32(math.MaxUint32))
		}
		if r.average == 0 && (r.burst != 0 || r.peak != 0) {
			return fail(errNoCause, "outbound average is mandatory")
		}
		if r.floor != 0 {
			return fail(errNoCause, "outbound floor is unsupported yet")
		}
		add("outbound.average", r.average)
		if r.peak != 0 {
			add("outbound.peak", r.peak)
		}
		if r.burst != 0 {
			add("outbound.burst", r.burst)
		}
	}
	if len(params) > 0 {
		if err := d.SetParams(s.ctx, virt.ParamsInterface, dev, params, uint32(flags)); err != nil {
			return fail(err, "Unable to set interface parameters")
		}
		return nil
	}
	got, err := d.Params(s.ctx, virt.ParamsInterface, dev, uint32(flags))
	if err != nil {
		return fail(err, "Unable to get interface parameters")
	}
	s.printParams(got)
	return nil
}

func cmdBlkdeviotune(s *session, c *call) error {
	flags, _, err := modifyFlags(c)
	if err != nil {
		return err
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	disk, _, err := c.str("device")
	if err != nil {
		return err
	}
	var params []virt.TypedParam
	interr := fail(errNoCause, "Unable to parse integer parameter")
	for _, f := range []string{"total-bytes-sec", "read-bytes-sec", "write-bytes-sec",
		"total-bytes-sec-max", "read-bytes-sec-max", "write-bytes-sec-max"} {
		v, ok, err := c.scaled(f, 1, math.MaxUint64)
		if err != nil {
			return interr
		}
		if ok {
			params = append(params, virt.TypedParam{Field: strings.ReplaceAll(f, "-", "_"), Value: v})
		}
	}
	for _, f := range []string{"total-iops-sec", "read-iops-sec", "write-iops-sec", "total-iops-sec-max",
		"read-iops-sec-max", "write-iops-sec-max", "size-iops-sec", "total-bytes-sec-max-length",
		"read-bytes-sec-max-length", "write-bytes-sec-max-length", "total-iops-sec-max-length",
		"read-iops-sec-max-length", "write-iops-sec-max-length"} {
		v, ok, err := c.uint64(f)
		if err != nil {
			return interr
		}
		if ok {
			params = append(params, virt.TypedParam{Field: strings.ReplaceAll(f, "-", "_"), Value: v})
		}
	}
	if g, ok, err := c.str("group-name"); err != nil {
		return fail(err, "Unable to parse group-name parameter")
	} else if ok {
		params = append(params, virt.TypedParam{Field: "group_name", Value: g})
	}
	if len(params) > 0 {
		if err := d.SetParams(s.ctx, virt.ParamsBlockIOTune, disk, params, uint32(flags)); err != nil {
			return fail(err, "Unable to change block I/O throttle")
		}
		return nil
	}
	got, err := d.Params(s.ctx, virt.ParamsBlockIOTune, disk, uint32(flags))
	if err != nil {
		return fail(err, "Unable to get block I/O throttle parameters")
	}
	s.printParams(got)
	return nil
}

// printPerf prints perf event switches.
func (s *session) printPerf(params []virt.TypedParam) {
	for _, p := range params {
		state := "disabled"
		if b, ok := p.Value.(bool); ok && b {
			state = "enabled"
		}
		s.printf("%-15s: %s\n", p.Field, state)
	}
}

func cmdPerf(s *session, c *call) error {
	flags, _, err := modifyFlags(c)
	if err != nil {
		return err
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	var params []virt.TypedParam
	for _, o := range []struct {
		name string
		on   bool
	}{{"enable", true}, {"disable", false}} {
		v, ok, err := c.str(o.name)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		for _, ev := range strings.Split(v, ",") {
			if ev != "" {
				params = append(params, virt.TypedParam{Field: ev, Value: o.on})
			}
		}
	}
	if len(params) > 0 {
		if err := d.SetParams(s.ctx, virt.ParamsPerf, "", params, uint32(flags)); err != nil {
			return fail(err, "Unable to enable/disable perf events")
		}
		s.printPerf(params)
		return nil
	}
	got, err := d.Params(s.ctx, virt.ParamsPerf, "", uint32(flags))
	if err != nil {
		return fail(err, "Unable to get perf events")
	}
	s.printPerf(got)
	return nil
}
