package virt

import (
	"encoding"
	"fmt"
	"reflect"
	"strings"

	"github.com/govirt/govirt/internal/xmldoc"
	"github.com/govirt/govirt/virtxml"
)

// XMLProblem is content of a document that govirt's model of the format
// does not know: an element, or an attribute of an element.
type XMLProblem struct {
	// Line is the line of the element (of the element holding the
	// attribute), 0 when unknown.
	Line int
	// Path is the element's path from the root, "domain/devices/disk".
	Path string
	// Attr is the unknown attribute's name, "" for an unknown element.
	Attr string
}

func (p XMLProblem) String() string { return fmt.Sprintf("line %d: %s", p.Line, p.Message()) }

// Message describes the problem without its line.
func (p XMLProblem) Message() string {
	el := p.Path[strings.LastIndexByte(p.Path, '/')+1:]
	if p.Attr != "" {
		return fmt.Sprintf("element <%s> (%s): unknown attribute '%s'", el, p.Path, p.Attr)
	}
	parent := "/"
	if i := strings.LastIndexByte(p.Path, '/'); i >= 0 {
		parent = p.Path[:i]
	}
	return fmt.Sprintf("element <%s> under %s is not known", el, parent)
}

// XML document kinds ValidateXML checks.
const (
	XMLKindDomain  = "domain"
	XMLKindNetwork = "network"
	XMLKindPool    = "pool"
	XMLKindVolume  = "volume"
)

// ValidateXML checks a document of the given kind. It first parses it
// with the model's rules (libvirt's parse errors and messages, returned as
// err); with strict it then walks the whole document against what the
// model knows and returns every element and attribute it does not, with
// the line at fault. Namespaced content (qemu:commandline, xmlns
// declarations, metadata) is not checked.
func ValidateXML(kind string, data []byte, strict bool) (problems []XMLProblem, err error) {
	var from ErrorDomain
	switch kind {
	case XMLKindDomain:
		_, err = virtxml.ParseDomain(data)
		from = FromDomain
	case XMLKindNetwork:
		_, err = virtxml.ParseNetwork(data)
		from = FromNetwork
	case XMLKindPool:
		_, err = virtxml.ParseStoragePool(data)
		from = FromStorage
	case XMLKindVolume:
		_, err = virtxml.ParseStorageVolFor("dir", data)
		from = FromStorage
	default:
		return nil, fmt.Errorf("unknown document kind %q", kind)
	}
	if err != nil {
		return nil, FromXMLError(err, from)
	}
	if !strict {
		return nil, nil
	}
	root, perr := xmldoc.Parse(data)
	if perr != nil {
		return nil, perr
	}
	switch kind {
	case XMLKindDomain:
		walkType(root, reflect.TypeOf(virtxml.Domain{}), root.Name, &problems)
	case XMLKindNetwork:
		walkSchema(root, networkSchema, root.Name, root.Name, &problems)
	case XMLKindPool:
		walkSchema(root, poolSchema, root.Name, root.Name, &problems)
	case XMLKindVolume:
		walkSchema(root, volumeSchema, root.Name, root.Name, &problems)
	}
	return problems, nil
}

// namespaced reports whether a name is outside libvirt's own vocabulary:
// prefixed (qemu:commandline) or a namespace declaration.
func namespaced(name string) bool {
	return strings.Contains(name, ":") || name == "xmlns"
}

// foreign reports whether element n is in another namespace: prefixed,
// or declaring a default namespace of its own.
func foreign(n *xmldoc.Node) bool {
	_, ok := n.Attr("xmlns")
	return ok || namespaced(n.Name)
}

var (
	nodeType      = reflect.TypeOf(xmldoc.Node{})
	nodeSliceType = reflect.TypeOf([]*xmldoc.Node(nil))
	unmarshalerT  = reflect.TypeOf((*xmldoc.NodeUnmarshaler)(nil)).Elem()
	textUnmarshal = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
)

