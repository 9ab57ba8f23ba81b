package virtxml

import (
	"strconv"
	"strings"

	"github.com/govirt/govirt/internal/xmldoc"
)

// StoragePerms is a <permissions> element of a pool or volume target.
// Nil pointers (and an empty label) mean "not set".
type StoragePerms struct {
	Mode  *uint32 // octal permission bits, at most 0777
	Owner *uint32
	Group *uint32
	Label string
}

func (p *StoragePerms) empty() bool {
	return p == nil || p.Mode == nil && p.Owner == nil && p.Group == nil && p.Label == ""
}

func parsePerms(n *xmldoc.Node) (*StoragePerms, error) {
	if n == nil {
		return nil, nil
	}
	p := &StoragePerms{}
	if s, ok := xpText(n, "mode"); ok {
		v, err := cParseInt(s, 8)
		if err != nil || v < -1<<31 || v > 1<<31-1 || v&^0o777 != 0 {
			return nil, xmlErrorf("malformed octal mode")
		}
		m := uint32(v)
		p.Mode = &m
	}
	id := func(what string) (*uint32, error) {
		c := child(n, what)
		if c == nil {
			return nil, nil
		}
		v, err := cParseInt(nodeText(c), 10)
		if err != nil || (v < 0 || v > 1<<32-1) && v != -1 {
			return nil, xmlErrorf("malformed %s element", what)
		}
		if v == -1 || v == 1<<32-1 {
			return nil, nil
		}
		x := uint32(v)
		return &x, nil
	}
	var err error
	if p.Owner, err = id("owner"); err != nil {
		return nil, err
	}
	if p.Group, err = id("group"); err != nil {
		return nil, err
	}
	p.Label, _ = xpText(n, "label")
	return p, nil
}

func (p *StoragePerms) format(e *enc) {
	if p.empty() {
		return
	}
	e.Open("permissions")
	e.EndOpen()
	if p.Mode != nil {
		e.TextElement("mode", "0"+strconv.FormatUint(uint64(*p.Mode), 8))
	}
	if p.Owner != nil {
		e.TextElement("owner", strconv.FormatInt(int64(int32(*p.Owner)), 10))
	}
	if p.Group != nil {
		e.TextElement("group", strconv.FormatInt(int64(int32(*p.Group)), 10))
	}
	e.text("label", p.Label)
	e.Close("permissions")
}

func (p *StoragePerms) clone() *StoragePerms {
	if p == nil {
		return nil
	}
	c := *p
	for _, f := range []**uint32{&c.Mode, &c.Owner, &c.Group} {
		if *f != nil {
			v := **f
			*f = &v
		}
	}
	return &c
}

// StorageAuth is an <auth> element: CHAP or Ceph credentials held in a
// libvirt secret.
type StorageAuth struct {
	Type     string // "chap" or "ceph" (pools need one)
	Username string
	// SecretType is the optional type attribute of <secret>.
	SecretType  string
	SecretUUID  string
	SecretUsage string
}

func parseAuth(n *xmldoc.Node) (*StorageAuth, error) {
	a := &StorageAuth{}
	u, ok := xpAttr(n, "username")
	if !ok {
		return nil, xmlErrorf("missing username for auth")
	}
	a.Username = u
	if t, ok := xpAttr(n, "type"); ok {
		switch t {
		case "chap", "ceph":
			a.Type = t
		case "none":
		default:
			return nil, errorf(CodeInternal, "unknown auth type '%s'", t)
		}
	}
	sec := child(n, "secret")
	if sec == nil {
		return nil, xmlErrorf("Missing <secret> element in auth")
	}
	a.SecretType, _ = propStr(sec, "type")
	uuid, hasUUID := propStr(sec, "uuid")
	usage, hasUsage := propStr(sec, "usage")
	switch {
	case !hasUUID && !hasUsage:
		return nil, xmlErrorf("missing secret uuid or usage attribute")
	case hasUUID && hasUsage:
		return nil, xmlErrorf("either secret uuid or usage expected")
	case hasUUID:
		id, err := ParseUUID(uuid)
		if err != nil {
			return nil, xmlErrorf("invalid secret uuid '%s'", uuid)
		}
		a.SecretUUID = id.String()
	default:
		a.SecretUsage = usage
	}
	return a, nil
}

func (a *StorageAuth) format(e *enc) {
	e.Open("auth")
	if a.Type != "" {
		e.Attr("type", a.Type)
	}
	e.Attr("username", a.Username)
	e.EndOpen()
	e.Open("secret")
	if a.SecretType != "" {
		e.Attr("type", a.SecretType)
	}
	if a.SecretUUID != "" {
		e.Attr("uuid", a.SecretUUID)
	} else {
		e.Attr("usage", a.SecretUsage)
	}
	e.EndEmpty()
	e.Close("auth")
}

// StorageAdapter is a SCSI pool's <adapter>: a scsi_host by name or PCI
// parent, or an fc_host (vHBA) by WWNs.
type StorageAdapter struct {
	Type string // "scsi_host" or "fc_host"
	// scsi_host
	Name       string
	ParentAddr *PCIAddress
	UniqueID   int
	// fc_host
	Parent          string
	ParentWWNN      string
	ParentWWPN      string
	ParentFabricWWN string
	Managed         string // "", "yes" or "no"
	WWNN            string
	WWPN            string
}

