package cli

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/govirt/govirt/virt"
)

// modifyFlags reads --config, --live and --current, refusing --current
// with either of the others. any is false when none was given.
func modifyFlags(c *call) (flags virt.ModifyFlags, given bool, err error) {
	config, live, current := c.has("config"), c.has("live"), c.has("current")
	if err := exclusiveVars("current", current, "live", live); err != nil {
		return 0, false, err
	}
	if err := exclusiveVars("current", current, "config", config); err != nil {
		return 0, false, err
	}
	if config {
		flags |= virt.AffectConfig
	}
	if live {
		flags |= virt.AffectLive
	}
	return flags, config || live || current, nil
}

// memSize reads the scaled "size" option in KiB, rounded up.
func memSize(c *call) (uint64, error) {
	bytes, _, err := c.scaled("size", 1024, math.MaxUint64-1023)
	if err != nil {
		return 0, err
	}
	return bytes/1024 + min(bytes%1024, 1), nil
}

func cmdSetmem(s *session, c *call) error {
	flags, given, err := modifyFlags(c)
	if err != nil {
		return err
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	kib, err := memSize(c)
	if err != nil {
		return err
	}
	if !given {
		// virDomainSetMemory: the running guest.
		flags = virt.AffectLive
	}
	return d.SetMemory(s.ctx, kib, flags)
}

func cmdSetmaxmem(s *session, c *call) error {
	flags, given, err := modifyFlags(c)
	if err != nil {
		return err
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	kib, err := memSize(c)
	if err != nil {
		return err
	}
	// Without flags virsh calls virDomainSetMaxMemory, else
	// virDomainSetMemoryFlags with VIR_DOMAIN_MEM_MAXIMUM.
	if given {
		err = d.SetMemoryFlags(s.ctx, kib, flags|virt.MemMaximum)
	} else {
		err = d.SetMemory(s.ctx, kib, virt.MemMaximum)
	}
	if err != nil {
		return fail(err, "Unable to change MaxMemorySize")
	}
	return nil
}

func cmdSetvcpus(s *session, c *call) error {
	maximum, guest, hotpluggable := c.has("maximum"), c.has("guest"), c.has("hotpluggable")
	flags, given, err := modifyFlags(c)
	if err != nil {
		return err
	}
	if err := exclusiveVars("guest", guest, "config", c.has("config")); err != nil {
		return err
	}
	if maximum && !c.has("config") {
		return fail(errNoCause, "Option --config is required by option --maximum")
	}
	if guest {
		flags |= virt.VcpuGuest
	}
	if maximum {
		flags |= virt.VcpuMaximum
	}
	if hotpluggable {
		flags |= virt.VcpuHotpluggable
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	count, _, err := c.uint("count")
	if err != nil {
		return err
	}
	if count == 0 {
		return fail(errNoCause, "Can't set 0 processors for a VM")
	}
	if !given && flags == 0 {
		// virDomainSetVcpus: the running guest.
		return d.SetVcpusLive(s.ctx, uint32(count))
	}
	return d.SetVcpus(s.ctx, uint32(count), flags)
}

// vcpuCount asks for one vCPU count. With checkState, counts that cannot
// exist (live of an inactive domain, config of a transient one) are
// skipped: ok is false and err nil.
func (s *session) vcpuCount(d *virt.Domain, flags virt.ModifyFlags, checkState bool) (n int32, ok bool, err error) {
	if checkState {
		if flags&virt.AffectLive != 0 {
			if active, err := d.IsActive(s.ctx); err != nil || !active {
				return 0, false, nil
			}
		}
		if flags&virt.AffectConfig != 0 {
			if fl, err := d.Flags(s.ctx); err != nil || !fl.Persistent {
				return 0, false, nil
			}
		}
	}
	n, err = d.VcpuCount(s.ctx, flags)
	if err == nil {
		return n, true, nil
	}
	if flags&virt.VcpuGuest != 0 && (errors.Is(err, virt.ErrNoSupport) || errors.Is(err, virt.ErrInvalidArg)) {
		return 0, false, fail(err, "Failed to retrieve vCPU count from the guest")
	}
	return 0, false, err
}

func cmdVcpucount(s *session, c *call) error {
	maximum, active := c.has("maximum"), c.has("active")
	config, live, current, guest := c.has("config"), c.has("live"), c.has("current"), c.has("guest")
	// Without any option, all four counts are shown.
	all := !maximum && !active && !config && !live && !current && !guest
	// Before "current" meant the running domain's state it meant "the
	// active count of the live domain"; virsh keeps that reading.
	if !active && !maximum && current {
		current, active, live = false, true, true
	}
	for _, p := range []struct {
		a  string
		va bool
		b  string
		vb bool
	}{
		{"current", current, "live", live},
		{"current", current, "config", config},
		{"live", live, "config", config},
		{"active", active, "maximum", maximum},
		{"guest", guest, "config", config},
	} {
		if err := exclusiveVars(p.a, p.va, p.b, p.vb); err != nil {
			return err
		}
	}
	var flags virt.ModifyFlags
	if live {
		flags |= virt.AffectLive
	}
	if config {
		flags |= virt.AffectConfig
	}
	if maximum {
		flags |= virt.VcpuMaximum
	}
	if guest {
		flags |= virt.VcpuGuest
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	if !all {
		n, _, err := s.vcpuCount(d, flags, false)
		if err != nil {
			return err
		}
		s.printf("%d\n", n)
		return nil
	}
	rows := []struct {
		which, state string
		flags        virt.ModifyFlags
	}{
		{"maximum", "config", virt.AffectConfig | virt.VcpuMaximum},
		{"maximum", "live", virt.AffectLive | virt.VcpuMaximum},
		{"current", "config", virt.AffectConfig},
		{"current", "live", virt.AffectLive},
	}
	counts := make([]int32, len(rows))
	for i, r := range rows {
		n, ok, err := s.vcpuCount(d, r.flags, true)
		if err != nil {
			return err
		}
		if ok {
			counts[i] = n
		}
	}
	for i, r := range rows {
		if counts[i] > 0 {
			s.printf("%-12s %-12s %3d\n", r.which, r.state, counts[i])
		}
	}
	return nil
}

// vcpuJSON is the JSON shape of one vCPU in "vcpuinfo -o json".
type vcpuJSON struct {
	VCPU     uint32   `json:"vcpu"`
	CPU      *int32   `json:"cpu"`
	State    string   `json:"state"`
	CPUTime  *float64 `json:"cpu_time_seconds"`
	Affinity []int    `json:"affinity"`
}

// vcpuStateString is virsh's word for a vCPU state.
func vcpuStateString(st int32) string {
	switch st {
	case 0:
		return "offline"
	case 1:
		return "running"
	case 2:
		return "blocked"
	}
	return "no state"
}

func cmdVcpuinfo(s *session, c *call) error {
	asJSON, err := s.wantJSON(c)
	if err != nil {
		return err
	}
	pretty := c.has("pretty")
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	vcpus, verr := d.Vcpus(s.ctx)
	live := verr == nil
	if !live {
		active, err := d.IsActive(s.ctx)
		if err != nil || active {
			return verr
		}
		// An inactive domain has no vCPU threads: show the configured
		// vCPUs with their pinning and N/A for the rest.
		vcpus, err = s.inactiveVcpus(d)
		if err != nil {
			return err
		}
	}
	if asJSON {
		out := make([]vcpuJSON, 0, len(vcpus))
		for _, v := range vcpus {
			j := vcpuJSON{VCPU: v.Number, State: "N/A", Affinity: []int{}}
			if live {
				cpu, t := v.CPU, float64(v.CPUTime)/1e9
				j.CPU, j.CPUTime, j.State = &cpu, &t, vcpuStateString(v.State)
			}
			for i, ok := range v.Affinity {
				if ok {
					j.Affinity = append(j.Affinity, i)
				}
			}
			out = append(out, j)
		}
		return s.printJSON(out)
	}
	var b strings.Builder
	for i, v := range vcpus {
		fmt.Fprintf(&b, "%-15s %d\n", "VCPU:", v.Number)
		if live {
			fmt.Fprintf(&b, "%-15s %d\n", "CPU:", v.CPU)
			fmt.Fprintf(&b, "%-15s %s\n", "State:", vcpuStateString(v.State))
			fmt.Fprintf(&b, "%-15s %.1fs\n", "CPU time:", float64(v.CPUTime)/1e9)
		} else {
			fmt.Fprintf(&b, "%-15s %s\n", "CPU:", "N/A")
			fmt.Fprintf(&b, "%-15s %s\n", "State:", "N/A")
			fmt.Fprintf(&b, "%-15s %s\n", "CPU time", "N/A")
		}
		if pretty {
			fmt.Fprintf(&b, "%-15s %s (out of %d)\n", "CPU Affinity:", formatCPUSet(v.Affinity), len(v.Affinity))
		} else {
			fmt.Fprintf(&b, "%-15s ", "CPU Affinity:")
			for _, ok := range v.Affinity {
				if ok {
					b.WriteByte('y')
				} else {
					b.WriteByte('-')
				}
			}
			b.WriteByte('\n')
		}
		if i+1 < len(vcpus) {
			b.WriteByte('\n')
		}
	}
	s.print(b.String())
	return nil
}

// inactiveVcpus describes the configured vCPUs of an inactive domain: their
// numbers and the host CPUs they may run on.
func (s *session) inactiveVcpus(d *virt.Domain) ([]virt.VcpuInfo, error) {
	info, err := d.Info(s.ctx)
	if err != nil {
		return nil, err
	}
	ncpu := 0
	if m, err := s.conn.NodeCPUMap(s.ctx); err == nil {
		ncpu = len(m)
	} else if ni, err := s.conn.NodeInfo(s.ctx); err == nil {
		ncpu = int(ni.CPUs)
	}
	allowed := make([]bool, ncpu)
	for i := range allowed {
		allowed[i] = true
	}
	if root, err := s.domainXMLTree(d, virt.XMLInactive); err == nil {
		if v := root.Child("vcpu"); v != nil {
			if set, ok := v.Attr("cpuset"); ok {
				if m, err := parseCPUSet(set, ncpu); err == nil {
					allowed = m
				}
			}
		}
	}
	out := make([]virt.VcpuInfo, info.NrVirtCPU)
	for i := range out {
		out[i] = virt.VcpuInfo{Number: uint32(i), CPU: -1, Affinity: allowed}
	}
	return out, nil
}

// formatCPUSet writes a CPU map as ranges: "0-3,6".
func formatCPUSet(m []bool) string {
	var parts []string
	for i := 0; i < len(m); i++ {
		if !m[i] {
			continue
		}
		j := i
		for j+1 < len(m) && m[j+1] {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d-%d", i, j))
		} else {
			parts = append(parts, strconv.Itoa(i))
		}
		i = j
	}
	return strings.Join(parts, ",")
}

// parseCPUSet reads libvirt's cpuset syntax ("0-3,^2,6") into a map of n
// CPUs.
func parseCPUSet(s string, n int) ([]bool, error) {
	m := make([]bool, n)
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		neg := strings.HasPrefix(part, "^")
		part = strings.TrimPrefix(part, "^")
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, err
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil {
				return nil, err
			}
		}
		for i := a; i <= b && i < n; i++ {
			if i >= 0 {
				m[i] = !neg
			}
		}
	}
	return m, nil
}

// typedValue formats a scheduler parameter as virsh does.
func typedValue(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'f', 6, 64)
	case bool:
		return yesNo(x)
	}
	return fmt.Sprint(v)
}

