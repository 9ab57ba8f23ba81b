package xmldoc

import (
	"strconv"
)

// Encoder accumulates a document in libvirt's layout. The zero value is ready
// to use.
type Encoder struct {
	buf   []byte
	depth int
}

// Bytes returns the document written so far.
func (e *Encoder) Bytes() []byte { return e.buf }

// String returns the document written so far as a string.
func (e *Encoder) String() string { return string(e.buf) }

// Depth is the current nesting level (0 at the root).
func (e *Encoder) Depth() int { return e.depth }

func (e *Encoder) indent() {
	for i := 0; i < e.depth; i++ {
		e.buf = append(e.buf, ' ', ' ')
	}
}

// Open writes "<name" at the current indentation. Follow it with Attr calls
// and then one of EndEmpty, EndText or EndOpen.
func (e *Encoder) Open(name string) {
	e.indent()
	e.buf = append(e.buf, '<')
	e.buf = append(e.buf, name...)
}

// Attr writes name='value' with libvirt's escaping.
func (e *Encoder) Attr(name, value string) {
	e.buf = append(e.buf, ' ')
	e.buf = append(e.buf, name...)
	e.buf = append(e.buf, '=', '\'')
	e.buf = appendEscaped(e.buf, value)
	e.buf = append(e.buf, '\'')
}

// AttrUint writes an unsigned decimal attribute.
func (e *Encoder) AttrUint(name string, v uint64) {
	e.buf = append(e.buf, ' ')
	e.buf = append(e.buf, name...)
	e.buf = append(e.buf, '=', '\'')
	e.buf = strconv.AppendUint(e.buf, v, 10)
	e.buf = append(e.buf, '\'')
}

// EndEmpty closes a start tag as an empty element: "/>".
func (e *Encoder) EndEmpty() { e.buf = append(e.buf, '/', '>', '\n') }

// EndText writes ">text</name>" for an element whose content is text only.
func (e *Encoder) EndText(name, text string) {
	e.buf = append(e.buf, '>')
	e.buf = appendEscaped(e.buf, text)
	e.buf = append(e.buf, '<', '/')
	e.buf = append(e.buf, name...)
	e.buf = append(e.buf, '>', '\n')
}

// EndOpen closes a start tag whose element has children; Close ends it.
func (e *Encoder) EndOpen() {
	e.buf = append(e.buf, '>', '\n')
	e.depth++
}

// Close writes "</name>" after the children of an element.
func (e *Encoder) Close(name string) {
	e.depth--
	e.indent()
	e.buf = append(e.buf, '<', '/')
	e.buf = append(e.buf, name...)
	e.buf = append(e.buf, '>', '\n')
}

// TextElement writes <name>text</name> on one line.
func (e *Encoder) TextElement(name, text string) {
	e.Open(name)
	e.EndText(name, text)
}

// Raw writes a preserved element the way libxml2 dumps a node: double-quoted
// attributes, re-indented children unless the element holds mixed text.
func (e *Encoder) Raw(n *Node) {
	e.indent()
	e.rawNode(n, true)
	e.buf = append(e.buf, '\n')
}

func (e *Encoder) rawNode(n *Node, format bool) {
	if n.Name == TextNodeName {
		e.buf = appendLibxmlText(e.buf, n.Text)
		return
	}
	e.buf = append(e.buf, '<')
	e.buf = append(e.buf, n.Name...)
	for _, a := range n.Attrs {
		e.buf = append(e.buf, ' ')
		e.buf = append(e.buf, a.Name...)
		e.buf = append(e.buf, '=', '"')
		e.buf = appendLibxmlAttr(e.buf, a.Value)
		e.buf = append(e.buf, '"')
	}
	if len(n.Children) == 0 && n.Text == "" {
		e.buf = append(e.buf, '/', '>')
		return
	}
	e.buf = append(e.buf, '>')
	if len(n.Children) == 0 {
		e.buf = appendLibxmlText(e.buf, n.Text)
	} else {
		mixed := !format
		for _, c := range n.Children {
			if c.Name == TextNodeName {
				mixed = true
			}
		}
		if mixed {
			for _, c := range n.Children {
				e.rawNode(c, false)
			}
		} else {
			e.depth++
			for _, c := range n.Children {
				e.buf = append(e.buf, '\n')
				e.indent()
				e.rawNode(c, true)
			}
			e.depth--
			e.buf = append(e.buf, '\n')
			e.indent()
		}
	}
	e.buf = append(e.buf, '<', '/')
	e.buf = append(e.buf, n.Name...)
	e.buf = append(e.buf, '>')
}

// appendEscaped escapes as libvirt's virBufferEscapeString does: the five
// markup characters become entities and other control characters are dropped.
func appendEscaped(b []byte, s string) []byte {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '<' || c == '>' || c == '&' || c == '\'' || c == '"' || c < 0x20 && c != '\n' && c != '\t' && c != '\r' {
			clean = false
			break
		}
	}
	if clean {
		return append(b, s...)
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		case '&':
			b = append(b, "&amp;"...)
		case '\'':
			b = append(b, "&apos;"...)
		case '"':
			b = append(b, "&quot;"...)
		default:
			if c < 0x20 && c != '\n' && c != '\t' && c != '\r' {
				continue
			}
			b = append(b, c)
		}
	}
	return b
}

func appendLibxmlText(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		case '&':
			b = append(b, "&amp;"...)
		case '\r':
			b = append(b, "&#13;"...)
		default:
			b = append(b, c)
		}
	}
	return b
}

func appendLibxmlAttr(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		case '&':
			b = append(b, "&amp;"...)
		case '"':
			b = append(b, "&quot;"...)
		case '\n':
			b = append(b, "&#10;"...)
		case '\r':
			b = append(b, "&#13;"...)
		case '\t':
			b = append(b, "&#9;"...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// BlankLine writes an empty line, as libvirt's capabilities document has
// between its sections.
func (e *Encoder) BlankLine() { e.buf = append(e.buf, '\n') }
