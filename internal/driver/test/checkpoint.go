package test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/internal/xmldoc"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// chkDisk is one <disk> of a checkpoint.
type chkDisk struct {
	name, checkpoint, bitmap string
}

// chkDef is a checkpoint's definition (virDomainCheckpointDef).
type chkDef struct {
	name, description string
	disks             []chkDisk
	dom               *virtxml.Domain
}

func chkErr(code *virt.Error, format string, args ...any) error {
	return virt.Errorf(code, virt.FromDomainCheckpoint, format, args...)
}

// parseCheckpoint parses a <domaincheckpoint> document; with redefine it
// also returns the parent and creation time it records.
func parseCheckpoint(xml string, redefine bool) (*chkDef, string, int64, error) {
	root, err := xmldoc.Parse([]byte(xml))
	if err != nil {
		var se *xmldoc.SyntaxError
		if errors.As(err, &se) {
			return nil, "", 0, chkErr(virt.ErrXMLDetail, "(domain_checkpoint):%d: %s", se.Line, se.Msg)
		}
		return nil, "", 0, chkErr(virt.ErrXMLDetail, "(domain_checkpoint): %v", err)
	}
	if root.Name != "domaincheckpoint" {
		return nil, "", 0, chkErr(virt.ErrXML, "expecting root element of 'domaincheckpoint', not '%s'", root.Name)
	}
	def := &chkDef{}
	if n := root.Child("name"); n != nil {
		def.name = strings.TrimSpace(n.Text)
	}
	if n := root.Child("description"); n != nil {
		def.description = n.Text
	}
	parent, created := "", int64(0)
	if redefine {
		if p := root.Child("parent"); p != nil {
			if n := p.Child("name"); n != nil {
				parent = strings.TrimSpace(n.Text)
			}
		}
		if ct := root.Child("creationTime"); ct != nil {
			v, err := strconv.ParseInt(strings.TrimSpace(ct.Text), 10, 64)
			if err != nil {
				return nil, "", 0, chkErr(virt.ErrXML, "invalid creationTime")
			}
			created = v
		}
		if def.name == "" {
			return nil, "", 0, chkErr(virt.ErrXML, "a redefined checkpoint must have a name")
		}
	} else if root.Child("parent") != nil || root.Child("creationTime") != nil {
		return nil, "", 0, chkErr(virt.ErrXML, "parent and creationTime may only be given when redefining a checkpoint")
	}
	if disks := root.Child("disks"); disks != nil {
		for _, d := range disks.Children {
			if d.Name != "disk" {
				continue
			}
			cd := chkDisk{}
			cd.name, _ = d.Attr("name")
			if cd.name == "" {
				return nil, "", 0, chkErr(virt.ErrXML, "missing name from disk checkpoint element")
			}
			cd.checkpoint, _ = d.Attr("checkpoint")
			if cd.checkpoint != "" && cd.checkpoint != "no" && cd.checkpoint != "bitmap" {
				return nil, "", 0, chkErr(virt.ErrXML, "unknown disk checkpoint setting '%s'", cd.checkpoint)
			}
			cd.bitmap, _ = d.Attr("bitmap")
			def.disks = append(def.disks, cd)
		}
	}
	return def, parent, created, nil
}

// alignDisks gives every disk of the domain a checkpoint setting, as
// virDomainCheckpointAlignDisks does: unnamed disks get a bitmap named
// after the checkpoint.
func (c *chkDef) alignDisks(dom *virtxml.Domain) error {
	given := map[string]*chkDisk{}
	for i := range c.disks {
		d := &c.disks[i]
		found := false
		if dom.Devices != nil {
			for _, dd := range dom.Devices.Disks {
				if dd.Target != nil && dd.Target.Dev == d.name {
					found = true
				}
			}
		}
		if !found {
			return chkErr(virt.ErrConfigUnsupported, "no disk named '%s'", d.name)
		}
		if given[d.name] != nil {
			return chkErr(virt.ErrConfigUnsupported, "disk '%s' specified twice", d.name)
		}
		given[d.name] = d
	}
	var out []chkDisk
	if dom.Devices != nil {
		for _, dd := range dom.Devices.Disks {
			if dd.Target == nil {
				continue
			}
			d := given[dd.Target.Dev]
			if d == nil {
				d = &chkDisk{name: dd.Target.Dev}
			}
			if d.checkpoint == "" {
				d.checkpoint = "bitmap"
			}
			if d.checkpoint == "bitmap" && d.bitmap == "" {
				d.bitmap = c.name
			}
			out = append(out, *d)
		}
	}
	c.disks = out
	return nil
}

