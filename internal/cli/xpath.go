package cli

import (
	"sort"
	"strconv"
	"strings"

	"github.com/govirt/govirt/internal/xmldoc"
)

// This file implements the subset of XPath 1.0 that --xpath needs in
// practice: location paths (absolute, relative to the root element, and
// '//'), the child, attribute, self, parent, descendant and
// descendant-or-self axes in abbreviated or full form, name tests, '*',
// text() and node(), predicates with a position, last(), or a comparison
// of an attribute, child or text() with a string literal, and unions with
// '|'. Like virsh, only expressions that select nodes are accepted.

// xnode is one node of a selection: an element, one of its attributes,
// its text, or the document itself.
type xnode struct {
	elem *xmldoc.Node
	attr int // index into elem.Attrs, or -1
	text bool
	doc  bool
}

// xdoc indexes a document for evaluation: parents and document order.
type xdoc struct {
	root   *xmldoc.Node
	parent map[*xmldoc.Node]*xmldoc.Node
	order  map[*xmldoc.Node]int
}

func newXDoc(root *xmldoc.Node) *xdoc {
	d := &xdoc{root: root, parent: map[*xmldoc.Node]*xmldoc.Node{}, order: map[*xmldoc.Node]int{}}
	var walk func(n *xmldoc.Node)
	walk = func(n *xmldoc.Node) {
		d.order[n] = len(d.order)
		for _, c := range n.Children {
			if c.Name == xmldoc.TextNodeName {
				continue
			}
			d.parent[c] = n
			walk(c)
		}
	}
	walk(root)
	return d
}

// key orders nodes in document order: an element, then its attributes,
// then its text.
func (d *xdoc) key(n xnode) [3]int {
	if n.doc {
		return [3]int{-1, 0, 0}
	}
	k := [3]int{d.order[n.elem], 0, 0}
	switch {
	case n.attr >= 0:
		k[1], k[2] = 1, n.attr
	case n.text:
		k[1] = 2
	}
	return k
}

// hasText reports whether an element has character data of its own.
func hasText(n *xmldoc.Node) bool {
	return n.Text != "" && !hasElementChildren(n)
}

func hasElementChildren(n *xmldoc.Node) bool {
	for _, c := range n.Children {
		if c.Name != xmldoc.TextNodeName {
			return true
		}
	}
	return false
}

// children returns the element children of n (the root for the document).
func (d *xdoc) children(n xnode) []xnode {
	if n.doc {
		return []xnode{{elem: d.root, attr: -1}}
	}
	if n.attr >= 0 || n.text {
		return nil
	}
	var out []xnode
	for _, c := range n.elem.Children {
		if c.Name != xmldoc.TextNodeName {
			out = append(out, xnode{elem: c, attr: -1})
		}
	}
	return out
}

// descendants returns n's descendant elements in document order.
func (d *xdoc) descendants(n xnode) []xnode {
	var out []xnode
	var walk func(x xnode)
	walk = func(x xnode) {
		for _, c := range d.children(x) {
			out = append(out, c)
			walk(c)
		}
	}
	walk(n)
	return out
}

// errXPath is virsh's complaint about an expression it cannot use.
func errXPath(expr string) error {
	return fail(errNoCause, "internal error: Incorrect xpath '%s'", expr)
}

