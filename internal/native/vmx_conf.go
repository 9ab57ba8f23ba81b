package native

import (
	"strings"
	"unicode/utf8"
)

// ParseVMXConfig parses a .vmx file: "key = "value"" lines, '#' comments.
// Keys are letters, digits and "_.:-" (a leading '.' allowed, as in
// ".encoding"); values are quoted strings. Lookups ignore case, and a key
// set twice keeps its first value, as VMware's readers do.
func ParseVMXConfig(data []byte) (*Config, error) {
	if len(data) > MaxConfigSize {
		return nil, errAt(codeConfSyntax, 0, "", "config is %d bytes, more than the %d accepted", len(data), MaxConfigSize)
	}
	p := confParser{data: data, line: 1}
	c := &Config{}
	for {
		p.skipBlanksAndEOL()
		if p.eof() {
			return c, nil
		}
		if p.peek() == '#' {
			c.Entries = append(c.Entries, Entry{Comment: p.comment(), Line: p.line})
			continue
		}
		e := Entry{Line: p.line}
		start := p.pos
		if !isAlpha(p.peek()) && p.peek() != '.' {
			return nil, errAt(codeConfSyntax, p.line, "", "expecting a name, found %s", describeByte(p.peek()))
		}
		for !p.eof() && (isAlpha(p.peek()) || isDigit(p.peek()) || strings.IndexByte("_:.-", p.peek()) >= 0) {
			p.pos++
		}
		e.Key = string(p.data[start:p.pos])
		p.skipBlanks()
		if p.eof() || p.peek() != '=' {
			return nil, errAt(codeConfSyntax, p.line, e.Key, "expecting '=' after the name")
		}
		p.pos++
		p.skipBlanks()
		if p.eof() {
			return nil, errAt(codeConfSyntax, p.line, e.Key, "expecting a value")
		}
		switch ch := p.peek(); {
		case ch == '"' || ch == '\'':
			s, err := p.str(e.Key)
			if err != nil {
				return nil, err
			}
			e.Value = Str(s)
		case ch == '[':
			return nil, errAt(codeConfSyntax, p.line, e.Key, "lists not allowed in VMX format")
		case isDigit(ch) || ch == '-' || ch == '+':
			return nil, errAt(codeConfSyntax, p.line, e.Key, "numbers not allowed in VMX format (quote the value)")
		default:
			return nil, errAt(codeConfSyntax, p.line, e.Key, "expecting a quoted value, found %s", describeByte(ch))
		}
		p.skipBlanks()
		if !p.eof() && p.peek() == '#' {
			e.Comment = p.comment()
		}
		c.Entries = append(c.Entries, e)
		if err := p.separator(e.Key); err != nil {
			return nil, err
		}
	}
}

// foldIndex maps each key, lower-cased, to its first entry.
func (c *Config) foldIndex() map[string]int {
	m := make(map[string]int, len(c.Entries))
	for i, e := range c.Entries {
		if e.Key == "" {
			continue
		}
		k := strings.ToLower(e.Key)
		if _, dup := m[k]; !dup {
			m[k] = i
		}
	}
	return m
}

// windows1252 maps the bytes 0x80-0x9f of Windows-1252 to Unicode (0:
// undefined).
var windows1252 = [32]rune{
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
}

// toUTF8 converts data from encoding to UTF-8; it knows UTF-8, US-ASCII,
// ISO-8859-1 and Windows-1252, the encodings VMware products write.
func toUTF8(data []byte, encoding string) ([]byte, error) {
	switch strings.ToLower(encoding) {
	case "utf-8", "utf8":
		if !utf8.Valid(data) {
			return nil, errAt(codeInternal, 0, ".encoding", "the file is not valid UTF-8")
		}
		return data, nil
	case "us-ascii", "ascii", "iso-8859-1", "latin1", "iso8859-1", "windows-1252", "cp1252":
		win := strings.Contains(strings.ToLower(encoding), "1252")
		var b strings.Builder
		for _, c := range data {
			switch {
			case c < 0x80:
				b.WriteByte(c)
			case win && c < 0xa0:
				r := windows1252[c-0x80]
				if r == 0 {
					return nil, errAt(codeInternal, 0, ".encoding", "could not convert from %s to UTF-8 encoding", encoding)
				}
				b.WriteRune(r)
			default:
				b.WriteRune(rune(c))
			}
		}
		return []byte(b.String()), nil
	}
	return nil, errAt(codeInternal, 0, ".encoding", "unsupported encoding %s", encoding)
}
