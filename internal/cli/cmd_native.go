package cli

import (
	"errors"

	"github.com/govirt/govirt/internal/native"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// The native-config commands convert in-process, whatever the connection:
// the converters need no hypervisor (libvirt's need the libxl or ESX
// driver). The connection is still opened, as virsh opens it, and serves
// --domain and the bridges of <interface type='network'>.

// nativeErrorDomain is the libvirt error domain of a format's converter.
func nativeErrorDomain(format string) virt.ErrorDomain {
	switch format {
	case native.FormatXenXM:
		return virt.FromXenXM
	case native.FormatXenXL:
		return virt.FromXenXL
	}
	return virt.FromNone
}

// nativeError turns a converter error into a libvirt error.
func nativeError(err error, format string) error {
	var xe *virtxml.Error
	if errors.As(err, &xe) {
		return virt.FromXMLError(err, nativeErrorDomain(format))
	}
	return err
}

func cmdDomxmlFromNative(s *session, c *call) error {
	format, _, err := c.str("format")
	if err != nil {
		return err
	}
	config, _, err := c.str("config")
	if err != nil {
		return err
	}
	data, err := s.readFile(config)
	if err != nil {
		return err
	}
	xml, err := native.ToDomainXML(format, []byte(data), native.VMXOptions{})
	if err != nil {
		return nativeError(err, format)
	}
	s.print(string(xml))
	return nil
}

func cmdDomxmlToNative(s *session, c *call) error {
	format, _, err := c.str("format")
	if err != nil {
		return err
	}
	if err := c.exclusive("domain", "xml"); err != nil {
		return err
	}
	var xml string
	switch {
	case c.has("domain"):
		d, _, err := s.domainArg(c, "domain")
		if err != nil {
			return err
		}
		if xml, err = d.XML(s.ctx, 0); err != nil {
			return err
		}
	case c.has("xml"):
		file, _, err := c.str("xml")
		if err != nil {
			return err
		}
		if xml, err = s.readFile(file); err != nil {
			return err
		}
	default:
		return fail(errNoCause, "need either domain or domain XML")
	}
	opts := native.FormatOptions{NetworkBridge: func(name string) (string, error) {
		n, err := s.conn.LookupNetworkByName(s.ctx, name)
		if err != nil {
			return "", err
		}
		info, err := n.Info(s.ctx)
		if err != nil {
			return "", err
		}
		if info.Bridge == "" {
			return "", virt.Errorf(virt.ErrInternal, virt.FromNone, "network %s is not active", name)
		}
		return info.Bridge, nil
	}}
	cfg, err := native.FromDomainXML(format, []byte(xml), opts)
	if err != nil {
		return nativeError(err, format)
	}
	s.print(string(cfg))
	return nil
}
