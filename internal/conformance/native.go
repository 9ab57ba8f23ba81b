package conformance

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/govirt/govirt/internal/native"
	"github.com/govirt/govirt/internal/xmldoc"
	"github.com/govirt/govirt/virtxml"
)

// The native-config folders hold libvirt's own converter test pairs:
// NAME.cfg (xen-xm/, xen-xl/) or NAME.vmx (vmx/) with the domain NAME.xml.
//
// libvirt runs most Xen pairs both ways and some one way only; its test
// program says which, the files do not. The runner decides from the files
// themselves, by rules that do not depend on the case's name:
//
//   - cfg to XML is checked unless NAME.xml is an input document rather
//     than libvirt's output: one without the devices libvirt's Xen driver
//     always writes (balloon, xenbus, mouse and keyboard), as in the vnuma
//     cases;
//   - XML to cfg is checked, key by key, unless NAME.cfg uses spellings
//     libvirt reads but never writes (root= and extra=, positional disk
//     specifications, short PCI addresses, HVM features left to their
//     defaults, type = "hvm"): converting back then says the same in
//     other words.
//
// A case agrees when every check that applies agrees, and at least one
// applies. The "/LIBXL_FIRMWARE_DIR" placeholder of libvirt's files stands
// for the firmware directory, as in libvirt's test program. A vmx/ case
// without NAME.xml is one libvirt refuses: it agrees when the conversion
// fails.

// nativeKind selects a folder's converter.
type nativeKind int

const (
	kindXM nativeKind = iota
	kindXL
	kindVMX
)

// runNative runs one native-config folder.
func runNative(dir, name string, kind nativeKind) (Folder, error) {
	f := Folder{Name: name}
	ext := ".cfg"
	if kind == kindVMX {
		ext = ".vmx"
	}
	inputs, err := filepath.Glob(filepath.Join(dir, "*"+ext))
	if err != nil {
		return f, err
	}
	sort.Strings(inputs)
	for _, path := range inputs {
		base := strings.TrimSuffix(filepath.Base(path), ext)
		c, err := runNativeCase(dir, base, ext, kind)
		if err != nil {
			return f, err
		}
		f.Cases = append(f.Cases, c)
	}
	return f, nil
}

func runNativeCase(dir, base, ext string, kind nativeKind) (c Case, err error) {
	c = Case{Name: base}
	input, err := os.ReadFile(filepath.Join(dir, base+ext))
	if err != nil {
		return c, err
	}
	want, werr := os.ReadFile(filepath.Join(dir, base+".xml"))
	defer func() {
		if r := recover(); r != nil {
			c.Agree, c.Reason = false, fmt.Sprintf("panic: %v", r)
		}
	}()
	res, perr := parseNative(kind, input)
	if werr != nil {
		// No answer beside the input: libvirt refuses the file.
		if perr != nil {
			c.Agree = true
		} else {
			c.Reason = "converted; libvirt refuses it"
		}
		return c, nil
	}
	want = bytes.ReplaceAll(want, []byte("/LIBXL_FIRMWARE_DIR"), []byte(native.XenFirmwareDir))
	if kind == kindVMX {
		if perr != nil {
			c.Reason = "refused: " + firstLine(perr.Error())
			return c, nil
		}
		c.Reason = checkToXML(res, want, false)
		c.Agree = c.Reason == ""
		return c, nil
	}
	cfg, err := native.ParseConfig(input)
	if err != nil {
		c.Reason = "refused: " + firstLine(err.Error())
		return c, nil
	}
	_, _, hasUUID := cfg.Lookup("uuid")

	// Which directions apply.
	toXML := !isInputXML(want)
	toCfg := perr != nil || len(res.Legacy) == 0
	if !toXML && !toCfg {
		c.Reason = "neither file is in the form libvirt writes"
		return c, nil
	}
	if toXML {
		if perr != nil {
			c.Reason = "refused: " + firstLine(perr.Error())
			return c, nil
		}
		if r := checkToXML(res, want, !hasUUID); r != "" {
			c.Reason = "to XML: " + r
			return c, nil
		}
	}
	if toCfg {
		if r := checkToCfg(kind, want, cfg); r != "" {
			c.Reason = "to native: " + r
			return c, nil
		}
	}
	c.Agree = true
	return c, nil
}

func parseNative(kind nativeKind, input []byte) (*native.Result, error) {
	switch kind {
	case kindXM:
		return native.ParseXM(input)
	case kindXL:
		return native.ParseXL(input)
	default:
		return native.ParseVMX(input, native.VMXOptions{FileName: libvirtTestFileName})
	}
}

