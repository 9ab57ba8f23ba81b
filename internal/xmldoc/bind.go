package xmldoc

import (
	"encoding"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// The binder maps elements to Go structs with encoding/xml-style tags:
//
//	`xml:"name,attr"`           an attribute
//	`xml:"name"`                a child element (struct, pointer, slice, scalar)
//	`xml:",chardata"`           the element's text
//	`xml:",any"`                []*Node: child elements no other field claims
//	`xml:",any,attr"`           []Attr: attributes no other field claims
//	`xml:"...,omitempty"`       left out when zero
//	`xml:"-"`                   ignored
//
// Fields are written in declaration order, which is how element and
// attribute order is made canonical. A bool child element is a presence flag
// (<readonly/>); a bool attribute is written yes/no. Scalars may implement
// encoding.TextMarshaler/TextUnmarshaler; whole elements may implement
// NodeMarshaler/NodeUnmarshaler.

// NodeUnmarshaler is implemented by types that decode an element themselves.
type NodeUnmarshaler interface {
	UnmarshalNode(n *Node) error
}

// NodeMarshaler is implemented by types that encode an element themselves.
type NodeMarshaler interface {
	MarshalNode(e *Encoder, name string) error
}

// Error is a decoding error naming the element (and attribute) at fault.
type Error struct {
	Line int
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Errorf returns an *Error for node n.
func Errorf(n *Node, format string, args ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &Error{Line: line, Msg: fmt.Sprintf(format, args...)}
}

type fieldKind uint8

const (
	kindAttr fieldKind = iota
	kindElem
	kindChardata
	kindAnyElem
	kindAnyAttr
)

type field struct {
	name      string
	kind      fieldKind
	index     []int
	omitEmpty bool
	typ       reflect.Type
	ti        *typeInfo
}

type plan struct {
	attrs    []*field
	elems    []*field
	chardata *field
	anyElem  *field
	anyAttr  *field
	byAttr   map[string]*field
	byElem   map[string]*field
}

var plans sync.Map // reflect.Type -> *plan

var (
	nodePtrType        = reflect.TypeOf((*Node)(nil))
	nodeSliceType      = reflect.TypeOf([]*Node(nil))
	attrSliceType      = reflect.TypeOf([]Attr(nil))
	textUnmarshalerTyp = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
	textMarshalerTyp   = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()
	nodeUnmarshalerTyp = reflect.TypeOf((*NodeUnmarshaler)(nil)).Elem()
	nodeMarshalerTyp   = reflect.TypeOf((*NodeMarshaler)(nil)).Elem()
)

func planFor(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	p := &plan{byAttr: map[string]*field{}, byElem: map[string]*field{}}
	p.collect(t, nil)
	actual, _ := plans.LoadOrStore(t, p)
	return actual.(*plan)
}

func (p *plan) collect(t reflect.Type, index []int) {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		idx := append(append([]int(nil), index...), i)
		tag := sf.Tag.Get("xml")
		if tag == "-" {
			continue
		}
		if sf.Anonymous && tag == "" && sf.Type.Kind() == reflect.Struct {
			p.collect(sf.Type, idx)
			continue
		}
		if !sf.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		f := &field{name: name, index: idx, typ: sf.Type, ti: infoFor(sf.Type)}
		if name == "" {
			f.name = sf.Name
		}
		var isAttr, isAny bool
		for _, o := range strings.Split(opts, ",") {
			switch o {
			case "attr":
				isAttr = true
			case "any":
				isAny = true
			case "chardata":
				f.kind = kindChardata
			case "omitempty":
				f.omitEmpty = true
			}
		}
		switch {
		case isAny && isAttr:
			f.kind = kindAnyAttr
		case isAny:
			f.kind = kindAnyElem
		case isAttr:
			f.kind = kindAttr
		case f.kind != kindChardata:
			f.kind = kindElem
		}
		switch f.kind {
		case kindAttr:
			p.attrs = append(p.attrs, f)
			if _, dup := p.byAttr[f.name]; !dup {
				p.byAttr[f.name] = f
			}
		case kindElem:
			p.elems = append(p.elems, f)
			if _, dup := p.byElem[f.name]; !dup {
				p.byElem[f.name] = f
			}
		case kindChardata:
			p.chardata = f
		case kindAnyElem:
			if f.typ != nodeSliceType {
				panic(fmt.Sprintf("xmldoc: %s.%s: ,any needs []*xmldoc.Node", t, sf.Name))
			}
			p.anyElem = f
		case kindAnyAttr:
			if f.typ != attrSliceType {
				panic(fmt.Sprintf("xmldoc: %s.%s: ,any,attr needs []xmldoc.Attr", t, sf.Name))
			}
			p.anyAttr = f
		}
	}
}

// Unmarshal decodes element n into v, which must be a pointer to a struct
// (or to a type implementing NodeUnmarshaler).
func Unmarshal(n *Node, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("xmldoc: Unmarshal needs a non-nil pointer, got %T", v)
	}
	return decodeElem(n, rv.Elem(), infoFor(rv.Type().Elem()))
}