// splitTop splits s on sep where it is outside brackets and quotes.
func splitTop(s string, sep byte) []string {
	var parts []string
	depth, quote, start := 0, byte(0), 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '[' || c == '(':
			depth++
		case c == ']' || c == ')':
			depth--
		case c == sep && depth == 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// evalXPath selects the nodes expr designates in the document rooted at root.
func evalXPath(root *xmldoc.Node, expr string) ([]xnode, error) {
	d := newXDoc(root)
	seen := map[[3]int]bool{}
	var out []xnode
	for _, path := range splitTop(expr, '|') {
		nodes, ok := d.evalPath(strings.TrimSpace(path))
		if !ok {
			return nil, errXPath(expr)
		}
		for _, n := range nodes {
			if k := d.key(n); !seen[k] {
				seen[k] = true
				out = append(out, n)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := d.key(out[i]), d.key(out[j])
		for k := range a {
			if a[k] != b[k] {
				return a[k] < b[k]
			}
		}
		return false
	})
	return out, nil
}

// evalPath evaluates one location path.
func (d *xdoc) evalPath(path string) ([]xnode, bool) {
	if path == "" {
		return nil, false
	}
	ctx := []xnode{{elem: d.root, attr: -1}}
	switch {
	case strings.HasPrefix(path, "//"):
		ctx = append([]xnode{{doc: true, attr: -1}}, d.descendants(xnode{doc: true, attr: -1})...)
		path = path[2:]
	case path == "/":
		return []xnode{{doc: true, attr: -1}}, true
	case strings.HasPrefix(path, "/"):
		ctx = []xnode{{doc: true, attr: -1}}
		path = path[1:]
	}
	steps := splitTop(path, '/')
	for i := 0; i < len(steps); i++ {
		step := strings.TrimSpace(steps[i])
		descend := false
		if step == "" {
			// "a//b": an empty step between two slashes.
			if i+1 >= len(steps) {
				return nil, false
			}
			descend = true
			i++
			step = strings.TrimSpace(steps[i])
		}
		if descend {
			var all []xnode
			for _, n := range ctx {
				all = append(all, n)
				all = append(all, d.descendants(n)...)
			}
			ctx = all
		}
		next, ok := d.step(ctx, step)
		if !ok {
			return nil, false
		}
		ctx = next
	}
	return ctx, true
}

// step applies one step (axis, node test, predicates) to every context node.
func (d *xdoc) step(ctx []xnode, step string) ([]xnode, bool) {
	test, preds, ok := splitPredicates(step)
	if !ok {
		return nil, false
	}
	axis := "child"
	if a, rest, found := strings.Cut(test, "::"); found {
		axis, test = a, rest
	} else if strings.HasPrefix(test, "@") {
		axis, test = "attribute", test[1:]
	} else if test == "." {
		axis, test = "self", "node()"
	} else if test == ".." {
		axis, test = "parent", "node()"
	}
	seen := map[[3]int]bool{}
	var out []xnode
	for _, n := range ctx {
		var cands []xnode
		switch axis {
		case "child":
			cands = d.children(n)
			if test == "text()" || test == "node()" {
				if !n.doc && n.attr < 0 && !n.text && hasText(n.elem) {
					cands = append(cands, xnode{elem: n.elem, attr: -1, text: true})
				}
			}
		case "attribute":
			if !n.doc && n.attr < 0 && !n.text {
				for i := range n.elem.Attrs {
					cands = append(cands, xnode{elem: n.elem, attr: i})
				}
			}
		case "self":
			cands = []xnode{n}
		case "parent":
			switch {
			case n.doc:
			case n.attr >= 0 || n.text:
				cands = []xnode{{elem: n.elem, attr: -1}}
			case n.elem == d.root:
				cands = []xnode{{doc: true, attr: -1}}
			default:
				cands = []xnode{{elem: d.parent[n.elem], attr: -1}}
			}
		case "descendant":
			cands = d.descendants(n)
		case "descendant-or-self":
			cands = append([]xnode{n}, d.descendants(n)...)
		default:
			return nil, false
		}
		var matched []xnode
		for _, c := range cands {
			m, ok := nodeTest(c, test, axis)
			if !ok {
				return nil, false
			}
			if m {
				matched = append(matched, c)
			}
		}
		for _, p := range preds {
			if matched, ok = d.filter(matched, p); !ok {
				return nil, false
			}
		}
		for _, m := range matched {
			if k := d.key(m); !seen[k] {
				seen[k] = true
				out = append(out, m)
			}
		}
	}
	return out, true
}

// nodeTest reports whether node n passes test; ok is false for tests this
// evaluator does not know.
func nodeTest(n xnode, test, axis string) (match, ok bool) {
	switch test {
	case "node()":
		return true, true
	case "text()":
		return n.text, true
	case "*":
		if axis == "attribute" {
			return n.attr >= 0, true
		}
		return !n.doc && n.attr < 0 && !n.text, true
	}
	if !isXMLName(test) {
		return false, false
	}
	if axis == "attribute" {
		return n.attr >= 0 && n.elem.Attrs[n.attr].Name == test, true
	}
	return !n.doc && n.attr < 0 && !n.text && n.elem.Name == test, true
}

func isXMLName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isAlnum(c) || c == '_' || c == '-' || c == '.' || c == ':' || c >= 0x80) {
			return false
		}
	}
	return !(s[0] >= '0' && s[0] <= '9') && s[0] != '-' && s[0] != '.'
}

