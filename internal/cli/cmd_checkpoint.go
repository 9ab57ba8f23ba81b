package cli

import (
	"errors"
	"strings"

	"github.com/govirt/govirt/internal/xmldoc"
	"github.com/govirt/govirt/virt"
)

// checkpointArg returns the domain of option "domain" and its checkpoint
// of option "checkpointname".
func (s *session) checkpointArg(c *call) (*virt.Domain, *virt.DomainCheckpoint, error) {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return nil, nil, err
	}
	name, ok, err := c.str("checkpointname")
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, fail(errNoCause, "--checkpointname is required")
	}
	cp, err := d.LookupCheckpoint(s.ctx, name, 0)
	return d, cp, err
}

func (s *session) checkpointDoc(cp *virt.DomainCheckpoint) (*xmldoc.Node, error) {
	x, err := cp.XML(s.ctx, virt.CheckpointXMLNoDomain)
	if err != nil {
		return nil, err
	}
	return xmldoc.Parse([]byte(x))
}

func createCheckpoint(s *session, c *call, d *virt.Domain, doc, from string, flags uint32) error {
	cp, err := d.CreateCheckpoint(s.ctx, doc, flags)
	if err != nil {
		return err
	}
	if from != "" {
		s.extraf("Domain checkpoint %s created from '%s'", cp.Name(), from)
	} else {
		s.extraf("Domain checkpoint %s created", cp.Name())
	}
	return nil
}

func cmdCheckpointCreate(s *session, c *call) error {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	doc, from := "<domaincheckpoint/>", ""
	if f, ok, _ := c.str("xmlfile"); ok {
		if doc, err = s.readFile(f); err != nil {
			return err
		}
		from = f
	}
	var flags uint32
	if c.has("redefine") {
		flags |= virt.CheckpointCreateRedefine
	}
	if c.has("quiesce") {
		flags |= virt.CheckpointCreateQuiesce
	}
	if c.has("redefine-validate") {
		flags |= virt.CheckpointCreateRedefineValidate
	}
	return createCheckpoint(s, c, d, doc, from, flags)
}

func cmdCheckpointCreateAs(s *session, c *call) error {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("<domaincheckpoint>\n")
	if v, ok, _ := c.str("name"); ok {
		b.WriteString("  <name>" + escapeText(v) + "</name>\n")
	}
	if v, ok, _ := c.str("description"); ok {
		b.WriteString("  <description>" + escapeText(v) + "</description>\n")
	}
	badSpec := false
	if specs := c.argv("diskspec"); len(specs) > 0 {
		b.WriteString("  <disks>\n")
		for _, spec := range specs {
			parts := splitComma(spec)
			b.WriteString("    <disk name='" + attrEsc(parts[0]) + "'")
			for _, p := range parts[1:] {
				k, v, _ := strings.Cut(p, "=")
				switch k {
				case "checkpoint":
					badSpec = badSpec || (v != "bitmap" && v != "no")
					b.WriteString(" checkpoint='" + attrEsc(v) + "'")
				case "bitmap":
					b.WriteString(" bitmap='" + attrEsc(v) + "'")
				default:
					return fail(errNoCause, "unable to parse diskspec: %s", spec)
				}
			}
			b.WriteString("/>\n")
		}
		b.WriteString("  </disks>\n")
	}
	b.WriteString("</domaincheckpoint>\n")
	if c.has("print-xml") {
		s.printf("%s\n", b.String())
		return nil
	}
	if badSpec {
		return virt.Errorf(virt.ErrXMLInvalidSchema, virt.FromDomainCheckpoint,
			"Unable to validate doc against /usr/share/libvirt/schemas/domaincheckpoint.rng\nExtra element disks in interleave\nElement domaincheckpoint failed to validate content\n")
	}
	var flags uint32
	if c.has("quiesce") {
		flags |= virt.CheckpointCreateQuiesce
	}
	return createCheckpoint(s, c, d, b.String(), "", flags)
}

func cmdCheckpointInfo(s *session, c *call) error {
	d, cp, err := s.checkpointArg(c)
	if err != nil {
		return err
	}
	doc, err := s.checkpointDoc(cp)
	if err != nil {
		return err
	}
	parent := momentParent(doc)
	if parent == "" {
		parent = "-"
	}
	s.printf("%-15s %s\n", "Name:", cp.Name())
	s.printf("%-15s %s\n", "Domain:", d.Name())
	s.printf("%-15s %s\n", "Parent:", parent)
	children, err := cp.ListChildren(s.ctx, 0)
	if err != nil {
		return err
	}
	s.printf("%-15s %d\n", "Children:", len(children))
	desc, err := cp.ListChildren(s.ctx, virt.CheckpointListDescendants)
	if err != nil {
		return err
	}
	s.printf("%-15s %d\n", "Descendants:", len(desc))
	return nil
}

func cmdCheckpointParent(s *session, c *call) error {
	_, cp, err := s.checkpointArg(c)
	if err != nil {
		return err
	}
	p, err := cp.Parent(s.ctx, 0)
	if err != nil {
		if errors.Is(err, virt.ErrNoDomainCheckpoint) {
			return fail(errNoCause, "checkpoint '%s' has no parent", cp.Name())
		}
		return err
	}
	s.print(p.Name())
	return nil
}

func cmdCheckpointDumpxml(s *session, c *call) error {
	_, cp, err := s.checkpointArg(c)
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("security-info") {
		flags |= virt.CheckpointXMLSecure
	}
	if c.has("no-domain") {
		flags |= virt.CheckpointXMLNoDomain
	}
	if c.has("size") {
		flags |= virt.CheckpointXMLSize
	}
	x, err := cp.XML(s.ctx, flags)
	if err != nil {
		return err
	}
	return s.printXML(c, x)
}

