package cli

import (
	"fmt"
	"strings"
)

// cmdHelp is "help [COMMAND|GROUP]".
func cmdHelp(s *session, c *call) error {
	name, ok, err := c.str("command")
	if err != nil {
		return err
	}
	if !ok {
		s.print("Grouped commands:\n\n")
		for _, g := range s.tab.groups {
			s.groupHelp(g)
			s.print("\n")
		}
		return nil
	}
	if d := s.tab.lookup(name); d != nil {
		s.print(commandHelp(d))
		return nil
	}
	if g := s.tab.group(name); g != nil {
		s.groupHelp(g)
		return nil
	}
	return fail(errNoCause, "command or command group '%s' doesn't exist", name)
}

// groupHelp lists the commands of g with their summaries.
func (s *session) groupHelp(g *group) {
	s.printf(" %s (help keyword '%s'):\n", g.name, g.keyword)
	for _, c := range g.cmds {
		if c.listed() {
			s.printf("    %-30s %s\n", c.name, c.help)
		}
	}
}

// commandHelp formats the help of one command in virsh's layout: NAME,
// SYNOPSIS (derived from the options), DESCRIPTION and OPTIONS.
func commandHelp(d *cmdDef) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  NAME\n    %s - %s\n", d.name, d.help)
	fmt.Fprintf(&b, "\n  SYNOPSIS\n    %s", d.name)
	shortopt := false
	for i := range d.opts {
		o := &d.opts[i]
		var f string
		switch o.kind {
		case optBool:
			f = "[--%s]"
		case optInt:
			if o.req {
				f = "<%s>"
			} else {
				f = "[--%s <number>]"
			}
			shortopt = shortopt || !o.named
		case optString:
			if o.req {
				f = "--%s <string>"
			} else {
				f = "[--%s <string>]"
			}
			shortopt = shortopt || !o.named
		case optData:
			if o.req {
				f = "<%s>"
			} else {
				f = "[<%s>]"
			}
			shortopt = shortopt || !o.named
		case optArgv:
			switch {
			case shortopt && o.req:
				f = "{[--%s] <string>}..."
			case shortopt:
				f = "[[--%s] <string>]..."
			case o.req:
				f = "<%s>..."
			default:
				f = "[<%s>]..."
			}
		case optAlias:
			continue
		}
		if o.hidden {
			continue
		}
		b.WriteByte(' ')
		fmt.Fprintf(&b, f, o.name)
	}
	b.WriteByte('\n')
	if d.desc != "" {
		fmt.Fprintf(&b, "\n  DESCRIPTION\n    %s\n", d.desc)
	}
	if len(d.opts) > 0 {
		b.WriteString("\n  OPTIONS\n")
		for i := range d.opts {
			o := &d.opts[i]
			var name string
			switch o.kind {
			case optBool:
				name = "--" + o.name
			case optInt:
				if o.req && !o.named {
					name = "[--" + o.name + "] <number>"
				} else {
					name = "--" + o.name + " <number>"
				}
			case optString:
				name = "--" + o.name + " <string>"
			case optData:
				name = "[--" + o.name + "] <string>"
			case optArgv:
				if shortopt {
					name = "[--" + o.name + "] <string>"
				} else {
					name = "<" + o.name + ">"
				}
			case optAlias:
				continue
			}
			if o.hidden {
				continue
			}
			fmt.Fprintf(&b, "    %-15s  %s\n", name, o.help)
		}
	}
	b.WriteByte('\n')
	return b.String()
}
