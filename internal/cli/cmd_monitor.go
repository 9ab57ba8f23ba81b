package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/govirt/govirt/virt"
)

// memStatNames are the labels dommemstat prints, in its order.
var memStatNames = []struct {
	tag   int32
	label string
}{
	{virt.MemStatSwapIn, "swap_in"},
	{virt.MemStatSwapOut, "swap_out"},
	{virt.MemStatMajorFault, "major_fault"},
	{virt.MemStatMinorFault, "minor_fault"},
	{virt.MemStatUnused, "unused"},
	{virt.MemStatAvailable, "available"},
	{virt.MemStatUsable, "usable"},
	{virt.MemStatActualBalloon, "actual"},
	{virt.MemStatRSS, "rss"},
	{virt.MemStatLastUpdate, "last_update"},
	{virt.MemStatDiskCaches, "disk_caches"},
	{virt.MemStatHugetlbPgalloc, "hugetlb_pgalloc"},
	{virt.MemStatHugetlbPgfail, "hugetlb_pgfail"},
}

func cmdDommemstat(s *session, c *call) error {
	flags, given, err := modifyFlags(c)
	if err != nil {
		return err
	}
	d, name, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	if !given {
		if active, _ := d.IsActive(s.ctx); active {
			flags |= virt.AffectLive
		}
	}
	period, hasPeriod, err := c.int("period")
	if err != nil {
		return err
	}
	if hasPeriod {
		if period < 0 {
			return fail(errNoCause, "Invalid collection period value '%d'", period)
		}
		if err := d.SetMemoryStatsPeriod(s.ctx, period, flags); err != nil {
			return fail(err, "Unable to change balloon collection period.")
		}
		return nil
	}
	stats, err := d.MemoryStats(s.ctx, 0)
	if err != nil {
		return fail(err, "Failed to get memory statistics for domain %s", name)
	}
	for _, st := range stats {
		for _, n := range memStatNames {
			if n.tag == st.Tag {
				s.printf("%s %d\n", n.label, st.Val)
			}
		}
	}
	return nil
}

func cmdDomblkstat(s *session, c *call) error {
	d, name, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	dev, _, err := c.str("device")
	if err != nil {
		return err
	}
	human := c.has("human")
	st, err := d.BlockStats(s.ctx, dev)
	if err != nil {
		return fail(err, "Failed to get block stats %s %s", name, dev)
	}
	prefix := dev
	if human {
		s.printf("Device: %s\n", dev)
		prefix = ""
	}
	for _, f := range []struct {
		legacy, human string
		v             int64
	}{
		{"rd_req", "number of read operations:", st.RdReq},
		{"rd_bytes", "number of bytes read:", st.RdBytes},
		{"wr_req", "number of write operations:", st.WrReq},
		{"wr_bytes", "number of bytes written:", st.WrBytes},
		{"errs", "error count:", st.Errs},
	} {
		if f.v < 0 {
			continue
		}
		if human {
			s.printf("%s %-31s %d\n", prefix, f.human, f.v)
		} else {
			s.printf("%s %s %d\n", prefix, f.legacy, f.v)
		}
	}
	return nil
}

func cmdDomifstat(s *session, c *call) error {
	d, name, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	dev, _, err := c.str("interface")
	if err != nil {
		return err
	}
	st, err := d.InterfaceStats(s.ctx, dev)
	if err != nil {
		return fail(err, "Failed to get interface stats %s %s", name, dev)
	}
	for _, f := range []struct {
		name string
		v    int64
	}{
		{"rx_bytes", st.RxBytes}, {"rx_packets", st.RxPackets}, {"rx_errs", st.RxErrs}, {"rx_drop", st.RxDrop},
		{"tx_bytes", st.TxBytes}, {"tx_packets", st.TxPackets}, {"tx_errs", st.TxErrs}, {"tx_drop", st.TxDrop},
	} {
		if f.v >= 0 {
			s.printf("%s %s %d\n", dev, f.name, f.v)
		}
	}
	return nil
}

