package native

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/govirt/govirt/virtxml"
)

// Limits on xm/xl and vmx inputs: anything larger is refused with an error.
const (
	// MaxConfigSize is the largest config file accepted, as libvirt's limit.
	MaxConfigSize = 10 << 20
	// MaxListDepth is the deepest nesting of lists accepted (vnuma needs 2).
	MaxListDepth = 8
	// MaxListItems is the most items one list may hold.
	MaxListItems = 1 << 16
)

// The libvirt error numbers native errors carry.
const (
	codeInternal    = virtxml.CodeInternal
	codeConfSyntax  = virtxml.ErrorCode(33) // VIR_ERR_CONF_SYNTAX
	codeUnsupported = virtxml.CodeConfigUnsupported
	codeInvalidArg  = virtxml.CodeInvalidArg
)

// errAt builds the error for a problem on line (0: unknown) with key ("":
// none): "line 3: key 'disk': unterminated string".
func errAt(code virtxml.ErrorCode, line int, key, format string, args ...any) *virtxml.Error {
	msg := fmt.Sprintf(format, args...)
	switch {
	case line > 0 && key != "":
		msg = fmt.Sprintf("line %d: key '%s': %s", line, key, msg)
	case line > 0:
		msg = fmt.Sprintf("line %d: %s", line, msg)
	case key != "":
		msg = fmt.Sprintf("key '%s': %s", key, msg)
	}
	return &virtxml.Error{Code: code, Msg: msg, Line: line}
}

// Kind is the type of a config value.
type Kind uint8

// The value kinds of the xm/xl syntax.
const (
	String Kind = iota + 1
	Number
	List
)

// Value is one config value: a string, an integer or a list of values.
type Value struct {
	Kind Kind
	Str  string
	Num  int64
	List []Value
}

// Str returns a string value.
func Str(s string) Value { return Value{Kind: String, Str: s} }

// Int returns a number value.
func Int(n int64) Value { return Value{Kind: Number, Num: n} }

// Strings returns a list of string values.
func Strings(ss ...string) Value {
	v := Value{Kind: List, List: make([]Value, len(ss))}
	for i, s := range ss {
		v.List[i] = Str(s)
	}
	return v
}

// Equal reports whether v and w are the same value.
func (v Value) Equal(w Value) bool {
	if v.Kind != w.Kind {
		return false
	}
	switch v.Kind {
	case String:
		return v.Str == w.Str
	case Number:
		return v.Num == w.Num
	case List:
		if len(v.List) != len(w.List) {
			return false
		}
		for i := range v.List {
			if !v.List[i].Equal(w.List[i]) {
				return false
			}
		}
		return true
	}
	return true
}

// String returns the value as the writer spells it.
func (v Value) String() string {
	var b strings.Builder
	v.write(&b)
	return b.String()
}

// write appends the value as libvirt's config writer does: numbers in
// decimal, strings in double quotes (single quotes when they hold a double
// quote, triple quotes for line breaks or both quotes), lists as
// "[ a, b ]". Every string ParseConfig returns is written so that it reads
// back the same.
func (v Value) write(b *strings.Builder) {
	switch v.Kind {
	case Number:
		b.WriteString(strconv.FormatInt(v.Num, 10))
	case String:
		switch {
		case strings.ContainsAny(v.Str, "\n\r"):
			b.WriteString(`"""` + v.Str + `"""`)
		case strings.IndexByte(v.Str, '"') < 0:
			b.WriteString(`"` + v.Str + `"`)
		case strings.IndexByte(v.Str, '\'') < 0:
			b.WriteString(`'` + v.Str + `'`)
		default:
			b.WriteString(`"""` + v.Str + `"""`)
		}
	case List:
		b.WriteString("[ ")
		for i, e := range v.List {
			if i > 0 {
				b.WriteString(", ")
			}
			e.write(b)
		}
		b.WriteString(" ]")
	}
}

// Entry is one line of a config: a setting, or a standalone comment when
// Key is empty.
type Entry struct {
	Key     string
	Value   Value
	Comment string // text after '#', without it; "" for none
	Line    int    // where the entry starts; 0 for entries set in code
}

// Config is an xm/xl config file: its entries in file order. Every entry is
// kept, known to the converters or not.
type Config struct {
	Entries []Entry
}

// Lookup returns the value of key and the line it was set on.
func (c *Config) Lookup(key string) (Value, int, bool) {
	for i := range c.Entries {
		if c.Entries[i].Key == key {
			return c.Entries[i].Value, c.Entries[i].Line, true
		}
	}
	return Value{}, 0, false
}

// Set sets key to v, in place when key is set already, else at the end.
func (c *Config) Set(key string, v Value) {
	for i := range c.Entries {
		if c.Entries[i].Key == key {
			c.Entries[i].Value = v
			return
		}
	}
	c.Entries = append(c.Entries, Entry{Key: key, Value: v})
}

// Delete removes key.
func (c *Config) Delete(key string) {
	for i := range c.Entries {
		if c.Entries[i].Key == key {
			c.Entries = append(c.Entries[:i], c.Entries[i+1:]...)
			return
		}
	}
}

