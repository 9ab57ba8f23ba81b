package native

import (
	"bytes"
	"strings"

	"github.com/govirt/govirt/internal/xmldoc"
	"github.com/govirt/govirt/virtxml"
)

// FormatDomain writes a converted domain as libvirt's converters print it:
// secrets (graphics passwords) included, and the hypervisor namespace
// elements (<xen:commandline>, <vmware:datacenterpath>) written the way
// libvirt writes them, single-quoted, after the domain's other children.
func FormatDomain(d *virtxml.Domain) ([]byte, error) {
	out, err := d.Format(virtxml.FormatSecure)
	if err != nil {
		return nil, err
	}
	if len(d.NSAttrs) == 0 && len(d.NSElements) == 0 {
		return out, nil
	}
	end := bytes.IndexByte(out, '>')
	closing := bytes.LastIndex(out, []byte("</domain>"))
	if end < 0 || closing < 0 {
		return out, nil
	}
	var b strings.Builder
	b.Write(bytes.TrimSuffix(out[:end], []byte("/")))
	for _, a := range d.NSAttrs {
		b.WriteString(" " + a.Name + "='" + escapeXML(a.Value) + "'")
	}
	if out[end-1] == '/' {
		// A domain without children: reopen it for the namespace elements.
		b.WriteString(">\n")
		for _, n := range d.NSElements {
			writeNSNode(&b, n, 1)
		}
		b.WriteString("</domain>\n")
		return []byte(b.String()), nil
	}
	b.Write(out[end:closing])
	for _, n := range d.NSElements {
		writeNSNode(&b, n, 1)
	}
	b.Write(out[closing:])
	return []byte(b.String()), nil
}

// writeNSNode writes a namespace element as libvirt's formatters do.
func writeNSNode(b *strings.Builder, n *xmldoc.Node, depth int) {
	indent := strings.Repeat("  ", depth)
	b.WriteString(indent + "<" + n.Name)
	for _, a := range n.Attrs {
		b.WriteString(" " + a.Name + "='" + escapeXML(a.Value) + "'")
	}
	switch {
	case len(n.Children) > 0:
		b.WriteString(">\n")
		for _, c := range n.Children {
			writeNSNode(b, c, depth+1)
		}
		b.WriteString(indent + "</" + n.Name + ">\n")
	case n.Text != "":
		b.WriteString(">" + escapeXML(n.Text) + "</" + n.Name + ">\n")
	default:
		b.WriteString("/>\n")
	}
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&apos;", `"`, "&quot;")

func escapeXML(s string) string { return xmlEscaper.Replace(s) }