// UnmarshalBytes parses data and decodes its root element into v.
func UnmarshalBytes(data []byte, v any) (*Node, error) {
	root, err := Parse(data)
	if err != nil {
		return nil, err
	}
	return root, Unmarshal(root, v)
}

func decodeElem(n *Node, v reflect.Value, ti *typeInfo) error {
	if ti.nodeU && v.CanAddr() {
		return v.Addr().Interface().(NodeUnmarshaler).UnmarshalNode(n)
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.Type() == nodePtrType {
			v.Set(reflect.ValueOf(n))
			return nil
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return decodeElem(n, v.Elem(), ti.elem)
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.Uint8 {
			nv := reflect.New(v.Type().Elem()).Elem()
			if err := decodeElem(n, nv, ti.elem); err != nil {
				return err
			}
			v.Set(reflect.Append(v, nv))
			return nil
		}
	case reflect.Bool:
		v.SetBool(true)
		return nil
	case reflect.Struct:
		if !(ti.textU && v.CanAddr()) {
			return decodeStruct(n, v, ti.planOf(v.Type()))
		}
	}
	if err := decodeScalar(n.Text, v, ti); err != nil {
		return Errorf(n, "Invalid value for element '%s': '%s'%s", n.Name, n.Text, err.Error())
	}
	return nil
}

func decodeStruct(n *Node, v reflect.Value, p *plan) error {
	for _, a := range n.Attrs {
		f := p.byAttr[a.Name]
		if f == nil {
			if p.anyAttr != nil {
				fv := v.FieldByIndex(p.anyAttr.index)
				fv.Set(reflect.Append(fv, reflect.ValueOf(a)))
			}
			continue
		}
		if err := decodeScalar(a.Value, v.FieldByIndex(f.index), f.ti); err != nil {
			return Errorf(n, "Invalid value for attribute '%s' in element '%s': '%s'%s", a.Name, n.Name, a.Value, err.Error())
		}
	}
	for _, c := range n.Children {
		if c.Name == TextNodeName {
			continue
		}
		f := p.byElem[c.Name]
		if f == nil {
			if p.anyElem != nil {
				fv := v.FieldByIndex(p.anyElem.index)
				fv.Set(reflect.Append(fv, reflect.ValueOf(c)))
			}
			continue
		}
		if err := decodeElem(c, v.FieldByIndex(f.index), f.ti); err != nil {
			return err
		}
	}
	if p.chardata != nil {
		if err := decodeScalar(n.Text, v.FieldByIndex(p.chardata.index), p.chardata.ti); err != nil {
			return Errorf(n, "Invalid value for element '%s': '%s'%s", n.Name, n.Text, err.Error())
		}
	}
	return nil
}

// scalarError carries the tail of a libvirt-style message (". Expected ...").
type scalarError string

func (e scalarError) Error() string { return string(e) }

func decodeScalar(s string, v reflect.Value, ti *typeInfo) error {
	if v.Kind() == reflect.Pointer {
		nv := reflect.New(v.Type().Elem())
		if err := decodeScalar(s, nv.Elem(), ti.elem); err != nil {
			return err
		}
		v.Set(nv)
		return nil
	}
	if ti.textU && v.CanAddr() {
		u := v.Addr().Interface().(encoding.TextUnmarshaler)
		{
			if err := u.UnmarshalText([]byte(s)); err != nil {
				if se, ok := err.(scalarError); ok {
					return se
				}
				if msg := err.Error(); strings.HasPrefix(msg, ".") {
					// A message starting with '.' is the whole tail,
					// as libvirt writes it ("...: 'x'.").
					return scalarError(msg)
				} else if msg != "" {
					return scalarError(". " + msg)
				}
				return scalarError("")
			}
			return nil
		}
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		switch s {
		case "yes":
			v.SetBool(true)
		case "no":
			v.SetBool(false)
		default:
			return scalarError("")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		x, err := strconv.ParseInt(s, 10, v.Type().Bits())
		if err != nil {
			return scalarError(". Expected integer value")
		}
		v.SetInt(x)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		x, err := strconv.ParseUint(s, 10, v.Type().Bits())
		if err != nil {
			if strings.HasPrefix(s, "-") {
				return scalarError(". Expected non-negative value")
			}
			return scalarError(". Expected integer value")
		}
		v.SetUint(x)
	case reflect.Float32, reflect.Float64:
		x, err := strconv.ParseFloat(s, v.Type().Bits())
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return scalarError(". Expected number")
		}
		v.SetFloat(x)
	default:
		return fmt.Errorf("xmldoc: cannot decode text into %s", v.Type())
	}
	return nil
}

// Marshal encodes v as an element named name.
func Marshal(e *Encoder, name string, v any) error {
	rv := reflect.ValueOf(v)
	return encodeElem(e, name, rv, false, infoFor(rv.Type()))
}

// MarshalBytes encodes v as a whole document rooted at name.
func MarshalBytes(name string, v any) ([]byte, error) {
	var e Encoder
	if err := Marshal(&e, name, v); err != nil {
		return nil, err
	}
	return e.Bytes(), nil
}

func encodeElem(e *Encoder, name string, v reflect.Value, omitEmpty bool, ti *typeInfo) error {
	if m, ok := asMarshaler(v, ti); ok {
		return m.MarshalNode(e, name)
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		if v.Type() == nodePtrType {
			e.Raw(v.Interface().(*Node))
			return nil
		}
		if v.Kind() == reflect.Interface {
			return encodeElem(e, name, v.Elem(), false, infoFor(v.Elem().Type()))
		}
		return encodeElem(e, name, v.Elem(), false, ti.elem)
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.Uint8 {
			for i := 0; i < v.Len(); i++ {
				if err := encodeElem(e, name, v.Index(i), false, ti.elem); err != nil {
					return err
				}
			}
			return nil
		}
	case reflect.Bool:
		if v.Bool() {
			e.Open(name)
			e.EndEmpty()
		}
		return nil
	case reflect.Struct:
		if ti.textM == 0 {
			if omitEmpty && v.IsZero() {
				return nil
			}
			return encodeStruct(e, name, v, ti.planOf(v.Type()))
		}
	}
	if omitEmpty && v.IsZero() {
		return nil
	}
	s, err := scalarText(v, ti)
	if err != nil {
		return err
	}
	e.TextElement(name, s)
	return nil
}

// typeInfo caches which of the codec interfaces a type implements, by
// value (1) or through a pointer (2); reflect's Implements is too slow to
// ask on every value.
type typeInfo struct {
	nodeM, textM int8
	nodeU, textU bool
	// elem describes the element type of pointers and slices.
	elem *typeInfo
	// plan is the struct type's plan, once asked for.
	plan atomic.Pointer[plan]
}

// planOf returns the plan of the struct type t that ti describes.
func (ti *typeInfo) planOf(t reflect.Type) *plan {
	if p := ti.plan.Load(); p != nil {
		return p
	}
	p := planFor(t)
	ti.plan.Store(p)
	return p
}

// typeInfos is a copy-on-write map: reads take no lock, and writes (once
// per type for the life of the process) copy it.
var (
	typeInfos   atomic.Pointer[map[reflect.Type]*typeInfo]
	typeInfosMu sync.Mutex
)

func infoFor(t reflect.Type) *typeInfo {
	if m := typeInfos.Load(); m != nil {
		if i, ok := (*m)[t]; ok {
			return i
		}
	}
	i := &typeInfo{}
	pt := reflect.PointerTo(t)
	switch {
	case t.Implements(nodeMarshalerTyp):
		i.nodeM = 1
	case pt.Implements(nodeMarshalerTyp):
		i.nodeM = 2
	}
	switch {
	case t.Implements(textMarshalerTyp):
		i.textM = 1
	case pt.Implements(textMarshalerTyp):
		i.textM = 2
	}
	i.nodeU = pt.Implements(nodeUnmarshalerTyp)
	i.textU = pt.Implements(textUnmarshalerTyp)
	if k := t.Kind(); k == reflect.Pointer || k == reflect.Slice {
		i.elem = infoFor(t.Elem())
	}
	typeInfosMu.Lock()
	defer typeInfosMu.Unlock()
	next := map[reflect.Type]*typeInfo{}
	if m := typeInfos.Load(); m != nil {
		for k, v := range *m {
			next[k] = v
		}
	}
	next[t] = i
	typeInfos.Store(&next)
	return i
}

func asMarshaler(v reflect.Value, ti *typeInfo) (NodeMarshaler, bool) {
	if ti.nodeM == 0 || v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, false
	}
	switch ti.nodeM {
	case 1:
		return v.Interface().(NodeMarshaler), true
	case 2:
		if v.CanAddr() {
			return v.Addr().Interface().(NodeMarshaler), true
		}
	}
	return nil, false
}

