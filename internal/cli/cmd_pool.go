package cli

import (
	"sort"
	"strings"

	"github.com/govirt/govirt/virt"
)

// poolTypes maps pool type names to their ListPools filter bits.
var poolTypes = map[string]virt.ListPoolsFlags{
	"dir":          virt.ListPoolsDir,
	"fs":           virt.ListPoolsFS,
	"netfs":        virt.ListPoolsNetFS,
	"logical":      virt.ListPoolsLogical,
	"disk":         virt.ListPoolsDisk,
	"iscsi":        virt.ListPoolsISCSI,
	"scsi":         virt.ListPoolsSCSI,
	"mpath":        virt.ListPoolsMpath,
	"rbd":          virt.ListPoolsRBD,
	"sheepdog":     virt.ListPoolsSheepdog,
	"gluster":      virt.ListPoolsGluster,
	"zfs":          virt.ListPoolsZFS,
	"vstorage":     virt.ListPoolsVstorage,
	"iscsi-direct": virt.ListPoolsISCSIDirect,
}

// poolJSON is the stable JSON shape of a pool in "pool-list -o json" and
// "pool-info -o json". Sizes are in bytes and absent for inactive pools.
type poolJSON struct {
	Name       string  `json:"name"`
	UUID       string  `json:"uuid"`
	State      string  `json:"state"`
	Persistent bool    `json:"persistent"`
	Autostart  bool    `json:"autostart"`
	Capacity   *uint64 `json:"capacity"`
	Allocation *uint64 `json:"allocation"`
	Available  *uint64 `json:"available"`
}

func (s *session) poolJSON(p *virt.StoragePool) poolJSON {
	j := poolJSON{Name: p.Name(), UUID: p.UUID().String(), State: "unknown"}
	j.Persistent, j.Autostart, _ = p.Flags(s.ctx)
	if info, err := p.Info(s.ctx); err == nil {
		j.State = info.State.String()
		if info.State == virt.PoolRunning || info.State == virt.PoolDegraded {
			j.Capacity, j.Allocation, j.Available = &info.Capacity, &info.Allocation, &info.Available
		}
	}
	return j
}

func cmdPoolList(s *session, c *call) error {
	details, optUUID, optName := c.has("details"), c.has("uuid"), c.has("name")
	for _, p := range [][2]string{{"details", "uuid"}, {"details", "name"}, {"uuid", "name"}} {
		if err := c.exclusive(p[0], p[1]); err != nil {
			return err
		}
	}
	asJSON, err := s.wantJSON(c)
	if err != nil {
		return err
	}
	flags := virt.ListPoolsActive
	if c.has("inactive") {
		flags = virt.ListPoolsInactive
	}
	if c.has("all") {
		flags = virt.ListPoolsActive | virt.ListPoolsInactive
	}
	for _, f := range []struct {
		opt  string
		flag virt.ListPoolsFlags
	}{
		{"persistent", virt.ListPoolsPersistent},
		{"transient", virt.ListPoolsTransient},
		{"autostart", virt.ListPoolsAutostart},
		{"no-autostart", virt.ListPoolsNoAutostart},
	} {
		if c.has(f.opt) {
			flags |= f.flag
		}
	}
	types, _, err := c.str("type")
	if err != nil {
		return err
	}
	if types != "" {
		for _, t := range splitComma(types) {
			f, ok := poolTypes[t]
			if !ok {
				return fail(errNoCause, "Invalid pool type '%s'", t)
			}
			flags |= f
		}
	}
	pools, err := s.conn.ListAllStoragePools(s.ctx, flags)
	if err != nil {
		return fail(err, "Failed to list pools")
	}
	sort.SliceStable(pools, func(i, j int) bool {
		return strings.ToLower(pools[i].Name()) < strings.ToLower(pools[j].Name())
	})
	switch {
	case asJSON:
		out := make([]poolJSON, 0, len(pools))
		for _, p := range pools {
			out = append(out, s.poolJSON(p))
		}
		return s.printJSON(out)
	case optUUID:
		for _, p := range pools {
			s.printf("%-36s\n", p.UUID())
		}
		return nil
	case optName:
		for _, p := range pools {
			s.printf("%-20s\n", p.Name())
		}
		return nil
	}
	var t *textTable
	if details {
		t = newTable("Name", "State", "Autostart", "Persistent", "Capacity", "Allocation", "Available")
	} else {
		t = newTable("Name", "State", "Autostart")
	}
	for _, p := range pools {
		persistent, autostart, ferr := p.Flags(s.ctx)
		auto, pers := "no autostart", "unknown"
		if ferr == nil {
			auto, pers = yesNo(autostart), yesNo(persistent)
		}
		info, err := p.Info(s.ctx)
		if !details {
			state := "unknown"
			if err == nil {
				state = "active"
				if info.State == virt.PoolInactive {
					state = "inactive"
				}
			}
			t.add(p.Name(), state, auto)
			continue
		}
		state, capa, alloc, avail := "unknown", "unknown", "unknown", "unknown"
		if err == nil {
			state = info.State.String()
			if info.State == virt.PoolInactive {
				capa, alloc, avail = "-", "-", "-"
			} else {
				capa, alloc, avail = fmtCapacity(info.Capacity), fmtCapacity(info.Allocation), fmtCapacity(info.Available)
			}
		}
		t.add(p.Name(), state, auto, pers, capa, alloc, avail)
	}
	s.printTable(t)
	return nil
}