func (c *chkDef) format(m *moment, flags uint32) (string, error) {
	var b strings.Builder
	b.WriteString("<domaincheckpoint>\n")
	b.WriteString("  <name>" + escapeXML(c.name) + "</name>\n")
	if c.description != "" {
		b.WriteString("  <description>" + escapeXML(c.description) + "</description>\n")
	}
	if m.parent != "" {
		b.WriteString("  <parent>\n    <name>" + escapeXML(m.parent) + "</name>\n  </parent>\n")
	}
	b.WriteString("  <creationTime>" + strconv.FormatInt(m.created, 10) + "</creationTime>\n")
	if len(c.disks) > 0 {
		b.WriteString("  <disks>\n")
		for _, d := range c.disks {
			b.WriteString("    <disk name='" + escapeXML(d.name) + "' checkpoint='" + d.checkpoint + "'")
			if d.checkpoint == "bitmap" {
				b.WriteString(" bitmap='" + escapeXML(d.bitmap) + "'")
			}
			b.WriteString("/>\n")
		}
		b.WriteString("  </disks>\n")
	}
	if c.dom != nil && flags&virt.CheckpointXMLNoDomain == 0 {
		ff := virtxml.FormatInactive
		if flags&virt.CheckpointXMLSecure != 0 {
			ff |= virtxml.FormatSecure
		}
		out, err := c.dom.Format(ff)
		if err != nil {
			return "", chkErr(virt.ErrInternal, "format checkpoint '%s': %v", c.name, err)
		}
		for _, line := range strings.SplitAfter(string(out), "\n") {
			if line != "" {
				b.WriteString("  " + line)
			}
		}
	}
	b.WriteString("</domaincheckpoint>\n")
	return b.String(), nil
}

func (d *domain) checkpoint(name string) (*moment, error) {
	if m := d.checkpoints.find(name); m != nil {
		return m, nil
	}
	return nil, chkErr(virt.ErrNoDomainCheckpoint, "no domain checkpoint with matching name '%s'", name)
}

// CreateDomainCheckpoint implements virt.DomainCheckpointDriver with the
// rules of libvirt 9.0's test driver: the domain runs and has no
// snapshots.
func (c *conn) CreateDomainCheckpoint(ctx context.Context, ref virt.DomainRef, xml string, flags uint32) (string, error) {
	allowed := virt.CheckpointCreateRedefine | virt.CheckpointCreateQuiesce | virt.CheckpointCreateRedefineValidate
	if err := driver.CheckFlags(virt.FromTest, flags, allowed, "testDomainCheckpointCreateXML"); err != nil {
		return "", err
	}
	redefine := flags&virt.CheckpointCreateRedefine != 0
	d, err := c.domain(ref)
	if err != nil {
		return "", err
	}
	defer d.mu.Unlock()
	if !d.active() {
		return "", virt.Errorf(virt.ErrOperationUnsupported, virt.FromTest, "cannot create checkpoint for inactive domain")
	}
	if len(d.snaps.list) > 0 {
		return "", virt.Errorf(virt.ErrOperationUnsupported, virt.FromTest, "cannot create checkpoint while snapshot exists")
	}
	def, parent, created, err := parseCheckpoint(xml, redefine)
	if err != nil {
		return "", err
	}
	now := time.Now().Unix()
	if def.name == "" {
		def.name = strconv.FormatInt(now, 10)
	}
	if redefine {
		if parent != "" && d.checkpoints.find(parent) == nil {
			return "", chkErr(virt.ErrInvalidArg, "parent %s for moment %s not found", parent, def.name)
		}
		if m := d.checkpoints.find(def.name); m != nil {
			old := m.doc.(*chkDef)
			def.dom = old.dom
			m.doc, m.parent = def, parent
			if created != 0 {
				m.created = created
			}
			return def.name, nil
		}
		def.dom = deepCopy(d.def)
		def.dom.ID = nil
		if err := def.alignDisks(def.dom); err != nil {
			return "", err
		}
		d.checkpoints.list = append(d.checkpoints.list, &moment{name: def.name, parent: parent, created: created, doc: def})
		return def.name, nil
	}
	if d.checkpoints.find(def.name) != nil {
		return "", chkErr(virt.ErrOperationFailed, "domain moment %s already exists", def.name)
	}
	def.dom = deepCopy(d.def)
	def.dom.ID = nil
	if err := def.alignDisks(def.dom); err != nil {
		return "", err
	}
	d.checkpoints.list = append(d.checkpoints.list, &moment{name: def.name, parent: d.checkpoints.current, created: now, doc: def})
	d.checkpoints.current = def.name
	return def.name, nil
}