// typeFields lists the attribute and child element names a model type
// binds, with the child elements' types.
func typeFields(t reflect.Type, attrs map[string]bool, elems map[string]reflect.Type) {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("xml")
		if tag == "-" {
			continue
		}
		if sf.Anonymous && tag == "" && sf.Type.Kind() == reflect.Struct {
			typeFields(sf.Type, attrs, elems)
			continue
		}
		if !sf.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		isAttr, isAny, isChar := false, false, false
		for _, o := range strings.Split(opts, ",") {
			switch o {
			case "attr":
				isAttr = true
			case "any":
				isAny = true
			case "chardata":
				isChar = true
			}
		}
		switch {
		case isAny || isChar:
		case isAttr:
			attrs[name] = true
		default:
			elems[name] = sf.Type
		}
	}
}

// walkType checks element n against model type t (the binder's view of
// it: tagged attributes and child elements).
func walkType(n *xmldoc.Node, t reflect.Type, path string, out *[]XMLProblem) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		if t == nodeSliceType {
			return
		}
		t = t.Elem()
	}
	if t == nodeType {
		return // kept raw: anything goes
	}
	if t.Kind() != reflect.Struct || reflect.PointerTo(t).Implements(unmarshalerT) {
		// A scalar, or a type that reads the element itself: its own
		// parser has already judged the content.
		if t.Kind() != reflect.Struct && !reflect.PointerTo(t).Implements(unmarshalerT) {
			for _, a := range n.Attrs {
				if !namespaced(a.Name) {
					*out = append(*out, XMLProblem{Line: n.Line, Path: path, Attr: a.Name})
				}
			}
		}
		return
	}
	if reflect.PointerTo(t).Implements(textUnmarshal) {
		return
	}
	attrs, elems := map[string]bool{}, map[string]reflect.Type{}
	typeFields(t, attrs, elems)
	for _, a := range n.Attrs {
		if !attrs[a.Name] && !namespaced(a.Name) {
			*out = append(*out, XMLProblem{Line: n.Line, Path: path, Attr: a.Name})
		}
	}
	if len(attrs) == 0 && len(elems) == 0 {
		return // only raw content (<metadata>)
	}
	for _, c := range n.Children {
		if foreign(c) {
			continue
		}
		ct, ok := elems[c.Name]
		if !ok {
			*out = append(*out, XMLProblem{Line: c.Line, Path: path + "/" + c.Name})
			continue
		}
		walkType(c, ct, path+"/"+c.Name, out)
	}
}

// schemaNode is what an element of a hand-parsed format may hold.
type schemaNode struct {
	attrs    map[string]bool
	children map[string]string // child name to its schema key
	any      bool              // content not checked
}

// parseSchema reads a compact description of a format: one line per
// element, "key: attr attr | child child=key child*". A child's schema is
// the line of the same name unless "=key" names another; "*" accepts any
// content below the child.
func parseSchema(spec string) map[string]*schemaNode {
	out := map[string]*schemaNode{}
	for _, line := range strings.Split(spec, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		key, rest, _ := strings.Cut(line, ":")
		attrPart, childPart, _ := strings.Cut(rest, "|")
		n := &schemaNode{attrs: map[string]bool{}, children: map[string]string{}}
		for _, a := range strings.Fields(attrPart) {
			n.attrs[a] = true
		}
		for _, c := range strings.Fields(childPart) {
			name, ref, hasRef := strings.Cut(c, "=")
			switch {
			case strings.HasSuffix(c, "*"):
				name = strings.TrimSuffix(c, "*")
				ref = "*"
			case !hasRef:
				ref = name
			}
			n.children[name] = ref
		}
		out[strings.TrimSpace(key)] = n
	}
	out["*"] = &schemaNode{any: true}
	return out
}

func walkSchema(n *xmldoc.Node, schema map[string]*schemaNode, key, path string, out *[]XMLProblem) {
	s := schema[key]
	if s == nil {
		// A leaf: text only, no attributes.
		s = &schemaNode{}
	}
	if s.any {
		return
	}
	for _, a := range n.Attrs {
		if !s.attrs[a.Name] && !namespaced(a.Name) {
			*out = append(*out, XMLProblem{Line: n.Line, Path: path, Attr: a.Name})
		}
	}
	for _, c := range n.Children {
		if foreign(c) {
			continue
		}
		ref, ok := s.children[c.Name]
		if !ok {
			*out = append(*out, XMLProblem{Line: c.Line, Path: path + "/" + c.Name})
			continue
		}
		walkSchema(c, schema, ref, path+"/"+c.Name, out)
	}
}

