// Package cli is govirt's virsh-compatible command-line interface: the
// command table (one function per command), option parsing with virsh's
// rules, output formatting byte for byte like virsh, the interactive shell
// and ';'-separated batches.
//
// Main runs one invocation and returns its exit code. Everything it needs
// lives in a per-invocation session, so Main may be called many times, even
// concurrently, in one process.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Version is the version govirt reports for itself: the libvirt release
// whose behaviour it follows.
const Version = "9.0.0"

// progName is the name govirt uses where virsh prints "virsh".
const progName = "govirt"

// globalOpt describes one of the options that come before the command.
type globalOpt struct {
	short byte
	long  string
	// arg: 0 none, 1 required, 2 optional (only --version=TYPE).
	arg int
}

var globalOpts = []globalOpt{
	{'c', "connect", 1},
	{'d', "debug", 1},
	{'e', "escape", 1},
	{'h', "help", 0},
	{'k', "keepalive-interval", 1},
	{'K', "keepalive-count", 1},
	{'l', "log", 1},
	{'o', "output", 1},
	{'q', "quiet", 0},
	{'r', "readonly", 0},
	{'t', "timing", 0},
	{'v', "", 0},
	{'V', "", 0},
	{0, "version", 2},
}

// Main runs govirt with the arguments that follow the program name and
// returns the exit code: 0 when the (last) command succeeded, 1 otherwise.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	s := newSession(context.Background(), stdin, stdout, stderr)
	defer s.close()

	rest, code, done := s.parseGlobals(args)
	if done {
		return code
	}
	if s.connName == "" {
		// virsh's own variable wins over libvirt's, which virt.Open reads.
		s.connName = os.Getenv("VIRSH_DEFAULT_CONNECT_URI")
	} else if err := s.connect(); err != nil {
		// A URI named on the command line must work before anything runs.
		return 1
	}

	if len(rest) == 0 {
		return s.shell()
	}
	var l lexer
	if len(rest) == 1 {
		if rest[0] == "" {
			return 1
		}
		l = &stringLexer{s: rest[0]}
	} else {
		l = &argvLexer{args: rest}
	}
	calls, err := parseCommands(s.tab, l)
	if err != nil {
		s.report(err)
		return 1
	}
	ok, _ := s.run(calls)
	if !ok {
		return 1
	}
	return 0
}

// parseGlobals reads the options before the command, the way getopt_long
// with a leading '+' does: bundled short options, "-cURI" and "-c URI",
// "--long=value" and "--long value", unique prefixes of long options, and
// the first non-option ends the list. It returns the remaining arguments;
// done is true when the invocation is over (help, version, error).
func (s *session) parseGlobals(args []string) (rest []string, code int, done bool) {
	keepaliveSet := false
	i := 0
	for i < len(args) {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		i++
		if a[1] == '-' {
			name, value, hasValue := strings.Cut(a[2:], "=")
			o, err := matchLong(name)
			if err != nil {
				s.errorf("unsupported option '%s'. See --help.", a)
				return nil, 1, true
			}
			if o.arg == 0 && hasValue {
				s.errorf("unsupported option '-%c'. See --help.", o.short)
				return nil, 1, true
			}
			if o.arg == 1 && !hasValue {
				if i >= len(args) {
					s.errorf("option '-%c'/'--%s' requires an argument", o.short, o.long)
					return nil, 1, true
				}
				value, hasValue = args[i], true
				i++
			}
			if code, done := s.applyGlobal(o, value, hasValue, &keepaliveSet); done {
				return nil, code, true
			}
			continue
		}
		for j := 1; j < len(a); j++ {
			o := matchShort(a[j])
			if o == nil {
				s.errorf("unsupported option '-%c'. See --help.", a[j])
				return nil, 1, true
			}
			var value string
			has := false
			if o.arg == 1 {
				if j+1 < len(a) {
					value = a[j+1:]
				} else if i < len(args) {
					value = args[i]
					i++
				} else {
					if o.long != "" {
						s.errorf("option '-%c'/'--%s' requires an argument", o.short, o.long)
					} else {
						s.errorf("option '-%c' requires an argument", o.short)
					}
					return nil, 1, true
				}
				has = true
				j = len(a)
			}
			if code, done := s.applyGlobal(o, value, has, &keepaliveSet); done {
				return nil, code, true
			}
		}
	}
	s.keepalive = keepaliveSet && s.keepaliveInterval > 0
	return args[i:], 0, false
}

func matchShort(c byte) *globalOpt {
	for i := range globalOpts {
		if globalOpts[i].short == c && c != 0 {
			return &globalOpts[i]
		}
	}
	return nil
}