// typedFromString converts text to the type of like, with libvirt's error.
func typedFromString(field, text string, like any) (any, error) {
	bad := func(what string) error {
		return virt.Errorf(virt.ErrInvalidArg, virt.FromNone, "Invalid value for field '%s': expected %s", field, what)
	}
	switch like.(type) {
	case int32:
		n, err := parseCInt(text, 32)
		if err != nil {
			return nil, bad("int")
		}
		return int32(n), nil
	case uint32:
		n, err := strconv.ParseUint(text, 10, 32)
		if err != nil {
			return nil, bad("unsigned int")
		}
		return uint32(n), nil
	case int64:
		n, err := parseCInt(text, 64)
		if err != nil {
			return nil, bad("long long")
		}
		return n, nil
	case uint64:
		n, err := strconv.ParseUint(text, 10, 64)
		if err != nil {
			return nil, bad("unsigned long long")
		}
		return n, nil
	case float64:
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return nil, bad("double")
		}
		return f, nil
	case bool:
		switch strings.ToLower(text) {
		case "1", "yes", "true":
			return true, nil
		case "0", "no", "false":
			return false, nil
		}
		return nil, bad("boolean")
	}
	return text, nil
}

func cmdSchedinfo(s *session, c *call) error {
	flags, given, err := modifyFlags(c)
	if err != nil {
		return err
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	getFlags := virt.ModifyFlags(0)
	if given {
		// virsh asks with VIR_TYPED_PARAM_STRING_OKAY whenever it passes
		// flags; with both --live and --config it settles for current.
		getFlags = flags | 1<<2
		if flags == virt.AffectLive|virt.AffectConfig {
			getFlags = 1 << 2
		}
	}
	// virsh asks for the scheduler type before the parameters, so the
	// type is printed even when asking for the parameters fails.
	typ, params, err := d.Scheduler(s.ctx, 0)
	if err != nil {
		return err
	}
	s.printf("%-15s: %s\n", "Scheduler", typ)
	if len(params) == 0 {
		return nil
	}
	if getFlags != 0 {
		if _, params, err = d.Scheduler(s.ctx, getFlags); err != nil {
			return err
		}
	}
	// Gather the requested changes: --weight, --cap and --set name=value.
	type change struct{ name, value string }
	var changes []change
	for _, name := range []string{"weight", "cap"} {
		if v, ok := c.find(name); ok {
			n, err := parseCUint(v.data, 32)
			if err != nil {
				return malformed(v.data, name)
			}
			changes = append(changes, change{name, strconv.FormatUint(n, 10)})
		}
	}
	for _, set := range c.argv("set") {
		name, value, ok := strings.Cut(set, "=")
		if !ok || name == "" {
			return fail(errNoCause, "Invalid syntax for --set, expecting name=value")
		}
		changes = append(changes, change{name, value})
	}
	if len(changes) > 0 {
		var update []virt.SchedParam
		for _, ch := range changes {
			var like any
			for _, p := range params {
				if p.Field == ch.name {
					like = p.Value
				}
			}
			if like == nil {
				return fail(errNoCause, "invalid scheduler option: %s", ch.name)
			}
			v, err := typedFromString(ch.name, ch.value, like)
			if err != nil {
				return err
			}
			update = append(update, virt.SchedParam{Field: ch.name, Value: v})
		}
		if err := d.SetScheduler(s.ctx, update, flags); err != nil {
			return err
		}
		if _, params, err = d.Scheduler(s.ctx, getFlags); err != nil {
			return err
		}
	}
	for _, p := range params {
		s.printf("%-15s: %s\n", p.Field, typedValue(p.Value))
	}
	return nil
}
