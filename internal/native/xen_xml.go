package native

import (
	"github.com/govirt/govirt/virtxml"
)

// nsPrefix returns the prefix d binds to namespace uri ("" if none).
func nsPrefix(d *virtxml.Domain, uri string) string {
	for _, a := range d.NSAttrs {
		if len(a.Name) > 6 && a.Name[:6] == "xmlns:" && a.Value == uri {
			return a.Name[6:]
		}
	}
	return ""
}

// ParseXenDomainXML parses domain XML as libvirt's Xen driver does before
// converting it to a native config: libvirt's rules and defaults, then the
// Xen driver's (console, input devices, balloon, xenbus, disk formats).
func ParseXenDomainXML(data []byte) (*virtxml.Domain, error) {
	d, err := virtxml.ParseDomain(data)
	if err != nil {
		return nil, err
	}
	if d.OS != nil && d.OS.Type.Type == "xen" && d.Type == "xen" {
		d.OS.Type.Type = osPV
	}
	xenPostParse(d)
	return d, nil
}
