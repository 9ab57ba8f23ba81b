// Package network runs govirt's virtual networks on the host: a bridge
// with its addresses (through rtnetlink), DHCP and DNS from a dnsmasq that
// govirt configures, starts and watches, firewall rules in an nftables
// table of govirt's own, and tap devices that plug guests in. The QEMU
// driver keeps the definitions and the state; this package does the
// work on the host and knows nothing about domains.
package network

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/govirt/govirt/virtxml"
)

// Dnsmasq is the dnsmasq binary; tests and odd hosts may change it.
var Dnsmasq = "dnsmasq"

// Proc identifies a running process beyond its pid: the start time tells
// a reused pid apart.
type Proc struct {
	PID       int    `json:"pid"`
	StartTime uint64 `json:"start_time"`
}

// Alive reports whether the process still runs (and is not a zombie).
func (p Proc) Alive() bool {
	if p.PID <= 0 {
		return false
	}
	st, start, err := procStat(p.PID)
	if err != nil || st == 'Z' || st == 'X' {
		return false
	}
	return p.StartTime == 0 || start == p.StartTime
}

// procStat returns a process's state and start time from /proc.
func procStat(pid int) (byte, uint64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, 0, errors.New("malformed stat")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 20 {
		return 0, 0, errors.New("short stat")
	}
	start, _ := strconv.ParseUint(f[19], 10, 64)
	return f[0][0], start, nil
}

// Runs reports whether p is the dnsmasq of the configuration file conf.
func (p Proc) Runs(conf string) bool {
	if !p.Alive() {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.PID) + "/cmdline")
	return err == nil && bytes.Contains(b, []byte("\x00--conf-file="+conf+"\x00"))
}

