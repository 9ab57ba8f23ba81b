package cli

import (
	"errors"
	"strconv"
	"strings"

	"github.com/govirt/govirt/internal/xmldoc"
	"github.com/govirt/govirt/virt"
)

// domainAndPath reads the domain and the "path" (disk) option.
func (s *session) domainAndPath(c *call, opt string) (*virt.Domain, string, error) {
	dom, _, err := s.domainArg(c, "domain")
	if err != nil {
		return nil, "", err
	}
	path, _, err := c.str(opt)
	if err != nil {
		return nil, "", err
	}
	return dom, path, nil
}

// bandwidth reads --bandwidth (MiB/s, or bytes/s with --bytes).
func bandwidth(c *call) (uint64, uint32, error) {
	bw, _, err := c.uint64("bandwidth")
	if err != nil {
		return 0, 0, err
	}
	var flags uint32
	if c.has("bytes") {
		flags = 1 << 6 // *_BANDWIDTH_BYTES for commit, pull and rebase alike (64)
	}
	return bw, flags, nil
}

func cmdBlockcommit(s *session, c *call) error {
	dom, path, err := s.domainAndPath(c, "path")
	if err != nil {
		return err
	}
	bw, flags, err := bandwidth(c)
	if err != nil {
		return err
	}
	base, _, _ := c.str("base")
	top, _, _ := c.str("top")
	for bit, opt := range map[uint32]string{1 << 0: "shallow", 1 << 1: "delete", 1 << 2: "active", 1 << 3: "keep-relative"} {
		if c.has(opt) {
			flags |= bit
		}
	}
	if c.has("pivot") || c.has("keep-overlay") {
		flags |= 1 << 2
	}
	j, err := dom.BlockJobs("virDomainBlockCommit")
	if err != nil {
		return err
	}
	if err := j.BlockCommit(s.ctx, dom.Ref(), path, base, top, bw, flags); err != nil {
		return err
	}
	if !c.has("wait") && !c.has("pivot") && !c.has("keep-overlay") {
		s.extraf("Block Commit started\n")
		return nil
	}
	s.extraf("\nCommit complete\n")
	return nil
}

func cmdBlockpull(s *session, c *call) error {
	dom, path, err := s.domainAndPath(c, "path")
	if err != nil {
		return err
	}
	bw, flags, err := bandwidth(c)
	if err != nil {
		return err
	}
	base, haveBase, _ := c.str("base")
	if c.has("keep-relative") {
		flags |= 1 << 4 // VIR_DOMAIN_BLOCK_REBASE_RELATIVE
	}
	if haveBase || c.has("keep-relative") {
		j, err := dom.BlockJobs("virDomainBlockRebase")
		if err != nil {
			return err
		}
		err = j.BlockRebase(s.ctx, dom.Ref(), path, base, bw, flags)
		if err != nil {
			return err
		}
	} else {
		j, err := dom.BlockJobs("virDomainBlockPull")
		if err != nil {
			return err
		}
		if err := j.BlockPull(s.ctx, dom.Ref(), path, bw, flags); err != nil {
			return err
		}
	}
	if !c.has("wait") {
		s.extraf("Block Pull started\n")
		return nil
	}
	s.extraf("\nPull complete\n")
	return nil
}

func cmdBlockcopy(s *session, c *call) error {
	dom, path, err := s.domainAndPath(c, "path")
	if err != nil {
		return err
	}
	bw, flags, err := bandwidth(c)
	if err != nil {
		return err
	}
	xmlFile, haveXML, _ := c.str("xml")
	dest, _, _ := c.str("dest")
	useCopy := haveXML || c.has("granularity") || c.has("buf-size") || c.has("transient-job") || c.has("synchronous-writes") || c.has("print-xml")
	if !useCopy {
		if c.has("shallow") {
			flags |= 1 << 0
		}
		if c.has("reuse-external") {
			flags |= 1 << 1
		}
		flags |= 1 << 3 // VIR_DOMAIN_BLOCK_REBASE_COPY
		j, err := dom.BlockJobs("virDomainBlockRebase")
		if err != nil {
			return err
		}
		if err := j.BlockRebase(s.ctx, dom.Ref(), path, dest, bw, flags); err != nil {
			return err
		}
	} else {
		doc := ""
		if haveXML {
			if doc, err = s.readFile(xmlFile); err != nil {
				return err
			}
		} else {
			doc = "<disk type='file'>\n  <source file='" + attrEsc(dest) + "'/>\n</disk>\n"
		}
		if c.has("print-xml") {
			s.print(doc)
			return nil
		}
		j, err := dom.BlockJobs("virDomainBlockCopy")
		if err != nil {
			return err
		}
		if err := j.BlockCopy(s.ctx, dom.Ref(), path, doc, nil, flags); err != nil {
			return err
		}
	}
	if !c.has("wait") && !c.has("pivot") && !c.has("finish") {
		s.extraf("Block Copy started\n")
		return nil
	}
	s.extraf("\nNow in mirroring phase\n")
	return nil
}

