package cli

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/govirt/govirt/internal/xmldoc"
	"github.com/govirt/govirt/virt"
)

// snapshotCreated reports a new snapshot as virsh does.
func (s *session) snapshotCreated(d *virt.Domain, xml string, flags uint32, from string) error {
	snap, err := d.CreateSnapshot(s.ctx, xml, flags)
	if err != nil {
		return err
	}
	if from != "" {
		s.extraf("Domain snapshot %s created from '%s'", snap.Name(), from)
	} else {
		s.extraf("Domain snapshot %s created", snap.Name())
	}
	return nil
}

// snapshotCreateFlags reads the creation flags shared by snapshot-create
// and snapshot-create-as.
func snapshotCreateFlags(c *call) uint32 {
	var flags uint32
	for _, f := range []struct {
		opt  string
		flag uint32
	}{
		{"redefine", virt.SnapshotCreateRedefine}, {"current", virt.SnapshotCreateCurrent},
		{"no-metadata", virt.SnapshotCreateNoMetadata}, {"halt", virt.SnapshotCreateHalt},
		{"disk-only", virt.SnapshotCreateDiskOnly}, {"reuse-external", virt.SnapshotCreateReuseExt},
		{"quiesce", virt.SnapshotCreateQuiesce}, {"atomic", virt.SnapshotCreateAtomic},
		{"live", virt.SnapshotCreateLive}, {"validate", virt.SnapshotCreateValidate},
	} {
		if c.has(f.opt) {
			flags |= f.flag
		}
	}
	return flags
}

func cmdSnapshotCreate(s *session, c *call) error {
	flags := snapshotCreateFlags(c)
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	from, hasFrom, err := c.str("xmlfile")
	if err != nil {
		return err
	}
	xml := "<domainsnapshot/>"
	if hasFrom {
		if xml, err = s.readFile(from); err != nil {
			return err
		}
	}
	return s.snapshotCreated(d, xml, flags, from)
}

// memspecXML turns --memspec "[file=]name[,snapshot=type]" into XML.
func memspecXML(spec string) (string, error) {
	var snapshot, file string
	for _, p := range splitComma(spec) {
		switch {
		case snapshot == "" && strings.HasPrefix(p, "snapshot="):
			snapshot = p[len("snapshot="):]
		case file == "" && strings.HasPrefix(p, "file="):
			file = p[len("file="):]
		case file == "" && strings.HasPrefix(p, "/"):
			file = p
		default:
			return "", fail(errNoCause, "unable to parse memspec: %s", spec)
		}
	}
	out := "<memory"
	if snapshot != "" {
		out += " snapshot='" + xmlEscape(snapshot) + "'"
	}
	if file != "" {
		out += " file='" + xmlEscape(file) + "'"
	}
	return out + "/>\n", nil
}

// diskspecXML turns a --diskspec "disk[,snapshot=type][,driver=type]
// [,stype=type][,file=name]" into XML, indented by indent.
func diskspecXML(spec, indent string) (string, error) {
	parts := splitComma(spec)
	bad := fail(errNoCause, "unable to parse diskspec: %s", spec)
	if len(parts) == 0 || parts[0] == "" {
		return "", bad
	}
	var snapshot, driver, stype, file string
	for _, p := range parts[1:] {
		switch {
		case snapshot == "" && strings.HasPrefix(p, "snapshot="):
			snapshot = p[len("snapshot="):]
		case driver == "" && strings.HasPrefix(p, "driver="):
			driver = p[len("driver="):]
		case stype == "" && strings.HasPrefix(p, "stype="):
			stype = p[len("stype="):]
		case file == "" && strings.HasPrefix(p, "file="):
			file = p[len("file="):]
		default:
			return "", bad
		}
	}
	out := indent + "<disk name='" + xmlEscape(parts[0]) + "'"
	if snapshot != "" {
		out += " snapshot='" + snapshot + "'"
	}
	if stype != "" {
		out += " type='" + stype + "'"
	}
	if driver == "" && file == "" {
		return out + "/>\n", nil
	}
	out += ">\n"
	if driver != "" {
		out += indent + "  <driver type='" + driver + "'/>\n"
	}
	if file != "" {
		attr := "file"
		if stype == "block" {
			attr = "dev"
		}
		out += indent + "  <source " + attr + "='" + xmlEscape(file) + "'/>\n"
	}
	return out + indent + "</disk>\n", nil
}