// ListDomainCheckpoints implements virt.DomainCheckpointDriver.
func (c *conn) ListDomainCheckpoints(ctx context.Context, ref virt.DomainRef, parent string, flags uint32) ([]string, error) {
	fn := "testDomainListAllCheckpoints"
	if parent != "" {
		fn = "testDomainCheckpointListAllChildren"
	}
	allowed := virt.CheckpointListRoots | virt.CheckpointListTopological | virt.CheckpointListLeaves | virt.CheckpointListNoLeaves
	d, err := c.checkedDomain(ref, flags, allowed, fn)
	if err != nil {
		return nil, err
	}
	defer d.mu.Unlock()
	match := func(m *moment, flags uint32) bool {
		leaf := len(d.checkpoints.children(m.name)) == 0
		if flags&virt.CheckpointListLeaves != 0 && !leaf {
			return false
		}
		if flags&virt.CheckpointListNoLeaves != 0 && leaf {
			return false
		}
		return true
	}
	return d.listMoments(&d.checkpoints, parent, flags, match, d.checkpoint)
}

// LookupDomainCheckpoint implements virt.DomainCheckpointDriver.
func (c *conn) LookupDomainCheckpoint(ctx context.Context, ref virt.DomainRef, name string, flags uint32) (string, error) {
	d, err := c.checkedDomain(ref, flags, 0, "testDomainCheckpointLookupByName")
	if err != nil {
		return "", err
	}
	defer d.mu.Unlock()
	if _, err := d.checkpoint(name); err != nil {
		return "", err
	}
	return name, nil
}

// DomainCheckpointXML implements virt.DomainCheckpointDriver.
func (c *conn) DomainCheckpointXML(ctx context.Context, ref virt.DomainRef, name string, flags uint32) (string, error) {
	allowed := virt.CheckpointXMLSecure | virt.CheckpointXMLNoDomain | virt.CheckpointXMLSize
	d, err := c.checkedDomain(ref, flags, allowed, "testDomainCheckpointGetXMLDesc")
	if err != nil {
		return "", err
	}
	defer d.mu.Unlock()
	m, err := d.checkpoint(name)
	if err != nil {
		return "", err
	}
	return m.doc.(*chkDef).format(m, flags)
}

// DomainCheckpointParent implements virt.DomainCheckpointDriver.
func (c *conn) DomainCheckpointParent(ctx context.Context, ref virt.DomainRef, name string, flags uint32) (string, error) {
	d, err := c.checkedDomain(ref, flags, 0, "testDomainCheckpointGetParent")
	if err != nil {
		return "", err
	}
	defer d.mu.Unlock()
	m, err := d.checkpoint(name)
	if err != nil {
		return "", err
	}
	if m.parent == "" {
		return "", chkErr(virt.ErrNoDomainCheckpoint, "checkpoint '%s' does not have a parent", name)
	}
	return m.parent, nil
}

// DeleteDomainCheckpoint implements virt.DomainCheckpointDriver.
func (c *conn) DeleteDomainCheckpoint(ctx context.Context, ref virt.DomainRef, name string, flags uint32) error {
	allowed := virt.CheckpointDeleteChildren | virt.CheckpointDeleteMetadataOnly | virt.CheckpointDeleteChildrenOnly
	d, err := c.checkedDomain(ref, flags, allowed, "testDomainCheckpointDelete")
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	m, err := d.checkpoint(name)
	if err != nil {
		return err
	}
	deleteMoment(&d.checkpoints, m, flags&virt.CheckpointDeleteChildren != 0, flags&virt.CheckpointDeleteChildrenOnly != 0)
	return nil
}
