package test

import (
	"context"
	"strings"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/internal/xmldoc"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// RenameDomain implements virt.DomainAdmin: an inactive persistent
// domain takes a new name.
func (c *conn) RenameDomain(ctx context.Context, ref virt.DomainRef, name string, flags uint32) (virt.DomainRef, error) {
	d, err := c.checkedDomain(ref, flags, 0, "testDomainRename")
	if err != nil {
		return virt.DomainRef{}, err
	}
	defer d.mu.Unlock()
	switch {
	case d.active():
		return virt.DomainRef{}, virt.Errorf(virt.ErrOperationInvalid, virt.FromTest, "cannot rename active domain")
	case !d.persistent:
		return virt.DomainRef{}, virt.Errorf(virt.ErrOperationInvalid, virt.FromTest, "cannot rename a transient domain")
	case d.state != virt.DomainShutoff:
		return virt.DomainRef{}, virt.Errorf(virt.ErrOperationInvalid, virt.FromTest, "domain has to be shutoff before renaming")
	case d.name == name:
		return virt.DomainRef{}, virt.Errorf(virt.ErrOperationInvalid, virt.FromDomain, "Can't rename domain to itself")
	}
	if strings.Contains(name, "/") {
		return virt.DomainRef{}, virt.Errorf(virt.ErrXML, virt.FromTest, "name %s cannot contain '/'", name)
	}
	n := c.node
	n.mu.Lock()
	if other := n.byName[name]; other != nil {
		n.mu.Unlock()
		return virt.DomainRef{}, virt.Errorf(virt.ErrOperationInvalid, virt.FromDomain, "domain with name '%s' already exists", name)
	}
	c.emit(d, virt.EventUndefined, virt.DetailUndefinedRenamed)
	delete(n.byName, d.name)
	d.name = name
	n.byName[name] = d
	n.mu.Unlock()
	d.def.Name = name
	if d.newDef != nil {
		d.newDef.Name = name
	}
	c.emit(d, virt.EventDefined, virt.DetailDefinedRenamed)
	return d.ref(), nil
}

// metadataNS returns the namespace URI an element of <metadata> declares
// for its own prefix, and the prefix.
func metadataNS(n *xmldoc.Node) (uri, prefix string) {
	prefix, _, ok := strings.Cut(n.Name, ":")
	if !ok {
		prefix = ""
	}
	attr := "xmlns"
	if prefix != "" {
		attr = "xmlns:" + prefix
	}
	uri, _ = n.Attr(attr)
	return uri, prefix
}

// stripNS returns a copy of n without the namespace prefix p and its
// declaration, as libvirt hands metadata back.
func stripNS(n *xmldoc.Node, p string) *xmldoc.Node {
	out := &xmldoc.Node{Name: strings.TrimPrefix(n.Name, p+":"), Text: n.Text, Line: n.Line}
	for _, a := range n.Attrs {
		if a.Name == "xmlns:"+p {
			continue
		}
		out.Attrs = append(out.Attrs, a)
	}
	for _, ch := range n.Children {
		if ch.Name == xmldoc.TextNodeName {
			out.Children = append(out.Children, ch)
			continue
		}
		out.Children = append(out.Children, stripNS(ch, p))
	}
	return out
}

// addNS returns a copy of n in namespace uri with prefix p: elements
// without a prefix get it, and the root declares it.
func addNS(n *xmldoc.Node, p, uri string, root bool) *xmldoc.Node {
	out := &xmldoc.Node{Name: n.Name, Text: n.Text, Line: n.Line}
	if !strings.Contains(n.Name, ":") {
		out.Name = p + ":" + n.Name
	}
	if root {
		out.Attrs = append(out.Attrs, xmldoc.Attr{Name: "xmlns:" + p, Value: uri})
	}
	out.Attrs = append(out.Attrs, n.Attrs...)
	for _, ch := range n.Children {
		if ch.Name == xmldoc.TextNodeName {
			out.Children = append(out.Children, ch)
			continue
		}
		out.Children = append(out.Children, addNS(ch, p, uri, false))
	}
	return out
}

// errNoMetadata is libvirt's error for metadata that is not there.
func errNoMetadata() error {
	return virt.Errorf(virt.ErrNoDomainMetadata, virt.FromTest, "Requested metadata element is not present")
}

// DomainMetadata implements virt.DomainAdmin.
func (c *conn) DomainMetadata(ctx context.Context, ref virt.DomainRef, kind int, uri string, flags virt.ModifyFlags) (string, error) {
	if err := driver.CheckFlags(virt.FromTest, uint32(flags), uint32(virt.AffectLive|virt.AffectConfig), "testDomainGetMetadata"); err != nil {
		return "", err
	}
	d, err := c.domain(ref)
	if err != nil {
		return "", err
	}
	defer d.mu.Unlock()
	def, _, err := d.oneDef(flags)
	if err != nil {
		return "", err
	}
	switch kind {
	case virt.MetadataDescription:
		if def.Description == "" {
			return "", errNoMetadata()
		}
		return def.Description, nil
	case virt.MetadataTitle:
		if def.Title == "" {
			return "", errNoMetadata()
		}
		return def.Title, nil
	case virt.MetadataElement:
		if def.Metadata != nil {
			for _, el := range def.Metadata.Elements {
				if u, p := metadataNS(el); u == uri && u != "" {
					var e xmldoc.Encoder
					e.Raw(stripNS(el, p))
					return strings.TrimSuffix(e.String(), "\n"), nil
				}
			}
		}
		return "", errNoMetadata()
	}
	return "", virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "unknown metadata type '%d'", kind)
}

