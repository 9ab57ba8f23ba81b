package native

import (
	"bytes"
	"strings"

	"github.com/govirt/govirt/internal/xmldoc"
	"github.com/govirt/govirt/virtxml"
)

// The native formats, named as virsh names them.
const (
	FormatXenXM = "xen-xm"
	FormatXenXL = "xen-xl"
	FormatVMX   = "vmware-vmx"
)

// ToDomainXML converts a config in a native format to domain XML, printed
// as libvirt's drivers print it (virConnectDomainXMLFromNative: the
// inactive definition, without secrets).
func ToDomainXML(format string, data []byte, vmx VMXOptions) ([]byte, error) {
	var (
		r   *Result
		err error
	)
	switch format {
	case FormatXenXM:
		r, err = ParseXM(data)
	case FormatXenXL:
		r, err = ParseXL(data)
	case FormatVMX:
		r, err = ParseVMX(data, vmx)
	default:
		return nil, errAt(codeInvalidArg, 0, "", "unsupported config type %s", format)
	}
	if err != nil {
		return nil, err
	}
	return FormatDomain(r.Domain, virtxml.FormatInactive)
}

// FromDomainXML converts domain XML to a config in a native format (xen-xm
// or xen-xl), as virConnectDomainXMLToNative does.
func FromDomainXML(format string, xml []byte, opts FormatOptions) ([]byte, error) {
	if format != FormatXenXM && format != FormatXenXL {
		return nil, errAt(codeInvalidArg, 0, "", "unsupported config type %s", format)
	}
	d, err := ParseXenDomainXML(xml)
	if err != nil {
		return nil, err
	}
	var c *Config
	if format == FormatXenXM {
		c, err = FormatXM(d, opts)
	} else {
		c, err = FormatXL(d, opts)
	}
	if err != nil {
		return nil, err
	}
	return c.Format(), nil
}

// FormatDomain writes a converted domain as libvirt's converters print it,
// with flags as for (*virtxml.Domain).Format (FormatSecure to include
// graphics passwords, as libvirt's own converter tests do). The hypervisor
// namespace elements (<xen:commandline>, <vmware:datacenterpath>) are
// written the way libvirt writes them, single-quoted, after the domain's
// other children.
func FormatDomain(d *virtxml.Domain, flags virtxml.FormatFlags) ([]byte, error) {
	out, err := d.Format(flags &^ virtxml.FormatNamespaces)
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
