package virtxml

import (
	"reflect"

	"github.com/govirt/govirt/internal/xmldoc"
)

// Clone returns a deep copy of d: changing the copy never changes d.
func (d *Domain) Clone() *Domain {
	if d == nil {
		return nil
	}
	c := new(Domain)
	deepCopy(reflect.ValueOf(c).Elem(), reflect.ValueOf(d).Elem())
	return c
}

var nodeType = reflect.TypeOf(xmldoc.Node{})

// deepCopy copies src into dst (both addressable values of one type).
func deepCopy(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		n := reflect.New(src.Type().Elem())
		deepCopy(n.Elem(), src.Elem())
		dst.Set(n)
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		n := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := 0; i < src.Len(); i++ {
			deepCopy(n.Index(i), src.Index(i))
		}
		dst.Set(n)
	case reflect.Struct:
		// Copy every field (unexported ones are plain values), then
		// replace the exported references with copies.
		dst.Set(src)
		for i := 0; i < src.NumField(); i++ {
			if !src.Type().Field(i).IsExported() {
				continue
			}
			switch src.Field(i).Kind() {
			case reflect.Pointer, reflect.Slice, reflect.Struct, reflect.Map:
				deepCopy(dst.Field(i), src.Field(i))
			}
		}
	case reflect.Map:
		if src.IsNil() {
			return
		}
		n := reflect.MakeMapWithSize(src.Type(), src.Len())
		it := src.MapRange()
		for it.Next() {
			v := reflect.New(src.Type().Elem()).Elem()
			deepCopy(v, it.Value())
			n.SetMapIndex(it.Key(), v)
		}
		dst.Set(n)
	default:
		dst.Set(src)
	}
}
