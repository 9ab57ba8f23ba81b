package native

import (
	"strconv"

	"github.com/govirt/govirt/virtxml"
)

// Result is a native config converted to a domain.
type Result struct {
	// Domain is the domain, with the defaults the hypervisor's driver
	// applies filled in.
	Domain *virtxml.Domain
	// Unknown lists the keys the converter did not read, in file order;
	// a domain has no place for them.
	Unknown []string
	// Legacy lists the spellings read that libvirt accepts but never
	// writes (root= and extra= beside cmdline=, positional xl disk
	// specifications, PCI addresses without a domain, ...): converting the
	// domain back gives the same guest in different words.
	Legacy []string
}

// xenFlavor tells the xm and xl dialects apart where they differ.
type xenFlavor int

const (
	flavorXM xenFlavor = iota
	flavorXL
)

// xenReader reads typed values out of a Config, remembering which keys it
// used and reporting problems with the key's line.
type xenReader struct {
	c      *Config
	index  map[string]int // key -> its first entry
	used   map[string]bool
	legacy []string
}

func newXenReader(c *Config) *xenReader {
	index := make(map[string]int, len(c.Entries))
	for i, e := range c.Entries {
		if _, dup := index[e.Key]; e.Key != "" && !dup {
			index[e.Key] = i
		}
	}
	return &xenReader{c: c, index: index, used: map[string]bool{}}
}

// lookup returns key's value, marking it used.
func (r *xenReader) lookup(key string) (Value, int, bool) {
	i, ok := r.index[key]
	if !ok {
		return Value{}, 0, false
	}
	r.used[key] = true
	return r.c.Entries[i].Value, r.c.Entries[i].Line, true
}

// line returns the line key is set on (0 if unset).
func (r *xenReader) line(key string) int {
	if i, ok := r.index[key]; ok {
		return r.c.Entries[i].Line
	}
	return 0
}

// fail builds a configuration error about key.
func (r *xenReader) fail(key, format string, args ...any) *virtxml.Error {
	return errAt(codeConfSyntax, r.line(key), key, format, args...)
}

// unsupported builds an unsupported-configuration error about key.
func (r *xenReader) unsupported(key, format string, args ...any) *virtxml.Error {
	return errAt(codeUnsupported, r.line(key), key, format, args...)
}

// note records a spelling libvirt reads but never writes.
func (r *xenReader) note(what string) { r.legacy = append(r.legacy, what) }

// str returns key's string value; ok is false when key is unset.
func (r *xenReader) str(key string) (string, bool, error) {
	v, _, ok := r.lookup(key)
	if !ok {
		return "", false, nil
	}
	if v.Kind != String {
		return "", false, r.fail(key, "expected a string")
	}
	return v.Str, true, nil
}

// strDef returns key's string value or def.
func (r *xenReader) strDef(key, def string) (string, error) {
	s, ok, err := r.str(key)
	if err != nil || !ok {
		return def, err
	}
	return s, nil
}

// boolean returns key as 0 or 1 (a number is true when not 0, a string
// when it is "1"), or def when unset.
func (r *xenReader) boolean(key string, def int) (int, error) {
	v, _, ok := r.lookup(key)
	if !ok {
		return def, nil
	}
	switch {
	case v.Kind == Number && v.Num >= 0:
		if v.Num != 0 {
			return 1, nil
		}
		return 0, nil
	case v.Kind == String:
		if v.Str == "1" {
			return 1, nil
		}
		return 0, nil
	}
	return 0, r.fail(key, "malformed value (expected 0 or 1)")
}

// ulong returns key as an unsigned number (a number, or a string of
// decimal digits), or def when unset.
func (r *xenReader) ulong(key string, def uint64) (uint64, error) {
	v, _, ok := r.lookup(key)
	if !ok {
		return def, nil
	}
	switch v.Kind {
	case Number:
		if v.Num >= 0 {
			return uint64(v.Num), nil
		}
	case String:
		if n, err := strconv.ParseUint(v.Str, 10, 64); err == nil {
			return n, nil
		}
	}
	return 0, r.fail(key, "malformed value (expected an unsigned number)")
}

// strList returns key's list of strings; ok is false when key is unset.
// A plain string is refused unless single is set, when it counts as a list
// of one.
func (r *xenReader) strList(key string, single bool) ([]string, bool, error) {
	v, _, ok := r.lookup(key)
	if !ok {
		return nil, false, nil
	}
	switch v.Kind {
	case String:
		if single {
			return []string{v.Str}, true, nil
		}
	case List:
		out := make([]string, len(v.List))
		for i, e := range v.List {
			if e.Kind != String {
				return nil, false, r.fail(key, "expected a list of strings (item %d is not a string)", i+1)
			}
			out[i] = e.Str
		}
		return out, true, nil
	}
	return nil, false, r.fail(key, "expected a list of strings")
}

// unknown lists the keys never looked up, in file order.
func (r *xenReader) unknown() []string {
	var out []string
	for _, e := range r.c.Entries {
		if e.Key != "" && !r.used[e.Key] {
			out = append(out, e.Key)
		}
	}
	return out
}
