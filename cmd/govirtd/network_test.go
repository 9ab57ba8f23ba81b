package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/govirt/govirt/internal/network/netnstest"
)

// dnsmasqOf returns the pid of the dnsmasq running with conf, or 0.
func dnsmasqOf(conf string) int {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		b, _ := os.ReadFile(filepath.Join(d, "cmdline"))
		if strings.Contains(string(b), "--conf-file="+conf+"\x00") {
			pid, _ := strconv.Atoi(filepath.Base(d))
			return pid
		}
	}
	return 0
}

// TestDaemonNetworkRestart runs govirtd inside a network namespace of its
// own and drives a NAT network with the real virsh: the network and its
// dnsmasq keep running across a daemon restart and are re-adopted (same
// dnsmasq, still supervised: killed, it is started again), and
// net-destroy then removes the bridge, dnsmasq and the firewall chains.
func TestDaemonNetworkRestart(t *testing.T) {
	if !netnstest.Enter(t, "dnsmasq", "nft", "virsh") {
		return
	}
	bin := buildDaemon(t)
	root, err := os.MkdirTemp("", "gvd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	uri := "qemu+unix:///system?socket=" + filepath.Join(root, "run", "govirt", "govirt-sock")
	virsh := func(cmds string) string {
		t.Helper()
		out, err := exec.Command("virsh", "-c", uri, cmds).CombinedOutput()
		if err != nil {
			t.Fatalf("virsh %s: %v\n%s", cmds, err, out)
		}
		return string(out)
	}
	netFile := filepath.Join(root, "natd.xml")
	os.WriteFile(netFile, []byte(`<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>
  <name>natd</name>
  <forward mode='nat'/>
  <bridge name='gvd0'/>
  <ip address='192.168.124.1' prefix='24'><dhcp><range start='192.168.124.10' end='192.168.124.20'/></dhcp></ip>
  <dnsmasq:options><dnsmasq:option value='no-resolv'/></dnsmasq:options>
</network>`), 0o644)
	conf := filepath.Join(root, "var/lib/govirt/qemu/dnsmasq/natd.conf")

	d := startRoot(t, bin, root)
	virsh("net-define " + netFile + "; net-start natd")
	pid := dnsmasqOf(conf)
	if pid == 0 {
		t.Fatalf("no dnsmasq runs with %s", conf)
	}
	d.stop(t)
	if !alive(pid) || !linkUp("gvd0") {
		t.Fatalf("daemon stop took the network down: dnsmasq alive %v, bridge %v", alive(pid), linkUp("gvd0"))
	}
	d = startRoot(t, bin, root)
	defer d.stop(t)
	if out := virsh("net-list"); !strings.Contains(out, "natd") || !strings.Contains(out, "active") {
		t.Errorf("net-list after restart:\n%s", out)
	}
	if got := dnsmasqOf(conf); got != pid {
		t.Errorf("dnsmasq after restart: got pid %d, want %d (re-adopted)", got, pid)
	}
	// Still supervised: a dnsmasq that dies is started again.
	syscall.Kill(pid, syscall.SIGKILL)
	deadline := time.Now().Add(10 * time.Second)
	for got := dnsmasqOf(conf); got == 0 || got == pid; got = dnsmasqOf(conf) {
		if time.Now().After(deadline) {
			t.Fatalf("dnsmasq was not restarted after it died:\n%s", d.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if out := virsh("net-dumpxml natd"); !strings.Contains(out, "<bridge name='gvd0'") {
		t.Errorf("net-dumpxml:\n%s", out)
	}
	virsh("net-destroy natd")
	if linkUp("gvd0") {
		t.Errorf("bridge left after net-destroy")
	}
	if p := dnsmasqOf(conf); p != 0 {
		t.Errorf("dnsmasq %d left after net-destroy", p)
	}
	if rules, _ := exec.Command("nft", "list", "ruleset").Output(); strings.Contains(string(rules), "govirt") {
		t.Errorf("firewall rules left after net-destroy:\n%s", rules)
	}
	virsh("net-undefine natd")
}

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

func linkUp(name string) bool {
	return exec.Command("ip", "link", "show", name).Run() == nil
}
