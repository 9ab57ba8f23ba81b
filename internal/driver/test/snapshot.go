package test

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/internal/xmldoc"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// snapDisk is one <disk> of a snapshot.
type snapDisk struct {
	name, snapshot, driver, file string
}

// snapDef is a domain snapshot's definition (libvirt's
// virDomainSnapshotDef).
type snapDef struct {
	name        string
	description string
	state       string
	memory      string // no, internal, external, manual
	memoryFile  string
	disks       []snapDisk
	dom         *virtxml.Domain
}

// snapStates are the states a snapshot records, by domain state.
var snapStates = map[virt.DomainState]string{
	virt.DomainNoState: "nostate", virt.DomainRunning: "running", virt.DomainBlocked: "blocked",
	virt.DomainPaused: "paused", virt.DomainShutdown: "shutdown", virt.DomainShutoff: "shutoff",
	virt.DomainCrashed: "crashed", virt.DomainPMSuspended: "pmsuspended",
}

func snapErr(format string, args ...any) error {
	return virt.Errorf(virt.ErrXML, virt.FromDomainSnapshot, format, args...)
}

// parseSnapshot reads a <domainsnapshot> description. With redefine the
// recorded state, parent, creation time and domain are kept too.
func parseSnapshot(xml string, redefine bool) (*snapDef, string, int64, error) {
	root, err := xmldoc.Parse([]byte(xml))
	if err != nil {
		return nil, "", 0, virt.Errorf(virt.ErrXML, virt.FromDomainSnapshot, "%s", err)
	}
	if root.Name != "domainsnapshot" {
		return nil, "", 0, snapErr("unexpected root element <%s>, expecting <domainsnapshot>", root.Name)
	}
	def := &snapDef{}
	var parent string
	var created int64
	for _, n := range root.Children {
		switch n.Name {
		case "name":
			def.name = n.Text
		case "description":
			def.description = n.Text
		case "memory":
			def.memory, _ = n.Attr("snapshot")
			def.memoryFile, _ = n.Attr("file")
			if def.memoryFile != "" && def.memory == "" {
				def.memory = "external"
			}
		case "disks":
			for _, dn := range n.Children {
				if dn.Name != "disk" {
					continue
				}
				var sd snapDisk
				var ok bool
				if sd.name, ok = dn.Attr("name"); !ok {
					return nil, "", 0, snapErr("missing name from disk snapshot element")
				}
				sd.snapshot, _ = dn.Attr("snapshot")
				if d := dn.Child("driver"); d != nil {
					sd.driver, _ = d.Attr("type")
				}
				if s := dn.Child("source"); s != nil {
					sd.file, _ = s.Attr("file")
					if sd.snapshot == "" {
						sd.snapshot = "external"
					}
				}
				def.disks = append(def.disks, sd)
			}
		case "state":
			if redefine {
				def.state = n.Text
			}
		case "parent":
			if redefine {
				if pn := n.Child("name"); pn != nil {
					parent = pn.Text
				}
			}
		case "creationTime":
			if redefine {
				created, _ = strconv.ParseInt(strings.TrimSpace(n.Text), 10, 64)
			}
		case "domain":
			if redefine {
				d, err := parseDomain(nodeText(n))
				if err != nil {
					return nil, "", 0, err
				}
				def.dom = d
			}
		}
	}
	if redefine && def.name == "" {
		return nil, "", 0, snapErr("a redefined snapshot must have a name")
	}
	if redefine && def.state == "" {
		return nil, "", 0, snapErr("missing state from existing snapshot")
	}
	return def, parent, created, nil
}

// nodeText writes a parsed element back as XML.
func nodeText(n *xmldoc.Node) string {
	var e xmldoc.Encoder
	e.Raw(n)
	return e.String()
}