func cmdSnapshotCreateAs(s *session, c *call) error {
	flags := snapshotCreateFlags(c)
	if c.has("no-metadata") && c.has("print-xml") {
		return fail(errNoCause, "--print-xml is incompatible with --no-metadata")
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	name, hasName, err := c.str("name")
	if err != nil {
		return err
	}
	desc, hasDesc, err := c.str("description")
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("<domainsnapshot>\n")
	if hasName {
		b.WriteString("  <name>" + xmlEscape(name) + "</name>\n")
	}
	if hasDesc {
		b.WriteString("  <description>" + xmlEscape(desc) + "</description>\n")
	}
	if mem, ok, err := c.str("memspec"); err != nil {
		return err
	} else if ok {
		x, err := memspecXML(mem)
		if err != nil {
			return err
		}
		b.WriteString("  " + x)
	}
	if specs := c.argv("diskspec"); len(specs) > 0 {
		b.WriteString("  <disks>\n")
		for _, spec := range specs {
			x, err := diskspecXML(spec, "    ")
			if err != nil {
				return err
			}
			b.WriteString(x)
		}
		b.WriteString("  </disks>\n")
	}
	b.WriteString("</domainsnapshot>\n")
	if c.has("print-xml") {
		s.printf("%s\n", b.String())
		return nil
	}
	return s.snapshotCreated(d, b.String(), flags, "")
}

// lookupSnapshot resolves {--current | --opt NAME} to a snapshot, as
// virsh's virshLookupSnapshot does.
func (s *session) lookupSnapshot(c *call, d *virt.Domain, opt string, exclusive bool) (*virt.DomainSnapshot, error) {
	current := c.has("current")
	name, hasName, err := c.str(opt)
	if err != nil {
		return nil, err
	}
	if exclusive && current && hasName {
		return nil, fail(errNoCause, "--%s and --current are mutually exclusive", opt)
	}
	switch {
	case hasName:
		return d.LookupSnapshot(s.ctx, name, 0)
	case current:
		return d.CurrentSnapshot(s.ctx, 0)
	}
	return nil, fail(errNoCause, "--%s or --current is required", opt)
}

// snapshotArg returns the domain of option "domain" and its snapshot of
// option "snapshotname" or --current (not both).
func (s *session) snapshotArg(c *call) (*virt.Domain, *virt.DomainSnapshot, error) {
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return nil, nil, err
	}
	snap, err := s.lookupSnapshot(c, d, "snapshotname", true)
	return d, snap, err
}

func cmdSnapshotCurrent(s *session, c *call) error {
	var flags uint32
	if c.has("security-info") {
		flags |= virt.SnapshotXMLSecure
	}
	if err := c.exclusive("name", "snapshotname"); err != nil {
		return err
	}
	d, name, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	snapName, set, err := c.str("snapshotname")
	if err != nil {
		return err
	}
	if set {
		snap, err := d.LookupSnapshot(s.ctx, snapName, 0)
		if err != nil {
			return err
		}
		x, err := snap.XML(s.ctx, virt.SnapshotXMLSecure)
		if err != nil {
			return err
		}
		cflags := virt.SnapshotCreateRedefine | virt.SnapshotCreateCurrent
		if strings.Contains(x, "<state>disk-snapshot</state>") {
			cflags |= virt.SnapshotCreateDiskOnly
		}
		if _, err := d.CreateSnapshot(s.ctx, x, cflags); err != nil {
			return err
		}
		s.extraf("Snapshot %s set as current", snapName)
		return nil
	}
	snap, err := d.CurrentSnapshot(s.ctx, 0)
	if err != nil {
		if errors.Is(err, virt.ErrNoDomainSnapshot) {
			return fail(errNoCause, "domain '%s' has no current snapshot", name)
		}
		return err
	}
	if c.has("name") {
		s.print(snap.Name())
		return nil
	}
	x, err := snap.XML(s.ctx, flags)
	if err != nil {
		return err
	}
	s.print(x)
	return nil
}