func asTextMarshaler(v reflect.Value, ti *typeInfo) (encoding.TextMarshaler, bool) {
	switch ti.textM {
	case 1:
		return v.Interface().(encoding.TextMarshaler), true
	case 2:
		if v.CanAddr() {
			return v.Addr().Interface().(encoding.TextMarshaler), true
		}
		p := reflect.New(v.Type())
		p.Elem().Set(v)
		return p.Interface().(encoding.TextMarshaler), true
	}
	return nil, false
}

func scalarText(v reflect.Value, ti *typeInfo) (string, error) {
	if m, ok := asTextMarshaler(v, ti); ok {
		b, err := m.MarshalText()
		return string(b), err
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return "", nil
		}
		return scalarText(v.Elem(), ti.elem)
	case reflect.String:
		return v.String(), nil
	case reflect.Bool:
		if v.Bool() {
			return "yes", nil
		}
		return "no", nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, v.Type().Bits()), nil
	}
	return "", fmt.Errorf("xmldoc: cannot encode %s as text", v.Type())
}

func encodeStruct(e *Encoder, name string, v reflect.Value, p *plan) error {
	e.Open(name)
	for _, f := range p.attrs {
		fv := v.FieldByIndex(f.index)
		if fv.Kind() == reflect.Pointer && fv.IsNil() || f.omitEmpty && fv.IsZero() {
			continue
		}
		s, err := scalarText(fv, f.ti)
		if err != nil {
			return err
		}
		e.Attr(f.name, s)
	}
	if p.anyAttr != nil {
		for _, a := range v.FieldByIndex(p.anyAttr.index).Interface().([]Attr) {
			e.Attr(a.Name, a.Value)
		}
	}
	var text string
	if p.chardata != nil {
		fv := v.FieldByIndex(p.chardata.index)
		if !(fv.Kind() == reflect.Pointer && fv.IsNil()) {
			s, err := scalarText(fv, p.chardata.ti)
			if err != nil {
				return err
			}
			text = s
		}
	}
	mark := len(e.buf)
	depth := e.depth
	e.EndOpen()
	bodyStart := len(e.buf)
	for _, f := range p.elems {
		if err := encodeElem(e, f.name, v.FieldByIndex(f.index), f.omitEmpty, f.ti); err != nil {
			return err
		}
	}
	if p.anyElem != nil {
		for _, n := range v.FieldByIndex(p.anyElem.index).Interface().([]*Node) {
			e.Raw(n)
		}
	}
	if len(e.buf) == bodyStart {
		// No children: rewrite the end of the start tag.
		e.buf = e.buf[:mark]
		e.depth = depth
		if text != "" {
			e.EndText(name, text)
		} else {
			e.EndEmpty()
		}
		return nil
	}
	e.Close(name)
	return nil
}

// MarshalChildren writes only the child elements of the struct v (not its
// attributes or text): for NodeMarshaler implementations that write their
// own start and end tags.
func MarshalChildren(e *Encoder, v any) error {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	p := planFor(rv.Type())
	for _, f := range p.elems {
		if err := encodeElem(e, f.name, rv.FieldByIndex(f.index), f.omitEmpty, f.ti); err != nil {
			return err
		}
	}
	if p.anyElem != nil {
		for _, n := range rv.FieldByIndex(p.anyElem.index).Interface().([]*Node) {
			e.Raw(n)
		}
	}
	return nil
}