// alignDisks completes the snapshot's disk list from the domain: every
// disk is listed, in the domain's order, with the location the snapshot
// kind gives it.
func (s *snapDef) alignDisks(location string) error {
	given := map[string]snapDisk{}
	for _, sd := range s.disks {
		disk := findDisk(s.dom, sd.name, false)
		if disk == nil || disk.Target == nil {
			return virt.Errorf(virt.ErrConfigUnsupported, virt.FromDomainSnapshot, "no disk named '%s'", sd.name)
		}
		dst := disk.Target.Dev
		if _, dup := given[dst]; dup {
			return virt.Errorf(virt.ErrConfigUnsupported, virt.FromDomainSnapshot, "disk '%s' specified twice", sd.name)
		}
		if location == "internal" && sd.snapshot != "" && sd.snapshot != "internal" && sd.snapshot != "no" {
			return virt.Errorf(virt.ErrConfigUnsupported, virt.FromDomainSnapshot, "disk '%s' must use snapshot mode '%s'", sd.name, location)
		}
		sd.name = dst
		given[dst] = sd
	}
	var out []snapDisk
	if s.dom.Devices != nil {
		for i := range s.dom.Devices.Disks {
			disk := &s.dom.Devices.Disks[i]
			if disk.Target == nil {
				continue
			}
			sd, ok := given[disk.Target.Dev]
			if !ok {
				sd = snapDisk{name: disk.Target.Dev}
			}
			if diskSourcePath(disk) == "" && (disk.Source == nil || disk.Source.Pool == "") {
				sd.snapshot = "no"
			}
			if sd.snapshot == "" {
				switch {
				case disk.Snapshot != "":
					sd.snapshot = disk.Snapshot
				case disk.ReadOnly:
					sd.snapshot = "no"
				default:
					sd.snapshot = location
				}
			}
			if sd.snapshot == "external" && sd.file == "" {
				return virt.Errorf(virt.ErrConfigUnsupported, virt.FromDomainSnapshot,
					"source for disk '%s' is not a regular file; refusing to generate external snapshot name", sd.name)
			}
			out = append(out, sd)
		}
	}
	s.disks = out
	return nil
}

// external reports whether the snapshot keeps any state outside the
// disk images (libvirt's "external" location).
func (s *snapDef) external() bool {
	if s.memory == "external" {
		return true
	}
	for _, d := range s.disks {
		if d.snapshot == "external" {
			return true
		}
	}
	return false
}

// format writes the snapshot as libvirt does; parent and creation time
// come from the moment it belongs to.
func (s *snapDef) format(m *moment, secure bool) (string, error) {
	var b strings.Builder
	b.WriteString("<domainsnapshot>\n")
	b.WriteString("  <name>" + escapeXML(s.name) + "</name>\n")
	if s.description != "" {
		b.WriteString("  <description>" + escapeXML(s.description) + "</description>\n")
	}
	b.WriteString("  <state>" + s.state + "</state>\n")
	if m.parent != "" {
		b.WriteString("  <parent>\n    <name>" + escapeXML(m.parent) + "</name>\n  </parent>\n")
	}
	b.WriteString("  <creationTime>" + strconv.FormatInt(m.created, 10) + "</creationTime>\n")
	if s.memory != "" {
		b.WriteString("  <memory snapshot='" + s.memory + "'")
		if s.memoryFile != "" {
			b.WriteString(" file='" + escapeXML(s.memoryFile) + "'")
		}
		b.WriteString("/>\n")
	}
	if len(s.disks) > 0 {
		b.WriteString("  <disks>\n")
		for _, d := range s.disks {
			b.WriteString("    <disk name='" + escapeXML(d.name) + "' snapshot='" + d.snapshot + "'")
			if d.snapshot != "external" || (d.driver == "" && d.file == "") {
				b.WriteString("/>\n")
				continue
			}
			b.WriteString(" type='file'>\n")
			if d.driver != "" {
				b.WriteString("      <driver type='" + escapeXML(d.driver) + "'/>\n")
			}
			if d.file != "" {
				b.WriteString("      <source file='" + escapeXML(d.file) + "'/>\n")
			}
			b.WriteString("    </disk>\n")
		}
		b.WriteString("  </disks>\n")
	}
	if s.dom != nil {
		ff := virtxml.FormatInactive
		if secure {
			ff |= virtxml.FormatSecure
		}
		out, err := s.dom.Format(ff)
		if err != nil {
			return "", virt.Errorf(virt.ErrInternal, virt.FromDomainSnapshot, "format snapshot '%s': %v", s.name, err)
		}
		for _, line := range strings.SplitAfter(string(out), "\n") {
			if line != "" {
				b.WriteString("  " + line)
			}
		}
	}
	b.WriteString("</domainsnapshot>\n")
	return b.String(), nil
}