// splitPredicates separates "test[p1][p2]" into the test and predicates.
func splitPredicates(step string) (string, []string, bool) {
	i := strings.IndexByte(step, '[')
	if i < 0 {
		return step, nil, true
	}
	test, rest := strings.TrimSpace(step[:i]), step[i:]
	var preds []string
	for rest != "" {
		if rest[0] != '[' {
			return "", nil, false
		}
		depth, quote, end := 0, byte(0), -1
		for j := 0; j < len(rest) && end < 0; j++ {
			c := rest[j]
			switch {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '\'' || c == '"':
				quote = c
			case c == '[':
				depth++
			case c == ']':
				depth--
				if depth == 0 {
					end = j
				}
			}
		}
		if end < 0 {
			return "", nil, false
		}
		preds = append(preds, strings.TrimSpace(rest[1:end]))
		rest = strings.TrimSpace(rest[end+1:])
	}
	return test, preds, true
}

// filter keeps the nodes that satisfy predicate p.
func (d *xdoc) filter(nodes []xnode, p string) ([]xnode, bool) {
	if p == "last()" {
		if len(nodes) == 0 {
			return nil, true
		}
		return nodes[len(nodes)-1:], true
	}
	if n, err := strconv.Atoi(p); err == nil {
		if n < 1 || n > len(nodes) {
			return nil, true
		}
		return nodes[n-1 : n], true
	}
	lhs, op, rhs := p, "", ""
	for _, o := range []string{"!=", "="} {
		if i := strings.Index(p, o); i >= 0 {
			lhs, op, rhs = strings.TrimSpace(p[:i]), o, strings.TrimSpace(p[i+len(o):])
			break
		}
	}
	var want string
	if op != "" {
		if len(rhs) < 2 || (rhs[0] != '\'' && rhs[0] != '"') || rhs[len(rhs)-1] != rhs[0] {
			return nil, false
		}
		want = rhs[1 : len(rhs)-1]
	}
	var out []xnode
	for _, n := range nodes {
		vals, ok := d.values(n, lhs)
		if !ok {
			return nil, false
		}
		keep := false
		switch op {
		case "":
			keep = len(vals) > 0
		case "=":
			for _, v := range vals {
				keep = keep || v == want
			}
		case "!=":
			for _, v := range vals {
				keep = keep || v != want
			}
		}
		if keep {
			out = append(out, n)
		}
	}
	return out, true
}

// values returns the string values of the nodes a relative path selects
// from n, for predicates.
func (d *xdoc) values(n xnode, path string) ([]string, bool) {
	sel, ok := d.evalRelative(n, path)
	if !ok {
		return nil, false
	}
	out := make([]string, len(sel))
	for i, s := range sel {
		out[i] = stringValue(s)
	}
	return out, true
}

// evalRelative evaluates a relative path from context node n.
func (d *xdoc) evalRelative(n xnode, path string) ([]xnode, bool) {
	if path == "" || strings.HasPrefix(path, "/") {
		return nil, false
	}
	ctx := []xnode{n}
	for _, step := range splitTop(path, '/') {
		next, ok := d.step(ctx, strings.TrimSpace(step))
		if !ok {
			return nil, false
		}
		ctx = next
	}
	return ctx, true
}

