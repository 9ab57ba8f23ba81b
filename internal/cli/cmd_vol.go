package cli

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/govirt/govirt/virt"
)

// volJSON is the stable JSON shape of a volume in "vol-list -o json" and
// "vol-info -o json". Sizes are in bytes.
type volJSON struct {
	Name       string `json:"name"`
	Path       string `json:"path"`
	Type       string `json:"type"`
	Capacity   uint64 `json:"capacity"`
	Allocation uint64 `json:"allocation"`
}

func cmdVolList(s *session, c *call) error {
	asJSON, err := s.wantJSON(c)
	if err != nil {
		return err
	}
	p, _, err := s.poolArg(c, "pool")
	if err != nil {
		return err
	}
	vols, err := p.ListVols(s.ctx)
	if err != nil {
		return fail(err, "Failed to list volumes")
	}
	sort.SliceStable(vols, func(i, j int) bool {
		return strings.ToLower(vols[i].Name()) < strings.ToLower(vols[j].Name())
	})
	details := c.has("details")
	if asJSON {
		out := make([]volJSON, 0, len(vols))
		for _, v := range vols {
			j := volJSON{Name: v.Name(), Type: "unknown"}
			j.Path, _ = v.Path(s.ctx)
			if info, err := v.Info(s.ctx); err == nil {
				j.Type, j.Capacity, j.Allocation = info.Type.String(), info.Capacity, info.Allocation
			}
			out = append(out, j)
		}
		return s.printJSON(out)
	}
	var t *textTable
	if details {
		t = newTable("Name", "Path", "Type", "Capacity", "Allocation")
	} else {
		t = newTable("Name", "Path")
	}
	for _, v := range vols {
		path, err := v.Path(s.ctx)
		if err != nil {
			path = "unknown"
		}
		if !details {
			t.add(v.Name(), path)
			continue
		}
		info, err := v.Info(s.ctx)
		if err != nil {
			t.add(v.Name(), path, "unknown", "unknown", "unknown")
			continue
		}
		t.add(v.Name(), path, info.Type.String(), fmtCapacity(info.Capacity), fmtCapacity(info.Allocation))
	}
	s.printTable(t)
	return nil
}

func cmdVolInfo(s *session, c *call) error {
	asJSON, err := s.wantJSON(c)
	if err != nil {
		return err
	}
	v, _, err := s.volArg(c, "pool")
	if err != nil {
		return err
	}
	if c.has("physical") {
		return fail(errNoCause, "--physical is not supported yet")
	}
	info, err := v.Info(s.ctx)
	if asJSON {
		if err != nil {
			return err
		}
		path, _ := v.Path(s.ctx)
		return s.printJSON(volJSON{Name: v.Name(), Path: path, Type: info.Type.String(),
			Capacity: info.Capacity, Allocation: info.Allocation})
	}
	s.printf("%-15s %s\n", "Name:", v.Name())
	if err != nil {
		return err
	}
	s.printf("%-15s %s\n", "Type:", info.Type)
	bytes := c.has("bytes")
	for _, f := range []struct {
		label string
		v     uint64
	}{{"Capacity:", info.Capacity}, {"Allocation:", info.Allocation}} {
		if bytes {
			s.printf("%-15s %d bytes\n", f.label, f.v)
		} else {
			s.printf("%-15s %s\n", f.label, fmtCapacity(f.v))
		}
	}
	return nil
}

func cmdVolPath(s *session, c *call) error {
	v, _, err := s.volArg(c, "pool")
	if err != nil {
		return err
	}
	p, err := v.Path(s.ctx)
	if err != nil {
		return err
	}
	s.printf("%s\n", p)
	return nil
}

func cmdVolKey(s *session, c *call) error {
	v, _, err := s.volArg(c, "pool")
	if err != nil {
		return err
	}
	s.printf("%s\n", v.Key())
	return nil
}

func cmdVolName(s *session, c *call) error {
	v, _, err := s.volArg(c, "")
	if err != nil {
		return err
	}
	s.printf("%s\n", v.Name())
	return nil
}

func cmdVolPool(s *session, c *call) error {
	v, _, err := s.volArg(c, "")
	if err != nil {
		return err
	}
	if !c.has("uuid") {
		s.printf("%s\n", v.PoolName())
		return nil
	}
	p, err := s.conn.LookupStoragePoolByName(s.ctx, v.PoolName())
	if err != nil {
		return fail(err, "failed to get parent pool")
	}
	s.printf("%s\n", p.UUID())
	return nil
}