// Format writes the config in the layout libvirt writes: one
// "key = value" line per entry, comments kept.
func (c *Config) Format() []byte {
	var b strings.Builder
	for _, e := range c.Entries {
		if e.Key != "" {
			b.WriteString(e.Key)
			b.WriteString(" = ")
			e.Value.write(&b)
			if e.Comment != "" {
				b.WriteString(" #" + e.Comment)
			}
		} else {
			b.WriteString("#" + e.Comment)
		}
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

// ParseConfig parses an xm/xl config: the subset of Python that Xen's
// config files use ("key = value" statements separated by newlines or ';',
// values being quoted strings, integers or lists of values, '#' comments).
// A key set twice is refused, since the toolstacks disagree on which wins.
func ParseConfig(data []byte) (*Config, error) {
	if len(data) > MaxConfigSize {
		return nil, errAt(codeConfSyntax, 0, "", "config is %d bytes, more than the %d accepted", len(data), MaxConfigSize)
	}
	if err := checkText(data); err != nil {
		return nil, err
	}
	p := confParser{data: data, line: 1}
	c := &Config{}
	seen := map[string]int{}
	for {
		p.skipBlanksAndEOL()
		if p.eof() {
			return c, nil
		}
		if p.peek() == '#' {
			c.Entries = append(c.Entries, Entry{Comment: p.comment(), Line: p.line})
			continue
		}
		e, err := p.statement()
		if err != nil {
			return nil, err
		}
		if first, dup := seen[e.Key]; dup {
			return nil, errAt(codeConfSyntax, e.Line, e.Key, "set again (first set on line %d)", first)
		}
		seen[e.Key] = e.Line
		c.Entries = append(c.Entries, e)
		if err := p.separator(e.Key); err != nil {
			return nil, err
		}
	}
}

var tripleQuote = []byte(`"""`)

// checkText refuses input that is not UTF-8 or holds control characters
// other than tabs and line breaks: no domain XML could carry them.
func checkText(data []byte) error {
	line := 1
	for i := 0; i < len(data); {
		c := data[i]
		switch {
		case c == '\n':
			line++
		case c < 0x20 && c != '\t' && c != '\r':
			return errAt(codeConfSyntax, line, "", "control character 0x%02x", c)
		case c >= 0x80:
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				return errAt(codeConfSyntax, line, "", "invalid UTF-8")
			}
			i += n
			continue
		}
		i++
	}
	return nil
}

// confParser is the state of ParseConfig.
type confParser struct {
	data []byte
	pos  int
	line int
}

func (p *confParser) eof() bool  { return p.pos >= len(p.data) }
func (p *confParser) peek() byte { return p.data[p.pos] }

func isBlank(c byte) bool { return c == ' ' || c == '\t' }
func isEOL(c byte) bool   { return c == '\n' || c == '\r' }

func (p *confParser) skipBlanks() {
	for !p.eof() && isBlank(p.peek()) {
		p.pos++
	}
}

func (p *confParser) skipBlanksAndEOL() {
	for !p.eof() && (isBlank(p.peek()) || isEOL(p.peek())) {
		if p.peek() == '\n' {
			p.line++
		}
		p.pos++
	}
}

// comment reads a '#' comment up to the end of the line.
func (p *confParser) comment() string {
	p.pos++
	start := p.pos
	for !p.eof() && !isEOL(p.peek()) {
		p.pos++
	}
	return string(p.data[start:p.pos])
}

// skipInList skips blanks, newlines and comments between list items.
func (p *confParser) skipInList() {
	for {
		p.skipBlanksAndEOL()
		if p.eof() || p.peek() != '#' {
			return
		}
		p.comment()
	}
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (p *confParser) statement() (Entry, error) {
	e := Entry{Line: p.line}
	start := p.pos
	if !isAlpha(p.peek()) {
		return e, errAt(codeConfSyntax, p.line, "", "expecting a name, found %s", describeByte(p.peek()))
	}
	for !p.eof() && (isAlpha(p.peek()) || isDigit(p.peek()) || p.peek() == '_') {
		p.pos++
	}
	e.Key = string(p.data[start:p.pos])
	p.skipBlanks()
	if p.eof() || p.peek() != '=' {
		return e, errAt(codeConfSyntax, p.line, e.Key, "expecting '=' after the name")
	}
	p.pos++
	p.skipBlanks()
	v, err := p.value(e.Key, 0)
	if err != nil {
		return e, err
	}
	e.Value = v
	p.skipBlanks()
	if !p.eof() && p.peek() == '#' {
		e.Comment = p.comment()
	}
	return e, nil
}

// separator reads what ends a statement: a newline, ';' or the end.
func (p *confParser) separator(key string) error {
	p.skipBlanks()
	if p.eof() {
		return nil
	}
	switch c := p.peek(); {
	case isEOL(c):
		return nil
	case c == ';':
		p.pos++
		return nil
	default:
		return errAt(codeConfSyntax, p.line, key, "unexpected %s after the value", describeByte(c))
	}
}

func describeByte(c byte) string {
	if c >= 0x21 && c < 0x7f {
		return fmt.Sprintf("'%c'", c)
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

func (p *confParser) value(key string, depth int) (Value, error) {
	if p.eof() {
		return Value{}, errAt(codeConfSyntax, p.line, key, "expecting a value")
	}
	switch c := p.peek(); {
	case c == '"' || c == '\'':
		s, err := p.str(key)
		return Str(s), err
	case c == '[':
		return p.list(key, depth)
	case isDigit(c) || c == '-' || c == '+':
		return p.number(key)
	default:
		return Value{}, errAt(codeConfSyntax, p.line, key, "expecting a value, found %s", describeByte(c))
	}
}

// str reads a quoted string: '...' or "..." on one line, or """...""" over
// several. The text is kept as written (no escapes), as libvirt reads it.
func (p *confParser) str(key string) (string, error) {
	line := p.line
	if p.peek() == '"' && p.pos+6 < len(p.data) && string(p.data[p.pos:p.pos+3]) == `"""` {
		p.pos += 3
		start := p.pos
		end := bytes.Index(p.data[start:], tripleQuote)
		if end < 0 {
			return "", errAt(codeConfSyntax, line, key, "unterminated string (no closing \"\"\")")
		}
		s := string(p.data[start : start+end])
		p.line += strings.Count(s, "\n")
		p.pos = start + end + 3
		return s, nil
	}
	quote := p.peek()
	p.pos++
	start := p.pos
	for !p.eof() && p.peek() != quote && !isEOL(p.peek()) {
		p.pos++
	}
	if p.eof() || p.peek() != quote {
		return "", errAt(codeConfSyntax, line, key, "unterminated string (no closing %c on the line)", quote)
	}
	s := string(p.data[start:p.pos])
	p.pos++
	return s, nil
}

func (p *confParser) number(key string) (Value, error) {
	neg := false
	if c := p.peek(); c == '-' || c == '+' {
		neg = c == '-'
		p.pos++
	}
	if p.eof() || !isDigit(p.peek()) {
		return Value{}, errAt(codeConfSyntax, p.line, key, "unterminated number")
	}
	var n uint64
	for !p.eof() && isDigit(p.peek()) {
		d := uint64(p.peek() - '0')
		if n > (math.MaxUint64-d)/10 || n*10+d > math.MaxInt64 {
			return Value{}, errAt(codeConfSyntax, p.line, key, "number out of range")
		}
		n = n*10 + d
		p.pos++
	}
	if !p.eof() && (isAlpha(p.peek()) || p.peek() == '_' || p.peek() == '.') {
		return Value{}, errAt(codeConfSyntax, p.line, key, "malformed number (unexpected %s)", describeByte(p.peek()))
	}
	v := int64(n)
	if neg {
		v = -v
	}
	return Int(v), nil
}

func (p *confParser) list(key string, depth int) (Value, error) {
	line := p.line
	if depth >= MaxListDepth {
		return Value{}, errAt(codeConfSyntax, line, key, "lists nested deeper than %d", MaxListDepth)
	}
	p.pos++ // '['
	v := Value{Kind: List}
	p.skipInList()
	for {
		if p.eof() {
			return Value{}, errAt(codeConfSyntax, line, key, "list is not closed with ]")
		}
		if p.peek() == ']' {
			p.pos++
			return v, nil
		}
		if len(v.List) >= MaxListItems {
			return Value{}, errAt(codeConfSyntax, line, key, "list has more than %d items", MaxListItems)
		}
		item, err := p.value(key, depth+1)
		if err != nil {
			return Value{}, err
		}
		v.List = append(v.List, item)
		p.skipInList()
		if p.eof() {
			return Value{}, errAt(codeConfSyntax, line, key, "list is not closed with ]")
		}
		switch p.peek() {
		case ',':
			p.pos++
			p.skipInList()
		case ']':
		default:
			return Value{}, errAt(codeConfSyntax, p.line, key, "expecting ',' or ']' in the list, found %s", describeByte(p.peek()))
		}
	}
}

// Diff compares two configs key by key, ignoring order, layout and
// comments, and returns the differences ("key: got X, want Y"), empty when
// they agree.
func Diff(got, want *Config) []string {
	index := func(c *Config) map[string]Value {
		m := make(map[string]Value, len(c.Entries))
		for _, e := range c.Entries {
			if _, dup := m[e.Key]; e.Key != "" && !dup {
				m[e.Key] = e.Value
			}
		}
		return m
	}
	g, w := index(got), index(want)
	var out []string
	for _, e := range want.Entries {
		if e.Key == "" {
			continue
		}
		v, ok := g[e.Key]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s: missing, want %s", e.Key, e.Value))
		case !v.Equal(e.Value):
			out = append(out, fmt.Sprintf("%s: got %s, want %s", e.Key, v, e.Value))
		}
	}
	for _, e := range got.Entries {
		if _, ok := w[e.Key]; e.Key != "" && !ok {
			out = append(out, fmt.Sprintf("%s: unexpected %s", e.Key, e.Value))
		}
	}
	return out
}