func cmdBlockjob(s *session, c *call) error {
	dom, path, err := s.domainAndPath(c, "path")
	if err != nil {
		return err
	}
	switch {
	case c.has("abort") || c.has("pivot") || c.has("async"):
		var flags uint32
		if c.has("async") {
			flags |= 1 << 0
		}
		if c.has("pivot") {
			flags |= 1 << 1
		}
		j, err := dom.BlockJobs("virDomainBlockJobAbort")
		if err != nil {
			return err
		}
		return j.BlockJobAbort(s.ctx, dom.Ref(), path, flags)
	case c.has("bandwidth"):
		bw, flags, err := bandwidth(c)
		if err != nil {
			return err
		}
		j, err := dom.BlockJobs("virDomainBlockJobSetSpeed")
		if err != nil {
			return err
		}
		return j.BlockJobSetSpeed(s.ctx, dom.Ref(), path, bw, flags)
	}
	var flags uint32
	if c.has("bytes") {
		flags = 1 << 0
	}
	j, err := dom.BlockJobs("virDomainGetBlockJobInfo")
	if err != nil {
		return err
	}
	info, ok, err := j.BlockJobInfo(s.ctx, dom.Ref(), path, flags)
	if err != nil {
		return err
	}
	if !ok {
		if c.has("raw") {
			s.printf(" type=unknown\n")
		} else {
			s.printf("No current block job for %s\n", path)
		}
		return nil
	}
	names := []string{"Unknown job", "Block Pull", "Block Copy", "Block Commit", "Active Block Commit", "Backup"}
	name := names[0]
	if int(info.Type) < len(names) {
		name = names[info.Type]
	}
	if c.has("raw") {
		s.printf(" type=%d\n bandwidth=%d\n cur=%d\n end=%d\n", info.Type, info.Bandwidth, info.Cur, info.End)
		return nil
	}
	pct := 100.0
	if info.End != 0 {
		pct = 100 * float64(info.Cur) / float64(info.End)
	}
	s.printf("%s: [%3d %%]", name, int(pct))
	if info.Bandwidth != 0 {
		s.printf("    Bandwidth limit: %d bytes/s", info.Bandwidth)
	}
	s.printf("\n")
	return nil
}

func cmdBlockresize(s *session, c *call) error {
	dom, path, err := s.domainAndPath(c, "path")
	if err != nil {
		return err
	}
	size, _, err := c.scaled("size", 1024, 1<<63-1)
	if err != nil {
		return err
	}
	// Sizes are given in KiB unless a unit says otherwise; libvirt wants
	// bytes.
	j, err := dom.BlockJobs("virDomainBlockResize")
	if err == nil {
		err = j.BlockResize(s.ctx, dom.Ref(), path, size, 1) // VIR_DOMAIN_BLOCK_RESIZE_BYTES
	}
	if err != nil {
		return fail(err, "Failed to resize block device '%s'", path)
	}
	s.extraf("Block device '%s' is resized\n", path)
	return nil
}

func cmdDomblkthreshold(s *session, c *call) error {
	dom, dev, err := s.domainAndPath(c, "dev")
	if err != nil {
		return err
	}
	threshold, _, err := c.scaled("threshold", 1, 1<<64-1)
	if err != nil {
		return err
	}
	j, err := dom.BlockJobs("virDomainSetBlockThreshold")
	if err != nil {
		return err
	}
	return j.SetBlockThreshold(s.ctx, dom.Ref(), dev, threshold, 0)
}