// matchLong finds a long option by exact name or unique prefix.
func matchLong(name string) (*globalOpt, error) {
	var found *globalOpt
	for i := range globalOpts {
		o := &globalOpts[i]
		if o.long == "" {
			continue
		}
		if o.long == name {
			return o, nil
		}
		if name != "" && strings.HasPrefix(o.long, name) {
			if found != nil {
				return nil, fmt.Errorf("ambiguous option --%s", name)
			}
			found = o
		}
	}
	if found == nil {
		return nil, fmt.Errorf("unknown option --%s", name)
	}
	return found, nil
}

// applyGlobal acts on one global option; done ends the invocation.
func (s *session) applyGlobal(o *globalOpt, value string, hasValue bool, keepaliveSet *bool) (code int, done bool) {
	switch {
	case o.short == 'c':
		s.connName = value
	case o.short == 'd':
		n, err := strconv.Atoi(value)
		if err != nil {
			s.errorf("option -d takes a numeric argument")
			return 1, true
		}
		if n < 0 || n > 4 {
			s.errorf("ignoring debug level %d out of range [0-4]", n)
		} else {
			s.debug = n
		}
	case o.short == 'e':
		if !validEscape(value) {
			s.errorf("Invalid string '%s' for escape sequence", value)
			return 1, true
		}
		s.escape = value
	case o.short == 'h':
		s.usage()
		return 0, true
	case o.short == 'k':
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 {
			s.errorf("option -k requires a positive integer argument")
			return 1, true
		}
		s.keepaliveInterval = n
		*keepaliveSet = true
	case o.short == 'K':
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 {
			s.errorf("option -K requires a positive integer argument")
			return 1, true
		}
		*keepaliveSet = true
	case o.short == 'l':
		s.logFile = value
	case o.short == 'o':
		switch value {
		case "json":
			s.json = true
		case "text":
			s.json = false
		default:
			s.errorf("unsupported output format '%s': use text or json", value)
			return 1, true
		}
	case o.short == 'q':
		s.quiet = true
	case o.short == 'r':
		s.readOnly = true
	case o.short == 't':
		s.timing = true
	case o.short == 'v':
		fmt.Fprintln(s.out, Version)
		return 0, true
	case o.short == 'V':
		s.longVersion()
		return 0, true
	case o.long == "version":
		if hasValue && value == "long" {
			s.longVersion()
		} else {
			fmt.Fprintln(s.out, Version)
		}
		return 0, true
	}
	return 0, false
}

// validEscape accepts what virsh accepts for -e: one character, or '^'
// followed by one character.
func validEscape(s string) bool {
	switch len(s) {
	case 1:
		return true
	case 2:
		return s[0] == '^'
	}
	return false
}

// longVersion prints what -V prints.
func (s *session) longVersion() {
	fmt.Fprintf(s.out, "govirt: a virsh-compatible command line tool, following libvirt %s\n", Version)
	fmt.Fprintf(s.out, "See web site at https://libvirt.org/ for virsh's documentation\n\n")
	fmt.Fprintf(s.out, "Additions to virsh:\n")
	fmt.Fprintf(s.out, " -o json: JSON output of list-like commands\n")
}

// usage prints what -h prints: the invocation forms, the global options and
// every command by group.
func (s *session) usage() {
	w := s.out
	fmt.Fprintf(w, "\n%s [options]... [<command_string>]\n", progName)
	fmt.Fprintf(w, "%s [options]... <command> [args...]\n\n", progName)
	fmt.Fprint(w, "  options:\n"+
		"    -c | --connect=URI      hypervisor connection URI\n"+
		"    -d | --debug=NUM        debug level [0-4]\n"+
		"    -e | --escape <char>    set escape sequence for console\n"+
		"    -h | --help             this help\n"+
		"    -k | --keepalive-interval=NUM\n"+
		"                            keepalive interval in seconds, 0 for disable\n"+
		"    -K | --keepalive-count=NUM\n"+
		"                            number of possible missed keepalive messages\n"+
		"    -l | --log=FILE         output logging to file\n"+
		"    -o | --output=FORMAT    output of list-like commands: text or json\n"+
		"                            (also -o/--output FORMAT after such a command)\n"+
		"    -q | --quiet            quiet mode\n"+
		"    -r | --readonly         connect readonly\n"+
		"    -t | --timing           print timing information\n"+
		"    -v                      short version\n"+
		"    -V                      long version\n"+
		"         --version[=TYPE]   version, TYPE is short or long (default short)\n"+
		"  commands (non interactive mode):\n\n")
	for _, g := range s.tab.groups {
		fmt.Fprintf(w, " %s (help keyword '%s')\n", g.name, g.keyword)
		for _, c := range g.cmds {
			if c.listed() {
				fmt.Fprintf(w, "    %-30s %s\n", c.name, c.help)
			}
		}
		fmt.Fprint(w, "\n")
	}
	fmt.Fprint(w, "\n  (specify help <group> for details about the commands in the group)\n")
	fmt.Fprint(w, "\n  (specify help <command> for details about the command)\n\n")
}