// escapeXML escapes text for XML content and single-quoted attributes.
func escapeXML(s string) string {
	if !strings.ContainsAny(s, "<>&'\"") {
		return s
	}
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&apos;", "\"", "&quot;")
	return r.Replace(s)
}

// snapshotCreateFlags are the creation flags libvirt's test driver takes.
const snapshotCreateFlags = virt.SnapshotCreateRedefine | virt.SnapshotCreateCurrent |
	virt.SnapshotCreateHalt | virt.SnapshotCreateQuiesce | virt.SnapshotCreateAtomic |
	virt.SnapshotCreateLive | virt.SnapshotCreateValidate

// CreateDomainSnapshot implements virt.DomainSnapshotDriver.
func (c *conn) CreateDomainSnapshot(ctx context.Context, ref virt.DomainRef, xml string, flags uint32) (string, error) {
	if err := driver.CheckFlags(virt.FromTest, flags, snapshotCreateFlags, "testDomainSnapshotCreateXML"); err != nil {
		return "", err
	}
	redefine := flags&virt.SnapshotCreateRedefine != 0
	d, err := c.domain(ref)
	if err != nil {
		return "", err
	}
	defer d.mu.Unlock()
	if len(d.checkpoints.list) > 0 {
		return "", virt.Errorf(virt.ErrOperationUnsupported, virt.FromTest, "cannot create snapshot while checkpoint exists")
	}
	if !d.persistent && flags&virt.SnapshotCreateHalt != 0 {
		return "", virt.Errorf(virt.ErrOperationInvalid, virt.FromTest, "cannot halt after transient domain snapshot")
	}
	def, parent, created, err := parseSnapshot(xml, redefine)
	if err != nil {
		return "", err
	}
	now := time.Now().Unix()
	if def.name == "" {
		def.name = strconv.FormatInt(now, 10)
	}
	if redefine {
		return c.redefineSnapshot(d, def, parent, created, flags)
	}
	if d.snaps.find(def.name) != nil {
		return "", virt.Errorf(virt.ErrOperationFailed, virt.FromDomainSnapshot, "domain moment %s already exists", def.name)
	}
	def.dom = deepCopy(d.def)
	def.dom.ID = nil
	location := "internal"
	if def.memory == "external" {
		def.state = snapStates[d.state]
		location = "external"
	} else {
		def.state = snapStates[d.state]
		if d.state == virt.DomainShutoff {
			def.memory = "no"
		} else {
			def.memory = "internal"
		}
	}
	if err := def.alignDisks(location); err != nil {
		return "", err
	}
	m := &moment{name: def.name, parent: d.snaps.current, created: now, doc: def}
	d.snaps.list = append(d.snaps.list, m)
	d.snaps.current = def.name
	if flags&virt.SnapshotCreateHalt != 0 && d.active() {
		c.shutoffState(d, virt.ShutoffFromSnapshot)
		c.emit(d, virt.EventStopped, detailStoppedFromSnapshot)
	}
	return def.name, nil
}

// detailStoppedFromSnapshot is VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT.
const detailStoppedFromSnapshot = 6