func parseAdapter(n *xmldoc.Node) (*StorageAdapter, error) {
	a := &StorageAdapter{}
	t, hasType := propStr(n, "type")
	if !hasType {
		_, w1 := propStr(n, "wwnn")
		_, w2 := propStr(n, "wwpn")
		_, p := propStr(n, "parent")
		if w1 || w2 || p {
			return nil, xmlErrorf("Use of 'wwnn', 'wwpn', and 'parent' attributes requires use of the adapter 'type'")
		}
		if child(n, "parentaddr") != nil {
			return nil, xmlErrorf("Use of 'parentaddr' element requires use of the adapter 'type'")
		}
		if name, ok := propStr(n, "name"); ok {
			a.Type, a.Name = "scsi_host", name
		}
		return a, nil
	}
	switch t {
	case "scsi_host":
		a.Type = t
		a.Name, _ = propStr(n, "name")
		if pa := child(n, "parentaddr"); pa != nil {
			addr := child(pa, "address")
			if addr == nil {
				return nil, xmlErrorf("Missing scsi_host PCI address element")
			}
			pci, err := parsePCIAddress(addr)
			if err != nil {
				return nil, err
			}
			a.ParentAddr = &pci
			s, _ := xpAttr(pa, "unique_id")
			v, err := cParseInt(s, 10)
			if err != nil || v < 0 || v > 1<<31-1 {
				return nil, xmlErrorf("Missing or invalid scsi adapter 'unique_id' value")
			}
			a.UniqueID = int(v)
		}
	case "fc_host":
		a.Type = t
		var err error
		if a.Managed, err = propTristate(n, "managed"); err != nil {
			return nil, err
		}
		a.Parent, _ = propStr(n, "parent")
		a.ParentWWNN, _ = propStr(n, "parent_wwnn")
		a.ParentWWPN, _ = propStr(n, "parent_wwpn")
		a.ParentFabricWWN, _ = propStr(n, "parent_fabric_wwn")
		a.WWPN, _ = propStr(n, "wwpn")
		a.WWNN, _ = propStr(n, "wwnn")
	default:
		return nil, invalidAttr(n, "type", t, ".")
	}
	return a, nil
}

func validWWN(w string) error {
	p := strings.TrimPrefix(w, "0x")
	ok := len(p) == 16
	for i := 0; ok && i < len(p); i++ {
		_, ok = hexVal(p[i])
	}
	if !ok {
		return errorf(CodeInternal, "Malformed wwn: %s", w)
	}
	return nil
}

func (a *StorageAdapter) validate() error {
	if a == nil || a.Type == "" {
		return xmlErrorf("missing storage pool source adapter")
	}
	if a.Type == "fc_host" {
		if a.WWNN == "" || a.WWPN == "" {
			return xmlErrorf("'wwnn' and 'wwpn' must be specified for adapter type 'fchost'")
		}
		if err := validWWN(a.WWNN); err != nil {
			return err
		}
		if err := validWWN(a.WWPN); err != nil {
			return err
		}
		if a.ParentWWNN != "" && a.ParentWWPN == "" {
			return xmlErrorf("when providing parent_wwnn='%s', the parent_wwpn must also be provided", a.ParentWWNN)
		}
		if a.ParentWWNN == "" && a.ParentWWPN != "" {
			return xmlErrorf("when providing parent_wwpn='%s', the parent_wwnn must also be provided", a.ParentWWPN)
		}
		for _, w := range []string{a.ParentWWNN, a.ParentWWPN, a.ParentFabricWWN} {
			if w != "" {
				if err := validWWN(w); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if a.Name == "" && a.ParentAddr == nil {
		return xmlErrorf("Either 'name' or 'parent' must be specified for the 'scsi_host' adapter")
	}
	if a.Name != "" && a.ParentAddr != nil {
		return xmlErrorf("Both 'name' and 'parent' cannot be specified for the 'scsi_host' adapter")
	}
	return nil
}

func (a *StorageAdapter) format(e *enc) {
	e.Open("adapter")
	e.Attr("type", a.Type)
	if a.Type == "fc_host" {
		for _, kv := range [][2]string{{"parent", a.Parent}, {"parent_wwnn", a.ParentWWNN},
			{"parent_wwpn", a.ParentWWPN}, {"parent_fabric_wwn", a.ParentFabricWWN}, {"managed", a.Managed}} {
			if kv[1] != "" {
				e.Attr(kv[0], kv[1])
			}
		}
		e.Attr("wwnn", a.WWNN)
		e.Attr("wwpn", a.WWPN)
		e.EndEmpty()
		return
	}
	if a.Name != "" || a.ParentAddr == nil {
		e.Attr("name", a.Name)
		e.EndEmpty()
		return
	}
	e.EndOpen()
	e.Open("parentaddr")
	e.AttrUint("unique_id", uint64(a.UniqueID))
	e.EndOpen()
	a.ParentAddr.format(e, false)
	e.Close("parentaddr")
	e.Close("adapter")
}

// sanitizePath cleans a path as libvirt's virFileSanitizePath does:
// repeated slashes collapse (a leading "//" stays) and a trailing slash
// goes.
func sanitizePath(p string) string {
	b := []byte(p)
	out := make([]byte, 0, len(b))
	i := 0
	if len(b) >= 2 && b[0] == '/' && b[1] == '/' && (len(b) == 2 || b[2] != '/') {
		out = append(out, '/', '/')
		i = 2
	}
	for ; i < len(b); i++ {
		if b[i] == '/' && i+1 < len(b) && b[i+1] == '/' {
			continue
		}
		if b[i] == '/' && i+1 == len(b) && len(out) > 0 {
			continue
		}
		out = append(out, b[i])
	}
	return string(out)
}