// libvirtTestFileName maps the file names of a .vmx as libvirt's vmx2xml
// test program does: "/vmfs/volumes/DS/PATH" becomes "[DS] PATH" (a
// datastore or path named "missing" is a missing file), other absolute
// paths stay, bare names live in "[datastore] directory/", and relative
// paths are refused.
func libvirtTestFileName(name string, allowMissing bool) (string, bool, error) {
	if rest, ok := strings.CutPrefix(name, "/vmfs/volumes/"); ok {
		ds, path, ok := strings.Cut(rest, "/")
		if !ok || ds == "" || path == "" {
			return "", false, fmt.Errorf("malformed datastore path '%s'", name)
		}
		if ds == "missing" || strings.HasPrefix(path, "missing") {
			if allowMissing {
				return "", false, nil
			}
			return "", false, fmt.Errorf("referenced missing file '%s'", name)
		}
		return "[" + ds + "] " + path, true, nil
	}
	if strings.HasPrefix(name, "/") {
		return name, true, nil
	}
	if strings.Contains(name, "/") {
		return "", false, fmt.Errorf("relative path '%s' is not supported", name)
	}
	return "[datastore] directory/" + name, true, nil
}

// checkToXML compares the converted domain with libvirt's XML as trees.
func checkToXML(res *native.Result, want []byte, generatedUUID bool) string {
	got, err := native.FormatDomain(res.Domain, virtxml.FormatSecure)
	if err != nil {
		return "format: " + err.Error()
	}
	return compareTrees(got, want, generatedUUID)
}

// checkToCfg converts libvirt's XML back and compares it with the config
// key by key.
func checkToCfg(kind nativeKind, xml []byte, want *native.Config) string {
	d, err := native.ParseXenDomainXML(xml)
	if err != nil {
		return "XML refused: " + firstLine(err.Error())
	}
	var got *native.Config
	if kind == kindXM {
		got, err = native.FormatXM(d, native.FormatOptions{})
	} else {
		got, err = native.FormatXL(d, native.FormatOptions{})
	}
	if err != nil {
		return "refused: " + firstLine(err.Error())
	}
	if diff := native.Diff(got, want); len(diff) > 0 {
		return diff[0]
	}
	return ""
}

// isInputXML reports whether a domain document is an input rather than
// libvirt's Xen output: the libxl driver gives every domain it writes a
// Xen balloon, a xenbus controller and a mouse and keyboard, so a document
// without them was written by hand.
func isInputXML(doc []byte) bool {
	root, err := xmldoc.Parse(doc)
	if err != nil {
		return false
	}
	dev := root.Child("devices")
	if dev == nil {
		return true
	}
	var balloon, xenbus, mouse, keyboard bool
	for _, c := range dev.Children {
		switch c.Name {
		case "memballoon":
			balloon = true
		case "controller":
			t, _ := c.Attr("type")
			xenbus = xenbus || t == "xenbus"
		case "input":
			t, _ := c.Attr("type")
			mouse = mouse || t == "mouse"
			keyboard = keyboard || t == "keyboard"
		}
	}
	return !(balloon && xenbus && mouse && keyboard)
}

// compareTrees compares two XML documents as trees: element names,
// attributes (in any order) and trimmed text must match, children in
// order. With generatedUUID, a <uuid> may differ when it has the shape of
// a UUID. It returns "" or the first difference.
func compareTrees(got, want []byte, generatedUUID bool) string {
	g, err := xmldoc.Parse(got)
	if err != nil {
		return "output is not XML: " + err.Error()
	}
	w, err := xmldoc.Parse(want)
	if err != nil {
		return "expected output is not XML: " + err.Error()
	}
	return compareNodes(g, w, "/"+w.Name, generatedUUID)
}

func compareNodes(g, w *xmldoc.Node, path string, generatedUUID bool) string {
	if g.Name != w.Name {
		return fmt.Sprintf("%s: got <%s>, want <%s>", path, g.Name, w.Name)
	}
	ga, wa := attrMap(g), attrMap(w)
	for k, v := range wa {
		if gv, ok := ga[k]; !ok {
			return fmt.Sprintf("%s: missing attribute %s='%s'", path, k, v)
		} else if gv != v {
			return fmt.Sprintf("%s: attribute %s='%s', want '%s'", path, k, gv, v)
		}
	}
	for k, v := range ga {
		if _, ok := wa[k]; !ok {
			return fmt.Sprintf("%s: unexpected attribute %s='%s'", path, k, v)
		}
	}
	gt, wt := strings.TrimSpace(g.Text), strings.TrimSpace(w.Text)
	if gt != wt && !(generatedUUID && w.Name == "uuid" && uuidShapeRE.MatchString(gt)) {
		return fmt.Sprintf("%s: text %q, want %q", path, gt, wt)
	}
	for i := 0; i < len(g.Children) || i < len(w.Children); i++ {
		switch {
		case i >= len(w.Children):
			return fmt.Sprintf("%s: unexpected <%s>", path, g.Children[i].Name)
		case i >= len(g.Children):
			return fmt.Sprintf("%s: missing <%s>", path, w.Children[i].Name)
		}
		if d := compareNodes(g.Children[i], w.Children[i], path+"/"+w.Children[i].Name, generatedUUID); d != "" {
			return d
		}
	}
	return ""
}

func attrMap(n *xmldoc.Node) map[string]string {
	m := make(map[string]string, len(n.Attrs))
	for _, a := range n.Attrs {
		m[a.Name] = a.Value
	}
	return m
}
