package test

import (
	"sort"
	"sync"

	"github.com/govirt/govirt/virt"
)

// object is what networks and storage pools have in common: a name and
// uuid that never change, a lock over the rest, the states libvirt lists
// them by, and a mark set once the object has left its table.
type object struct {
	name string
	uuid virt.UUID

	mu         sync.Mutex
	active     bool
	persistent bool
	autostart  bool
	removed    bool
}

func (o *object) base() *object { return o }

// tableObject is a kind of object a table holds (*network, *pool).
type tableObject interface {
	comparable
	base() *object
}

// table indexes one kind of object by name and by uuid. Its zero value is
// an empty table.
type table[T tableObject] struct {
	// mu guards the indexes; it is held only briefly and never while
	// waiting for an object's lock.
	mu     sync.RWMutex
	byName map[string]T
	byUUID map[virt.UUID]T
}

// lockObj locks o and returns it, unless it is nil or was removed.
func lockObj[T tableObject](o T) (T, bool) {
	var none T
	if o == none {
		return none, false
	}
	b := o.base()
	b.mu.Lock()
	if b.removed {
		b.mu.Unlock()
		return none, false
	}
	return o, true
}

// lookupName returns the object named name, locked.
func (t *table[T]) lookupName(name string) (T, bool) {
	t.mu.RLock()
	o := t.byName[name]
	t.mu.RUnlock()
	return lockObj(o)
}

// lookupUUID returns the object with uuid u, locked.
func (t *table[T]) lookupUUID(u virt.UUID) (T, bool) {
	t.mu.RLock()
	o := t.byUUID[u]
	t.mu.RUnlock()
	return lockObj(o)
}

// sorted returns the objects sorted by name, unlocked; some may be removed
// by the time the caller locks them.
func (t *table[T]) sorted() []T {
	t.mu.RLock()
	all := make([]T, 0, len(t.byName))
	for _, o := range t.byName {
		all = append(all, o)
	}
	t.mu.RUnlock()
	sort.Slice(all, func(i, j int) bool { return all[i].base().name < all[j].base().name })
	return all
}

// remove marks o removed and drops it from the indexes. The caller holds
// o's lock.
func (t *table[T]) remove(o T) {
	b := o.base()
	b.removed = true
	t.mu.Lock()
	if t.byName[b.name] == o {
		delete(t.byName, b.name)
	}
	if t.byUUID[b.uuid] == o {
		delete(t.byUUID, b.uuid)
	}
	t.mu.Unlock()
}

// add adds the object made by create for a definition of name and uuid, or
// finds the one that definition redefines, as libvirt's
// virNetworkObjAssignDef and virStoragePoolObjListAdd do; the result is
// locked, and fresh when create made it. live means the definition is to
// run, which an active object refuses. kind ("network", "pool") and from
// shape libvirt's errors. clash, unless nil, is asked about every other
// object, locked, before a new one goes in.
func (t *table[T]) add(name string, uuid virt.UUID, live bool, kind string, from virt.ErrorDomain,
	clash func(T) error, create func() T) (T, bool, error) {
	var none T
	for {
		t.mu.Lock()
		if o := t.byUUID[uuid]; o != none {
			t.mu.Unlock()
			b := o.base()
			if b.name != name {
				return none, false, virt.Errorf(virt.ErrOperationFailed, from,
					"%s '%s' is already defined with uuid %s", kind, b.name, b.uuid)
			}
			if _, ok := lockObj(o); !ok {
				continue
			}
			if live && b.active {
				b.mu.Unlock()
				return none, false, virt.Errorf(virt.ErrOperationInvalid, from,
					"%s is already active as '%s'", kind, b.name)
			}
			return o, false, nil
		}
		if o := t.byName[name]; o != none {
			t.mu.Unlock()
			b := o.base()
			return none, false, virt.Errorf(virt.ErrOperationFailed, from,
				"%s '%s' already exists with uuid %s", kind, b.name, b.uuid)
		}
		if clash != nil {
			others := make([]T, 0, len(t.byName))
			for _, o := range t.byName {
				others = append(others, o)
			}
			t.mu.Unlock()
			// Object locks come before the table's lock: check the others
			// with the table unlocked, then insert if nothing changed.
			for _, o := range others {
				b := o.base()
				b.mu.Lock()
				var err error
				if !b.removed {
					err = clash(o)
				}
				b.mu.Unlock()
				if err != nil {
					return none, false, err
				}
			}
			t.mu.Lock()
			if t.byUUID[uuid] != none || t.byName[name] != none {
				t.mu.Unlock()
				continue
			}
		}
		o := create()
		o.base().mu.Lock()
		if t.byName == nil {
			t.byName, t.byUUID = make(map[string]T), make(map[virt.UUID]T)
		}
		t.byName[name] = o
		t.byUUID[uuid] = o
		t.mu.Unlock()
		return o, true, nil
	}
}
