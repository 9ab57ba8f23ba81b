// Package xmldoc is govirt's small XML toolkit: a strict, bounded parser into
// a light element tree, a reflective binder between that tree and Go structs
// (with encoding/xml-style tags), and an encoder that writes libvirt's
// canonical layout (two-space indentation, single-quoted attributes,
// self-closing empty elements).
//
// It exists because libvirt's documents must round-trip exactly, unknown
// elements must survive, and the stock encoding/xml can neither write
// libvirt's layout nor parse fast enough for the throughput we aim at.
package xmldoc

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits bound the work the parser does on hostile input.
const (
	// MaxDepth is the deepest element nesting accepted (libxml2 uses 256).
	MaxDepth = 256
	// MaxAttrs is the largest number of attributes on one element.
	MaxAttrs = 1024
)

// Attr is one attribute, with its name as written (prefix included).
type Attr struct {
	Name  string
	Value string
}

// Node is an element of a parsed document.
//
// Text holds the element's character data (concatenated, entities resolved).
// When an element mixes non-blank text with child elements, the text pieces
// are kept in order as children named "#text" so that a raw copy stays
// faithful.
type Node struct {
	Name     string
	Attrs    []Attr
	Children []*Node
	Text     string
	Line     int
}

// TextNodeName names the pseudo-children that carry mixed-content text.
const TextNodeName = "#text"

// Attr returns the value of the attribute named name and whether it is set.
func (n *Node) Attr(name string) (string, bool) {
	for i := range n.Attrs {
		if n.Attrs[i].Name == name {
			return n.Attrs[i].Value, true
		}
	}
	return "", false
}

// Child returns the first child element named name, or nil.
func (n *Node) Child(name string) *Node {
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Local returns the name without its namespace prefix.
func (n *Node) Local() string {
	if i := strings.IndexByte(n.Name, ':'); i >= 0 {
		return n.Name[i+1:]
	}
	return n.Name
}

// Prefix returns the namespace prefix of the name, or "".
func (n *Node) Prefix() string {
	if i := strings.IndexByte(n.Name, ':'); i >= 0 {
		return n.Name[:i]
	}
	return ""
}

// SyntaxError reports malformed XML, with the 1-based line where it was found.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

// Parse parses one XML document and returns its root element.
// Comments, processing instructions and the XML declaration are dropped.
// A DOCTYPE with an internal subset is refused (no entity expansion, ever).
func Parse(data []byte) (*Node, error) {
	if err := checkChars(data); err != nil {
		return nil, err
	}
	p := parser{data: data, line: 1}
	return p.document()
}

// checkChars refuses invalid UTF-8 and the control characters XML forbids,
// once for the whole input, so that the parser proper need not.
func checkChars(data []byte) error {
	line := 1
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c >= 0x20 && c < 0x80 {
			continue
		}
		switch {
		case c == '\n':
			line++
		case c == '\t' || c == '\r':
		case c < 0x20:
			return &SyntaxError{Line: line, Msg: fmt.Sprintf("PCDATA invalid Char value %d", c)}
		default:
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 || !validChar(r) {
				return &SyntaxError{Line: line, Msg: "Input is not proper UTF-8, indicate encoding !"}
			}
			i += size - 1
		}
	}
	return nil
}

type parser struct {
	// nodes and attrs are allocation slabs: elements and their
	// attributes are carved out of them.
	nodes []Node
	attrs []Attr
	data  []byte
	pos   int
	line  int
	// strings interns common names to save allocations.
	names map[string]string
}

func (p *parser) errf(format string, args ...any) error {
	return &SyntaxError{Line: p.line, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) eof() bool { return p.pos >= len(p.data) }

// skipSpace advances over XML white space, counting lines.
func (p *parser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case '\n':
			p.line++
		case ' ', '\t', '\r':
		default:
			return
		}
		p.pos++
	}
}

func (p *parser) hasPrefix(s string) bool {
	return bytes.HasPrefix(p.data[p.pos:], []byte(s))
}