// stringValue is XPath's string-value of a node.
func stringValue(n xnode) string {
	switch {
	case n.attr >= 0:
		return n.elem.Attrs[n.attr].Value
	case n.text:
		return n.elem.Text
	case n.doc:
		return ""
	}
	var b strings.Builder
	var walk func(e *xmldoc.Node)
	walk = func(e *xmldoc.Node) {
		if !hasElementChildren(e) {
			b.WriteString(e.Text)
			return
		}
		for _, c := range e.Children {
			if c.Name == xmldoc.TextNodeName {
				b.WriteString(c.Text)
			} else {
				walk(c)
			}
		}
	}
	walk(n.elem)
	return b.String()
}

// libxml2's escaping of text content and of attribute values.
var (
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#13;")
	attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\"", "&quot;",
		"\n", "&#10;", "\r", "&#13;", "\t", "&#9;")
)

// dumpElement writes an element the way libxml2 formats a copied node:
// double-quoted attributes, two spaces per level, empty elements closed
// with "/>".
func dumpElement(b *strings.Builder, e *xmldoc.Node, depth int) {
	ind := strings.Repeat("  ", depth)
	b.WriteString(ind + "<" + e.Name)
	for _, a := range e.Attrs {
		b.WriteString(" " + a.Name + "=\"" + attrEscaper.Replace(a.Value) + "\"")
	}
	switch {
	case !hasElementChildren(e) && e.Text == "":
		b.WriteString("/>\n")
	case !hasElementChildren(e):
		b.WriteString(">" + textEscaper.Replace(e.Text) + "</" + e.Name + ">\n")
	default:
		b.WriteString(">\n")
		for _, c := range e.Children {
			if c.Name == xmldoc.TextNodeName {
				continue
			}
			dumpElement(b, c, depth+1)
		}
		b.WriteString(ind + "</" + e.Name + ">\n")
	}
}

// formatXPath renders selected nodes as virsh does: each node on its own,
// or with wrap all of them inside a <nodes> element.
func formatXPath(nodes []xnode, wrap bool) string {
	var b strings.Builder
	if !wrap {
		for _, n := range nodes {
			switch {
			case n.attr >= 0:
				a := n.elem.Attrs[n.attr]
				b.WriteString(" " + a.Name + "=\"" + attrEscaper.Replace(a.Value) + "\"\n")
			case n.text:
				b.WriteString(textEscaper.Replace(n.elem.Text) + "\n")
			case n.doc:
			default:
				dumpElement(&b, n.elem, 0)
			}
		}
		return b.String()
	}
	w := &xmldoc.Node{Name: "nodes"}
	var text strings.Builder
	for _, n := range nodes {
		switch {
		case n.attr >= 0:
			a := n.elem.Attrs[n.attr]
			replaced := false
			for i := range w.Attrs {
				if w.Attrs[i].Name == a.Name {
					w.Attrs[i].Value, replaced = a.Value, true
				}
			}
			if !replaced {
				w.Attrs = append(w.Attrs, a)
			}
		case n.text:
			text.WriteString(n.elem.Text)
		case n.doc:
		default:
			w.Children = append(w.Children, n.elem)
		}
	}
	if len(w.Children) == 0 {
		w.Text = text.String()
	}
	dumpElement(&b, w, 0)
	return b.String()
}

// printXML prints an XML document, or with --xpath the nodes it selects.
func (s *session) printXML(c *call, doc string) error {
	expr, ok, err := c.str("xpath")
	if err != nil {
		return err
	}
	if !ok {
		s.print(doc)
		return nil
	}
	root, err := xmldoc.Parse([]byte(doc))
	if err != nil {
		return fail(errNoCause, "internal error: failed to parse the XML document: %v", err)
	}
	nodes, err := evalXPath(root, expr)
	if err != nil {
		return err
	}
	s.print(formatXPath(nodes, c.has("wrap")))
	return nil
}