func cmdDompmsuspend(s *session, c *call) error {
	dom, name, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	dur, _, err := c.uint64("duration")
	if err != nil {
		return err
	}
	target, _, err := c.str("target")
	if err != nil {
		return err
	}
	t := indexOf([]string{"mem", "disk", "hybrid"}, target)
	if t < 0 {
		return fail(errNoCause, "Invalid target")
	}
	p, err := dom.PowerManager("virDomainPMSuspendForDuration")
	if err == nil {
		err = p.PMSuspend(s.ctx, dom.Ref(), uint32(t), dur, 0)
	}
	if err != nil {
		return fail(err, "Domain '%s' could not be suspended", name)
	}
	s.extraf("Domain '%s' successfully suspended\n", name)
	return nil
}

func cmdDompmwakeup(s *session, c *call) error {
	dom, name, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	p, err := dom.PowerManager("virDomainPMWakeup")
	if err == nil {
		err = p.PMWakeup(s.ctx, dom.Ref(), 0)
	}
	if err != nil {
		return fail(err, "Domain '%s' could not be woken up", name)
	}
	s.extraf("Domain '%s' successfully woken up\n", name)
	return nil
}

func cmdLxcEnterNamespace(s *session, c *call) error {
	dom, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	ns, err := dom.Namespaces("virDomainLxcOpenNamespace")
	if err != nil {
		return err
	}
	if _, err := ns.LxcOpenNamespace(s.ctx, dom.Ref(), 0); err != nil {
		return err
	}
	return fail(errNoCause, "entering a container's namespaces is not supported by govirt")
}

func cmdDomFdAssociate(s *session, c *call) error {
	dom, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	name, _, err := c.str("name")
	if err != nil {
		return err
	}
	fdStr, _, err := c.str("pass-fds")
	if err != nil {
		return err
	}
	var fds []int
	for _, f := range strings.Split(fdStr, ",") {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 {
			return fail(errNoCause, "Unable to parse FD number '%s'", f)
		}
		fds = append(fds, n)
	}
	var flags uint32
	if c.has("seclabel-restore") {
		flags |= 1 << 0
	}
	if c.has("seclabel-writable") {
		flags |= 1 << 1
	}
	ns, err := dom.Namespaces("virDomainFDAssociate")
	if err != nil {
		return err
	}
	return ns.FDAssociate(s.ctx, dom.Ref(), name, fds, flags)
}

// migrationCall runs one of the migrate-* tunables.
func migrationCall(s *session, c *call, api string, run func(virt.DomainMigration, virt.DomainRef) error) error {
	dom, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	return migrationOn(dom, api, run)
}

func migrationOn(dom *virt.Domain, api string, run func(virt.DomainMigration, virt.DomainRef) error) error {
	m, err := dom.Migration(api)
	if err != nil {
		return err
	}
	return run(m, dom.Ref())
}

func cmdMigrateSetmaxdowntime(s *session, c *call) error {
	dom, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	v, _, err := c.uint64("downtime")
	if err != nil {
		return err
	}
	if v < 1 {
		return fail(errNoCause, "Invalid downtime.")
	}
	return migrationOn(dom, "virDomainMigrateSetMaxDowntime", func(m virt.DomainMigration, r virt.DomainRef) error {
		return m.MigrateSetMaxDowntime(s.ctx, r, v, 0)
	})
}

func cmdMigrateGetmaxdowntime(s *session, c *call) error {
	return migrationCall(s, c, "virDomainMigrateGetMaxDowntime", func(m virt.DomainMigration, r virt.DomainRef) error {
		v, err := m.MigrateGetMaxDowntime(s.ctx, r, 0)
		if err != nil {
			return err
		}
		s.printf("%d\n", v)
		return nil
	})
}

func cmdMigrateCompcache(s *session, c *call) error {
	dom, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	size, haveSize, err := c.scaled("size", 1, 1<<64-1)
	if err != nil {
		return err
	}
	if haveSize {
		if err := migrationOn(dom, "virDomainMigrateSetCompressionCache", func(m virt.DomainMigration, r virt.DomainRef) error {
			return m.MigrateSetCompressionCache(s.ctx, r, size, 0)
		}); err != nil {
			return err
		}
	}
	return migrationOn(dom, "virDomainMigrateGetCompressionCache", func(m virt.DomainMigration, r virt.DomainRef) error {
		v, err := m.MigrateGetCompressionCache(s.ctx, r, 0)
		if err != nil {
			return err
		}
		f, u := prettyCapacity(v)
		s.printf("Compression cache: %.3f %s\n", f, u)
		return nil
	})
}

