package test

// moment is a snapshot or checkpoint of a domain: a point in its history
// with a parent, kept as the description it was created from.
type moment struct {
	name   string
	parent string
	// created is the creation time in seconds since the epoch.
	created int64
	// doc is the moment's definition (a snapshot or checkpoint).
	doc any
}

// moments is the tree of a domain's snapshots (or checkpoints), in
// creation order, with the current one.
type moments struct {
	list    []*moment
	current string
}

// find returns the moment named name, or nil.
func (m *moments) find(name string) *moment {
	for _, x := range m.list {
		if x.name == name {
			return x
		}
	}
	return nil
}

// children returns the moments whose parent is name ("" for the roots).
func (m *moments) children(name string) []*moment {
	var out []*moment
	for _, x := range m.list {
		if x.parent == name {
			out = append(out, x)
		}
	}
	return out
}

// descendants returns every moment below name, parents before children.
func (m *moments) descendants(name string) []*moment {
	var out []*moment
	for _, ch := range m.children(name) {
		out = append(out, ch)
		out = append(out, m.descendants(ch.name)...)
	}
	return out
}

// remove drops the moment named name from the list.
func (m *moments) remove(name string) {
	for i, x := range m.list {
		if x.name == name {
			m.list = append(m.list[:i:i], m.list[i+1:]...)
			break
		}
	}
	if m.current == name {
		m.current = ""
	}
}