// snapshotDoc returns the parsed XML of a snapshot.
func (s *session) snapshotDoc(snap *virt.DomainSnapshot) (*xmldoc.Node, error) {
	x, err := snap.XML(s.ctx, 0)
	if err != nil {
		return nil, err
	}
	return xmldoc.Parse([]byte(x))
}

// childText returns the text of the first child element named name.
func childText(n *xmldoc.Node, name string) (string, bool) {
	if ch := n.Child(name); ch != nil {
		return ch.Text, true
	}
	return "", false
}

// momentParent returns the parent name recorded in a snapshot or
// checkpoint document.
func momentParent(root *xmldoc.Node) string {
	if p := root.Child("parent"); p != nil {
		if n, ok := childText(p, "name"); ok {
			return n
		}
	}
	return ""
}

func cmdSnapshotInfo(s *session, c *call) error {
	d, snap, err := s.snapshotArg(c)
	if err != nil {
		return err
	}
	name := snap.Name()
	s.printf("%-15s %s\n", "Name:", name)
	s.printf("%-15s %s\n", "Domain:", d.Name())
	current, err := snap.IsCurrent(s.ctx, 0)
	if err != nil {
		return err
	}
	s.printf("%-15s %s\n", "Current:", yesNo(current))
	root, err := s.snapshotDoc(snap)
	if err != nil {
		return err
	}
	state, ok := childText(root, "state")
	if !ok {
		return fail(errNoCause, "unexpected problem reading snapshot xml")
	}
	s.printf("%-15s %s\n", "State:", state)
	external := false
	if mem := root.Child("memory"); mem != nil {
		if v, _ := mem.Attr("snapshot"); v == "external" {
			external = true
		}
		if disks := root.Child("disks"); disks != nil {
			for _, dn := range disks.Children {
				if v, _ := dn.Attr("snapshot"); v == "external" {
					external = true
				}
			}
		}
	} else {
		external = state == "disk-snapshot"
	}
	loc := "internal"
	if external {
		loc = "external"
	}
	s.printf("%-15s %s\n", "Location:", loc)
	parent := momentParent(root)
	if parent == "" {
		parent = "-"
	}
	s.printf("%-15s %s\n", "Parent:", parent)
	children, err := snap.ListChildren(s.ctx, 0)
	if err != nil {
		if isNoSupport(err) {
			return nil
		}
		return err
	}
	s.printf("%-15s %d\n", "Children:", len(children))
	desc, err := snap.ListChildren(s.ctx, virt.SnapshotListDescendants)
	if err != nil {
		return err
	}
	s.printf("%-15s %d\n", "Descendants:", len(desc))
	if md, err := snap.HasMetadata(s.ctx, 0); err == nil {
		s.printf("%-15s %s\n", "Metadata:", yesNo(md))
	}
	return nil
}

// snapRow is one entry of a snapshot or checkpoint listing.
type snapRow struct {
	name, parent string
	doc          *xmldoc.Node
}

// printTree prints entries as virsh's vshTreePrint: each root, then its
// children indented below it with "+- ".
func (s *session) printTree(rows []snapRow, parentOf func(int) string) {
	var walk func(i, last int, root bool, indent string)
	walk = func(i, last int, root bool, indent string) {
		prefix := ""
		if !root {
			prefix = "+- "
		}
		s.printf("%s%s%s\n", indent, prefix, rows[i].name)
		if !root {
			if i == last {
				indent += "  "
			} else {
				indent += "| "
			}
		}
		nextLast := -1
		for j := range rows {
			if parentOf(j) == rows[i].name {
				nextLast = j
			}
		}
		if nextLast != -1 {
			s.printf("%s  |\n", indent)
		}
		for j := range rows {
			if parentOf(j) == rows[i].name {
				walk(j, nextLast, false, indent+"  ")
			}
		}
		if nextLast == -1 && i == last {
			s.printf("%s\n", indent)
		}
	}
	for i := range rows {
		if parentOf(i) == "" {
			walk(i, i, true, "")
		}
	}
}