func cmdPoolInfo(s *session, c *call) error {
	asJSON, err := s.wantJSON(c)
	if err != nil {
		return err
	}
	p, _, err := s.poolArg(c, "pool")
	if err != nil {
		return err
	}
	if asJSON {
		return s.printJSON(s.poolJSON(p))
	}
	s.printf("%-15s %s\n", "Name:", p.Name())
	s.printf("%-15s %s\n", "UUID:", p.UUID())
	info, err := p.Info(s.ctx)
	if err != nil {
		return err
	}
	s.printf("%-15s %s\n", "State:", info.State)
	if persistent, autostart, err := p.Flags(s.ctx); err == nil {
		s.printf("%-15s %s\n", "Persistent:", yesNo(persistent))
		s.printf("%-15s %s\n", "Autostart:", yesNo(autostart))
	} else {
		s.printf("%-15s %s\n", "Persistent:", "unknown")
		s.printf("%-15s %s\n", "Autostart:", "no autostart")
	}
	if info.State == virt.PoolRunning || info.State == virt.PoolDegraded {
		bytes := c.has("bytes")
		for _, f := range []struct {
			label string
			v     uint64
		}{{"Capacity:", info.Capacity}, {"Allocation:", info.Allocation}, {"Available:", info.Available}} {
			if bytes {
				s.printf("%-15s %d\n", f.label, f.v)
			} else {
				s.printf("%-15s %s\n", f.label, fmtCapacity(f.v))
			}
		}
	}
	return nil
}

func cmdPoolDumpxml(s *session, c *call) error {
	p, _, err := s.poolArg(c, "pool")
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("inactive") {
		flags = 1 // VIR_STORAGE_XML_INACTIVE
	}
	x, err := p.XML(s.ctx, flags)
	if err != nil {
		return err
	}
	return s.printXML(c, x)
}

// poolAction runs act on the pool named by the "pool" option.
func poolAction(s *session, c *call, act func(*virt.StoragePool) error, done, failed string) error {
	return objectAction(s, func() (*virt.StoragePool, string, error) { return s.poolArg(c, "pool") }, act, done, failed)
}

// buildFlags reads --build, --overwrite and --no-overwrite for pool-create
// and pool-start (virStoragePoolCreateFlags).
func buildFlags(c *call) (uint32, error) {
	if err := c.exclusive("overwrite", "no-overwrite"); err != nil {
		return 0, err
	}
	var flags uint32
	if c.has("build") {
		flags |= 1 << 0
	}
	if c.has("overwrite") {
		flags |= 1 << 1
	}
	if c.has("no-overwrite") {
		flags |= 1 << 2
	}
	return flags, nil
}

