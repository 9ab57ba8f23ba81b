package cli

import (
	"strings"
)

// tokKind is what a lexer step found.
type tokKind uint8

const (
	tokArg tokKind = iota // an argument (possibly empty)
	tokEnd                // the end of one command (';', newline, comment)
	tokEOF                // the end of the input
)

// lexer yields the words of one or more commands.
type lexer interface {
	next() (string, tokKind, error)
}

// stringLexer splits a command string with virsh's quoting rules: blanks
// separate words; ';' and newline end a command; '#' at the start of a word
// comments out the rest of the line; single quotes keep everything
// literally; double quotes group words but let '\' escape; '\' outside
// single quotes escapes the next character and backslash-newline vanishes.
type stringLexer struct {
	s   string
	pos int
	buf []byte
}

func (l *stringLexer) next() (string, tokKind, error) {
	s := l.s
	p := l.pos
	for p < len(s) {
		if s[p] == ' ' || s[p] == '\t' {
			p++
		} else if s[p] == '\\' && p+1 < len(s) && s[p+1] == '\n' {
			p += 2
		} else {
			break
		}
	}
	if p >= len(s) {
		l.pos = p
		return "", tokEOF, nil
	}
	switch s[p] {
	case ';', '\n':
		l.pos = p + 1
		return "", tokEnd, nil
	case '#':
		for p < len(s) && s[p] != '\n' {
			p++
		}
		if p < len(s) {
			p++
		}
		l.pos = p
		return "", tokEnd, nil
	}
	single, double := false, false
	b := l.buf[:0]
	for p < len(s) {
		c := s[p]
		if !single && !double && (c == ' ' || c == '\t' || c == ';' || c == '\n') {
			break
		}
		switch {
		case !double && c == '\'':
			single = !single
			p++
			continue
		case !single && c == '\\':
			p++
			if p >= len(s) {
				l.pos = p
				return "", tokEOF, fail(errNoCause, "dangling \\")
			}
			if s[p] == '\n' {
				p++
				continue
			}
			c = s[p]
		case !single && c == '"':
			double = !double
			p++
			continue
		}
		b = append(b, c)
		p++
	}
	l.buf = b
	l.pos = p
	if double {
		return "", tokEOF, fail(errNoCause, "missing \"")
	}
	return string(b), tokArg, nil
}

// argvLexer yields the elements of an argument vector, one command.
type argvLexer struct {
	args []string
	i    int
}

func (l *argvLexer) next() (string, tokKind, error) {
	if l.i >= len(l.args) {
		return "", tokEOF, nil
	}
	l.i++
	return l.args[l.i-1], tokArg, nil
}

// SplitBatch splits a command string into commands and their words with
// virsh's quoting rules, without looking the commands up. Empty commands
// are dropped.
func SplitBatch(s string) ([][]string, error) {
	l := &stringLexer{s: s}
	var out [][]string
	var cur []string
	for {
		tok, kind, err := l.next()
		if err != nil {
			return nil, err
		}
		switch kind {
		case tokArg:
			cur = append(cur, tok)
			continue
		}
		if len(cur) > 0 {
			out = append(out, cur)
			cur = nil
		}
		if kind == tokEOF {
			return out, nil
		}
	}
}

// parseCommands reads every command from l and binds its words to the
// command's options as virsh does. A syntax error anywhere fails the whole
// input: nothing runs.
func parseCommands(t *table, l lexer) ([]*call, error) {
	var calls []*call
	for {
		c, kind, err := parseOne(t, l)
		if err != nil {
			return nil, err
		}
		if c != nil {
			calls = append(calls, c)
		}
		if kind == tokEOF {
			return calls, nil
		}
	}
}