// redefineSnapshot records the metadata of an existing snapshot. The
// caller holds d.mu.
func (c *conn) redefineSnapshot(d *domain, def *snapDef, parent string, created int64, flags uint32) (string, error) {
	if parent != "" && d.snaps.find(parent) == nil {
		return "", virt.Errorf(virt.ErrInvalidArg, virt.FromDomainSnapshot, "parent %s for snapshot %s not found", parent, def.name)
	}
	if def.dom == nil {
		def.dom = deepCopy(d.def)
		def.dom.ID = nil
	}
	if m := d.snaps.find(def.name); m != nil {
		m.doc, m.parent, m.created = def, parent, created
	} else {
		d.snaps.list = append(d.snaps.list, &moment{name: def.name, parent: parent, created: created, doc: def})
	}
	if flags&virt.SnapshotCreateCurrent != 0 {
		d.snaps.current = def.name
	}
	return def.name, nil
}

// snapshot returns the snapshot named name of d, or libvirt's error.
func (d *domain) snapshot(name string) (*moment, error) {
	m := d.snaps.find(name)
	if m == nil {
		return nil, virt.Errorf(virt.ErrNoDomainSnapshot, virt.FromDomainSnapshot, "no domain snapshot with matching name '%s'", name)
	}
	return m, nil
}

// snapshotListFlags are the filters the snapshot listing calls take.
const snapshotListFlags = 1<<11 - 1

// matchesSnapshot applies the listing filters to one snapshot.
func (d *domain) matchesSnapshot(m *moment, flags uint32) bool {
	def := m.doc.(*snapDef)
	hasChildren := len(d.snaps.children(m.name)) > 0
	if f := flags & (virt.SnapshotListLeaves | virt.SnapshotListNoLeaves); f == virt.SnapshotListLeaves && hasChildren ||
		f == virt.SnapshotListNoLeaves && !hasChildren {
		return false
	}
	if flags&(virt.SnapshotListMetadata|virt.SnapshotListNoMetadata) == virt.SnapshotListNoMetadata {
		return false
	}
	if st := flags & (virt.SnapshotListInactive | virt.SnapshotListActive | virt.SnapshotListDiskOnly); st != 0 {
		ok := false
		switch def.state {
		case "shutoff":
			ok = st&virt.SnapshotListInactive != 0
		case "disk-snapshot":
			ok = st&virt.SnapshotListDiskOnly != 0
		default:
			ok = st&virt.SnapshotListActive != 0
		}
		if !ok {
			return false
		}
	}
	if loc := flags & (virt.SnapshotListInternal | virt.SnapshotListExternal); loc != 0 && loc != virt.SnapshotListInternal|virt.SnapshotListExternal {
		if def.external() != (loc == virt.SnapshotListExternal) {
			return false
		}
	}
	return true
}

// ListDomainSnapshots implements virt.DomainSnapshotDriver.
func (c *conn) ListDomainSnapshots(ctx context.Context, ref virt.DomainRef, parent string, flags uint32) ([]string, error) {
	fn := "testDomainListAllSnapshots"
	if parent != "" {
		fn = "testDomainSnapshotListAllChildren"
	}
	d, err := c.checkedDomain(ref, flags, snapshotListFlags, fn)
	if err != nil {
		return nil, err
	}
	defer d.mu.Unlock()
	return d.listMoments(&d.snaps, parent, flags, d.matchesSnapshot, d.snapshot)
}

// listMoments lists the moments of ms that pass match: all, the roots,
// or the children or descendants of parent.
func (d *domain) listMoments(ms *moments, parent string, flags uint32, match func(*moment, uint32) bool, lookup func(string) (*moment, error)) ([]string, error) {
	var cands []*moment
	switch {
	case parent != "":
		if _, err := lookup(parent); err != nil {
			return nil, err
		}
		if flags&1 != 0 {
			cands = ms.descendants(parent)
		} else {
			cands = ms.children(parent)
		}
	case flags&1 != 0:
		cands = ms.children("")
	default:
		cands = ms.list
	}
	out := []string{}
	for _, m := range cands {
		if match(m, flags) {
			out = append(out, m.name)
		}
	}
	return out, nil
}

