package cli

import (
	"sync"
)

// cmdDef describes one command: its name, help, options and function.
type cmdDef struct {
	name string
	// help is the one-line summary; desc the longer description.
	help string
	desc string
	opts []optDef
	run  func(s *session, c *call) error
	// noConnect commands run without a hypervisor connection.
	noConnect bool
	// aliasOf names the command this one is another spelling of; aliases
	// are left out of group listings.
	aliasOf string
	// extension marks a govirt command virsh does not have: it runs and has
	// help, but group listings leave it out so that they stay virsh's.
	extension bool
}

// listed reports whether group listings show the command.
func (d *cmdDef) listed() bool { return d.aliasOf == "" && !d.extension }

// group is a named set of commands, as "help" lists them.
type group struct {
	name    string
	keyword string
	cmds    []*cmdDef
}

// table is the command set: groups in help order and an index by name.
// It is built once and never changed, so many sessions may share it.
type table struct {
	groups []*group
	byName map[string]*cmdDef
}

// lookup returns the command named name (following aliases), or nil.
func (t *table) lookup(name string) *cmdDef {
	d := t.byName[name]
	if d != nil && d.aliasOf != "" {
		return t.byName[d.aliasOf]
	}
	return d
}

// group returns the group whose name or keyword is name, or nil.
func (t *table) group(name string) *group {
	for _, g := range t.groups {
		if g.name == name || g.keyword == name {
			return g
		}
	}
	return nil
}

var (
	tableOnce sync.Once
	theTable  *table
)

// commands returns the command table.
func commands() *table {
	tableOnce.Do(func() {
		t := &table{byName: map[string]*cmdDef{}}
		for _, g := range commandGroups() {
			t.groups = append(t.groups, g)
			for _, c := range g.cmds {
				t.byName[c.name] = c
			}
		}
		theTable = t
	})
	return theTable
}