// Stop ends the process: SIGTERM, SIGKILL after grace.
func (p Proc) Stop(ctx context.Context, grace time.Duration) {
	if !p.Alive() {
		return
	}
	syscall.Kill(p.PID, syscall.SIGTERM)
	deadline := time.Now().Add(grace)
	for p.Alive() {
		if time.Now().After(deadline) || ctx.Err() != nil {
			syscall.Kill(p.PID, syscall.SIGKILL)
			deadline = time.Now().Add(grace)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Setup creates what a network needs on the host: its bridge (up, with
// its addresses), IP forwarding, its firewall chains and its dnsmasq.
// What it created is removed again if a later step fails. def must have
// its bridge name assigned.
func Setup(ctx context.Context, def *virtxml.Network, f Files) (Proc, error) {
	if !OwnBridge(def) {
		return Proc{}, checkHostBridge(def)
	}
	if len(def.Routes) > 0 {
		return Proc{}, fmt.Errorf("static routes of network '%s' are not supported", def.Name)
	}
	br := def.Bridge.Name
	if LinkExists(br) {
		return Proc{}, fmt.Errorf("bridge name '%s' already in use.", br)
	}
	o := BridgeOptions{MTU: int(def.MTU), STP: def.Bridge.STP != "off", Delay: def.Bridge.Delay}
	if def.MAC != "" {
		m, err := net.ParseMAC(def.MAC)
		if err != nil {
			return Proc{}, fmt.Errorf("bad MAC address %q: %w", def.MAC, err)
		}
		o.MAC = m
	}
	if err := CreateBridge(br, o); err != nil {
		return Proc{}, err
	}
	var p Proc
	err := func() error {
		for i := range def.IPs {
			pfx, err := IPPrefix(&def.IPs[i])
			if err != nil {
				return err
			}
			if err := AddAddr(br, pfx); err != nil {
				return err
			}
		}
		if err := SetLinkUp(br); err != nil {
			return err
		}
		if def.Forward != nil && (def.Forward.Mode == "nat" || def.Forward.Mode == "route") {
			if err := enableForwarding(def); err != nil {
				return err
			}
		}
		if err := AddFirewall(ctx, def); err != nil {
			return err
		}
		if NeedsDnsmasq(def) {
			var err error
			if p, err = StartDnsmasq(ctx, def, f); err != nil {
				return err
			}
		}
		return nil
	}()
	if err != nil {
		RemoveFirewall(context.Background(), br)
		DeleteLink(br)
		return Proc{}, err
	}
	return p, nil
}

// Teardown removes what Setup created: dnsmasq and its files, the
// firewall chains and the bridge. It goes on past errors and returns the
// first.
func Teardown(ctx context.Context, def *virtxml.Network, f Files, p Proc) error {
	p.Stop(ctx, 2*time.Second)
	for _, file := range []string{f.Conf, f.PidFile, f.LeaseFile} {
		if file != "" {
			os.Remove(file)
		}
	}
	if !OwnBridge(def) || def.Bridge == nil {
		return nil
	}
	err := RemoveFirewall(ctx, def.Bridge.Name)
	if e := DeleteLink(def.Bridge.Name); err == nil {
		err = e
	}
	return err
}

// checkHostBridge checks that the existing bridge of a bridge-mode
// network is there.
func checkHostBridge(def *virtxml.Network) error {
	if def.Forward == nil || def.Forward.Mode != "bridge" {
		mode := ""
		if def.Forward != nil {
			mode = def.Forward.Mode
		}
		return fmt.Errorf("forward mode '%s' of network '%s' is not supported", mode, def.Name)
	}
	if def.Bridge == nil || def.Bridge.Name == "" {
		return fmt.Errorf("network '%s' names no host bridge", def.Name)
	}
	if !LinkExists(def.Bridge.Name) {
		return fmt.Errorf("bridge '%s' of network '%s' does not exist", def.Bridge.Name, def.Name)
	}
	return nil
}

// enableForwarding turns on IP forwarding for the families the network
// uses.
func enableForwarding(def *virtxml.Network) error {
	v4, v6 := false, false
	for i := range def.IPs {
		if p, err := IPPrefix(&def.IPs[i]); err == nil && p.Addr().Is6() {
			v6 = true
		} else {
			v4 = true
		}
	}
	if v4 {
		if err := os.WriteFile("/proc/sys/net/ipv4/ip_forward", []byte("1\n"), 0o644); err != nil {
			return fmt.Errorf("enable IPv4 forwarding: %w", err)
		}
	}
	if v6 {
		if err := os.WriteFile("/proc/sys/net/ipv6/conf/all/forwarding", []byte("1\n"), 0o644); err != nil {
			return fmt.Errorf("enable IPv6 forwarding: %w", err)
		}
	}
	return nil
}

// StartDnsmasq writes a network's dnsmasq files and starts it. dnsmasq
// detaches itself and reports start-up errors before its first process
// exits, so a nil error means it serves.
func StartDnsmasq(ctx context.Context, def *virtxml.Network, f Files) (Proc, error) {
	conf, err := DnsmasqConfig(def, f)
	if err != nil {
		return Proc{}, err
	}
	if err := writeAtomic(f.Conf, conf); err != nil {
		return Proc{}, fmt.Errorf("write dnsmasq configuration of network '%s': %w", def.Name, err)
	}
	os.Remove(f.PidFile)
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(cctx, Dnsmasq, "--conf-file="+f.Conf)
	cmd.Env = []string{"LC_ALL=C", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if out, err := cmd.CombinedOutput(); err != nil {
		return Proc{}, fmt.Errorf("start dnsmasq of network '%s': %v: %s", def.Name, err, strings.TrimSpace(string(out)))
	}
	// dnsmasq writes its pid file before the first process exits.
	b, err := os.ReadFile(f.PidFile)
	if err != nil {
		return Proc{}, fmt.Errorf("dnsmasq of network '%s' wrote no pid file: %w", def.Name, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return Proc{}, fmt.Errorf("dnsmasq pid file %s: %w", f.PidFile, err)
	}
	_, start, err := procStat(pid)
	if err != nil {
		return Proc{}, fmt.Errorf("dnsmasq of network '%s' is gone: %w", def.Name, err)
	}
	return Proc{PID: pid, StartTime: start}, nil
}

// writeAtomic writes a file through a temporary file and a rename.
func writeAtomic(path, data string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(data), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
