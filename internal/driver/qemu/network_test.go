package qemu_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/govirt/govirt/internal/cli"
	"github.com/govirt/govirt/internal/drivers"
	"github.com/govirt/govirt/internal/network"
	"github.com/govirt/govirt/internal/network/netnstest"
	"github.com/govirt/govirt/internal/testguest"
)

// needGuest returns the test guest, or skips (fails under
// GOVIRT_REQUIRE_QEMU=1) when it or QEMU is missing.
func needGuest(t *testing.T) *testguest.Guest {
	t.Helper()
	fail := t.Skip
	if os.Getenv("GOVIRT_REQUIRE_QEMU") == "1" {
		fail = t.Fatal
	}
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		fail(err)
	}
	g, err := testguest.Ensure(context.Background())
	if err != nil {
		fail(err)
	}
	return g
}

// cliRoot puts the QEMU driver's state for the CLI under a fresh root.
func cliRoot(t *testing.T) (string, func(args ...string) (string, int)) {
	t.Helper()
	root, err := os.MkdirTemp("", "gvn")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	t.Setenv("GOVIRT_ROOT", root)
	drivers.RegisterDefaults()
	return root, func(args ...string) (string, int) {
		var out syncBuffer
		code := cli.Main(append([]string{"-c", "qemu:///system"}, args...), nil, &out, &out)
		return out.String(), code
	}
}