func cmdVolDumpxml(s *session, c *call) error {
	v, _, err := s.volArg(c, "pool")
	if err != nil {
		return err
	}
	x, err := v.XML(s.ctx)
	if err != nil {
		return err
	}
	return s.printXML(c, x)
}

func cmdVolDelete(s *session, c *call) error {
	v, name, err := s.volArg(c, "pool")
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("delete-snapshots") {
		flags |= 1 << 1 // VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS
	}
	if err := v.Delete(s.ctx, flags); err != nil {
		return fail(err, "Failed to delete vol %s", name)
	}
	s.extraf("Vol %s deleted\n", name)
	return nil
}

// volSize parses a volume size option: a scaled integer, bytes by default.
func volSize(text string) (uint64, error) {
	n, err := parseScaled(text, 1, math.MaxUint64)
	if err != nil {
		return 0, fail(err, "Malformed size %s", text)
	}
	return n, nil
}

func cmdVolCreateAs(s *session, c *call) error {
	p, _, err := s.poolArg(c, "pool")
	if err != nil {
		return err
	}
	name, _, err := c.str("name")
	if err != nil {
		return err
	}
	capText, _, err := c.str("capacity")
	if err != nil {
		return err
	}
	capacity, err := volSize(capText)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("<volume>\n")
	fmt.Fprintf(&b, "  <name>%s</name>\n", xmlEscape(name))
	fmt.Fprintf(&b, "  <capacity>%d</capacity>\n", capacity)
	if allocText, ok, err := c.str("allocation"); err != nil {
		return err
	} else if ok {
		alloc, err := volSize(allocText)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "  <allocation>%d</allocation>\n", alloc)
	}
	format, _, err := c.str("format")
	if err != nil {
		return err
	}
	if format != "" {
		fmt.Fprintf(&b, "  <target>\n    <format type='%s'/>\n  </target>\n", xmlEscape(format))
	}
	backing, _, err := c.str("backing-vol")
	if err != nil {
		return err
	}
	backingFormat, _, err := c.str("backing-vol-format")
	if err != nil {
		return err
	}
	if backing != "" {
		bv, err := s.findVol(p, backing)
		if err != nil {
			return err
		}
		path, err := bv.Path(s.ctx)
		if err != nil {
			return fail(err, "failed to get vol '%s'", backing)
		}
		b.WriteString("  <backingStore>\n")
		fmt.Fprintf(&b, "    <path>%s</path>\n", xmlEscape(path))
		if backingFormat != "" {
			fmt.Fprintf(&b, "    <format type='%s'/>\n", xmlEscape(backingFormat))
		}
		b.WriteString("  </backingStore>\n")
	}
	b.WriteString("</volume>\n")
	if c.has("print-xml") {
		s.print(b.String())
		return nil
	}
	var flags uint32
	if c.has("prealloc-metadata") {
		flags |= 1 << 0 // VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA
	}
	if _, err := p.CreateVol(s.ctx, b.String(), flags); err != nil {
		return fail(err, "Failed to create vol %s", name)
	}
	s.extraf("Vol %s created\n", name)
	return nil
}

// findVol looks a volume up in pool p by name, then anywhere by key and by
// path, as vol-create-as does for --backing-vol.
func (s *session) findVol(p *virt.StoragePool, name string) (*virt.StorageVol, error) {
	v, err := p.LookupVolByName(s.ctx, name)
	if err == nil {
		return v, nil
	}
	if v, err = s.conn.LookupStorageVolByKey(s.ctx, name); err == nil {
		return v, nil
	}
	if v, err = s.conn.LookupStorageVolByPath(s.ctx, name); err == nil {
		return v, nil
	}
	return nil, fail(err, "failed to get vol '%s'", name)
}

func cmdVolCreate(s *session, c *call) error {
	p, _, err := s.poolArg(c, "pool")
	if err != nil {
		return err
	}
	file, xml, err := s.fileArg(c)
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("prealloc-metadata") {
		flags |= 1 << 0
	}
	if c.has("validate") {
		flags |= 1 << 2 // VIR_STORAGE_VOL_CREATE_VALIDATE
	}
	v, err := p.CreateVol(s.ctx, xml, flags)
	if err != nil {
		return fail(err, "Failed to create vol from %s", file)
	}
	s.extraf("Vol %s created from %s\n", v.Name(), file)
	return nil
}