// skipPast advances past the next occurrence of end, counting lines.
func (p *parser) skipPast(end, what string) error {
	i := bytes.Index(p.data[p.pos:], []byte(end))
	if i < 0 {
		p.countLines(len(p.data) - p.pos)
		p.pos = len(p.data)
		return p.errf("unterminated %s", what)
	}
	p.countLines(i + len(end))
	p.pos += i + len(end)
	return nil
}

func (p *parser) countLines(n int) {
	p.line += bytes.Count(p.data[p.pos:p.pos+n], []byte{'\n'})
}

// misc skips comments, processing instructions and white space between
// top-level constructs.
func (p *parser) misc() error {
	for {
		p.skipSpace()
		switch {
		case p.hasPrefix("<?"):
			if err := p.skipPast("?>", "processing instruction"); err != nil {
				return err
			}
		case p.hasPrefix("<!--"):
			if err := p.comment(); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

func (p *parser) comment() error {
	p.pos += 4
	i := bytes.Index(p.data[p.pos:], []byte("--"))
	if i < 0 {
		p.pos = len(p.data)
		return p.errf("Comment not terminated")
	}
	p.countLines(i)
	p.pos += i
	if !p.hasPrefix("-->") {
		return p.errf("Double hyphen within comment")
	}
	p.pos += 3
	return nil
}

func (p *parser) document() (*Node, error) {
	if bytes.HasPrefix(p.data, []byte("\xef\xbb\xbf")) {
		p.pos = 3
	}
	if err := p.misc(); err != nil {
		return nil, err
	}
	if p.hasPrefix("<!DOCTYPE") {
		if err := p.doctype(); err != nil {
			return nil, err
		}
		if err := p.misc(); err != nil {
			return nil, err
		}
	}
	if p.eof() {
		return nil, p.errf("Document is empty")
	}
	if p.data[p.pos] != '<' {
		return nil, p.errf("Start tag expected, '<' not found")
	}
	root, err := p.element(1)
	if err != nil {
		return nil, err
	}
	if err := p.misc(); err != nil {
		return nil, err
	}
	if !p.eof() {
		return nil, p.errf("Extra content at the end of the document")
	}
	return root, nil
}

func (p *parser) doctype() error {
	start := p.pos
	for i := p.pos; i < len(p.data); i++ {
		switch p.data[i] {
		case '[':
			return p.errf("DOCTYPE internal subsets are not supported")
		case '>':
			p.countLines(i + 1 - start)
			p.pos = i + 1
			return nil
		}
	}
	p.pos = len(p.data)
	return p.errf("unterminated DOCTYPE")
}

func isNameStart(c byte) bool {
	return c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isNameChar(c byte) bool {
	return isNameStart(c) || c == '-' || c == '.' || c >= '0' && c <= '9'
}

func (p *parser) name() (string, error) {
	start := p.pos
	if p.eof() || !isNameStart(p.data[p.pos]) {
		return "", p.errf("invalid element name")
	}
	for p.pos < len(p.data) && isNameChar(p.data[p.pos]) {
		p.pos++
	}
	b := p.data[start:p.pos]
	if s, ok := commonNames[string(b)]; ok {
		return s, nil
	}
	if p.names == nil {
		p.names = make(map[string]string, 16)
	}
	if s, ok := p.names[string(b)]; ok {
		return s, nil
	}
	s := string(b)
	if len(p.names) < 4096 {
		p.names[s] = s
	}
	return s, nil
}

// commonNames interns the element and attribute names libvirt documents
// use most, so that parsing them allocates nothing.
var commonNames = func() map[string]string {
	m := map[string]string{}
	for _, n := range strings.Fields(`domain name uuid memory currentMemory vcpu os type arch machine boot dev
		clock offset on_poweroff on_reboot on_crash devices emulator disk device source file target bus
		address controller slot function domain index model driver cache interface mac network bridge
		serial console channel port input graphics video heads vram primary memballoon hostdev unit
		readonly listen autoport features acpi apic pae cpu mode match feature policy topology sockets
		cores threads numa cell cpus id placement metadata title description seclabel label relabel
		alias protocol host service path append format secret usage auth username backingStore
		sound watchdog action rng backend filesystem dir accessmode tpm redirdev hub panic shmem size
		iothread iothreads cputune vcpupin cpuset numatune nodeset memoryBacking hugepages page
		loader nvram kernel initrd cmdline bootmenu enable timeout smbios bios sysinfo entry
		interface vendor product queues ioeventfd iommu ats packed page_per_vq xmlns dumpCore
		maxMemory slots memtune hard_limit soft_limit tseg state hyperv kvm smm gic version
		timer tickpolicy present track catchup controller vectors ports master startport
		managed mdev adapter wwpn target startupPolicy geometry blockio iotune encryption
		rom bar filterref parameter value bandwidth inbound outbound average peak burst floor
		vlan tag virtualport parameters script ip prefix family route gateway link mtu coalesce
		lease lockspace key smartcard certificate database audio codec redirfilter usbdev allow
		class keymap passwd websocket sharePolicy image compression jpeg zlib playback streaming
		clipboard copypaste mouse filetransfer gl rendernode cid auto vsock rate period bytes
		cachetune memorytune monitor level shares quota emulatorpin emulatorsched vcpusched
		scheduler priority iothreadpin iothreadsched resource partition perf event enabled pm
		suspend-to-mem suspend-to-disk idmap uid gid start count keywrap cipher launchSecurity
		cbitpos reducedPhysBits dhCert session genid maxphysaddr bits check migratable fallback
		vendor_id distances sibling memAccess discard pcihole64 reg cssid ssid devno iobase irq
		base zpci fid multifunction acceleration accel3d accel2d ram vgamem transient shareable
		wwn snapshot rawio sgio name error_policy rerror_policy io event_idx copy_on_read
		detect_zeroes queue_size tls mirror job ready txmode rx_queue_size tx_queue_size guest
		trustGuestRxFilters teaming persistent downscript backenddomain sndbuf tune init`) {
		m[n] = n
	}
	return m
}()

// newNode returns a zeroed node from the slab.
func (p *parser) newNode() *Node {
	if len(p.nodes) == cap(p.nodes) {
		// Size the first slab from the document: at most one element
		// per '<' pair.
		n := 16
		if p.nodes == nil {
			n = bytes.Count(p.data, []byte{'<'})/2 + 1
			p.attrs = make([]Attr, 0, bytes.Count(p.data, []byte{'='})+1)
		}
		p.nodes = make([]Node, 0, n)
	}
	p.nodes = p.nodes[:len(p.nodes)+1]
	return &p.nodes[len(p.nodes)-1]
}

// element parses an element starting at '<'.
func (p *parser) element(depth int) (*Node, error) {
	if depth > MaxDepth {
		return nil, p.errf("Excessive depth in document: %d use XML_PARSE_HUGE option", MaxDepth)
	}
	p.pos++ // '<'
	n := p.newNode()
	n.Line = p.line
	attrStart := len(p.attrs)
	name, err := p.name()
	if err != nil {
		return nil, p.errf("StartTag: invalid element name")
	}
	n.Name = name
	for {
		hadSpace := p.pos < len(p.data) && isSpace(p.data[p.pos])
		p.skipSpace()
		if p.eof() {
			return nil, p.errf("Couldn't find end of Start Tag %s line %d", n.Name, n.Line)
		}
		c := p.data[p.pos]
		if c == '/' {
			if !p.hasPrefix("/>") {
				return nil, p.errf("Couldn't find end of Start Tag %s line %d", n.Name, n.Line)
			}
			p.pos += 2
			return n, nil
		}
		if c == '>' {
			p.pos++
			break
		}
		if !hadSpace {
			return nil, p.errf("attributes construct error")
		}
		an, err := p.name()
		if err != nil {
			return nil, p.errf("attributes construct error")
		}
		p.skipSpace()
		if p.eof() || p.data[p.pos] != '=' {
			return nil, p.errf("Specification mandates value for attribute %s", an)
		}
		p.pos++
		p.skipSpace()
		v, err := p.attrValue(an)
		if err != nil {
			return nil, err
		}
		for _, a := range p.attrs[attrStart:] {
			if a.Name == an {
				return nil, p.errf("Attribute %s redefined", an)
			}
		}
		if len(n.Attrs) >= MaxAttrs {
			return nil, p.errf("too many attributes on element %s", n.Name)
		}
		p.attrs = append(p.attrs, Attr{Name: an, Value: v})
		n.Attrs = p.attrs[attrStart:len(p.attrs):len(p.attrs)]
	}
	if err := p.content(n, depth); err != nil {
		return nil, err
	}
	return n, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (p *parser) attrValue(name string) (string, error) {
	if p.eof() || p.data[p.pos] != '"' && p.data[p.pos] != '\'' {
		return "", p.errf("AttValue: \" or ' expected")
	}
	q := p.data[p.pos]
	p.pos++
	start := p.pos
	i := bytes.IndexByte(p.data[p.pos:], q)
	if i < 0 {
		p.pos = len(p.data)
		return "", p.errf("AttValue: ' expected")
	}
	raw := p.data[start : start+i]
	p.pos = start + i + 1
	if bytes.IndexByte(raw, '<') >= 0 {
		return "", p.errf("Unescaped '<' not allowed in attributes values")
	}
	nl := bytes.Count(raw, []byte{'\n'})
	line := p.line
	p.line += nl
	// Attribute value normalisation: literal white space becomes a space.
	if bytes.IndexAny(raw, "&\n\t\r") < 0 {
		return string(raw), nil
	}
	var b strings.Builder
	for j := 0; j < len(raw); j++ {
		c := raw[j]
		switch c {
		case '\n', '\t', '\r':
			b.WriteByte(' ')
		case '&':
			s, n, err := entity(raw[j:])
			if err != nil {
				return "", &SyntaxError{Line: line, Msg: err.Error()}
			}
			b.WriteString(s)
			j += n - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// entity decodes the reference at the start of b and returns its text and
// length in bytes.
func entity(b []byte) (string, int, error) {
	end := bytes.IndexByte(b, ';')
	if end < 0 || end > 12 {
		return "", 0, fmt.Errorf("EntityRef: expecting ';'")
	}
	ref := string(b[1:end])
	switch ref {
	case "lt":
		return "<", end + 1, nil
	case "gt":
		return ">", end + 1, nil
	case "amp":
		return "&", end + 1, nil
	case "apos":
		return "'", end + 1, nil
	case "quot":
		return "\"", end + 1, nil
	}
	if strings.HasPrefix(ref, "#") {
		var v uint64
		var err error
		if strings.HasPrefix(ref, "#x") {
			v, err = strconv.ParseUint(ref[2:], 16, 32)
		} else {
			v, err = strconv.ParseUint(ref[1:], 10, 32)
		}
		r := rune(v)
		if err != nil || !validChar(r) {
			return "", 0, fmt.Errorf("xmlParseCharRef: invalid xmlChar value %d", v)
		}
		return string(r), end + 1, nil
	}
	return "", 0, fmt.Errorf("Entity '%s' not defined", ref)
}

func validChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// content parses the content of n up to and including its end tag.
func (p *parser) content(n *Node, depth int) error {
	var text []byte      // accumulated character data
	var pieces []textRun // text pieces, kept in case the content turns out mixed
	var anyText bool
	flush := func() {
		if len(text) == 0 {
			return
		}
		blank := isBlank(text)
		if !blank {
			anyText = true
		}
		pieces = append(pieces, textRun{at: len(n.Children), text: internText(text, blank)})
		text = text[:0]
	}
	for {
		if p.eof() {
			return p.errf("Premature end of data in tag %s line %d", n.Name, n.Line)
		}
		i := bytes.IndexAny(p.data[p.pos:], "<&")
		if i < 0 {
			p.countLines(len(p.data) - p.pos)
			p.pos = len(p.data)
			return p.errf("Premature end of data in tag %s line %d", n.Name, n.Line)
		}
		if i > 0 {
			chunk := p.data[p.pos : p.pos+i]
			if bytes.Contains(chunk, []byte("]]>")) {
				return p.errf("Sequence ']]>' not allowed in content")
			}
			p.countLines(i)
			text = append(text, chunk...)
			p.pos += i
		}
		if p.data[p.pos] == '&' {
			s, l, err := entity(p.data[p.pos:])
			if err != nil {
				return p.errf("%v", err)
			}
			text = append(text, s...)
			p.pos += l
			continue
		}
		switch {
		case p.hasPrefix("</"):
			p.pos += 2
			name, err := p.name()
			if err != nil || name != n.Name {
				return p.errf("Opening and ending tag mismatch: %s line %d and %s", n.Name, n.Line, name)
			}
			p.skipSpace()
			if p.eof() || p.data[p.pos] != '>' {
				return p.errf("expected '>'")
			}
			p.pos++
			flush()
			p.finish(n, pieces, anyText)
			return nil
		case p.hasPrefix("<!--"):
			if err := p.comment(); err != nil {
				return err
			}
		case p.hasPrefix("<![CDATA["):
			p.pos += 9
			i := bytes.Index(p.data[p.pos:], []byte("]]>"))
			if i < 0 {
				p.pos = len(p.data)
				return p.errf("CData section not finished")
			}
			p.countLines(i)
			text = append(text, p.data[p.pos:p.pos+i]...)
			p.pos += i + 3
		case p.hasPrefix("<?"):
			if err := p.skipPast("?>", "processing instruction"); err != nil {
				return err
			}
		default:
			flush()
			c, err := p.element(depth + 1)
			if err != nil {
				return err
			}
			n.Children = append(n.Children, c)
		}
	}
}

// textRun is a piece of character data and the number of child elements
// that precede it.
type textRun struct {
	at   int
	text string
}

// blankTexts interns the white space that indentation produces.
var blankTexts = func() map[string]string {
	m := map[string]string{}
	for i := 0; i <= 32; i++ {
		for _, nl := range []string{"\n", "\r\n", ""} {
			for _, ind := range []string{" ", "\t"} {
				s := nl + strings.Repeat(ind, i)
				m[s] = s
			}
		}
	}
	return m
}()

func internText(b []byte, blank bool) string {
	if blank {
		if s, ok := blankTexts[string(b)]; ok {
			return s
		}
	}
	return string(b)
}

// finish settles n's text: pure text goes to Text; blank text between
// elements is dropped; mixed content keeps its text pieces as children.
func (p *parser) finish(n *Node, pieces []textRun, anyText bool) {
	if len(pieces) == 0 {
		return
	}
	if len(n.Children) == 0 {
		// Only text: join it.
		if len(pieces) == 1 {
			n.Text = pieces[0].text
		} else {
			var b strings.Builder
			for _, t := range pieces {
				b.WriteString(t.text)
			}
			n.Text = b.String()
		}
		return
	}
	if !anyText {
		return
	}
	var b strings.Builder
	for _, t := range pieces {
		b.WriteString(t.text)
	}
	n.Text = b.String()
	kids := make([]*Node, 0, len(n.Children)+len(pieces))
	j := 0
	for i, c := range n.Children {
		for j < len(pieces) && pieces[j].at == i {
			kids = append(kids, &Node{Name: TextNodeName, Text: pieces[j].text})
			j++
		}
		kids = append(kids, c)
	}
	for ; j < len(pieces); j++ {
		kids = append(kids, &Node{Name: TextNodeName, Text: pieces[j].text})
	}
	n.Children = kids
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if !isSpace(c) {
			return false
		}
	}
	return true
}