// blockInfoCells formats the sizes of a disk as domblkinfo does.
func blockInfoCells(bi virt.BlockInfo, human bool) [3]string {
	if bi.Capacity == 0 && bi.Allocation == 0 && bi.Physical == 0 {
		return [3]string{"-", "-", "-"}
	}
	var out [3]string
	for i, v := range []uint64{bi.Capacity, bi.Allocation, bi.Physical} {
		if human {
			f, u := prettyCapacity(v)
			out[i] = fmt.Sprintf("%.3f %s", f, u)
		} else {
			out[i] = fmt.Sprint(v)
		}
	}
	return out
}

func cmdDomblkinfo(s *session, c *call) error {
	if err := c.exclusive("all", "device"); err != nil {
		return err
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	all, human := c.has("all"), c.has("human")
	dev, _ := c.find("device")
	if !all && (dev == nil || dev.data == "") {
		return fail(errNoCause, "command 'domblkinfo' requires <device> option")
	}
	if !all {
		bi, err := d.BlockInfo(s.ctx, dev.data, 0)
		if err != nil {
			return err
		}
		cells := blockInfoCells(bi, human)
		s.printf("%-15s %s\n", "Capacity:", cells[0])
		s.printf("%-15s %s\n", "Allocation:", cells[1])
		s.printf("%-15s %s\n", "Physical:", cells[2])
		return nil
	}
	root, err := s.domainXMLTree(d, 0)
	if err != nil {
		return err
	}
	t := newTable("Target", "Capacity", "Allocation", "Physical")
	for _, disk := range devices(root, "disk") {
		target, _ := childAttr(disk, "target", "dev")
		var bi virt.BlockInfo
		if disk.Child("source") != nil {
			if bi, err = d.BlockInfo(s.ctx, target, 0); err != nil {
				return err
			}
		}
		cells := blockInfoCells(bi, human)
		t.add(target, cells[0], cells[1], cells[2])
	}
	s.printTable(t)
	return nil
}

// diskErrorNames are virsh's words for disk error states.
var diskErrorNames = []string{"no error", "unspecified error", "no space"}

func cmdDomblkerror(s *session, c *call) error {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	errs, err := d.DiskErrors(s.ctx, 0)
	if err != nil {
		return err
	}
	if len(errs) == 0 {
		s.print("No errors found\n")
		return nil
	}
	for _, e := range errs {
		name := "unknown error"
		if e.Error >= 0 && int(e.Error) < len(diskErrorNames) {
			name = diskErrorNames[e.Error]
		}
		s.printf("%s: %s\n", e.Disk, name)
	}
	return nil
}

func cmdDomcontrol(s *session, c *call) error {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	ci, err := d.ControlInfo(s.ctx, 0)
	if err != nil {
		return err
	}
	states := []string{"ok", "background job", "occupied", "error"}
	state := "unknown"
	if ci.State >= 0 && int(ci.State) < len(states) {
		state = states[ci.State]
	}
	switch {
	case ci.State != 0 && ci.State != 3:
		s.printf("%s (%0.3fs)\n", state, float64(ci.StateTime)/1000)
	case ci.State == 3 && ci.Details > 0:
		reasons := []string{"", "unknown", "monitor failure", "internal (locking) error"}
		reason := "unknown"
		if int(ci.Details) < len(reasons) {
			reason = reasons[ci.Details]
		}
		s.printf("%s: %s\n", state, reason)
	default:
		s.printf("%s\n", state)
	}
	return nil
}

func cmdDomfsinfo(s *session, c *call) error {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	infos, err := d.FSInfo(s.ctx, 0)
	if err != nil {
		return fail(err, "Unable to get filesystem information")
	}
	if len(infos) == 0 {
		s.extraf("%s\n", "No filesystems are mounted in the domain")
		return nil
	}
	t := newTable("Mountpoint", "Name", "Type", "Target")
	for _, fi := range infos {
		t.add(fi.Mountpoint, fi.Name, fi.Type, strings.Join(fi.DevAlias, ","))
	}
	s.printTable(t)
	return nil
}

func cmdDomhostname(s *session, c *call) error {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	src, hasSrc, err := c.str("source")
	if err != nil {
		return err
	}
	var flags uint32
	if hasSrc {
		switch src {
		case "agent":
			flags = 2
		case "lease":
			flags = 1
		default:
			return fail(errNoCause, "Unknown data source '%s'", src)
		}
	}
	h, err := d.Hostname(s.ctx, flags)
	if err != nil {
		return fail(err, "failed to get hostname")
	}
	s.printf("%s\n", h)
	return nil
}

func cmdDomtime(s *session, c *call) error {
	now, pretty, sync := c.has("now"), c.has("pretty"), c.has("sync")
	for _, p := range [][2]string{{"time", "now"}, {"time", "sync"}, {"now", "sync"}} {
		if err := c.exclusive(p[0], p[1]); err != nil {
			return err
		}
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	secs, doSet, err := c.int64("time")
	if err != nil {
		return err
	}
	if doSet || now || sync {
		var flags uint32
		if now {
			secs = time.Now().Unix()
		}
		if sync {
			flags |= virt.TimeSync
		}
		return d.SetTime(s.ctx, secs, 0, flags)
	}
	secs, _, err = d.Time(s.ctx, 0)
	if err != nil {
		return err
	}
	if pretty {
		s.printf("Time: %s", time.Unix(secs, 0).UTC().Format("2006-01-02 15:04:05"))
	} else {
		s.printf("Time: %d", secs)
	}
	return nil
}

func cmdDomifaddr(s *session, c *call) error {
	iface, _, err := c.str("interface")
	if err != nil {
		return err
	}
	srcName, hasSrc, err := c.str("source")
	if err != nil {
		return err
	}
	var source uint32
	if hasSrc {
		i := indexOf([]string{"lease", "agent", "arp"}, srcName)
		if i < 0 {
			return fail(errNoCause, "Unknown data source '%s'", srcName)
		}
		source = uint32(i)
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	ifaces, err := d.InterfaceAddresses(s.ctx, source, 0)
	if err != nil {
		return fail(err, "Failed to query for interfaces addresses")
	}
	full := c.has("full")
	s.extraf(" %-10s %-20s %-8s     %s\n%s%s\n", "Name", "MAC address", "Protocol", "Address",
		"-------------------------------------------------", "------------------------------")
	for _, di := range ifaces {
		if iface != "" && iface != di.Name {
			continue
		}
		if len(di.Addrs) == 0 {
			hw := di.HWAddr
			if hw == "" {
				hw = "N/A"
			}
			s.printf(" %-10s %-17s    %-12s %s\n", di.Name, hw, "N/A", "N/A")
			continue
		}
		for j, a := range di.Addrs {
			typ := "ipv4"
			if a.Type == 1 {
				typ = "ipv6"
			}
			addr := fmt.Sprintf("%-12s %s/%d", typ, a.Addr, a.Prefix)
			if full || j == 0 {
				s.printf(" %-10s %-17s    %s\n", di.Name, di.HWAddr, addr)
			} else {
				s.printf(" %-10s %-17s    %s\n", "-", "-", addr)
			}
		}
	}
	return nil
}

// indexOf returns the index of v in list, or -1.
func indexOf(list []string, v string) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return -1
}

// printCPUStat prints one CPU statistic as cpu-stats does: times in
// seconds.
func (s *session) printCPUStat(p virt.TypedParam) {
	s.printf("\t%-12s ", p.Field)
	if ns, ok := p.Value.(uint64); ok {
		switch p.Field {
		case "cpu_time", "vcpu_time", "user_time", "system_time":
			s.printf("%9d.%09d seconds\n", ns/1000000000, ns%1000000000)
			return
		}
	}
	s.printf("%s\n", typedValue(p.Value))
}

func cmdCpuStats(s *session, c *call) error {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	total := c.has("total")
	perCPU := false
	start, hasStart, err := c.int("start")
	if err != nil {
		return err
	}
	if hasStart {
		if start < 0 {
			return fail(errNoCause, "Invalid value for start CPU")
		}
		perCPU = true
	}
	count, hasCount, err := c.int("count")
	if err != nil {
		return err
	}
	if !hasCount {
		count = -1
	} else {
		if count < 0 {
			return fail(errNoCause, "Invalid value for number of CPUs to show")
		}
		perCPU = true
	}
	if !total && !perCPU {
		total, perCPU = true, true
	}
	failed := func(err error) error {
		return fail(err, "Failed to retrieve CPU statistics for domain '%s'", d.Name())
	}
	if perCPU {
		max, err := d.CPUCount(s.ctx)
		if err != nil {
			return failed(err)
		}
		if start >= max {
			return fail(errNoCause, "Start CPU %d is out of range (min: 0, max: %d)", start, max-1)
		}
		if count < 0 || count > max {
			if count > max {
				s.printf("Only %d CPUs available to show\n", max)
			}
			count = max - start
		}
		for count > 0 {
			n := min(count, 128)
			rows, err := d.CPUStats(s.ctx, start, n, 0)
			if err != nil {
				return failed(err)
			}
			for i, row := range rows {
				if len(row) == 0 {
					continue
				}
				s.printf("CPU%d:\n", start+i)
				for _, p := range row {
					s.printCPUStat(p)
				}
			}
			start += n
			count -= n
		}
		if !total {
			return nil
		}
	}
	rows, err := d.CPUStats(s.ctx, -1, 1, 0)
	if err != nil {
		return failed(err)
	}
	if len(rows) == 0 || len(rows[0]) == 0 {
		s.print("No total stats available")
		return errReported
	}
	s.print("Total:\n")
	for _, p := range rows[0] {
		s.printCPUStat(p)
	}
	return nil
}

// domstatsGroups are domstats' group options and their stat bits.
var domstatsGroups = []struct {
	opt string
	bit uint32
}{
	{"state", 1}, {"cpu-total", 2}, {"balloon", 4}, {"vcpu", 8}, {"interface", 16}, {"block", 32},
	{"perf", 64}, {"iothread", 128}, {"memory", 256}, {"dirtyrate", 512}, {"vm", 1024},
}

// domstatsFilters are domstats' list options and their flag bits.
var domstatsFilters = []struct {
	opt string
	bit uint32
}{
	{"list-active", 1}, {"list-inactive", 2}, {"list-persistent", 4}, {"list-transient", 8},
	{"list-running", 16}, {"list-paused", 32}, {"list-shutoff", 64}, {"list-other", 128},
	{"nowait", 1 << 29}, {"backing", 1 << 30}, {"enforce", 1 << 31},
}

func cmdDomstats(s *session, c *call) error {
	var stats, flags uint32
	for _, g := range domstatsGroups {
		if c.has(g.opt) {
			stats |= g.bit
		}
	}
	for _, f := range domstatsFilters {
		if c.has(f.opt) {
			flags |= f.bit
		}
	}
	var recs []virt.DomainStatsRecord
	if names := c.argv("domain"); len(names) > 0 {
		var doms []*virt.Domain
		for _, n := range names {
			d, err := s.lookupDomainBy(n, byAny)
			if err != nil {
				return err
			}
			doms = append(doms, d)
		}
		var err error
		if recs, err = s.conn.DomainListStats(s.ctx, doms, stats, flags); err != nil {
			return err
		}
	} else {
		var err error
		if recs, err = s.conn.DomainStats(s.ctx, stats, flags); err != nil {
			return err
		}
	}
	for i, r := range recs {
		s.printf("Domain: '%s'\n", r.Domain.Name)
		for _, p := range r.Params {
			s.printf("  %s=%s\n", p.Field, typedValue(p.Value))
		}
		if i+1 < len(recs) {
			s.print("\n")
		}
	}
	return nil
}

func cmdDomjobinfo(s *session, c *call) error {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("completed") {
		flags |= 1
	}
	if c.has("keep-completed") {
		flags |= 2
	}
	_, params, err := d.JobStats(s.ctx, flags)
	if err != nil {
		if !isNoSupport(err) {
			return err
		}
		if flags != 0 || c.has("rawstats") {
			s.errorf("Optional flags or --rawstats are not supported by the daemon")
			return err
		}
		if params, err = d.JobInfo(s.ctx); err != nil {
			return err
		}
	}
	for _, p := range params {
		s.printf("%-17s %s\n", p.Field+":", typedValue(p.Value))
	}
	return nil
}

func cmdDomjobabort(s *session, c *call) error {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("postcopy") {
		flags |= 1
	}
	return d.AbortJob(s.ctx, flags)
}

func cmdDomlaunchsecinfo(s *session, c *call) error {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	params, err := d.Params(s.ctx, virt.ParamsLaunchSecurity, "", virt.TypedParamStringOkay)
	if err != nil {
		return fail(err, "Unable to get launch security parameters")
	}
	for _, p := range params {
		s.printf("%-15s: %s\n", p.Field, typedValue(p.Value))
	}
	return nil
}

func cmdDomsetlaunchsecstate(s *session, c *call) error {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	hdrFile, _, err := c.str("secrethdr")
	if err != nil {
		return err
	}
	secFile, _, err := c.str("secret")
	if err != nil {
		return err
	}
	hdr, err := s.readFile(hdrFile)
	if err != nil {
		return err
	}
	sec, err := s.readFile(secFile)
	if err != nil {
		return err
	}
	params := []virt.TypedParam{
		{Field: "sev-secret-header", Value: strings.TrimSpace(hdr)},
		{Field: "sev-secret", Value: strings.TrimSpace(sec)},
	}
	if addr, ok, err := c.uint64("set-address"); err != nil {
		return err
	} else if ok {
		params = append(params, virt.TypedParam{Field: "sev-secret-set-address", Value: addr})
	}
	if err := d.SetParams(s.ctx, virt.ParamsLaunchSecurity, "", params, 0); err != nil {
		return fail(err, "Unable to set launch security state")
	}
	return nil
}

func cmdGuestinfo(s *session, c *call) error {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	var types uint32
	for i, o := range []string{"user", "os", "timezone", "hostname", "filesystem", "disk", "interface"} {
		if c.has(o) {
			types |= 1 << i
		}
	}
	params, err := d.GuestInfo(s.ctx, types, 0)
	if err != nil {
		return err
	}
	for _, p := range params {
		s.printf("%-20s: %s\n", p.Field, typedValue(p.Value))
	}
	return nil
}

func cmdGuestvcpus(s *session, c *call) error {
	enable, disable := c.has("enable"), c.has("disable")
	if err := exclusiveVars("enable", enable, "disable", disable); err != nil {
		return err
	}
	cpulist, hasList, err := c.str("cpulist")
	if err != nil {
		return err
	}
	if (enable || disable) && !hasList {
		return fail(errNoCause, "Option --cpulist is required by option --enable")
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	if enable || disable {
		return d.SetGuestVcpus(s.ctx, cpulist, enable, 0)
	}
	params, err := d.GuestVcpus(s.ctx, 0)
	if err != nil {
		return err
	}
	for _, p := range params {
		s.printf("%-15s: %s\n", p.Field, typedValue(p.Value))
	}
	return nil
}

func cmdSetvcpu(s *session, c *call) error {
	enable, disable := c.has("enable"), c.has("disable")
	if err := exclusiveVars("enable", enable, "disable", disable); err != nil {
		return err
	}
	flags, _, err := modifyFlags(c)
	if err != nil {
		return err
	}
	if !enable && !disable {
		return fail(errNoCause, "one of --enable, --disable is required")
	}
	list, _, err := c.str("vcpulist")
	if err != nil {
		return err
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	return d.SetVcpu(s.ctx, list, enable, flags)
}

func cmdGuestAgentTimeout(s *session, c *call) error {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	timeout, ok, err := c.int("timeout")
	if err != nil {
		return err
	}
	if !ok {
		timeout = -1
	}
	return d.SetAgentTimeout(s.ctx, timeout, 0)
}

func cmdGetUserSshkeys(s *session, c *call) error {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	user, _, err := c.str("user")
	if err != nil {
		return err
	}
	keys, err := d.SSHKeys(s.ctx, user, 0)
	if err != nil {
		return err
	}
	for _, k := range keys {
		s.printf("%s\n", k)
	}
	return nil
}

func cmdSetUserSshkeys(s *session, c *call) error {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	user, _, err := c.str("user")
	if err != nil {
		return err
	}
	file, hasFile, err := c.str("file")
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("reset") {
		flags |= 2
	}
	if c.has("remove") {
		flags |= 1
		if !hasFile {
			return fail(errNoCause, "Option --file is required by option --remove")
		}
	}
	var keys []string
	if hasFile {
		text, err := s.readFile(file)
		if err != nil {
			return err
		}
		for _, l := range strings.Split(text, "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				keys = append(keys, l)
			}
		}
		if len(keys) == 0 {
			return fail(errNoCause, "File %s contains no keys", file)
		}
	} else if flags&2 == 0 {
		return fail(errNoCause, "Option --file is required unless --reset is given")
	}
	return d.SetSSHKeys(s.ctx, user, keys, flags)
}

func cmdDomdirtyrateCalc(s *session, c *call) error {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	secs, ok, err := c.int("seconds")
	if err != nil {
		return err
	}
	if !ok {
		secs = 1
	}
	var flags uint32
	if mode, ok, err := c.str("mode"); err != nil {
		return err
	} else if ok {
		switch mode {
		case "page-sampling":
		case "dirty-bitmap":
			flags = 1
		case "dirty-ring":
			flags = 2
		default:
			return fail(errNoCause, "Unknown calculation mode '%s'", mode)
		}
	}
	if err := d.StartDirtyRateCalc(s.ctx, secs, flags); err != nil {
		return err
	}
	s.printf("Start to calculate domain's memory dirty rate successfully.\n")
	return nil
}

func cmdDomfsfreeze(s *session, c *call) error {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	n, err := d.FSFreeze(s.ctx, c.argv("mountpoint"), 0)
	if err != nil {
		return fail(err, "Unable to freeze filesystems")
	}
	s.printf("Froze %d filesystem(s)\n", n)
	return nil
}

func cmdDomfsthaw(s *session, c *call) error {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	n, err := d.FSThaw(s.ctx, c.argv("mountpoint"), 0)
	if err != nil {
		return fail(err, "Unable to thaw filesystems")
	}
	s.printf("Thawed %d filesystem(s)\n", n)
	return nil
}

func cmdDomfstrim(s *session, c *call) error {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	minimum, _, err := c.uint64("minimum")
	if err != nil {
		return err
	}
	mount, _, err := c.str("mountpoint")
	if err != nil {
		return err
	}
	if err := d.FSTrim(s.ctx, mount, minimum, 0); err != nil {
		return fail(err, "Unable to invoke fstrim")
	}
	return nil
}

func cmdSetUserPassword(s *session, c *call) error {
	d, name, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	user, _, err := c.str("user")
	if err != nil {
		return err
	}
	pw, _, err := c.str("password")
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("encrypted") {
		flags = 1
	}
	if err := d.SetUserPassword(s.ctx, user, pw, flags); err != nil {
		return err
	}
	s.extraf("Password set successfully for %s in %s", user, name)
	return nil
}

// errAs reports whether err carries libvirt error code kind.
func errAs(err error, kind *virt.Error) bool { return errors.Is(err, kind) }