// DomainSnapshotCount implements virt.DomainSnapshotCounter.
func (c *conn) DomainSnapshotCount(ctx context.Context, ref virt.DomainRef, flags uint32) (int, error) {
	d, err := c.checkedDomain(ref, flags, snapshotListFlags, "testDomainSnapshotNum")
	if err != nil {
		return 0, err
	}
	defer d.mu.Unlock()
	names, err := d.listMoments(&d.snaps, "", flags, d.matchesSnapshot, d.snapshot)
	return len(names), err
}

// LookupDomainSnapshot implements virt.DomainSnapshotDriver.
func (c *conn) LookupDomainSnapshot(ctx context.Context, ref virt.DomainRef, name string, flags uint32) (string, error) {
	d, err := c.checkedDomain(ref, flags, 0, "testDomainSnapshotLookupByName")
	if err != nil {
		return "", err
	}
	defer d.mu.Unlock()
	m, err := d.snapshot(name)
	if err != nil {
		return "", err
	}
	return m.name, nil
}

// DomainSnapshotXML implements virt.DomainSnapshotDriver.
func (c *conn) DomainSnapshotXML(ctx context.Context, ref virt.DomainRef, name string, flags uint32) (string, error) {
	d, err := c.checkedDomain(ref, flags, virt.SnapshotXMLSecure, "testDomainSnapshotGetXMLDesc")
	if err != nil {
		return "", err
	}
	defer d.mu.Unlock()
	m, err := d.snapshot(name)
	if err != nil {
		return "", err
	}
	return m.doc.(*snapDef).format(m, flags&virt.SnapshotXMLSecure != 0)
}

// DomainSnapshotParent implements virt.DomainSnapshotDriver.
func (c *conn) DomainSnapshotParent(ctx context.Context, ref virt.DomainRef, name string, flags uint32) (string, error) {
	d, err := c.checkedDomain(ref, flags, 0, "testDomainSnapshotGetParent")
	if err != nil {
		return "", err
	}
	defer d.mu.Unlock()
	m, err := d.snapshot(name)
	if err != nil {
		return "", err
	}
	if m.parent == "" {
		return "", virt.Errorf(virt.ErrNoDomainSnapshot, virt.FromDomainSnapshot, "snapshot '%s' does not have a parent", name)
	}
	return m.parent, nil
}

// CurrentDomainSnapshot implements virt.DomainSnapshotDriver.
func (c *conn) CurrentDomainSnapshot(ctx context.Context, ref virt.DomainRef, flags uint32) (string, error) {
	d, err := c.checkedDomain(ref, flags, 0, "testDomainSnapshotCurrent")
	if err != nil {
		return "", err
	}
	defer d.mu.Unlock()
	if d.snaps.current == "" {
		return "", virt.Errorf(virt.ErrNoDomainSnapshot, virt.FromDomainSnapshot, "the domain does not have a current snapshot")
	}
	return d.snaps.current, nil
}

// DomainSnapshotIsCurrent implements virt.DomainSnapshotDriver.
func (c *conn) DomainSnapshotIsCurrent(ctx context.Context, ref virt.DomainRef, name string, flags uint32) (bool, error) {
	d, err := c.checkedDomain(ref, flags, 0, "testDomainSnapshotIsCurrent")
	if err != nil {
		return false, err
	}
	defer d.mu.Unlock()
	if _, err := d.snapshot(name); err != nil {
		return false, err
	}
	return d.snaps.current == name, nil
}

// DomainSnapshotHasMetadata implements virt.DomainSnapshotDriver: every
// snapshot of the test driver has metadata.
func (c *conn) DomainSnapshotHasMetadata(ctx context.Context, ref virt.DomainRef, name string, flags uint32) (bool, error) {
	d, err := c.checkedDomain(ref, flags, 0, "testDomainSnapshotHasMetadata")
	if err != nil {
		return false, err
	}
	defer d.mu.Unlock()
	if _, err := d.snapshot(name); err != nil {
		return false, err
	}
	return true, nil
}