func cmdMigrateSetspeed(s *session, c *call) error {
	dom, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	bw, _, err := c.uint64("bandwidth")
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("postcopy") {
		flags = 1
	}
	return migrationOn(dom, "virDomainMigrateSetMaxSpeed", func(m virt.DomainMigration, r virt.DomainRef) error {
		return m.MigrateSetMaxSpeed(s.ctx, r, bw, flags)
	})
}

func cmdMigrateGetspeed(s *session, c *call) error {
	var flags uint32
	if c.has("postcopy") {
		flags = 1
	}
	return migrationCall(s, c, "virDomainMigrateGetMaxSpeed", func(m virt.DomainMigration, r virt.DomainRef) error {
		v, err := m.MigrateGetMaxSpeed(s.ctx, r, flags)
		if err != nil {
			return err
		}
		s.printf("%d\n", v)
		return nil
	})
}

func cmdMigratePostcopy(s *session, c *call) error {
	return migrationCall(s, c, "virDomainMigrateStartPostCopy", func(m virt.DomainMigration, r virt.DomainRef) error {
		return m.MigrateStartPostCopy(s.ctx, r, 0)
	})
}

func cmdMigrate(s *session, c *call) error {
	dom, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	dest, _, err := c.str("desturi")
	if err != nil {
		return err
	}
	api := "virDomainMigrate3"
	if c.has("p2p") || c.has("direct") {
		api = "virDomainMigrateToURI3"
	} else {
		// virsh opens the destination itself unless the source does.
		dc, err := s.open(dest, false)
		if err != nil {
			var ce *cmdError
			for errorsAs(err, &ce) {
				err = ce.cause
			}
			return err
		}
		defer dc.Close()
	}
	return migrationOn(dom, api, func(m virt.DomainMigration, r virt.DomainRef) error {
		return m.Migrate(s.ctx, r, dest, nil, 0)
	})
}

func cmdQemuAttach(s *session, c *call) error {
	pidStr, _, err := c.str("pid")
	if err != nil {
		return err
	}
	pid, err := strconv.ParseUint(pidStr, 10, 32)
	if err != nil {
		return fail(errNoCause, "missing pid value '%s'", pidStr)
	}
	q, err := s.conn.Qemu("virDomainQemuAttach")
	if err == nil {
		var ref virt.DomainRef
		if ref, err = q.QemuAttach(s.ctx, uint32(pid), 0); err == nil {
			s.extraf("Domain '%s' attached to pid %d\n", ref.Name, pid)
			return nil
		}
	}
	return fail(err, "Failed to attach to pid %d", pid)
}

func cmdQemuMonitorCommand(s *session, c *call) error {
	dom, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	cmd := strings.Join(c.argv("cmd"), " ")
	var flags uint32
	if c.has("hmp") {
		flags = 1
	}
	q, err := dom.Qemu("virDomainQemuMonitorCommand")
	if err != nil {
		return err
	}
	out, err := q.QemuMonitorCommand(s.ctx, dom.Ref(), cmd, flags)
	if err != nil {
		return err
	}
	s.printf("%s\n", out)
	return nil
}

func cmdQemuAgentCommand(s *session, c *call) error {
	dom, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	cmd := strings.Join(c.argv("cmd"), " ")
	timeout := -2 // VIR_DOMAIN_QEMU_AGENT_COMMAND_DEFAULT
	if v, ok, err := c.int("timeout"); err != nil {
		return err
	} else if ok {
		if v < 1 {
			return fail(errNoCause, "timeout value must be positive")
		}
		timeout = v
	}
	if c.has("async") {
		timeout = 0
	}
	if c.has("block") {
		timeout = -1
	}
	q, err := dom.Qemu("virDomainQemuAgentCommand")
	if err != nil {
		return err
	}
	out, err := q.QemuAgentCommand(s.ctx, dom.Ref(), cmd, timeout, 0)
	if err != nil {
		return err
	}
	s.printf("%s\n", out)
	return nil
}

