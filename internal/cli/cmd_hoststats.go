package cli

import (
	"errors"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/govirt/govirt/internal/xmldoc"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// hostCaps returns the connection's parsed capabilities.
func (s *session) hostCaps() (*virtxml.Capabilities, error) {
	doc, err := s.conn.Capabilities(s.ctx)
	if err != nil {
		return nil, fail(err, "unable to get node capabilities")
	}
	caps, err := virtxml.ParseCapabilities([]byte(doc))
	if err != nil {
		return nil, fail(errNoCause, "unable to get node capabilities")
	}
	return caps, nil
}

// cells returns the NUMA cells of caps.
func capsCells(caps *virtxml.Capabilities) []virtxml.CapsCell {
	if caps.Host.Topology == nil {
		return nil
	}
	return caps.Host.Topology.Cells
}

func cmdSysinfo(s *session, c *call) error {
	info, err := s.conn.Sysinfo(s.ctx, 0)
	if err != nil {
		return fail(err, "failed to get sysinfo")
	}
	s.print(info)
	return nil
}

func cmdFreecell(s *session, c *call) error {
	all, cellGiven := c.has("all"), c.has("cellno")
	if err := exclusiveVars("all", all, "cellno", cellGiven); err != nil {
		return err
	}
	cell, _, err := c.int("cellno")
	if err != nil {
		return err
	}
	switch {
	case all:
		caps, err := s.hostCaps()
		if err != nil {
			return err
		}
		cells := capsCells(caps)
		free := make([]uint64, len(cells))
		for i, cl := range cells {
			m, err := s.conn.NodeCellsFreeMemory(s.ctx, cl.ID, 1)
			if err != nil || len(m) != 1 {
				return fail(err, "failed to get free memory for NUMA node number: %d", cl.ID)
			}
			free[i] = m[0]
		}
		var total uint64
		for i, cl := range cells {
			s.printf("%5d: %10d KiB\n", cl.ID, free[i]/1024)
			total += free[i]
		}
		s.extraf("--------------------\n")
		s.extraf("%5s: %10d KiB\n", "Total", total/1024)
	case cellGiven:
		m, err := s.conn.NodeCellsFreeMemory(s.ctx, cell, 1)
		if err != nil {
			return err
		}
		if len(m) != 1 {
			return errReported
		}
		s.printf("%d: %d KiB\n", cell, m[0]/1024)
	default:
		m, err := s.conn.NodeFreeMemory(s.ctx)
		if err != nil {
			return err
		}
		if m == 0 {
			return errReported
		}
		s.printf("%s: %d KiB\n", "Total", m/1024)
	}
	return nil
}

// pageSizeKiB reads the scaled "pagesize" option (default KiB) in KiB,
// rounded up.
func pageSizeKiB(c *call) (uint32, bool, error) {
	b, ok, err := c.scaled("pagesize", 1024, math.MaxUint32)
	if err != nil || !ok {
		return 0, ok, err
	}
	return uint32((b + 1023) / 1024), true, nil
}

func cmdFreepages(s *session, c *call) error {
	all, cellGiven := c.has("all"), c.has("cellno")
	if err := exclusiveVars("all", all, "cellno", cellGiven); err != nil {
		return err
	}
	kib, sizeGiven, err := pageSizeKiB(c)
	if err != nil {
		return err
	}
	if !all {
		if !cellGiven {
			return fail(errNoCause, "missing cellno argument")
		}
		cell, _, err := c.int("cellno")
		if err != nil {
			return err
		}
		if cell < -1 {
			return fail(errNoCause, "cell number must be non-negative integer or -1")
		}
		if !sizeGiven {
			return fail(errNoCause, "missing pagesize argument")
		}
		counts, err := s.conn.NodeFreePages(s.ctx, []uint32{kib}, cell, 1, 0)
		if err != nil {
			return err
		}
		s.printf("%dKiB: %d\n", kib, int64(counts[0]))
		return nil
	}
	caps, err := s.hostCaps()
	if err != nil {
		return err
	}
	var sizes []uint32
	if sizeGiven {
		sizes = []uint32{kib}
	} else {
		for _, p := range caps.Host.CPU.Pages {
			sizes = append(sizes, uint32(p))
		}
		if len(sizes) == 0 {
			for _, cl := range capsCells(caps) {
				for _, p := range cl.Pages {
					sizes = append(sizes, uint32(p.SizeKiB))
				}
			}
		}
		if len(sizes) == 0 {
			return fail(errNoCause, "could not get information about supported page sizes")
		}
		sort.Slice(sizes, func(i, j int) bool { return sizes[i] < sizes[j] })
		uniq := sizes[:1]
		for _, v := range sizes[1:] {
			if v != uniq[len(uniq)-1] {
				uniq = append(uniq, v)
			}
		}
		sizes = uniq
	}
	for _, cl := range capsCells(caps) {
		counts, err := s.conn.NodeFreePages(s.ctx, sizes, cl.ID, 1, 0)
		if err != nil {
			return err
		}
		s.printf("Node %d:\n", cl.ID)
		for j, size := range sizes {
			s.printf("%dKiB: %d\n", size, int64(counts[j]))
		}
		s.print("\n")
	}
	return nil
}

func cmdAllocpages(s *session, c *call) error {
	all, cellGiven := c.has("all"), c.has("cellno")
	if err := exclusiveVars("all", all, "cellno", cellGiven); err != nil {
		return err
	}
	start := -1
	if cellGiven {
		n, _, err := c.int("cellno")
		if err != nil {
			return err
		}
		start = n
	}
	kib, _, err := pageSizeKiB(c)
	if err != nil {
		return err
	}
	count, _, err := c.uint64("pagecount")
	if err != nil {
		return err
	}
	var flags uint32 = 1 // VIR_NODE_ALLOC_PAGES_SET
	if c.has("add") {
		flags = 0 // VIR_NODE_ALLOC_PAGES_ADD
	}
	if !all {
		_, err := s.conn.NodeAllocPages(s.ctx, []uint32{kib}, []uint64{count}, start, 1, flags)
		return err
	}
	caps, err := s.hostCaps()
	if err != nil {
		return err
	}
	for _, cl := range capsCells(caps) {
		if _, err := s.conn.NodeAllocPages(s.ctx, []uint32{kib}, []uint64{count}, cl.ID, 1, flags); err != nil {
			return err
		}
	}
	return nil
}

func cmdMaxvcpus(s *session, c *call) error {
	typ, _, err := c.str("type")
	if err != nil {
		return err
	}
	n := -1
	if doc, err := s.conn.DomainCapabilities(s.ctx, "", "", "", typ, 0); err == nil {
		if root, err := xmldoc.Parse([]byte(doc)); err == nil {
			if v := root.Child("vcpu"); v != nil {
				if m, ok := v.Attr("max"); ok {
					if x, err := strconv.Atoi(m); err == nil {
						n = x
					}
				}
			}
		}
	}
	if n < 0 {
		if n, err = s.conn.MaxVcpus(s.ctx, typ); err != nil {
			return err
		}
	}
	s.printf("%d\n", n)
	return nil
}

// cpuStatNames maps libvirt's CPU statistic fields to virsh's labels, in
// virsh's order.
var cpuStatNames = []struct{ field, label string }{
	{"user", "user:"},
	{"kernel", "system:"},
	{"idle", "idle:"},
	{"iowait", "iowait:"},
	{"intr", "intr:"},
	{"utilization", "usage:"},
}

// formatPercent formats a percentage as C's "%5.1lf", which writes the
// NaN of 0/0 as "-nan".
func formatPercent(v float64) string {
	if math.IsNaN(v) {
		return " -nan"
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func cmdNodecpustats(s *session, c *call) error {
	cpu := virt.NodeCPUStatsAll
	if n, ok, err := c.int("cpu"); err != nil {
		return err
	} else if ok {
		cpu = n
	}
	percent := c.has("percent")
	if _, err := s.conn.NodeCPUStats(s.ctx, cpu, 0); err != nil {
		return fail(err, "Unable to get number of cpu stats")
	}
	var vals [6]uint64
	var present [6]bool
	for round := 0; round < 2; round++ {
		stats, err := s.conn.NodeCPUStats(s.ctx, cpu, 0)
		if err != nil {
			return fail(err, "Unable to get node cpu stats")
		}
		for _, st := range stats {
			for i, n := range cpuStatNames {
				if n.field != st.Field {
					continue
				}
				if round == 0 {
					vals[i], present[i] = st.Value, true
				} else if present[i] {
					vals[i] = st.Value - vals[i]
				}
			}
		}
		if present[5] || !percent {
			break
		}
		select {
		case <-time.After(time.Second):
		case <-s.ctx.Done():
			return s.ctx.Err()
		}
	}
	if !percent {
		for i := 0; i < 5; i++ {
			if present[i] {
				s.printf("%-15s %20d\n", cpuStatNames[i].label, vals[i])
			}
		}
		return nil
	}
	if present[5] {
		s.printf("%-15s %5d%%\n", "usage:", vals[5])
		s.printf("%-15s %5d%%\n", "idle:", 100-vals[5])
		return nil
	}
	var total float64
	for i := 0; i < 5; i++ {
		total += float64(vals[i])
	}
	usage := float64(vals[0]+vals[1]) / total * 100
	s.printf("%-15s %5s%%\n", "usage:", formatPercent(usage))
	for i := 0; i < 5; i++ {
		if present[i] {
			s.printf("%-15s %5s%%\n", cpuStatNames[i].label, formatPercent(float64(vals[i])/total*100))
		}
	}
	return nil
}

func cmdNodememstats(s *session, c *call) error {
	cell := virt.NodeMemoryStatsAll
	if n, ok, err := c.int("cell"); err != nil {
		return err
	} else if ok {
		cell = n
	}
	stats, err := s.conn.NodeMemoryStats(s.ctx, cell, 0)
	if err != nil {
		return fail(err, "Unable to get number of memory stats")
	}
	for _, st := range stats {
		s.printf("%-7s: %20d KiB\n", st.Field, st.Value)
	}
	return nil
}

func cmdNodeMemoryTune(s *session, c *call) error {
	var params []virt.TypedParam
	for _, p := range []struct{ opt, field string }{
		{"shm-pages-to-scan", "shm_pages_to_scan"},
		{"shm-sleep-millisecs", "shm_sleep_millisecs"},
		{"shm-merge-across-nodes", "shm_merge_across_nodes"},
	} {
		v, ok, err := c.uint(p.opt)
		if err != nil {
			return err
		}
		if ok {
			params = append(params, virt.TypedParam{Field: p.field, Value: uint32(v)})
		}
	}
	if len(params) > 0 {
		if err := s.conn.SetNodeMemoryParameters(s.ctx, params, 0); err != nil {
			return fail(err, "Unable to change memory parameters")
		}
		return nil
	}
	got, err := s.conn.NodeMemoryParameters(s.ctx, 0)
	if err != nil {
		return fail(err, "Unable to get number of memory parameters")
	}
	if len(got) == 0 {
		return nil
	}
	s.print("Shared memory:\n")
	for _, p := range got {
		s.printf("\t%-15s %s\n", p.Field, typedValue(p.Value))
	}
	return nil
}

func cmdCpuModels(s *session, c *call) error {
	arch, _, err := c.str("arch")
	if err != nil {
		return err
	}
	models, err := s.conn.CPUModelNames(s.ctx, arch, 0)
	if err != nil {
		return fail(err, "failed to get CPU model names")
	}
	if len(models) == 0 {
		s.extraf("%s\n", "all CPU models are accepted")
		return nil
	}
	for _, m := range models {
		s.printf("%s\n", m)
	}
	return nil
}

func cmdDomcapabilities(s *session, c *call) error {
	var vals [4]string
	for i, name := range []string{"virttype", "emulatorbin", "arch", "machine"} {
		v, _, err := c.str(name)
		if err != nil {
			return err
		}
		vals[i] = v
	}
	caps, err := s.conn.DomainCapabilities(s.ctx, vals[1], vals[2], vals[3], vals[0], 0)
	if err != nil {
		return fail(err, "failed to get emulator capabilities")
	}
	s.printf("%s\n", caps)
	return nil
}

func cmdPoolCapabilities(s *session, c *call) error {
	caps, err := s.conn.StoragePoolCapabilities(s.ctx, 0)
	if err != nil {
		return fail(err, "failed to get storage pool capabilities")
	}
	s.printf("%s\n", caps)
	return nil
}

func cmdNodesuspend(s *session, c *call) error {
	target, _, err := c.str("target")
	if err != nil {
		return err
	}
	duration, _, err := c.int64("duration")
	if err != nil {
		return err
	}
	t := map[string]uint32{"mem": 0, "disk": 1, "hybrid": 2}
	tv, ok := t[target]
	if !ok {
		return fail(errNoCause, "Invalid target")
	}
	if duration < 0 {
		return fail(errNoCause, "Invalid duration")
	}
	if err := s.conn.NodeSuspend(s.ctx, tv, uint64(duration), 0); err != nil {
		return fail(err, "The host was not suspended")
	}
	return nil
}

func cmdNodesevinfo(s *session, c *call) error {
	params, err := s.conn.SEVInfo(s.ctx, 0)
	if err != nil {
		return fail(err, "Unable to get host SEV information")
	}
	for _, p := range params {
		s.printf("%-18s: %s\n", p.Field, typedValue(p.Value))
	}
	return nil
}

// cpuDefs extracts the CPU descriptions of a file as virsh does: bare
// <cpu> elements, or the CPU of domain, capabilities or domain
// capabilities documents.
func (s *session) cpuDefs(path string) ([]string, error) {
	text, err := s.readFile(path)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(text, "<?xml") {
		if i := strings.Index(text, "?>"); i >= 0 {
			text = text[i+2:]
		}
	}
	root, err := xmldoc.Parse([]byte("<container>" + text + "</container>"))
	if err != nil {
		return nil, fail(errNoCause, "%s", err)
	}
	var out []string
	for _, n := range root.Children {
		switch n.Name {
		case "cpu":
			out = append(out, nodeXML(n))
		case "domain":
			if cpu := n.Child("cpu"); cpu != nil {
				out = append(out, nodeXML(cpu))
			}
		case "capabilities":
			if h := n.Child("host"); h != nil {
				if cpu := h.Child("cpu"); cpu != nil {
					out = append(out, nodeXML(cpu))
				}
			}
		case "domainCapabilities":
			if cpu := n.Child("cpu"); cpu != nil {
				for _, m := range cpu.Children {
					if v, _ := m.Attr("name"); m.Name == "mode" && v == "host-model" {
						if sup, _ := m.Attr("supported"); sup == "yes" {
							cp := *m
							cp.Name, cp.Attrs = "cpu", nil
							out = append(out, nodeXML(&cp))
						}
					}
				}
			}
		}
	}
	if len(out) == 0 {
		return nil, fail(errNoCause, "File '%s' does not contain any <cpu> element or valid domain XML, host capabilities XML, or domain capabilities XML", path)
	}
	return out, nil
}

// nodeXML writes a parsed element back as XML.
func nodeXML(n *xmldoc.Node) string {
	var e xmldoc.Encoder
	e.Raw(n)
	return e.String()
}

func cmdCpuBaseline(s *session, c *call) error {
	file, _, err := c.str("file")
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("features") {
		flags |= 1
	}
	if c.has("migratable") {
		flags |= 2
	}
	cpus, err := s.cpuDefs(file)
	if err != nil {
		return err
	}
	out, err := s.conn.BaselineCPU(s.ctx, cpus, flags)
	if err != nil {
		return err
	}
	s.print(out)
	return nil
}

func cmdCpuCompare(s *session, c *call) error {
	file, _, err := c.str("file")
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("error") {
		flags |= 1
	}
	if c.has("validate") {
		flags |= 2
	}
	cpus, err := s.cpuDefs(file)
	if err != nil {
		return err
	}
	res, err := s.conn.CompareCPU(s.ctx, cpus[0], flags)
	if err != nil {
		return fail(err, "Failed to compare host CPU with %s", file)
	}
	switch res {
	case 0:
		s.printf("CPU described in %s is incompatible with host CPU\n", file)
		return errReported
	case 1:
		s.printf("CPU described in %s is identical to host CPU\n", file)
	case 2:
		s.printf("Host CPU is a superset of CPU described in %s\n", file)
	default:
		return fail(errNoCause, "Failed to compare host CPU with %s", file)
	}
	return nil
}

// errHypervisorCPU is the no-support error of the hypervisor CPU APIs,
// which no govirt driver implements.
func errHypervisorCPU(api string) error {
	return virt.Errorf(virt.ErrNoSupport, virt.FromNone, "%s", api)
}

func cmdHypervisorCpuCompare(s *session, c *call) error {
	file, _, err := c.str("file")
	if err != nil {
		return err
	}
	for _, o := range []string{"virttype", "emulator", "arch", "machine"} {
		if _, _, err := c.str(o); err != nil {
			return err
		}
	}
	if _, err := s.cpuDefs(file); err != nil {
		return err
	}
	return fail(errHypervisorCPU("virConnectCompareHypervisorCPU"), "Failed to compare hypervisor CPU with %s", file)
}

func cmdHypervisorCpuBaseline(s *session, c *call) error {
	file, _, err := c.str("file")
	if err != nil {
		return err
	}
	for _, o := range []string{"virttype", "emulator", "arch", "machine"} {
		if _, _, err := c.str(o); err != nil {
			return err
		}
	}
	if _, err := s.cpuDefs(file); err != nil {
		return err
	}
	return errHypervisorCPU("virConnectBaselineHypervisorCPU")
}

// isNoSupport reports whether err is libvirt's "not supported" error.
func isNoSupport(err error) bool { return errors.Is(err, virt.ErrNoSupport) }
