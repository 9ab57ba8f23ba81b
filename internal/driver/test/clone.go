package test

import "reflect"

// deepCopy returns a copy of *p sharing no mutable memory with it: pointers,
// slices and maps are copied recursively. The definition types are plain
// data (strings, numbers, pointers, slices), which is all it has to handle.
func deepCopy[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := reflect.ValueOf(p)
	return copyValue(v).Interface().(*T)
}

func copyValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		n := reflect.New(v.Type().Elem())
		n.Elem().Set(copyValue(v.Elem()))
		return n
	case reflect.Struct:
		n := reflect.New(v.Type()).Elem()
		n.Set(v) // copies unexported fields too (shallowly)
		for i := 0; i < v.NumField(); i++ {
			f := n.Field(i)
			if !f.CanSet() {
				continue
			}
			switch f.Kind() {
			case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Struct, reflect.Interface, reflect.Array:
				f.Set(copyValue(v.Field(i)))
			}
		}
		return n
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			n.Index(i).Set(copyValue(v.Index(i)))
		}
		return n
	case reflect.Array:
		n := reflect.New(v.Type()).Elem()
		for i := 0; i < v.Len(); i++ {
			n.Index(i).Set(copyValue(v.Index(i)))
		}
		return n
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeMapWithSize(v.Type(), v.Len())
		iter := v.MapRange()
		for iter.Next() {
			n.SetMapIndex(iter.Key(), copyValue(iter.Value()))
		}
		return n
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		c := copyValue(v.Elem())
		n := reflect.New(v.Type()).Elem()
		n.Set(c)
		return n
	}
	return v
}
