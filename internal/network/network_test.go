package network

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govirt/govirt/internal/network/netnstest"
	"github.com/govirt/govirt/virtxml"
)

const natXML = `<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>
  <name>natnet</name>
  <forward mode='nat'/>
  <bridge name='gvbr0' stp='off' delay='0'/>
  <mac address='52:54:00:12:34:56'/>
  <domain name='example.test'/>
  <dns>
    <txt name='info' value='hello'/>
    <host ip='192.168.150.5'><hostname>printer</hostname></host>
  </dns>
  <ip address='192.168.150.1' netmask='255.255.255.0'>
    <dhcp>
      <range start='192.168.150.100' end='192.168.150.120'>
        <lease expiry='2' unit='hours'/>
      </range>
      <host mac='52:54:00:00:00:0a' name='guesta' ip='192.168.150.10'/>
    </dhcp>
  </ip>
  <dnsmasq:options>
    <dnsmasq:option value='no-resolv'/>
  </dnsmasq:options>
</network>`

func parse(t *testing.T, s string) *virtxml.Network {
	t.Helper()
	def, err := virtxml.ParseNetwork([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return def
}

func testFiles(dir string) Files {
	return Files{
		Conf:      filepath.Join(dir, "n.conf"),
		PidFile:   filepath.Join(dir, "n.pid"),
		LeaseFile: filepath.Join(dir, "n.leases"),
	}
}

func TestDnsmasqConfig(t *testing.T) {
	conf, err := DnsmasqConfig(parse(t, natXML), testFiles("/s"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"\npid-file=/s/n.pid\n", "\ninterface=gvbr0\n", "\nbind-dynamic\n", "\ndomain=example.test\n",
		"\ntxt-record=info,hello\n", "\ndhcp-range=192.168.150.100,192.168.150.120,255.255.255.0,2h\n",
		"\ndhcp-lease-max=22\n", "\ndhcp-leasefile=/s/n.leases\n", "\nno-resolv\n",
		"\ndhcp-host=52:54:00:00:00:0a,192.168.150.10,guesta\n", "\nhost-record=printer,192.168.150.5\n",
	} {
		if !strings.Contains(conf, want) {
			t.Errorf("configuration lacks %q:\n%s", strings.TrimSpace(want), conf)
		}
	}
	if strings.Contains(conf, "server=") {
		t.Errorf("configuration names an upstream server:\n%s", conf)
	}
}

func TestFirewallRules(t *testing.T) {
	tests := []struct {
		name, xml string
		want      []string
		not       []string
	}{
		{"nat", natXML, []string{
			`add chain inet govirt FWD_gvbr0 { type filter hook forward priority filter; policy accept; }`,
			`iifname "gvbr0" ip saddr 192.168.150.0/24 accept`,
			`oifname "gvbr0" ip daddr 192.168.150.0/24 ct state related,established accept`,
			`add chain inet govirt NAT_gvbr0 { type nat hook postrouting priority srcnat; policy accept; }`,
			`meta l4proto { tcp, udp } ip saddr 192.168.150.0/24 ip daddr != 192.168.150.0/24 masquerade to :1024-65535`,
			`iifname "gvbr0" reject`, `oifname "gvbr0" reject`,
		}, nil},
		{"route", `<network><name>r</name><forward mode='route' dev='eth9'/><bridge name='gvbr1'/><ip address='10.9.0.1' prefix='16'/></network>`, []string{
			`iifname "gvbr1" oifname "eth9" ip saddr 10.9.0.0/16 accept`,
			`oifname "gvbr1" iifname "eth9" ip daddr 10.9.0.0/16 accept`,
		}, []string{"NAT_", "masquerade"}},
		{"isolated", `<network><name>i</name><bridge name='gvbr2'/><ip address='10.8.0.1' prefix='24'/></network>`, []string{
			`iifname "gvbr2" oifname "gvbr2" accept`, `iifname "gvbr2" reject`,
		}, []string{"saddr", "NAT_"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FirewallRules(parse(t, tc.xml))
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("rules lack %q:\n%s", w, got)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(got, w) {
					t.Errorf("rules have %q:\n%s", w, got)
				}
			}
		})
	}
	open, err := FirewallRules(parse(t, `<network><name>o</name><forward mode='open'/><bridge name='gvbr3'/><ip address='10.7.0.1' prefix='24'/></network>`))
	if err != nil || open != "" {
		t.Errorf("open network rules: got %q, %v; want none", open, err)
	}
}

func TestParseLeases(t *testing.T) {
	in := "1700000000 52:54:00:00:00:0a 192.168.150.10 guesta 01:52:54:00:00:00:0a\n" +
		"0 52:54:00:00:00:0b 192.168.150.100 * *\n" +
		"duid 00:01:00:01:2c:aa\n" +
		"1700000100 12345 fd00::10 guestc 00:01:00:01:aa\n"
	got := ParseLeases([]byte(in))
	want := []Lease{
		{Expiry: 1700000000, MAC: "52:54:00:00:00:0a", IP: "192.168.150.10", Hostname: "guesta", ClientID: "01:52:54:00:00:00:0a"},
		{Expiry: 0, MAC: "52:54:00:00:00:0b", IP: "192.168.150.100"},
		{Expiry: 1700000100, IAID: "12345", IP: "fd00::10", Hostname: "guestc", ClientID: "00:01:00:01:aa", IPv6: true},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d leases, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("lease %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestNetworkOnHost sets a NAT network up inside a namespace of its own:
// bridge, address, firewall chains next to another table that stays
// untouched, a dnsmasq that leases an address to a DHCP client on a veth
// port, a tap device; then tears it down and checks that nothing is left.
func TestNetworkOnHost(t *testing.T) {
	if !netnstest.Enter(t, "dnsmasq", "nft", "busybox") {
		return
	}
	ctx := context.Background()
	run := func(name string, args ...string) string {
		t.Helper()
		out, err := exec.Command(name, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v: %s", name, args, err, out)
		}
		return string(out)
	}
	// Another table with a chain on the same hook, as Docker would have.
	run("nft", "add table ip other; add chain ip other forwarding { type filter hook forward priority 0; policy accept; }; add rule ip other forwarding counter")
	def := parse(t, natXML)
	dir := t.TempDir() // private: dnsmasq must read all it needs as root
	f := testFiles(dir)
	p, err := Setup(ctx, def, f)
	if err != nil {
		t.Fatalf("setup: %v", err)
	}
	if !p.Runs(f.Conf) {
		t.Fatalf("dnsmasq %+v does not run", p)
	}
	if out := run("ip", "addr", "show", "gvbr0"); !strings.Contains(out, "inet 192.168.150.1/24") || !strings.Contains(out, "52:54:00:12:34:56") {
		t.Errorf("bridge: %s", out)
	}
	if chains, _ := FirewallChains(ctx); strings.Join(chains, " ") != "FWD_gvbr0 NAT_gvbr0" {
		t.Errorf("chains: got %v, want FWD_gvbr0 NAT_gvbr0", chains)
	}
	// A DHCP client on a veth port of the bridge.
	run("ip", "link", "add", "gvv0", "type", "veth", "peer", "name", "gvv1")
	run("ip", "link", "set", "gvv0", "master", "gvbr0", "up")
	run("ip", "link", "set", "gvv1", "address", "52:54:00:00:00:0a", "up")
	script := filepath.Join(dir, "udhcpc.sh")
	os.WriteFile(script, []byte("#!/bin/sh\n[ \"$1\" = bound ] && echo \"lease $ip\"\nexit 0\n"), 0o755)
	out, err := exec.Command("busybox", "udhcpc", "-i", "gvv1", "-n", "-q", "-f", "-t", "10", "-T", "1", "-s", script).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "lease 192.168.150.10\n") {
		c, _ := os.ReadFile(f.Conf)
		t.Logf("configuration:\n%s", c)
		t.Fatalf("udhcpc: %v: %s", err, out)
	}
	var leases []Lease
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && len(leases) == 0; time.Sleep(50 * time.Millisecond) {
		leases, _ = ReadLeases(f.LeaseFile)
	}
	if len(leases) != 1 || leases[0].IP != "192.168.150.10" || leases[0].MAC != "52:54:00:00:00:0a" {
		t.Errorf("leases: got %+v", leases)
	}
	tap, err := OpenTap("vnet%d", true, TapMAC([]byte{0x52, 0x54, 0, 1, 2, 3}), "gvbr0", 0)
	if err != nil {
		t.Fatalf("tap: %v", err)
	}
	if out := run("ip", "link", "show", tap.Name); !strings.Contains(out, "master gvbr0") || !strings.Contains(out, "fe:54:00:01:02:03") {
		t.Errorf("tap: %s", out)
	}
	tap.Close()
	run("ip", "link", "del", "gvv0")

	if err := Teardown(ctx, def, f, p); err != nil {
		t.Fatalf("teardown: %v", err)
	}
	if p.Alive() {
		t.Errorf("dnsmasq %d still runs", p.PID)
	}
	if LinkExists("gvbr0") || LinkExists(tap.Name) {
		t.Errorf("links left: %s", run("ip", "link"))
	}
	rules := run("nft", "list", "ruleset")
	if strings.Contains(rules, "govirt") || !strings.Contains(rules, "table ip other") {
		t.Errorf("ruleset after teardown:\n%s", rules)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "n.*")); len(left) > 0 {
		t.Errorf("files left: %v", left)
	}
}