// SetDomainMetadata implements virt.DomainAdmin.
func (c *conn) SetDomainMetadata(ctx context.Context, ref virt.DomainRef, kind int, text, key, uri string, flags virt.ModifyFlags) error {
	if err := driver.CheckFlags(virt.FromTest, uint32(flags), uint32(virt.AffectLive|virt.AffectConfig), "testDomainSetMetadata"); err != nil {
		return err
	}
	var el *xmldoc.Node
	switch kind {
	case virt.MetadataTitle:
		if strings.Contains(text, "\n") {
			return driver.RawError(virt.ErrInvalidArg, virt.FromDomain, "metadata title can't contain newlines")
		}
	case virt.MetadataElement:
		if text != "" {
			n, err := xmldoc.Parse([]byte(text))
			if err != nil {
				return virt.Errorf(virt.ErrXML, virt.FromDomain, "(metadata_xml):%s", err)
			}
			if _, ok := n.Attr("xmlns:" + key); ok {
				return virt.Errorf(virt.ErrInternal, virt.FromDomain, "failed to create a new XML namespace")
			}
			el = addNS(n, key, uri, true)
		}
	case virt.MetadataDescription:
	default:
		return virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "unknown metadata type '%d'", kind)
	}
	d, err := c.domain(ref)
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	live, config, err := d.defs(flags)
	if err != nil {
		return err
	}
	for _, def := range []*virtxml.Domain{live, config} {
		if def == nil {
			continue
		}
		switch kind {
		case virt.MetadataDescription:
			def.Description = text
		case virt.MetadataTitle:
			def.Title = text
		case virt.MetadataElement:
			setMetadataElement(def, uri, el)
		}
	}
	return nil
}

// setMetadataElement replaces (or with el nil removes) the metadata
// element of namespace uri.
func setMetadataElement(def *virtxml.Domain, uri string, el *xmldoc.Node) {
	if def.Metadata == nil {
		if el == nil {
			return
		}
		def.Metadata = &virtxml.Metadata{}
	}
	var keep []*xmldoc.Node
	for _, old := range def.Metadata.Elements {
		if u, _ := metadataNS(old); u != uri || u == "" {
			keep = append(keep, old)
		}
	}
	if el != nil {
		keep = append(keep, el)
	}
	def.Metadata.Elements = keep
}

// lifecycleActions are libvirt's lifecycle action names by number.
var lifecycleActions = []string{"destroy", "restart", "rename-restart", "preserve", "coredump-destroy", "coredump-restart"}

// lifecycleEvents are libvirt's lifecycle event names by number.
var lifecycleEvents = []string{"poweroff", "reboot", "crash"}

// SetDomainLifecycleAction implements virt.DomainAdmin.
func (c *conn) SetDomainLifecycleAction(ctx context.Context, ref virt.DomainRef, event, action uint32, flags virt.ModifyFlags) error {
	if err := driver.CheckFlags(virt.FromTest, uint32(flags), uint32(virt.AffectLive|virt.AffectConfig), "testDomainSetLifecycleAction"); err != nil {
		return err
	}
	if int(event) >= len(lifecycleEvents) || int(action) >= len(lifecycleActions) {
		return virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "invalid lifecycle event %d or action %d", event, action)
	}
	if event != virt.LifecycleCrash && action > virt.ActionPreserve {
		return virt.Errorf(virt.ErrConfigUnsupported, virt.FromDomain, "Lifecycle event '%s' doesn't support '%s' action",
			lifecycleEvents[event], lifecycleActions[action])
	}
	d, err := c.domain(ref)
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	live, config, err := d.defs(flags)
	if err != nil {
		return err
	}
	for _, def := range []*virtxml.Domain{live, config} {
		if def == nil {
			continue
		}
		switch event {
		case virt.LifecyclePoweroff:
			def.OnPoweroff = lifecycleActions[action]
		case virt.LifecycleReboot:
			def.OnReboot = lifecycleActions[action]
		case virt.LifecycleCrash:
			def.OnCrash = lifecycleActions[action]
		}
	}
	return nil
}

// InjectDomainNMI implements virt.DomainAdmin: nothing happens.
func (c *conn) InjectDomainNMI(ctx context.Context, ref virt.DomainRef, flags uint32) error {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testDomainInjectNMI"); err != nil {
		return err
	}
	d, err := c.activeDomain(ref)
	if err != nil {
		return err
	}
	d.mu.Unlock()
	return nil
}

// SendDomainKey implements virt.DomainAdmin: the keys go nowhere.
func (c *conn) SendDomainKey(ctx context.Context, ref virt.DomainRef, codeset, holdtime uint32, keys []uint32, flags uint32) error {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testDomainSendKey"); err != nil {
		return err
	}
	d, err := c.activeDomain(ref)
	if err != nil {
		return err
	}
	d.mu.Unlock()
	return nil
}

// processSignalLast is VIR_DOMAIN_PROCESS_SIGNAL_LAST.
const processSignalLast = 65

// SendDomainProcessSignal implements virt.DomainAdmin: only init may be
// signalled, and nothing happens.
func (c *conn) SendDomainProcessSignal(ctx context.Context, ref virt.DomainRef, pid int64, signum uint32, flags uint32) error {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testDomainSendProcessSignal"); err != nil {
		return err
	}
	if pid != 1 {
		return virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "only sending a signal to pid 1 is supported")
	}
	if signum >= processSignalLast {
		return virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "signum value %d is out of range", signum)
	}
	d, err := c.domain(ref)
	if err != nil {
		return err
	}
	d.mu.Unlock()
	return nil
}