func cmdQemuMonitorEvent(s *session, c *call) error {
	if v, ok := c.find("timeout"); ok {
		if n, err := parseCUint(v.data, 32); err != nil || n == 0 {
			return malformed(v.data, "timeout")
		}
	}
	if c.has("domain") {
		if _, _, err := s.domainArg(c, "domain"); err != nil {
			return err
		}
	}
	event, _, _ := c.str("event")
	q, err := s.conn.Qemu("virConnectDomainQemuMonitorEventRegister")
	if err != nil {
		return err
	}
	ch, err := q.QemuMonitorEvents(s.ctx, event, 0)
	if err != nil {
		return err
	}
	for range ch {
	}
	return nil
}

func cmdBackupBegin(s *session, c *call) error {
	dom, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	backup, checkpoint := "", ""
	if f, ok, _ := c.str("backupxml"); ok {
		if backup, err = s.readFile(f); err != nil {
			return err
		}
	}
	if f, ok, _ := c.str("checkpointxml"); ok {
		if checkpoint, err = s.readFile(f); err != nil {
			return err
		}
	}
	var flags uint32
	if c.has("reuse-external") {
		flags = 1
	}
	b, err := dom.Backups("virDomainBackupBegin")
	if err != nil {
		return err
	}
	if err := b.BackupBegin(s.ctx, dom.Ref(), backup, checkpoint, flags); err != nil {
		return err
	}
	s.extraf("Backup started\n")
	return nil
}

func cmdBackupDumpxml(s *session, c *call) error {
	dom, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	b, err := dom.Backups("virDomainBackupGetXMLDesc")
	if err != nil {
		return err
	}
	x, err := b.BackupXML(s.ctx, dom.Ref(), 0)
	if err != nil {
		return err
	}
	return s.printXML(c, x)
}

// graphics returns the <graphics> elements of the running domain's XML.
func (s *session) graphics(dom *virt.Domain, flags virt.DomainXMLFlags) ([]*xmldoc.Node, error) {
	doc, err := dom.XML(s.ctx, flags)
	if err != nil {
		return nil, err
	}
	root, err := xmldoc.Parse([]byte(doc))
	if err != nil {
		return nil, err
	}
	var out []*xmldoc.Node
	if devs := root.Child("devices"); devs != nil {
		for _, d := range devs.Children {
			if d.Name == "graphics" {
				out = append(out, d)
			}
		}
	}
	return out, nil
}

func (s *session) requireRunning(dom *virt.Domain) error {
	on, err := dom.IsActive(s.ctx)
	if err != nil {
		return err
	}
	if !on {
		return fail(errNoCause, "Domain is not running")
	}
	return nil
}

// listenAddr returns a graphics element's listen address.
func listenAddr(g *xmldoc.Node) string {
	if v, ok := g.Attr("listen"); ok {
		return v
	}
	if l := g.Child("listen"); l != nil {
		v, _ := l.Attr("address")
		return v
	}
	return ""
}

func cmdVncdisplay(s *session, c *call) error {
	dom, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	if err := s.requireRunning(dom); err != nil {
		return err
	}
	gs, err := s.graphics(dom, 0)
	if err != nil {
		return err
	}
	for _, g := range gs {
		if t, _ := g.Attr("type"); t != "vnc" {
			continue
		}
		p, _ := g.Attr("port")
		port, err := strconv.Atoi(p)
		if err != nil || port <= 0 {
			break
		}
		addr := listenAddr(g)
		if addr == "" || addr == "0.0.0.0" || addr == "::" {
			addr = ""
		}
		s.printf("%s:%d\n", addr, port-5900)
		return nil
	}
	return fail(errNoCause, "Failed to get VNC port. Is this domain using VNC?")
}