// parseOne parses one command up to its end; c is nil for an empty one.
func parseOne(t *table, l lexer) (c *call, kind tokKind, err error) {
	var (
		def      *cmdDef
		dataOnly bool
		// pending lists the options a bare argument may still fill.
		pending []*optDef
		seen    = map[*optDef]bool{}
	)
	for {
		var tok string
		tok, kind, err = l.next()
		if err != nil {
			return nil, kind, err
		}
		if kind != tokArg {
			break
		}
		if def == nil {
			def = t.lookup(tok)
			if def == nil {
				return nil, kind, fail(errNoCause, "unknown command: '%s'", tok)
			}
			c = &call{def: def}
			for i := range def.opts {
				if def.opts[i].positional() {
					pending = append(pending, &def.opts[i])
				}
			}
			continue
		}
		if !dataOnly && tok == "-o" && def.option("output") != nil {
			tok = "--output"
		}
		switch {
		case !dataOnly && len(tok) > 2 && tok[0] == '-' && tok[1] == '-' && isAlnum(tok[2]):
			name, value, hasValue := strings.Cut(tok[2:], "=")
			o, v, hv, err := def.resolve(name, value, hasValue)
			if err != nil {
				return nil, kind, err
			}
			if o == nil { // help ignores what it does not know
				continue
			}
			if seen[o] && o.kind != optArgv {
				return nil, kind, fail(errNoCause, "option --%s already seen", name)
			}
			seen[o] = true
			if o.kind == optBool {
				if hv {
					return nil, kind, fail(errNoCause, "invalid '=' after option --%s", o.name)
				}
				c.opts = append(c.opts, optVal{def: o})
				continue
			}
			if !hv {
				var k tokKind
				v, k, err = l.next()
				if err != nil {
					return nil, k, err
				}
				if k != tokArg {
					what := "string"
					if o.kind == optInt {
						what = "number"
					}
					return nil, k, fail(errNoCause, "expected syntax: --%s <%s>", o.name, what)
				}
			}
			if o.kind != optArgv {
				pending = removeOpt(pending, o)
			}
			c.opts = append(c.opts, optVal{def: o, data: v})
		case !dataOnly && tok == "--":
			dataOnly = true
		default:
			if len(pending) == 0 {
				if def.name == "help" {
					continue
				}
				return nil, kind, fail(errNoCause, "unexpected data '%s'", tok)
			}
			o := pending[0]
			if o.kind != optArgv {
				pending = pending[1:]
			}
			seen[o] = true
			c.opts = append(c.opts, optVal{def: o, data: tok})
		}
	}
	if c == nil {
		return nil, kind, nil
	}
	if c.has("help") {
		h := t.lookup("help")
		return &call{def: h, opts: []optVal{{def: &h.opts[0], data: def.name}}}, kind, nil
	}
	var missing error
	for i := len(def.opts) - 1; i >= 0; i-- {
		o := &def.opts[i]
		if !o.req || seen[o] {
			continue
		}
		if missing == nil {
			missing = errNoCause
		}
		if o.kind == optData || o.kind == optArgv {
			missing = fail(missing, "command '%s' requires <%s> option", def.name, o.name)
		} else {
			missing = fail(missing, "command '%s' requires --%s option", def.name, o.name)
		}
	}
	if missing != nil {
		return nil, kind, missing
	}
	return c, kind, nil
}

func removeOpt(list []*optDef, o *optDef) []*optDef {
	for i, x := range list {
		if x == o {
			return append(list[:i:i], list[i+1:]...)
		}
	}
	return list
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// option returns the option named name (not following aliases), or nil.
func (d *cmdDef) option(name string) *optDef {
	for i := range d.opts {
		if d.opts[i].name == name {
			return &d.opts[i]
		}
	}
	return nil
}

// resolve finds the option a "--name[=value]" word refers to, following
// aliases. It returns a nil option for words the help command ignores.
func (d *cmdDef) resolve(name, value string, hasValue bool) (*optDef, string, bool, error) {
	if name == "help" {
		return &helpOpt, value, hasValue, nil
	}
	target := name
	for i := range d.opts {
		o := &d.opts[i]
		if o.name != target {
			continue
		}
		if o.kind == optAlias {
			to, v, withValue := strings.Cut(o.alias, "=")
			if withValue {
				if hasValue {
					return nil, "", false, fail(errNoCause, "invalid '=' after option --%s", o.name)
				}
				value, hasValue = v, true
			}
			target = to
			continue
		}
		return o, value, hasValue, nil
	}
	if d.name == "help" {
		return nil, "", false, nil
	}
	return nil, "", false, fail(errNoCause, "command '%s' doesn't support option --%s", d.name, name)
}
