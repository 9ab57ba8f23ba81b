package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// optKind is the type of a command option, as virsh knows them.
type optKind uint8

const (
	// optBool is a flag: --name.
	optBool optKind = iota
	// optInt takes a number: --name N, or positionally.
	optInt
	// optString takes a string: --name S, or positionally.
	optString
	// optData is a required positional string (a domain, a file).
	optData
	// optArgv collects the remaining positional arguments.
	optArgv
	// optAlias is another spelling of a later option; alias holds its
	// name, or "name=value" to stand for a string option with a value.
	optAlias
)

// optDef describes one option of a command.
type optDef struct {
	name string
	kind optKind
	// req makes the option mandatory.
	req bool
	// named options are only accepted as --name VALUE, never positionally
	// (virsh's VSH_OFLAG_REQ_OPT).
	named bool
	// emptyOK accepts an empty string value.
	emptyOK bool
	help    string
	alias   string
	// hidden options (govirt's additions) are left out of help, so that
	// help reads exactly like virsh's.
	hidden bool
}

// takesValue reports whether the option is followed by a value.
func (o *optDef) takesValue() bool { return o.kind != optBool && o.kind != optAlias }

// positional reports whether a bare argument may fill the option.
func (o *optDef) positional() bool { return o.takesValue() && !o.named }

// Common option definitions shared by many commands.
var (
	optDomain  = optDef{name: "domain", kind: optData, req: true, help: "domain name, id or uuid"}
	optNetwork = optDef{name: "network", kind: optData, req: true, help: "network name or uuid"}
	optPool    = optDef{name: "pool", kind: optData, req: true, help: "pool name or uuid"}
	optVol     = optDef{name: "vol", kind: optData, req: true, help: "volume name, key or path"}
	optVolPool = optDef{name: "pool", kind: optString, help: "pool name or uuid"}
	optFile    = optDef{name: "file", kind: optData, req: true, help: "file holding an XML description"}
	optConfig  = optDef{name: "config", kind: optBool, help: "affect next boot"}
	optLive    = optDef{name: "live", kind: optBool, help: "affect running domain"}
	optCurrent = optDef{name: "current", kind: optBool, help: "affect current domain"}
	optOutput  = optDef{name: "output", kind: optString, named: true, hidden: true, help: "output format: text (default) or json"}
)

// helpOpt is the --help every command accepts.
var helpOpt = optDef{name: "help", kind: optBool, help: "print help for this command"}

// optVal is one option given on a command line.
type optVal struct {
	def  *optDef
	data string
}

// call is one parsed command: its definition and the options given.
type call struct {
	def  *cmdDef
	opts []optVal
}

// find returns the first value given for the option named name.
func (c *call) find(name string) (*optVal, bool) {
	for i := range c.opts {
		if c.opts[i].def.name == name {
			return &c.opts[i], true
		}
	}
	return nil, false
}

// has reports whether the option was given (virsh's vshCommandOptBool, which
// also works for options with values).
func (c *call) has(name string) bool {
	_, ok := c.find(name)
	return ok
}

// str returns a string option: its value and whether it was given. An empty
// value is refused unless the option allows it.
func (c *call) str(name string) (string, bool, error) {
	v, ok := c.find(name)
	if !ok {
		return "", false, nil
	}
	if v.data == "" && !v.def.emptyOK {
		return "", false, fmt.Errorf("Failed to get option '%s': Option argument is empty", name)
	}
	return v.data, true, nil
}

// argv returns every value given for an argv option, in order.
func (c *call) argv(name string) []string {
	var out []string
	for _, v := range c.opts {
		if v.def.name == name {
			out = append(out, v.data)
		}
	}
	return out
}

func malformed(value, name string) error {
	return fmt.Errorf("Numeric value '%s' for <%s> option is malformed or out of range", value, name)
}

// parseCInt parses a decimal integer the way strtol does for virsh's
// virStrToLong_*: optional leading blanks and sign, digits, nothing after.
func parseCInt(s string, bitSize int) (int64, error) {
	return strconv.ParseInt(strings.TrimLeft(s, " \t\n\v\f\r"), 10, bitSize)
}

// parseCUint parses an unsigned decimal, refusing a minus sign (virsh's
// "p" variants such as virStrToLong_uip).
func parseCUint(s string, bitSize int) (uint64, error) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	t = strings.TrimPrefix(t, "+")
	if t == "" || t[0] < '0' || t[0] > '9' {
		return 0, strconv.ErrSyntax
	}
	return strconv.ParseUint(t, 10, bitSize)
}

// int returns an int option.
func (c *call) int(name string) (int, bool, error) {
	v, ok := c.find(name)
	if !ok {
		return 0, false, nil
	}
	n, err := parseCInt(v.data, 32)
	if err != nil {
		return 0, false, malformed(v.data, name)
	}
	return int(n), true, nil
}

// uint returns an unsigned int option; negative numbers are refused.
func (c *call) uint(name string) (uint, bool, error) {
	v, ok := c.find(name)
	if !ok {
		return 0, false, nil
	}
	n, err := parseCUint(v.data, 32)
	if err != nil {
		return 0, false, malformed(v.data, name)
	}
	return uint(n), true, nil
}

// scaled returns a scaled integer option in bytes: digits with an optional
// unit suffix, def the unit when there is none, max the largest value.
func (c *call) scaled(name string, def, max uint64) (uint64, bool, error) {
	v, ok := c.find(name)
	if !ok {
		return 0, false, nil
	}
	n, err := parseScaled(v.data, def, max)
	if err != nil {
		return 0, false, fail(err, "Scaled numeric value '%s' for <%s> option is malformed or out of range", v.data, name)
	}
	return n, true, nil
}

// parseScaled parses "NUMBER[SUFFIX]" as virsh does: strtoull on the digits,
// then libvirt's unit scaling on the rest. The error is nil-caused (nothing
// more to report) when the number itself is bad, and a libvirt error when
// the suffix or the size is.
func parseScaled(s string, def, max uint64) (uint64, error) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	t = strings.TrimPrefix(t, "+")
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, errNoCause
	}
	n, err := strconv.ParseUint(t[:i], 10, 64)
	if err != nil {
		return 0, errNoCause
	}
	unit := t[i:]
	scale, err := virtxml.ScaleUnit(unit, def)
	if err != nil {
		return 0, virt.FromXMLError(err, virt.FromNone)
	}
	if scale != 0 && n > max/scale {
		return 0, virt.Errorf(virt.ErrOverflow, virt.FromNone, "value too large: %s", s)
	}
	return n * scale, nil
}

// exclusive returns virsh's error when both options a and b were given.
func (c *call) exclusive(a, b string) error {
	if c.has(a) && c.has(b) {
		return fmt.Errorf("Options --%s and --%s are mutually exclusive", a, b)
	}
	return nil
}

// exclusiveVars is exclusive for options already read into variables.
func exclusiveVars(a string, va bool, b string, vb bool) error {
	if va && vb {
		return fmt.Errorf("Options --%s and --%s are mutually exclusive", a, b)
	}
	return nil
}