func cmdCheckpointDelete(s *session, c *call) error {
	_, cp, err := s.checkpointArg(c)
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("children") {
		flags |= virt.CheckpointDeleteChildren
	}
	if c.has("children-only") {
		flags |= virt.CheckpointDeleteChildrenOnly
	}
	if c.has("metadata") {
		flags |= virt.CheckpointDeleteMetadataOnly
	}
	if err := cp.Delete(s.ctx, flags); err != nil {
		return fail(err, "Failed to delete checkpoint %s", cp.Name())
	}
	if flags&virt.CheckpointDeleteChildrenOnly != 0 {
		s.extraf("Domain checkpoint %s children deleted\n", cp.Name())
	} else {
		s.extraf("Domain checkpoint %s deleted\n", cp.Name())
	}
	return nil
}

func cmdCheckpointList(s *session, c *call) error {
	tree, name, parent, roots := c.has("tree"), c.has("name"), c.has("parent"), c.has("roots")
	from, haveFrom, _ := c.str("from")
	for _, p := range []struct {
		a  string
		va bool
		b  string
		vb bool
	}{{"tree", tree, "name", name}, {"parent", parent, "roots", roots}, {"parent", parent, "tree", tree},
		{"roots", roots, "tree", tree}, {"roots", roots, "from", haveFrom}} {
		if err := exclusiveVars(p.a, p.va, p.b, p.vb); err != nil {
			return err
		}
	}
	var flags uint32
	for _, f := range []struct {
		opt  string
		flag uint32
	}{{"leaves", virt.CheckpointListLeaves}, {"no-leaves", virt.CheckpointListNoLeaves}} {
		if c.has(f.opt) {
			if tree {
				return fail(errNoCause, "--%s and --tree are mutually exclusive", f.opt)
			}
			flags |= f.flag
		}
	}
	if roots {
		flags |= virt.CheckpointListRoots
	}
	if c.has("topological") {
		flags |= virt.CheckpointListTopological
	}
	if c.has("descendants") {
		if !haveFrom {
			return fail(errNoCause, "--descendants requires --from")
		}
		flags |= virt.CheckpointListDescendants
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	var cps []*virt.DomainCheckpoint
	var start *virt.DomainCheckpoint
	if haveFrom {
		if start, err = d.LookupCheckpoint(s.ctx, from, 0); err != nil {
			return err
		}
		lf := flags
		if tree {
			lf |= virt.CheckpointListDescendants
		}
		cps, err = start.ListChildren(s.ctx, lf)
	} else {
		cps, err = d.ListCheckpoints(s.ctx, flags)
	}
	if err != nil {
		return err
	}
	rows, err := momentRows(cps, tree || parent || !name, s.checkpointDoc)
	if err != nil {
		return err
	}
	if tree && start != nil {
		rows = append(rows, snapRow{name: start.Name()})
	}
	if flags&virt.CheckpointListTopological == 0 {
		sortRows(rows)
	}
	return s.printMoments(rows, tree, name, parent, false)
}

func cmdCheckpointEdit(s *session, c *call) error {
	d, cp, err := s.checkpointArg(c)
	if err != nil {
		return err
	}
	orig, err := cp.XML(s.ctx, virt.CheckpointXMLSecure)
	if err != nil {
		return err
	}
	var edited *virt.DomainCheckpoint
	changed, err := s.edit(orig, func(doc string) error {
		var err error
		edited, err = d.CreateCheckpoint(s.ctx, doc, virt.CheckpointCreateRedefine)
		return err
	})
	if err != nil {
		return err
	}
	if !changed {
		s.extraf("Checkpoint %s XML configuration not changed.\n", cp.Name())
		return nil
	}
	s.extraf("Checkpoint %s edited.\n", edited.Name())
	return nil
}

func cmdSnapshotEdit(s *session, c *call) error {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	rename, clone := c.has("rename"), c.has("clone")
	if err := exclusiveVars("rename", rename, "clone", clone); err != nil {
		return err
	}
	snap, err := s.lookupSnapshot(c, d, "snapshotname", false)
	if err != nil {
		return err
	}
	name := snap.Name()
	flags := virt.SnapshotCreateRedefine
	if cur, err := snap.IsCurrent(s.ctx, 0); err == nil && cur {
		flags |= virt.SnapshotCreateCurrent
	}
	orig, err := snap.XML(s.ctx, virt.SnapshotXMLSecure)
	if err != nil {
		return err
	}
	var edited *virt.DomainSnapshot
	changed, err := s.edit(orig, func(doc string) error {
		var err error
		edited, err = d.CreateSnapshot(s.ctx, doc, flags)
		return err
	})
	if err != nil {
		return err
	}
	if !changed {
		s.extraf("Snapshot %s XML configuration not changed.\n", name)
		return nil
	}
	newName := edited.Name()
	switch {
	case newName == name:
		s.extraf("Snapshot %s edited.\n", name)
	case clone:
		s.extraf("Snapshot %s cloned to %s.\n", name, newName)
	default:
		// Without --rename the new snapshot is dropped again; with it the
		// old one is. Either way only the metadata goes.
		victim := edited
		if rename {
			victim = snap
		}
		if err := victim.Delete(s.ctx, virt.SnapshotDeleteMetadataOnly); err != nil {
			s.report(err)
			s.errorf("Failed to clean up %s", victim.Name())
			return fail(errNoCause, "Failed to update %s", name)
		}
		if !rename {
			return fail(errNoCause, "Must use --rename or --clone to change %s to %s", name, newName)
		}
		s.extraf("Snapshot %s edited.\n", newName)
	}
	return nil
}
