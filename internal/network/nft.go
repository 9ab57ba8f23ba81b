package network

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os/exec"
	"strings"
	"sync"

	"github.com/govirt/govirt/virtxml"
)

// Table is govirt's nftables table. Each network has base chains of its
// own in it (FWD_BRIDGE on the forward hook, NAT_BRIDGE on postrouting),
// so that starting or stopping one network never touches another's rules
// nor any other table (Docker's, firewalld's): a packet is forwarded only
// if every table's chains on the hook accept it, and these chains only
// reject traffic of their own bridge.
const Table = "govirt"

// fwMu serialises changes to the table within a process.
var fwMu sync.Mutex

func fwdChain(bridge string) string { return "FWD_" + ident(bridge) }
func natChain(bridge string) string { return "NAT_" + ident(bridge) }

// ident turns a bridge name into a part of an nft identifier (letters,
// digits and underscores).
func ident(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// FirewallRules returns the nft script that adds a network's chains, or
// "" when the network needs none (open and bridge-mode networks).
func FirewallRules(def *virtxml.Network) (string, error) {
	if !OwnBridge(def) || def.Bridge == nil {
		return "", nil
	}
	mode := ""
	if def.Forward != nil {
		mode = def.Forward.Mode
		if mode == "" {
			mode = "nat"
		}
	}
	if mode == "open" {
		return "", nil
	}
	br := quote(def.Bridge.Name)
	dev := ""
	if def.Forward != nil && def.Forward.Dev != "" {
		dev = quote(def.Forward.Dev)
	}
	var b strings.Builder
	w := func(format string, args ...any) {
		fmt.Fprintf(&b, format, args...)
		b.WriteByte('\n')
	}
	fwd, nat := fwdChain(def.Bridge.Name), natChain(def.Bridge.Name)
	w("add table inet %s", Table)
	w("add chain inet %s %s { type filter hook forward priority filter; policy accept; }", Table, fwd)
	rule := func(format string, args ...any) {
		w("add rule inet %s %s "+format, append([]any{Table, fwd}, args...)...)
	}
	var natRules []string
	for i := range def.IPs {
		p, err := IPPrefix(&def.IPs[i])
		if err != nil {
			return "", err
		}
		p = p.Masked()
		fam := "ip"
		if p.Addr().Is6() {
			fam = "ip6"
		}
		out, in := "", ""
		if dev != "" {
			out, in = " oifname "+dev, " iifname "+dev
		}
		switch mode {
		case "nat":
			rule("iifname %s%s %s saddr %s accept", br, out, fam, p)
			if fam == "ip6" && (def.Forward.NAT == nil || def.Forward.NAT.IPv6 != "yes") {
				rule("oifname %s%s %s daddr %s accept", br, in, fam, p) // IPv6 is routed
				continue
			}
			rule("oifname %s%s %s daddr %s ct state related,established accept", br, in, fam, p)
			natRules = append(natRules, masquerade(def, fam, p, out)...)
		case "route":
			rule("iifname %s%s %s saddr %s accept", br, out, fam, p)
			rule("oifname %s%s %s daddr %s accept", br, in, fam, p)
		}
	}
	rule("iifname %s oifname %s accept", br, br)
	rule("iifname %s reject", br)
	rule("oifname %s reject", br)
	if len(natRules) > 0 {
		w("add chain inet %s %s { type nat hook postrouting priority srcnat; policy accept; }", Table, nat)
		for _, r := range natRules {
			w("add rule inet %s %s %s", Table, nat, r)
		}
	}
	return b.String(), nil
}

// masquerade returns the NAT rules of one prefix.
func masquerade(def *virtxml.Network, fam string, p netip.Prefix, out string) []string {
	var rs []string
	if fam == "ip" {
		rs = append(rs,
			fmt.Sprintf("ip saddr %s ip daddr 224.0.0.0/24 return", p),
			fmt.Sprintf("ip saddr %s ip daddr 255.255.255.255 return", p))
	} else {
		rs = append(rs, fmt.Sprintf("ip6 saddr %s ip6 daddr ff02::/16 return", p))
	}
	target := "masquerade"
	ports := " to :1024-65535"
	if nat := def.Forward.NAT; nat != nil {
		if nat.AddrStart != "" && fam == "ip" {
			target = "snat ip to " + nat.AddrStart
			if nat.AddrEnd != "" && nat.AddrEnd != nat.AddrStart {
				target += "-" + nat.AddrEnd
			}
			ports = ""
			if nat.PortStart > 0 {
				ports = fmt.Sprintf(":%d-%d", nat.PortStart, nat.PortEnd)
			}
		} else if nat.PortStart > 0 {
			ports = fmt.Sprintf(" to :%d-%d", nat.PortStart, nat.PortEnd)
		}
	}
	if target == "masquerade" || ports != "" {
		rs = append(rs, fmt.Sprintf("meta l4proto { tcp, udp } %s saddr %s %s daddr != %s%s %s%s", fam, p, fam, p, out, target, ports))
	}
	rs = append(rs, fmt.Sprintf("%s saddr %s %s daddr != %s%s %s", fam, p, fam, p, out, target))
	return rs
}

// quote quotes an interface or chain name for nft.
func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, "") + `"` }

// nft runs the nft tool with a script on its standard input.
func nft(ctx context.Context, script string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "nft", args...)
	if script != "" {
		cmd.Stdin = strings.NewReader(script)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("nft %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// AddFirewall adds a network's chains (after removing leftovers of an
// earlier run).
func AddFirewall(ctx context.Context, def *virtxml.Network) error {
	script, err := FirewallRules(def)
	if err != nil || script == "" {
		return err
	}
	fwMu.Lock()
	defer fwMu.Unlock()
	if err := removeChains(ctx, def.Bridge.Name); err != nil {
		return err
	}
	if _, err := nft(ctx, script, "-f", "-"); err != nil {
		return fmt.Errorf("add firewall rules of network '%s': %w", def.Name, err)
	}
	return nil
}

// RemoveFirewall removes the chains of the network whose bridge is
// bridge, and govirt's table once no chain is left in it.
func RemoveFirewall(ctx context.Context, bridge string) error {
	fwMu.Lock()
	defer fwMu.Unlock()
	return removeChains(ctx, bridge)
}

// FirewallChains lists the chains of govirt's table (none when the table
// does not exist).
func FirewallChains(ctx context.Context) ([]string, error) {
	out, err := nft(ctx, "", "list", "table", "inet", Table)
	if err != nil {
		if strings.Contains(err.Error(), "No such file") {
			return nil, nil
		}
		return nil, err
	}
	chains := []string{}
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(l)
		if name, ok := strings.CutPrefix(l, "chain "); ok {
			name = strings.TrimSuffix(name, " {")
			chains = append(chains, strings.Trim(name, `"`))
		}
	}
	return chains, nil
}

func removeChains(ctx context.Context, bridge string) error {
	chains, err := FirewallChains(ctx)
	if err != nil {
		return err
	}
	var b strings.Builder
	left := 0
	for _, c := range chains {
		if c == fwdChain(bridge) || c == natChain(bridge) {
			fmt.Fprintf(&b, "flush chain inet %s %s\ndelete chain inet %s %s\n", Table, c, Table, c)
		} else {
			left++
		}
	}
	if chains != nil && left == 0 {
		fmt.Fprintf(&b, "delete table inet %s\n", Table)
	}
	if b.Len() == 0 {
		return nil
	}
	if _, err := nft(ctx, b.String(), "-f", "-"); err != nil {
		return fmt.Errorf("remove firewall rules of bridge %s: %w", bridge, err)
	}
	return nil
}