func cmdPoolStart(s *session, c *call) error {
	flags, err := buildFlags(c)
	if err != nil {
		return err
	}
	return poolAction(s, c, func(p *virt.StoragePool) error { return p.Start(s.ctx, flags) },
		"Pool %s started\n", "Failed to start pool %s")
}

func cmdPoolBuild(s *session, c *call) error {
	if err := c.exclusive("overwrite", "no-overwrite"); err != nil {
		return err
	}
	var flags uint32
	if c.has("overwrite") {
		flags |= 1 << 2 // VIR_STORAGE_POOL_BUILD_OVERWRITE
	}
	if c.has("no-overwrite") {
		flags |= 1 << 3 // VIR_STORAGE_POOL_BUILD_NO_OVERWRITE
	}
	return poolAction(s, c, func(p *virt.StoragePool) error { return p.Build(s.ctx, flags) },
		"Pool %s built\n", "Failed to build pool %s")
}

func cmdPoolDestroy(s *session, c *call) error {
	return poolAction(s, c, func(p *virt.StoragePool) error { return p.Destroy(s.ctx) },
		"Pool %s destroyed\n", "Failed to destroy pool %s")
}

func cmdPoolDelete(s *session, c *call) error {
	return poolAction(s, c, func(p *virt.StoragePool) error { return p.Delete(s.ctx, 0) },
		"Pool %s deleted\n", "Failed to delete pool %s")
}

func cmdPoolRefresh(s *session, c *call) error {
	return poolAction(s, c, func(p *virt.StoragePool) error { return p.Refresh(s.ctx) },
		"Pool %s refreshed\n", "Failed to refresh pool %s")
}

func cmdPoolUndefine(s *session, c *call) error {
	return poolAction(s, c, func(p *virt.StoragePool) error { return p.Undefine(s.ctx) },
		"Pool %s has been undefined\n", "Failed to undefine pool %s")
}

func cmdPoolAutostart(s *session, c *call) error {
	if c.has("disable") {
		return poolAction(s, c, func(p *virt.StoragePool) error { return p.SetAutostart(s.ctx, false) },
			"Pool %s unmarked as autostarted\n", "failed to unmark pool %s as autostarted")
	}
	return poolAction(s, c, func(p *virt.StoragePool) error { return p.SetAutostart(s.ctx, true) },
		"Pool %s marked as autostarted\n", "failed to mark pool %s as autostarted")
}

func cmdPoolDefine(s *session, c *call) error {
	file, xml, err := s.fileArg(c)
	if err != nil {
		return err
	}
	p, err := s.conn.DefineStoragePool(s.ctx, xml)
	if err != nil {
		return fail(err, "Failed to define pool from %s", file)
	}
	s.extraf("Pool %s defined from %s\n", p.Name(), file)
	return nil
}

func cmdPoolCreate(s *session, c *call) error {
	file, _, err := c.str("file")
	if err != nil {
		return err
	}
	flags, err := buildFlags(c)
	if err != nil {
		return err
	}
	xml, err := s.readFile(file)
	if err != nil {
		return err
	}
	p, err := s.conn.CreateStoragePool(s.ctx, xml, flags)
	if err != nil {
		return fail(err, "Failed to create pool from %s", file)
	}
	s.extraf("Pool %s created from %s\n", p.Name(), file)
	return nil
}

func cmdPoolUUID(s *session, c *call) error {
	p, _, err := s.poolArg(c, "pool")
	if err != nil {
		return err
	}
	s.printf("%s\n", p.UUID())
	return nil
}

func cmdPoolName(s *session, c *call) error {
	p, _, err := s.poolArg(c, "pool")
	if err != nil {
		return err
	}
	s.printf("%s\n", p.Name())
	return nil
}
