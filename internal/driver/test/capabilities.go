package test

import (
	"strconv"
	"strings"
)

// pageSizes are the page sizes (KiB) the test host reports.
var pageSizes = []int{4, 8, 2048, 1048576}

// capabilities writes the node's capabilities document as libvirt's test
// driver does: an i686 host with the node's NUMA cells, the test security
// model, and hvm and xen guests of type 'test'.
func (n *node) capabilities() string {
	var b strings.Builder
	b.WriteString("<capabilities>\n\n  <host>\n    <cpu>\n      <arch>i686</arch>\n")
	b.WriteString("      <features>\n        <pae/>\n        <nonpae/>\n      </features>\n")
	for _, p := range pageSizes {
		b.WriteString("      <pages unit='KiB' size='" + strconv.Itoa(p) + "'/>\n")
	}
	b.WriteString("    </cpu>\n    <power_management/>\n    <iommu support='no'/>\n")
	b.WriteString("    <topology>\n      <cells num='" + strconv.Itoa(len(n.cells)) + "'>\n")
	cpu := 0
	for i, c := range n.cells {
		b.WriteString("        <cell id='" + strconv.Itoa(i) + "'>\n")
		b.WriteString("          <memory unit='KiB'>" + strconv.FormatUint(c.memKiB, 10) + "</memory>\n")
		// The second cell's smallest pages are 8 KiB, the others' 4 KiB.
		first := pageSizes[0]
		if i == 1 {
			first = pageSizes[1]
		}
		b.WriteString("          <pages unit='KiB' size='" + strconv.Itoa(first) + "'>" +
			strconv.FormatUint(c.memKiB/uint64(first), 10) + "</pages>\n")
		for _, p := range pageSizes[2:] {
			b.WriteString("          <pages unit='KiB' size='" + strconv.Itoa(p) + "'>0</pages>\n")
		}
		b.WriteString("          <cpus num='" + strconv.Itoa(c.cpus) + "'>\n")
		for j := 0; j < c.cpus; j++ {
			id := strconv.Itoa(cpu)
			b.WriteString("            <cpu id='" + id + "' socket_id='" + strconv.Itoa(i) +
				"' die_id='0' core_id='" + strconv.Itoa(j) + "' siblings='" + id + "'/>\n")
			cpu++
		}
		b.WriteString("          </cpus>\n        </cell>\n")
	}
	b.WriteString("      </cells>\n    </topology>\n")
	b.WriteString("    <secmodel>\n      <model>testSecurity</model>\n      <doi></doi>\n    </secmodel>\n  </host>\n\n")
	for _, os := range []string{"hvm", "xen"} {
		b.WriteString("  <guest>\n    <os_type>" + os + "</os_type>\n    <arch name='i686'>\n")
		b.WriteString("      <wordsize>32</wordsize>\n      <emulator>/usr/bin/test-hv</emulator>\n")
		b.WriteString("      <domain type='test'/>\n    </arch>\n")
		b.WriteString("    <features>\n      <pae/>\n      <nonpae/>\n    </features>\n  </guest>\n\n")
	}
	b.WriteString("</capabilities>\n")
	return b.String()
}
