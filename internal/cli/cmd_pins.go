package cli

import (
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// nodeCPUCount is the number of host CPUs that CPU lists cover
// (virsh's virshNodeGetCPUCount).
func (s *session) nodeCPUCount() (int, error) {
	if m, err := s.conn.NodeCPUMap(s.ctx); err == nil {
		return len(m), nil
	} else if !isNoSupport(err) {
		return 0, err
	}
	info, err := s.conn.NodeInfo(s.ctx)
	if err != nil {
		return 0, err
	}
	return int(info.CPUs), nil
}

// parseCPUList reads a CPU list for pinning: "r" for every CPU, else
// libvirt's bitmap syntax, with virsh's checks against max CPUs.
func parseCPUList(list string, max int) ([]bool, error) {
	m := make([]bool, max)
	if list != "" && list[0] == 'r' {
		for i := range m {
			m[i] = true
		}
		return m, nil
	}
	set, ok := virtxml.ParseBitmap(list)
	if !ok || len(set) == 0 {
		cause := error(errNoCause)
		if !ok {
			cause = virt.Errorf(virt.ErrInvalidArg, virt.FromNone, "Failed to parse bitmap '%s'", list)
		}
		return nil, fail(cause, "Invalid cpulist '%s'", list)
	}
	last := int(set[len(set)-1])
	if last >= max {
		return nil, fail(errNoCause, "CPU %d in cpulist '%s' exceed the maxcpu %d", last, list, max)
	}
	for _, c := range set {
		m[c] = true
	}
	return m, nil
}

func cmdVcpupin(s *session, c *call) error {
	flags, _, err := modifyFlags(c)
	if err != nil {
		return err
	}
	current := c.has("current")
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	vcpu, gotVcpu, err := c.uint("vcpu")
	if err != nil {
		return err
	}
	cpulist, hasList, err := c.str("cpulist")
	if err != nil {
		return err
	}
	if !hasList {
		if err := c.exclusive("live", "config"); err != nil {
			return err
		}
	}
	max, err := s.nodeCPUCount()
	if err != nil {
		return err
	}
	if !hasList {
		return s.vcpupinQuery(d, vcpu, gotVcpu, max, flags)
	}
	if !gotVcpu {
		return fail(errNoCause, "vcpupin: Missing vCPU number in pin mode.")
	}
	cpumap, err := parseCPUList(cpulist, max)
	if err != nil {
		return err
	}
	_ = current
	return d.PinVcpu(s.ctx, uint32(vcpu), cpumap, flags)
}

// vcpupinQuery prints the affinity table of vcpupin.
func (s *session) vcpupinQuery(d *virt.Domain, vcpu uint, gotVcpu bool, max int, flags virt.ModifyFlags) error {
	active, err := d.IsActive(s.ctx)
	if err != nil {
		return err
	}
	live := flags&virt.AffectLive != 0 || (flags&virt.AffectConfig == 0 && active)
	if live && !active {
		return fail(errNoCause, "cannot get vcpupin for offline domain")
	}
	if !live {
		if fl, err := d.Flags(s.ctx); err == nil && !fl.Persistent {
			return fail(errNoCause, "cannot get vcpupin for transient domain")
		}
	}
	n, err := d.VcpuCount(s.ctx, flags|virt.VcpuMaximum)
	if err != nil {
		return err
	}
	if gotVcpu && int(vcpu) >= int(n) {
		if live {
			return fail(errNoCause, "vcpu %d is out of range of live cpu count %d", vcpu, n)
		}
		return fail(errNoCause, "vcpu %d is out of range of persistent cpu count %d", vcpu, n)
	}
	maps, err := d.VcpuPinInfo(s.ctx, flags)
	if err != nil {
		return err
	}
	t := newTable("VCPU", "CPU Affinity")
	for i, m := range maps {
		if i >= int(n) || (gotVcpu && i != int(vcpu)) {
			continue
		}
		if len(m) > max {
			m = m[:max]
		}
		t.add(itoa(i), formatCPUSet(m))
	}
	s.printTable(t)
	return nil
}

func cmdEmulatorpin(s *session, c *call) error {
	flags, _, err := modifyFlags(c)
	if err != nil {
		return err
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	cpulist, hasList, err := c.str("cpulist")
	if err != nil {
		return err
	}
	if !hasList {
		if err := c.exclusive("live", "config"); err != nil {
			return err
		}
	}
	max, err := s.nodeCPUCount()
	if err != nil {
		return err
	}
	if !hasList {
		m, err := d.EmulatorPinInfo(s.ctx, flags)
		if err != nil {
			return err
		}
		if len(m) > max {
			m = m[:max]
		}
		s.extraf("%s %s\n", "emulator:", "CPU Affinity")
		s.extraf("----------------------------------\n")
		s.extraf("       *: ")
		s.printf("%s\n", formatCPUSet(m))
		return nil
	}
	cpumap, err := parseCPUList(cpulist, max)
	if err != nil {
		return err
	}
	return d.PinEmulator(s.ctx, cpumap, flags)
}

func itoa(n int) string {
	const digits = "0123456789"
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b []byte
	for n > 0 {
		b = append([]byte{digits[n%10]}, b...)
		n /= 10
	}
	if neg {
		b = append([]byte{'-'}, b...)
	}
	return string(b)
}

func cmdIothreadinfo(s *session, c *call) error {
	flags, _, err := modifyFlags(c)
	if err != nil {
		return err
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	max, err := s.nodeCPUCount()
	if err != nil {
		return err
	}
	infos, err := d.IOThreads(s.ctx, flags)
	if err != nil {
		return fail(err, "Unable to get domain IOThreads information")
	}
	if len(infos) == 0 {
		s.extraf("%s", "No IOThreads found for the domain")
		return nil
	}
	t := newTable("IOThread ID", "CPU Affinity")
	for _, info := range infos {
		m := info.CPUMap
		if len(m) > max {
			m = m[:max]
		}
		t.add(itoa(int(info.ID)), formatCPUSet(m))
	}
	s.printTable(t)
	return nil
}

// iothreadID reads the "id" option of the IOThread commands.
func iothreadID(c *call, name string) (uint32, error) {
	v, ok := c.find(name)
	if !ok {
		return 0, fail(errNoCause, "command requires <%s> option", name)
	}
	n, err := parseCInt(v.data, 32)
	if err != nil {
		return 0, malformed(v.data, name)
	}
	if n <= 0 {
		return 0, fail(errNoCause, "Invalid IOThread id value: '%d'", n)
	}
	return uint32(n), nil
}

func cmdIothreadadd(s *session, c *call) error {
	flags, _, err := modifyFlags(c)
	if err != nil {
		return err
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	id, err := iothreadID(c, "id")
	if err != nil {
		return err
	}
	return d.AddIOThread(s.ctx, id, flags)
}

func cmdIothreaddel(s *session, c *call) error {
	flags, _, err := modifyFlags(c)
	if err != nil {
		return err
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	id, err := iothreadID(c, "id")
	if err != nil {
		return err
	}
	return d.DelIOThread(s.ctx, id, flags)
}

func cmdIothreadpin(s *session, c *call) error {
	flags, _, err := modifyFlags(c)
	if err != nil {
		return err
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	id, err := iothreadID(c, "iothread")
	if err != nil {
		return err
	}
	list, _, err := c.str("cpulist")
	if err != nil {
		return err
	}
	max, err := s.nodeCPUCount()
	if err != nil {
		return err
	}
	cpumap, err := parseCPUList(list, max)
	if err != nil {
		return err
	}
	return d.PinIOThread(s.ctx, id, cpumap, flags)
}

func cmdIothreadset(s *session, c *call) error {
	flags, _, err := modifyFlags(c)
	if err != nil {
		return err
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	id, err := iothreadID(c, "id")
	if err != nil {
		return err
	}
	var params []virt.TypedParam
	if v, ok, err := c.uint64("poll-max-ns"); err != nil {
		return err
	} else if ok {
		params = append(params, virt.TypedParam{Field: "poll_max_ns", Value: v})
	}
	for _, p := range [][2]string{{"poll-grow", "poll_grow"}, {"poll-shrink", "poll_shrink"}} {
		if v, ok, err := c.uint(p[0]); err != nil {
			return err
		} else if ok {
			params = append(params, virt.TypedParam{Field: p[1], Value: uint32(v)})
		}
	}
	for _, p := range [][2]string{{"thread-pool-min", "thread_pool_min"}, {"thread-pool-max", "thread_pool_max"}} {
		if v, ok, err := c.int(p[0]); err != nil {
			return err
		} else if ok {
			params = append(params, virt.TypedParam{Field: p[1], Value: int32(v)})
		}
	}
	if len(params) == 0 {
		return fail(errNoCause, "Not enough arguments passed, nothing to set")
	}
	return d.SetIOThreadParams(s.ctx, id, params, flags)
}
