package virtxml

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/govirt/govirt/internal/xmldoc"
)

// TestNode is a node description for libvirt's test driver, the document a
// test:///ABSOLUTE/PATH.xml URI names:
//
//	<node>
//	  <cpu><mhz>6000</mhz><model>i986</model><active>50</active>
//	       <nodes>4</nodes><sockets>4</sockets><cores>4</cores><threads>2</threads></cpu>
//	  <memory>8192000</memory>
//	  <domain file="dom.xml"/>            (or an inline <domain>...</domain>)
//	  <network file="net.xml"/>
//	  <pool file="pool.xml"><volume file="vol.xml"/></pool>
//	  <interface .../> <device .../>
//	  <auth><user password="pw">name</user></auth>
//	</node>
//
// Objects given with file= are read from that file, relative to the node
// file's directory. ParseTestNode only gathers the documents; each is
// parsed with its own parser (ParseDomain, ...) by the driver.
type TestNode struct {
	// CPU holds the <cpu> values that were given; nil fields keep the
	// driver's defaults.
	CPU TestNodeCPU
	// Memory is <memory> in KiB, nil when absent.
	Memory *uint64

	Domains    []TestNodeDomain
	Networks   []TestNodeObject
	Interfaces []TestNodeObject
	Pools      []TestNodePool
	Devices    []TestNodeObject
	Users      []TestNodeUser
}

// TestNodeCPU is the node's <cpu> element. Nil fields were not given.
type TestNodeCPU struct {
	MHz     *uint32
	Model   string
	Active  *uint32
	Nodes   *uint32
	Sockets *uint32
	Cores   *uint32
	Threads *uint32
}

// TestNodeObject is one object of the node: its XML document, read from
// File when the node names one.
type TestNodeObject struct {
	File string
	Doc  []byte
}

// TestNodeDomain is a domain of the node with the test driver's own
// settings, given as elements of the namespace TestNodeNamespace inside
// <domain>: <test:runstate>5</test:runstate>, <test:transient/> and
// <test:hasmanagedsave/>. Doc has those elements removed.
type TestNodeDomain struct {
	TestNodeObject
	// RunState is the domain's virDomainState; 1 (running) unless given.
	RunState       int
	Transient      bool
	HasManagedSave bool
}

// TestNodePool is a storage pool of the node with its volumes.
type TestNodePool struct {
	TestNodeObject
	Volumes []TestNodeObject
}

// TestNodeUser is a user of <auth>: connecting then requires credentials.
type TestNodeUser struct {
	Name     string
	Password string
	// HasPassword tells an empty password from none.
	HasPassword bool
}

// TestNodeNamespace is the XML namespace of the test driver's domain
// extensions.
const TestNodeNamespace = "http://libvirt.org/schemas/domain/test/1.0"

// domainStateLast is VIR_DOMAIN_LAST: run states must be below it.
const domainStateLast = 8

// ReadTestNode reads and parses the node description file at path.
func ReadTestNode(path string) (*TestNode, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, xmlErrorf("failed to parse xml document '%s'", path)
	}
	return ParseTestNode(data, path)
}

// ParseTestNode parses a node description. path is where it came from:
// file= references are read relative to its directory, and syntax errors
// name it.
func ParseTestNode(data []byte, path string) (*TestNode, error) {
	root, err := xmldoc.Parse(data)
	if err != nil {
		return nil, syntaxError(err, path)
	}
	if root.Name != "node" {
		return nil, xmlErrorf("Root element is not 'node'")
	}
	tn := &TestNode{}
	if err := tn.parseCPU(root); err != nil {
		return nil, err
	}
	if m := root.Child("memory"); m != nil {
		v, err := strconv.ParseUint(strings.TrimSpace(m.Text), 10, 64)
		if err != nil {
			return nil, xmlErrorf("invalid node memory value")
		}
		tn.Memory = &v
	}
	for _, c := range root.Children {
		var err error
		switch c.Name {
		case "domain":
			var d TestNodeDomain
			d, err = testNodeDomain(c, path)
			tn.Domains = append(tn.Domains, d)
		case "network":
			var o TestNodeObject
			o, err = testNodeObject(c, path, "network")
			tn.Networks = append(tn.Networks, o)
		case "interface":
			var o TestNodeObject
			o, err = testNodeObject(c, path, "interface")
			tn.Interfaces = append(tn.Interfaces, o)
		case "device":
			var o TestNodeObject
			o, err = testNodeObject(c, path, "device")
			tn.Devices = append(tn.Devices, o)
		case "pool":
			var p TestNodePool
			p, err = testNodePool(c, path)
			tn.Pools = append(tn.Pools, p)
		case "auth":
			err = tn.parseAuth(c)
		}
		if err != nil {
			return nil, err
		}
	}
	return tn, nil
}

// syntaxError reports a document that is not well-formed the way libvirt
// does: "PATH:LINE: MESSAGE".
func syntaxError(err error, path string) error {
	if se, ok := err.(*xmldoc.SyntaxError); ok {
		return &Error{Code: CodeXMLDetail, Line: se.Line, Msg: fmt.Sprintf("%s:%d: %s", path, se.Line, se.Msg)}
	}
	return &Error{Code: CodeXMLDetail, Msg: fmt.Sprintf("%s: %v", path, err)}
}