// DeleteDomainSnapshot implements virt.DomainSnapshotDriver.
func (c *conn) DeleteDomainSnapshot(ctx context.Context, ref virt.DomainRef, name string, flags uint32) error {
	d, err := c.checkedDomain(ref, flags, virt.SnapshotDeleteChildren|virt.SnapshotDeleteChildrenOnly, "testDomainSnapshotDelete")
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	m, err := d.snapshot(name)
	if err != nil {
		return err
	}
	deleteMoment(&d.snaps, m, flags&virt.SnapshotDeleteChildren != 0, flags&virt.SnapshotDeleteChildrenOnly != 0)
	return nil
}

// deleteMoment removes m (and its descendants with children, or only
// them with childrenOnly) from ms; otherwise m's children move up to its
// parent. A deleted current moment passes that role to its parent, or to
// m when only its descendants went.
func deleteMoment(ms *moments, m *moment, children, childrenOnly bool) {
	if children || childrenOnly {
		wasCurrent := false
		for _, x := range ms.descendants(m.name) {
			wasCurrent = wasCurrent || ms.current == x.name
			ms.remove(x.name)
		}
		if wasCurrent {
			ms.current = m.name
		}
	} else {
		for _, x := range ms.children(m.name) {
			x.parent = m.parent
		}
	}
	if childrenOnly {
		return
	}
	wasCurrent := ms.current == m.name
	ms.remove(m.name)
	if wasCurrent {
		ms.current = ""
		if m.parent != "" && ms.find(m.parent) != nil {
			ms.current = m.parent
		}
	}
}

// detailStartedFromSnapshot and friends are the event details of a revert.
const (
	detailStartedFromSnapshot   = 4
	detailSuspendedFromSnapshot = 5
)

// RevertDomainSnapshot implements virt.DomainSnapshotDriver with the
// state changes libvirt 9.0's test driver makes.
func (c *conn) RevertDomainSnapshot(ctx context.Context, ref virt.DomainRef, name string, flags uint32) error {
	d, err := c.checkedDomain(ref, flags, virt.SnapshotRevertRunning|virt.SnapshotRevertPaused|virt.SnapshotRevertForce, "testDomainRevertToSnapshot")
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	m, err := d.snapshot(name)
	if err != nil {
		return err
	}
	def := m.doc.(*snapDef)
	runState := def.state == "running" || def.state == "paused"
	want := flags & (virt.SnapshotRevertRunning | virt.SnapshotRevertPaused)
	if !d.persistent && !runState && want == 0 {
		return virt.Errorf(virt.ErrOperationInvalid, virt.FromTest, "transient domain needs to request run or pause to revert to inactive snapshot")
	}
	if flags&virt.SnapshotRevertForce == 0 {
		if def.dom == nil {
			return virt.Errorf(virt.ErrSnapshotRevertRisky, virt.FromTest, "snapshot '%s' lacks domain '%s' rollback info", def.name, d.name)
		}
		if d.active() && !runState && want != 0 {
			return virt.Errorf(virt.ErrSnapshotRevertRisky, virt.FromTest, "must respawn guest to start inactive snapshot")
		}
	}
	config := deepCopy(def.dom)
	d.snaps.current = ""
	if runState {
		if d.active() {
			c.shutoffState(d, virt.ShutoffFromSnapshot)
		}
		d.def = config
		c.startState(d, virt.RunningFromSnapshot)
		c.emit(d, virt.EventStarted, detailStartedFromSnapshot)
		if want != virt.SnapshotRevertRunning && (def.state == "paused" || want&virt.SnapshotRevertPaused != 0) {
			d.state, d.reason = virt.DomainPaused, virt.PausedFromSnapshot
			c.emit(d, virt.EventSuspended, detailSuspendedFromSnapshot)
		}
	} else {
		if d.active() {
			c.shutoffState(d, virt.ShutoffFromSnapshot)
			c.emit(d, virt.EventStopped, detailStoppedFromSnapshot)
		}
		d.def = config
		if d.state == virt.DomainShutoff {
			d.reason = virt.ShutoffFromSnapshot
		}
	}
	d.snaps.current = name
	return nil
}
