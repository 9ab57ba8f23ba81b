package virtxml

import (
	"strconv"
	"strings"

	"github.com/govirt/govirt/internal/xmldoc"
)

// These helpers read an element tree with libvirt's two lookup styles:
// virXMLPropString (an attribute that is present, even empty) and XPath
// string() (where an empty result counts as absent).

// propStr returns attribute name of n as virXMLPropString does.
func propStr(n *xmldoc.Node, name string) (string, bool) {
	if n == nil {
		return "", false
	}
	return n.Attr(name)
}

// xpAttr returns attribute name of n as XPath string(./@name) does: an
// empty value counts as absent.
func xpAttr(n *xmldoc.Node, name string) (string, bool) {
	v, ok := propStr(n, name)
	if !ok || v == "" {
		return "", false
	}
	return v, true
}

// xpText returns the text of the first child element called name, as
// XPath string(./name[1]) does: empty counts as absent.
func xpText(n *xmldoc.Node, name string) (string, bool) {
	c := child(n, name)
	if c == nil {
		return "", false
	}
	t := nodeText(c)
	return t, t != ""
}

// nodeText returns all the character data below n, as XPath string() does.
func nodeText(n *xmldoc.Node) string {
	if len(n.Children) == 0 {
		return n.Text
	}
	var sb strings.Builder
	var walk func(*xmldoc.Node)
	walk = func(n *xmldoc.Node) {
		if len(n.Children) == 0 {
			sb.WriteString(n.Text)
			return
		}
		mixed := false
		for _, c := range n.Children {
			if c.Name == xmldoc.TextNodeName {
				mixed = true
			}
		}
		if !mixed && n.Text != "" {
			sb.WriteString(n.Text)
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(n)
	return sb.String()
}

// child returns the first child element called name, or nil.
func child(n *xmldoc.Node, name string) *xmldoc.Node {
	if n == nil {
		return nil
	}
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// childrenNamed returns the child elements called name.
func childrenNamed(n *xmldoc.Node, name string) []*xmldoc.Node {
	if n == nil {
		return nil
	}
	var out []*xmldoc.Node
	for _, c := range n.Children {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// invalidAttr is libvirt's message for an attribute whose value does not
// parse (virXMLProp*).
func invalidAttr(n *xmldoc.Node, name, value, tail string) *Error {
	return xmlErrorf("Invalid value for attribute '%s' in element '%s': '%s'%s", name, n.Name, value, tail)
}

// propTristate reads a yes/no attribute ("" when absent), as
// virXMLPropTristateBool does.
func propTristate(n *xmldoc.Node, name string) (string, error) {
	v, ok := propStr(n, name)
	if !ok {
		return "", nil
	}
	if v != "yes" && v != "no" {
		return "", invalidAttr(n, name, v, ".")
	}
	return v, nil
}

// propEnum reads an attribute that must be one of values ("" when absent).
func propEnum(n *xmldoc.Node, name string, values ...string) (string, error) {
	v, ok := propStr(n, name)
	if !ok {
		return "", nil
	}
	for _, x := range values {
		if v == x {
			return v, nil
		}
	}
	return "", invalidAttr(n, name, v, ".")
}

// propUint reads an unsigned attribute as virXMLPropUInt/ULongLong do.
func propUint(n *xmldoc.Node, name string, base int, max uint64) (uint64, bool, error) {
	v, ok := propStr(n, name)
	if !ok {
		return 0, false, nil
	}
	x, err := cParseUint(v, base)
	if err != nil || x > max {
		return 0, false, invalidAttr(n, name, v, ". Expected non-negative integer value")
	}
	return x, true, nil
}

// cParseUint parses like strtoull with an end-of-string check and no
// negative values (libvirt's virStrToLong_*p): leading white space and a
// '+' are allowed; base 0 detects 0x and 0 prefixes.
func cParseUint(s string, base int) (uint64, error) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	t = strings.TrimPrefix(t, "+")
	if base == 0 || base == 16 {
		if len(t) > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') {
			t, base = t[2:], 16
		} else if base == 0 && len(t) > 1 && t[0] == '0' {
			t, base = t[1:], 8
		} else if base == 0 {
			base = 10
		}
	}
	if t == "" || t[0] == '+' || t[0] == '-' {
		return 0, strconv.ErrSyntax
	}
	return strconv.ParseUint(t, base, 64)
}

// cParseInt parses a signed number like strtoll with an end check.
func cParseInt(s string, base int) (int64, error) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if strings.HasPrefix(t, "-") {
		neg, t = true, t[1:]
	} else {
		t = strings.TrimPrefix(t, "+")
	}
	u, err := cParseUint(t, base)
	if err != nil {
		return 0, err
	}
	if neg {
		if u > 1<<63 {
			return 0, strconv.ErrRange
		}
		return -int64(u), nil
	}
	if u > 1<<63-1 {
		return 0, strconv.ErrRange
	}
	return int64(u), nil
}

// enc wraps an Encoder with the few extra forms libvirt's writers use.
type enc struct {
	xmldoc.Encoder
}

// empty writes <name attrs.../> where attrs are name, value pairs; empty
// values are skipped.
func (e *enc) empty(name string, attrs ...string) {
	e.Open(name)
	for i := 0; i+1 < len(attrs); i += 2 {
		if attrs[i+1] != "" {
			e.Attr(attrs[i], attrs[i+1])
		}
	}
	e.EndEmpty()
}

// text writes <name>text</name>, or nothing when text is empty.
func (e *enc) text(name, text string) {
	if text != "" {
		e.TextElement(name, text)
	}
}

// cParseUintWrap parses like libvirt's virStrToLong_ui/ul (no "p"): a
// leading '-' is accepted and wraps modulo 2^bits, as strtoul does.
func cParseUintWrap(s string, base int, bits uint) (uint64, error) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	neg := strings.HasPrefix(t, "-")
	if neg {
		t = t[1:]
	}
	v, err := cParseUint(t, base)
	if err != nil {
		return 0, err
	}
	limit := uint64(1<<bits - 1)
	if bits == 64 {
		limit = 1<<64 - 1
	}
	if v > limit {
		return 0, strconv.ErrRange
	}
	if neg {
		v = (limit - v + 1) & limit
	}
	return v, nil
}

func uitoa(v uint64) string { return strconv.FormatUint(v, 10) }

func itoa(v int) string { return strconv.Itoa(v) }