// The formats of networks, storage pools and volumes, as their models
// read them (libvirt's documented formats).
var (
	networkSchema = parseSchema(`
network: connections ipv6 trustGuestRxFilters | name uuid title description metadata* forward bridge mtu mac domain dns vlan bandwidth port ip route virtualport portgroup
forward: mode dev managed | nat interface=fwdif pf=fwdpf address=pciaddr driver=fwddriver
nat: ipv6 | address=range port=range
range: start end |
fwdif: dev connections |
fwdpf: dev |
fwddriver: name |
pciaddr: type domain bus slot function multifunction |
bridge: name stp delay macTableManager zone |
mtu: size |
mac: address |
domain: name localOnly register |
port: isolated |
dns: enable forwardPlainNames | forwarder txt host=dnshost srv
forwarder: domain addr |
txt: name value |
dnshost: ip | hostname
srv: service protocol domain target port priority weight |
ip: address netmask prefix family localPtr | tftp dhcp
tftp: root |
dhcp: | range=dhcprange host=dhcphost bootp
dhcprange: start end | lease
dhcphost: mac id name ip | lease
lease: expiry unit |
bootp: file server |
route: family address netmask prefix gateway metric |
vlan: trunk | tag
tag: id nativeMode |
bandwidth: | inbound=rate outbound=rate
rate: average peak burst floor |
virtualport: type | parameters
parameters: managerid typeid typeidversion instanceid profileid interfaceid |
portgroup: name default trustGuestRxFilters | vlan virtualport bandwidth
`)
	poolSchema = parseSchema(`
pool: type | name uuid capacity=size allocation=size available=size source target features refresh
size: unit |
source: | name device dir adapter host format auth vendor product initiator protocol
device: path part_separator | freeExtent
freeExtent: start end |
dir: path |
adapter: type name parent wwnn wwpn managed parent_wwnn parent_wwpn parent_fabric_wwn | parentaddr
parentaddr: unique_id | address=pciaddr
pciaddr: type domain bus slot function multifunction |
host: name port |
format: type |
auth: type username | secret
secret: uuid usage |
vendor: name |
product: name |
initiator: | iqn
iqn: name |
protocol: ver |
target: | path permissions timestamps*
permissions: | mode owner group label
features: | cow
cow: state |
refresh: | volume=refreshvol
refreshvol: allocation |
`)
	volumeSchema = parseSchema(`
volume: type | name key source capacity=size allocation=size physical=size target backingStore
size: unit |
source: | extent device
extent: start end |
device: path |
target: | path format permissions timestamps compat nocow features encryption clusterSize=size
format: type |
permissions: | mode owner group label
timestamps: | atime mtime ctime btime
features: | lazy_refcounts extended_l2
encryption: format | secret cipher ivgen
secret: type uuid usage |
cipher: name size mode hash |
ivgen: name hash |
backingStore: | path format permissions
`)
)

// SchemaError is the error libvirt raises for a document its RelaxNG
// schema rejects, built from the first problem as libxml2 words it.
func SchemaError(kind string, from ErrorDomain, problems []XMLProblem) error {
	if len(problems) == 0 {
		return nil
	}
	rng := map[string]string{XMLKindDomain: "domain", XMLKindNetwork: "network", XMLKindPool: "storagepool", XMLKindVolume: "storagevol"}[kind]
	p := problems[0]
	parts := strings.Split(p.Path, "/")
	var detail string
	switch {
	case p.Attr == "" && len(parts) == 2:
		detail = fmt.Sprintf("Element %s has extra content: %s", parts[0], parts[1])
	case len(parts) >= 2:
		detail = fmt.Sprintf("Extra element %s in interleave\nElement %s failed to validate content", parts[1], parts[0])
	default:
		detail = fmt.Sprintf("Invalid attribute %s for element %s", p.Attr, parts[0])
	}
	return Errorf(ErrXMLInvalidSchema, from, "Unable to validate doc against /usr/share/libvirt/schemas/%s.rng\n%s\n", rng, detail)
}