// sortRows orders listing entries by name, case-insensitively, as virsh
// does.
func sortRows(rows []snapRow) {
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && strings.ToLower(rows[j].name) < strings.ToLower(rows[j-1].name); j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
}

// formatCreation writes a creation time as virsh's listings do.
func formatCreation(text string) (string, bool) {
	secs, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
	if err != nil {
		return "", false
	}
	return time.Unix(secs, 0).Local().Format("2006-01-02 15:04:05 -0700"), true
}

func cmdSnapshotList(s *session, c *call) error {
	tree, name, from, parent := c.has("tree"), c.has("name"), c.has("from"), c.has("parent")
	roots, current := c.has("roots"), c.has("current")
	for _, p := range []struct {
		a  string
		va bool
		b  string
		vb bool
	}{{"tree", tree, "name", name}, {"parent", parent, "roots", roots}, {"parent", parent, "tree", tree},
		{"roots", roots, "tree", tree}, {"roots", roots, "from", from}, {"roots", roots, "current", current}} {
		if err := exclusiveVars(p.a, p.va, p.b, p.vb); err != nil {
			return err
		}
	}
	var flags uint32
	for _, f := range []struct {
		opt  string
		flag uint32
	}{{"leaves", virt.SnapshotListLeaves}, {"no-leaves", virt.SnapshotListNoLeaves},
		{"inactive", virt.SnapshotListInactive}, {"active", virt.SnapshotListActive},
		{"disk-only", virt.SnapshotListDiskOnly}, {"internal", virt.SnapshotListInternal},
		{"external", virt.SnapshotListExternal}} {
		if c.has(f.opt) {
			if tree {
				return fail(errNoCause, "--%s and --tree are mutually exclusive", f.opt)
			}
			flags |= f.flag
		}
	}
	if roots {
		flags |= virt.SnapshotListRoots
	}
	if c.has("metadata") {
		flags |= virt.SnapshotListMetadata
	}
	if c.has("no-metadata") {
		flags |= virt.SnapshotListNoMetadata
	}
	if c.has("topological") {
		flags |= virt.SnapshotListTopological
	}
	if c.has("descendants") {
		if !from && !current {
			return fail(errNoCause, "--descendants requires either --from or --current")
		}
		flags |= virt.SnapshotListDescendants
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	var start *virt.DomainSnapshot
	if from || current {
		if start, err = s.lookupSnapshot(c, d, "from", true); err != nil {
			return err
		}
	}
	var snaps []*virt.DomainSnapshot
	if start != nil {
		lf := flags
		if tree {
			lf |= virt.SnapshotListDescendants
		}
		snaps, err = start.ListChildren(s.ctx, lf)
	} else {
		snaps, err = d.ListSnapshots(s.ctx, flags)
	}
	if err != nil {
		return err
	}
	rows, err := momentRows(snaps, tree || parent || !name, s.snapshotDoc)
	if err != nil {
		return err
	}
	if tree && start != nil {
		rows = append(rows, snapRow{name: start.Name()})
	}
	if flags&virt.SnapshotListTopological == 0 {
		sortRows(rows)
	}
	return s.printMoments(rows, tree, name, parent, true)
}

// momentRows makes the rows of a snapshot or checkpoint listing (with room
// for one more); with docs, each row also carries the moment's XML, read
// by doc, and its parent.
func momentRows[M interface{ Name() string }](moments []M, docs bool, doc func(M) (*xmldoc.Node, error)) ([]snapRow, error) {
	rows := make([]snapRow, 0, len(moments)+1)
	for _, m := range moments {
		r := snapRow{name: m.Name()}
		if docs {
			var err error
			if r.doc, err = doc(m); err != nil {
				return nil, err
			}
			r.parent = momentParent(r.doc)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// printMoments prints a snapshot or checkpoint listing: a tree, names, or
// the table (with state for snapshots).
func (s *session) printMoments(rows []snapRow, tree, name, parent, withState bool) error {
	if tree {
		s.printTree(rows, func(i int) string { return rows[i].parent })
		return nil
	}
	if name {
		for _, r := range rows {
			s.printf("%s\n", r.name)
		}
		return nil
	}
	header := []string{"Name", "Creation Time"}
	if withState {
		header = append(header, "State")
	}
	if parent {
		header = append(header, "Parent")
	}
	t := newTable(header...)
	for _, r := range rows {
		ct, _ := childText(r.doc, "creationTime")
		when, ok := formatCreation(ct)
		if !ok {
			continue
		}
		cells := []string{r.name, when}
		if withState {
			st, _ := childText(r.doc, "state")
			cells = append(cells, st)
		}
		if parent {
			cells = append(cells, r.parent)
		}
		t.add(cells...)
	}
	s.printTable(t)
	return nil
}

func cmdSnapshotDumpxml(s *session, c *call) error {
	var flags uint32
	if c.has("security-info") {
		flags |= virt.SnapshotXMLSecure
	}
	name, _, err := c.str("snapshotname")
	if err != nil {
		return err
	}
	d, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	snap, err := d.LookupSnapshot(s.ctx, name, 0)
	if err != nil {
		return err
	}
	x, err := snap.XML(s.ctx, flags)
	if err != nil {
		return err
	}
	return s.printXML(c, x)
}

func cmdSnapshotParent(s *session, c *call) error {
	_, snap, err := s.snapshotArg(c)
	if err != nil {
		return err
	}
	p, err := snap.Parent(s.ctx, 0)
	if err != nil {
		if errors.Is(err, virt.ErrNoDomainSnapshot) {
			return fail(errNoCause, "snapshot '%s' has no parent", snap.Name())
		}
		return fail(err, "unable to determine if snapshot has parent")
	}
	s.print(p.Name())
	return nil
}

func cmdSnapshotRevert(s *session, c *call) error {
	var flags uint32
	if c.has("running") {
		flags |= virt.SnapshotRevertRunning
	}
	if c.has("paused") {
		flags |= virt.SnapshotRevertPaused
	}
	if c.has("reset-nvram") {
		flags |= virt.SnapshotRevertResetNvram
	}
	force := c.has("force")
	_, snap, err := s.snapshotArg(c)
	if err != nil {
		return err
	}
	err = snap.Revert(s.ctx, flags)
	if err != nil && force && errors.Is(err, virt.ErrSnapshotRevertRisky) {
		err = snap.Revert(s.ctx, flags|virt.SnapshotRevertForce)
	}
	if err != nil {
		return err
	}
	s.extraf("Domain snapshot %s reverted\n", snap.Name())
	return nil
}

func cmdSnapshotDelete(s *session, c *call) error {
	_, snap, err := s.snapshotArg(c)
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("children") {
		flags |= virt.SnapshotDeleteChildren
	}
	if c.has("children-only") {
		flags |= virt.SnapshotDeleteChildrenOnly
	}
	if c.has("metadata") {
		flags |= virt.SnapshotDeleteMetadataOnly
	}
	if err := snap.Delete(s.ctx, flags); err != nil {
		return fail(err, "Failed to delete snapshot %s", snap.Name())
	}
	if flags&virt.SnapshotDeleteChildrenOnly != 0 {
		s.extraf("Domain snapshot %s children deleted\n", snap.Name())
	} else {
		s.extraf("Domain snapshot %s deleted\n", snap.Name())
	}
	return nil
}