// waitFile waits until the file's content matches re and returns the
// submatches.
func waitFile(t *testing.T, path, re string, timeout time.Duration) []string {
	t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(timeout)
	for {
		b, _ := os.ReadFile(path)
		if m := rx.FindStringSubmatch(string(b)); m != nil {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no %q within %v:\n%s", path, re, timeout, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

const natNetXML = `<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>
  <name>natnet</name>
  <forward mode='nat'/>
  <ip address='192.168.123.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.123.100' end='192.168.123.100'/>
      <host mac='52:54:00:00:00:0a' name='guesta' ip='192.168.123.10'/>
    </dhcp>
  </ip>
  <dnsmasq:options>
    <dnsmasq:option value='no-resolv'/>
  </dnsmasq:options>
</network>
`

// netGuestXML is the test guest on network net with MAC mac.
func netGuestXML(g *testguest.Guest, name, mac, serial, cmdline string) string {
	return fmt.Sprintf(`<domain type='qemu'><name>%s</name><memory unit='MiB'>160</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel><initrd>%s</initrd><cmdline>%s %s</cmdline></os>
<features><acpi/></features><devices>
<interface type='network'><mac address='%s'/><source network='natnet'/><model type='virtio'/></interface>
<serial type='file'><source path='%s'/></serial><console type='file'><source path='%s'/><target type='serial'/></console>
</devices></domain>`, name, g.Kernel, g.Initrd, g.Cmdline, cmdline, mac, serial, serial)
}

// leasePairs picks "MAC ADDRESS/PREFIX" pairs out of a table.
func leasePairs(out string) []string {
	rx := regexp.MustCompile(`(52:54:00:[0-9a-f:]{8})[ \t].*?(\d+\.\d+\.\d+\.\d+/\d+)`)
	var pairs []string
	for _, line := range strings.Split(out, "\n") {
		if m := rx.FindStringSubmatch(line); m != nil {
			pairs = append(pairs, m[1]+" "+m[2])
		}
	}
	sort.Strings(pairs)
	return pairs
}

// TestNATNetworkTwoGuests runs, inside a network namespace of its own, a
// NAT network with two real guests through the CLI (each command a
// connection of its own, so the network is re-adopted every time): each
// guest gets its DHCP lease (one static host, one from the range) and
// pings the other, as their serial consoles show; net-dhcp-leases and
// domifaddr report the same addresses; and net-destroy removes the
// bridge, the taps, dnsmasq and the firewall chains.
func TestNATNetworkTwoGuests(t *testing.T) {
	if !netnstest.Enter(t, "dnsmasq", "nft") {
		return
	}
	g := needGuest(t)
	root, govirt := cliRoot(t)
	ctx := context.Background()
	must := func(want string, args ...string) string {
		t.Helper()
		out, code := govirt(args...)
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("govirt %s: exit %d, output:\n%s\nwant %q", strings.Join(args, " "), code, out, want)
		}
		return out
	}
	netFile := filepath.Join(root, "natnet.xml")
	os.WriteFile(netFile, []byte(natNetXML), 0o644)
	must("Network natnet defined from "+netFile, "net-define", netFile)
	must("Network natnet started", "net-start", "natnet")
	t.Cleanup(func() { govirt("net-destroy", "natnet") })
	xml := must("<bridge name='virbr0' stp='on' delay='0'/>", "net-dumpxml", "natnet")
	if !regexp.MustCompile(`<mac address='52:54:00:[0-9a-f:]{8}'/>`).MatchString(xml) {
		t.Errorf("net-dumpxml: no MAC address assigned:\n%s", xml)
	}
	serialA, serialB := filepath.Join(root, "a.serial"), filepath.Join(root, "b.serial")
	guests := []struct{ name, mac, serial, cmdline string }{
		{"guesta", "52:54:00:00:00:0a", serialA, "govirt.dhcp=1 govirt.hostname=guesta govirt.ping=192.168.123.100"},
		{"guestb", "52:54:00:00:00:0b", serialB, "govirt.dhcp=1 govirt.hostname=guestb govirt.ping=192.168.123.10"},
	}
	for _, gu := range guests {
		f := filepath.Join(root, gu.name+".xml")
		os.WriteFile(f, []byte(netGuestXML(g, gu.name, gu.mac, gu.serial, gu.cmdline)), 0o644)
		must("Domain '"+gu.name+"' defined", "define", f)
		must("Domain '"+gu.name+"' started", "start", gu.name)
		name := gu.name
		t.Cleanup(func() { govirt("destroy", name) })
	}
	waitFile(t, serialA, `govirt-guest: lease eth0 192\.168\.123\.10/255\.255\.255\.0 router=192\.168\.123\.1`, 2*time.Minute)
	waitFile(t, serialB, `govirt-guest: lease eth0 192\.168\.123\.100/255\.255\.255\.0 router=192\.168\.123\.1`, 2*time.Minute)
	waitFile(t, serialA, `govirt-guest: ping 192\.168\.123\.100 ok`, 2*time.Minute)
	waitFile(t, serialB, `govirt-guest: ping 192\.168\.123\.10 ok`, 2*time.Minute)

	leases := must("192.168.123.10/24", "net-dhcp-leases", "natnet")
	if !strings.Contains(leases, "guesta") || !strings.Contains(leases, "guestb") {
		t.Errorf("net-dhcp-leases: host names missing:\n%s", leases)
	}
	var ifaddrs string
	for _, gu := range guests {
		ifaddrs += must(gu.mac, "domifaddr", gu.name)
	}
	want := []string{"52:54:00:00:00:0a 192.168.123.10/24", "52:54:00:00:00:0b 192.168.123.100/24"}
	if got := leasePairs(leases); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("net-dhcp-leases: got %v, want %v\n%s", got, want, leases)
	}
	if got := leasePairs(ifaddrs); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("domifaddr: got %v, want %v\n%s", got, want, ifaddrs)
	}
	if !strings.Contains(ifaddrs, "vnet") {
		t.Errorf("domifaddr names no tap device:\n%s", ifaddrs)
	}
	must("connections='2'", "net-dumpxml", "natnet")
	must("<target dev='vnet", "dumpxml", "guesta")

	// What the network created, to be checked gone afterwards.
	conf := filepath.Join(root, "var/lib/govirt/qemu/dnsmasq/natnet.conf")
	dnsmasq := findDnsmasq(conf)
	if dnsmasq == 0 {
		t.Fatalf("no dnsmasq runs with %s", conf)
	}
	if chains, _ := network.FirewallChains(ctx); strings.Join(chains, " ") != "FWD_virbr0 NAT_virbr0" {
		t.Errorf("firewall chains: got %v", chains)
	}
	for _, gu := range guests {
		must("Domain '"+gu.name+"' destroyed", "destroy", gu.name)
	}
	must("Network natnet destroyed", "net-destroy", "natnet")
	links, _ := exec.Command("ip", "-o", "link").Output()
	if strings.Contains(string(links), "virbr0") || strings.Contains(string(links), "vnet") {
		t.Errorf("links left after net-destroy:\n%s", links)
	}
	if pid := findDnsmasq(conf); pid != 0 {
		t.Errorf("dnsmasq %d left after net-destroy", pid)
	}
	if rules, _ := exec.Command("nft", "list", "ruleset").Output(); strings.Contains(string(rules), "govirt") {
		t.Errorf("firewall rules left after net-destroy:\n%s", rules)
	}
	must("natnet", "net-list", "--inactive")
}

// findDnsmasq returns the pid of the dnsmasq running with conf, or 0.
func findDnsmasq(conf string) int {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		b, _ := os.ReadFile(filepath.Join(d, "cmdline"))
		if strings.Contains(string(b), "--conf-file="+conf+"\x00") {
			var pid int
			fmt.Sscan(filepath.Base(d), &pid)
			return pid
		}
	}
	return 0
}