func cmdDomdisplay(s *session, c *call) error {
	dom, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	if err := s.requireRunning(dom); err != nil {
		return err
	}
	want, haveType, _ := c.str("type")
	var flags virt.DomainXMLFlags
	if c.has("include-password") {
		flags |= virt.DomainXMLFlags(1) // VIR_DOMAIN_XML_SECURE
	}
	gs, err := s.graphics(dom, flags)
	if err != nil {
		return err
	}
	found := false
	for _, g := range gs {
		typ, _ := g.Attr("type")
		if haveType && typ != want {
			continue
		}
		if typ != "vnc" && typ != "spice" && typ != "rdp" {
			continue
		}
		p, _ := g.Attr("port")
		port, _ := strconv.Atoi(p)
		tp, _ := g.Attr("tlsPort")
		tlsPort, _ := strconv.Atoi(tp)
		if port <= 0 && tlsPort <= 0 {
			continue
		}
		addr := listenAddr(g)
		if addr == "" || addr == "0.0.0.0" || addr == "::" {
			addr = "localhost"
		} else if strings.Contains(addr, ":") {
			addr = "[" + addr + "]"
		}
		uri := typ + "://"
		if pw, ok := g.Attr("passwd"); ok && c.has("include-password") {
			uri += ":" + pw + "@"
		}
		uri += addr
		if port > 0 {
			if typ == "vnc" {
				port -= 5900
			}
			uri += ":" + strconv.Itoa(port)
		}
		if tlsPort > 0 {
			sep := "?"
			uri += sep + "tls-port=" + strconv.Itoa(tlsPort)
		}
		s.printf("%s\n", uri)
		found = true
		if !c.has("all") {
			break
		}
	}
	if !found {
		return fail(errNoCause, "No graphical display found")
	}
	return nil
}

func cmdTtyconsole(s *session, c *call) error {
	dom, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	doc, err := dom.XML(s.ctx, 0)
	if err != nil {
		return err
	}
	root, err := xmldoc.Parse([]byte(doc))
	if err != nil {
		return err
	}
	if devs := root.Child("devices"); devs != nil {
		for _, d := range devs.Children {
			if d.Name == "console" {
				if tty, ok := d.Attr("tty"); ok && tty != "" {
					s.printf("%s\n", tty)
					return nil
				}
				break
			}
		}
	}
	return errReported
}

func cmdUpdateMemoryDevice(s *session, c *call) error {
	flags, _, err := devModifyFlags(c, false)
	if err != nil {
		return err
	}
	dom, _, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	alias, haveAlias, _ := c.str("alias")
	node, haveNode, err := c.uint("node")
	if err != nil {
		return err
	}
	size, haveSize, err := c.scaled("requested-size", 1024, 1<<63-1)
	if err != nil {
		return err
	}
	devs, err := s.domainDevices(dom, flags == virt.AffectConfig)
	if err != nil {
		return err
	}
	var matches []*xmldoc.Node
	for _, d := range devs {
		if d.Name != "memory" {
			continue
		}
		if m, _ := d.Attr("model"); m != "virtio-mem" {
			continue
		}
		if haveAlias {
			if a := d.Child("alias"); a == nil {
				continue
			} else if v, _ := a.Attr("name"); v != alias {
				continue
			}
		}
		if haveNode {
			t := d.Child("target")
			if t == nil {
				continue
			}
			if n, _ := childText(t, "node"); strings.TrimSpace(n) != strconv.FormatUint(uint64(node), 10) {
				continue
			}
		}
		matches = append(matches, d)
	}
	switch {
	case len(matches) == 0:
		return fail(errNoCause, "no memory device found")
	case len(matches) > 1:
		return fail(errNoCause, "multiple memory devices found, use --alias or --node to select one")
	}
	mem := matches[0]
	if haveSize {
		t := mem.Child("target")
		if t == nil {
			t = &xmldoc.Node{Name: "target"}
			mem.Children = append(mem.Children, t)
		}
		req := t.Child("requested")
		if req == nil {
			req = &xmldoc.Node{Name: "requested"}
			t.Children = append(t.Children, req)
		}
		req.Attrs = []xmldoc.Attr{{Name: "unit", Value: "KiB"}}
		req.Text = strconv.FormatUint(size/1024, 10)
	}
	xml := libxmlDump(mem, 2, "")
	if c.has("print-xml") {
		s.print(xml)
		return nil
	}
	return dom.UpdateDevice(s.ctx, xml, flags)
}

// errorsAs is errors.As for cmdError chains.
func errorsAs(err error, target **cmdError) bool { return errors.As(err, target) }