func (tn *TestNode) parseCPU(root *xmldoc.Node) error {
	cpu := root.Child("cpu")
	if cpu == nil {
		return nil
	}
	fields := []struct {
		name string
		dst  **uint32
	}{
		{"nodes", &tn.CPU.Nodes}, {"sockets", &tn.CPU.Sockets}, {"cores", &tn.CPU.Cores},
		{"threads", &tn.CPU.Threads}, {"active", &tn.CPU.Active}, {"mhz", &tn.CPU.MHz},
	}
	for _, f := range fields {
		n := cpu.Child(f.name)
		if n == nil {
			continue
		}
		v, err := strconv.ParseUint(strings.TrimSpace(n.Text), 10, 32)
		if err != nil {
			return xmlErrorf("invalid node cpu %s value", f.name)
		}
		u := uint32(v)
		*f.dst = &u
	}
	if m := cpu.Child("model"); m != nil {
		tn.CPU.Model = m.Text
	}
	return nil
}

func (tn *TestNode) parseAuth(auth *xmldoc.Node) error {
	for _, u := range auth.Children {
		if u.Name != "user" {
			continue
		}
		if u.Text == "" {
			return xmlErrorf("missing username in /node/auth/user field")
		}
		pw, has := u.Attr("password")
		tn.Users = append(tn.Users, TestNodeUser{Name: u.Text, Password: pw, HasPassword: has})
	}
	return nil
}

// testNodeElement returns the element n stands for: n itself, or the root
// of the file it names.
func testNodeElement(n *xmldoc.Node, path, what string) (*xmldoc.Node, string, error) {
	file, ok := n.Attr("file")
	if !ok {
		return n, "", nil
	}
	abs := file
	if !filepath.IsAbs(file) {
		abs = filepath.Join(filepath.Dir(path), file)
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return nil, "", xmlErrorf("failed to parse xml document '%s'", abs)
	}
	root, err := xmldoc.Parse(data)
	if err != nil {
		return nil, "", syntaxError(err, abs)
	}
	_ = what
	return root, file, nil
}

// rawDoc writes an element back as a document.
func rawDoc(n *xmldoc.Node) []byte {
	var e xmldoc.Encoder
	e.Raw(n)
	return e.Bytes()
}

func testNodeObject(n *xmldoc.Node, path, what string) (TestNodeObject, error) {
	el, file, err := testNodeElement(n, path, what)
	if err != nil {
		return TestNodeObject{}, err
	}
	return TestNodeObject{File: file, Doc: rawDoc(el)}, nil
}

func testNodePool(n *xmldoc.Node, path string) (TestNodePool, error) {
	el, file, err := testNodeElement(n, path, "pool")
	if err != nil {
		return TestNodePool{}, err
	}
	// Volumes are children of the node's <pool>, not of the pool file.
	p := TestNodePool{TestNodeObject: TestNodeObject{File: file}}
	var keep []*xmldoc.Node
	for _, c := range n.Children {
		if c.Name != "volume" {
			continue
		}
		v, err := testNodeObject(c, path, "volume")
		if err != nil {
			return TestNodePool{}, err
		}
		p.Volumes = append(p.Volumes, v)
	}
	if el == n {
		for _, c := range n.Children {
			if c.Name != "volume" {
				keep = append(keep, c)
			}
		}
		cp := *n
		cp.Children = keep
		el = &cp
	}
	p.Doc = rawDoc(el)
	return p, nil
}

func testNodeDomain(n *xmldoc.Node, path string) (TestNodeDomain, error) {
	el, file, err := testNodeElement(n, path, "domain")
	if err != nil {
		return TestNodeDomain{}, err
	}
	d := TestNodeDomain{TestNodeObject: TestNodeObject{File: file}, RunState: 1}
	prefixes := map[string]bool{}
	var attrs []xmldoc.Attr
	for _, a := range el.Attrs {
		if p, ok := strings.CutPrefix(a.Name, "xmlns:"); ok && a.Value == TestNodeNamespace {
			prefixes[p] = true
			continue
		}
		attrs = append(attrs, a)
	}
	var kids []*xmldoc.Node
	for _, c := range el.Children {
		p, local, ok := strings.Cut(c.Name, ":")
		if !ok || !prefixes[p] {
			kids = append(kids, c)
			continue
		}
		switch local {
		case "runstate":
			v, err := strconv.ParseUint(strings.TrimSpace(c.Text), 10, 32)
			if err != nil {
				return TestNodeDomain{}, xmlErrorf("invalid runstate")
			}
			if v >= domainStateLast {
				return TestNodeDomain{}, xmlErrorf("runstate '%d' out of range'", v)
			}
			d.RunState = int(v)
		case "transient":
			d.Transient = true
		case "hasmanagedsave":
			d.HasManagedSave = true
		}
	}
	const shutoff = 5
	if d.Transient && d.RunState == shutoff {
		return TestNodeDomain{}, xmlErrorf("transient domain cannot have runstate 'shutoff'")
	}
	if d.HasManagedSave && d.RunState != shutoff {
		return TestNodeDomain{}, xmlErrorf("domain with managedsave data can only have runstate 'shutoff'")
	}
	cp := *el
	cp.Attrs, cp.Children = attrs, kids
	d.Doc = rawDoc(&cp)
	return d, nil
}
