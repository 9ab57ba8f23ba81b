package qemu

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/internal/qmp"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// saveMagic starts a save image: the first line, then a line of JSON
// (saveHeader), then zero padding up to the migration stream at Offset.
const saveMagic = "GovirtQemuSave 1"

// saveHeader describes a save image.
type saveHeader struct {
	// XML is the running definition at save time.
	XML string `json:"xml"`
	// Running says whether the guest ran (else was paused) when saved.
	Running bool `json:"running"`
	// Offset is where QEMU's migration stream starts.
	Offset int64 `json:"offset"`
}

// Save flags (virDomainSaveRestoreFlags).
const (
	saveBypassCache = 1
	saveRunning     = 2
	savePaused      = 4
)

// migrationTimeout bounds a save or restore stream.
const migrationTimeout = 10 * time.Minute

// writeSaveHeader creates path with the header of a save image.
func writeSaveHeader(path string, h saveHeader) error {
	h.Offset = 0
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	size := int64(len(saveMagic) + 1 + len(b) + 1 + 64)
	h.Offset = (size + 4095) / 4096 * 4096
	b, err = json.Marshal(h)
	if err != nil {
		return err
	}
	buf := make([]byte, h.Offset)
	n := copy(buf, saveMagic+"\n")
	n += copy(buf[n:], b)
	buf[n] = '\n'
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(buf); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// readSaveHeader reads the header of a save image.
func readSaveHeader(path string) (*saveHeader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(io.LimitReader(f, 64<<20), 64<<10)
	magic, err := r.ReadString('\n')
	if err != nil || strings.TrimSuffix(magic, "\n") != saveMagic {
		return nil, fmt.Errorf("%s is not a govirt QEMU save image", path)
	}
	line, err := r.ReadBytes('\n')
	if err != nil {
		return nil, fmt.Errorf("%s: truncated header", path)
	}
	var h saveHeader
	if err := json.Unmarshal(line, &h); err != nil || h.Offset <= 0 {
		return nil, fmt.Errorf("%s: bad header", path)
	}
	return &h, nil
}

// waitMigration polls query-migrate until the stream completes.
func waitMigration(ctx context.Context, mon *qmp.Monitor) error {
	delay := 2 * time.Millisecond
	for {
		var st struct {
			Status    string `json:"status"`
			ErrorDesc string `json:"error-desc"`
		}
		if err := qmpRun(ctx, mon, "query-migrate", nil, &st); err != nil {
			return err
		}
		switch st.Status {
		case "completed":
			return nil
		case "failed", "cancelled":
			if st.ErrorDesc == "" {
				st.ErrorDesc = st.Status
			}
			return fmt.Errorf("migration %s", st.ErrorDesc)
		}
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return ctx.Err()
		}
		if delay < 50*time.Millisecond {
			delay *= 2
		}
	}
}

// incoming loads a save image's migration stream into a QEMU started with
// -incoming defer.
func incoming(ctx context.Context, mon *qmp.Monitor, path string, offset int64) error {
	ctx, cancel := context.WithTimeout(ctx, migrationTimeout)
	defer cancel()
	uri := "exec:tail -c +" + strconv.FormatInt(offset+1, 10) + " " + shellQuote(path)
	if err := mon.Run(ctx, "migrate-incoming", map[string]any{"uri": uri}, nil); err != nil {
		return virt.Errorf(virt.ErrOperationFailed, virt.FromQEMU, "cannot restore from %s: %v", path, err)
	}
	if err := waitMigration(ctx, mon); err != nil {
		return virt.Errorf(virt.ErrOperationFailed, virt.FromQEMU, "cannot restore from %s: %v", path, err)
	}
	return nil
}

// saveTo stops d into a save image at path. The caller holds the job lock.
func (n *node) saveTo(ctx context.Context, d *domain, path string, flags uint32) error {
	p, err := d.running()
	if err != nil {
		return err
	}
	d.mu.Lock()
	wasRunning := d.state == virt.DomainRunning
	prevState, prevReason := d.state, d.reason
	xml, ferr := d.live.Format(virtxml.FormatSecure | virtxml.FormatNamespaces)
	if wasRunning {
		p.expectStop++
	}
	d.mu.Unlock()
	if ferr != nil {
		return virt.Errorf(virt.ErrInternal, virt.FromQEMU, "format domain: %v", ferr)
	}
	running := wasRunning
	if flags&saveRunning != 0 {
		running = true
	} else if flags&savePaused != 0 {
		running = false
	}
	undo := func(err error) error {
		qmpRun(ctx, p.mon, "migrate_cancel", nil, nil)
		if wasRunning {
			d.mu.Lock()
			p.expectResume++
			d.mu.Unlock()
			qmpRun(ctx, p.mon, "cont", nil, nil)
		}
		d.mu.Lock()
		if d.proc == p {
			d.setState(prevState, prevReason)
		}
		d.mu.Unlock()
		return err
	}
	if wasRunning {
		if err := qmpRun(ctx, p.mon, "stop", nil, nil); err != nil {
			return qmpError("cannot pause the guest", err)
		}
		d.mu.Lock()
		d.setState(virt.DomainPaused, virt.PausedSave)
		d.mu.Unlock()
	}
	tmp := path + ".partial"
	if err := writeSaveHeader(tmp, saveHeader{XML: string(xml), Running: running}); err != nil {
		return undo(sysErr("cannot write save image %s: %v", path, err))
	}
	h, err := readSaveHeader(tmp)
	if err != nil {
		removeIfExists(tmp)
		return undo(sysErr("cannot write save image %s: %v", path, err))
	}
	mctx, cancel := context.WithTimeout(ctx, migrationTimeout)
	defer cancel()
	// QEMU limits migration bandwidth by default; a save wants it all.
	qmpRun(mctx, p.mon, "migrate-set-parameters", map[string]any{"max-bandwidth": int64(1) << 40}, nil)
	uri := "exec:cat >> " + shellQuote(tmp)
	if err := p.mon.Run(mctx, "migrate", map[string]any{"uri": uri}, nil); err != nil {
		removeIfExists(tmp)
		return undo(qmpError("cannot save the guest", err))
	}
	if err := waitMigration(mctx, p.mon); err != nil {
		removeIfExists(tmp)
		return undo(virt.Errorf(virt.ErrOperationFailed, virt.FromQEMU, "cannot save the guest: %v", err))
	}
	if st, err := os.Stat(tmp); err != nil || st.Size() <= h.Offset {
		removeIfExists(tmp)
		return undo(virt.Errorf(virt.ErrOperationFailed, virt.FromQEMU, "cannot save the guest: empty migration stream"))
	}
	if err := syncFile(tmp); err != nil {
		removeIfExists(tmp)
		return undo(sysErr("cannot sync save image: %v", err))
	}
	if err := os.Rename(tmp, path); err != nil {
		removeIfExists(tmp)
		return undo(sysErr("cannot write save image %s: %v", path, err))
	}
	syncDir(filepath.Dir(path))
	d.mu.Lock()
	p.saving = true
	d.mu.Unlock()
	return n.stopProcess(ctx, p)
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// restoreImage starts d from a save image. The caller holds the job lock
// and d is shut off.
func (n *node) restoreImage(ctx context.Context, d *domain, path string, paused bool) error {
	h, err := readSaveHeader(path)
	if err != nil {
		return virt.Errorf(virt.ErrOperationFailed, virt.FromQEMU, "%v", err)
	}
	def, err := virtxml.ParseDomain([]byte(h.XML))
	if err != nil {
		return virt.FromXMLError(err, virt.FromDomain)
	}
	if def.UUID != d.uuid || def.Name != d.name {
		return virt.Errorf(virt.ErrInvalidArg, virt.FromQEMU, "save image %s is of domain '%s', not '%s'", path, def.Name, d.name)
	}
	return n.start(ctx, d, def, startOpts{
		paused:        paused || !h.Running,
		restore:       path,
		restoreOffset: h.Offset,
		restored:      true,
	})
}

// ManagedSaveDomain implements virt.DomainSaver.
func (c *conn) ManagedSaveDomain(ctx context.Context, ref virt.DomainRef, flags uint32) error {
	if err := driver.CheckFlags(virt.FromQEMU, flags, saveBypassCache|saveRunning|savePaused, "qemuDomainManagedSave"); err != nil {
		return err
	}
	d, err := c.withJob(ctx, ref)
	if err != nil {
		return err
	}
	defer d.endJob()
	d.mu.Lock()
	transient := d.def == nil
	d.mu.Unlock()
	if transient {
		return virt.Errorf(virt.ErrOperationInvalid, virt.FromQEMU, "cannot do managed save for transient domain")
	}
	return c.node.saveTo(ctx, d, c.node.paths.managedSaveFile(d.name), flags)
}

// ManagedSaveRemove implements virt.DomainSaver.
func (c *conn) ManagedSaveRemove(ctx context.Context, ref virt.DomainRef, flags uint32) error {
	if err := driver.CheckFlags(virt.FromQEMU, flags, 0, "qemuDomainManagedSaveRemove"); err != nil {
		return err
	}
	d, err := c.lookup(ref)
	if err != nil {
		return err
	}
	if err := removeIfExists(c.node.paths.managedSaveFile(d.name)); err != nil {
		return sysErr("Failed to remove managed save file: %v", err)
	}
	return nil
}

// SaveDomain implements virt.DomainFileSaver: the guest stops into a save
// image at path.
func (c *conn) SaveDomain(ctx context.Context, ref virt.DomainRef, path, dxml string, flags uint32) error {
	if err := driver.CheckFlags(virt.FromQEMU, flags, saveBypassCache|saveRunning|savePaused, "qemuDomainSaveFlags"); err != nil {
		return err
	}
	if dxml != "" {
		return virt.Errorf(virt.ErrArgumentUnsupported, virt.FromQEMU, "xml modification of a saved domain is not supported")
	}
	if !filepath.IsAbs(path) {
		return virt.Errorf(virt.ErrInvalidArg, virt.FromQEMU, "save path %s must be absolute", path)
	}
	d, err := c.withJob(ctx, ref)
	if err != nil {
		return err
	}
	defer d.endJob()
	return c.node.saveTo(ctx, d, path, flags)
}

// RestoreDomain implements virt.DomainFileSaver: the saved guest runs
// again, as the persistent domain it came from if that exists, else as a
// transient one.
func (c *conn) RestoreDomain(ctx context.Context, path, dxml string, flags uint32) error {
	if err := driver.CheckFlags(virt.FromQEMU, flags, saveBypassCache|saveRunning|savePaused, "qemuDomainRestoreFlags"); err != nil {
		return err
	}
	if dxml != "" {
		return virt.Errorf(virt.ErrArgumentUnsupported, virt.FromQEMU, "xml modification of a saved domain is not supported")
	}
	h, err := readSaveHeader(path)
	if err != nil {
		return virt.Errorf(virt.ErrOperationFailed, virt.FromQEMU, "%v", err)
	}
	def, err := virtxml.ParseDomain([]byte(h.XML))
	if err != nil {
		return virt.FromXMLError(err, virt.FromDomain)
	}
	d, fresh, err := c.node.addOrFind(def.Name, def.UUID)
	if err != nil {
		return err
	}
	active := d.active()
	d.mu.Unlock()
	if active {
		return virt.Errorf(virt.ErrOperationInvalid, virt.FromQEMU, "domain '%s' is already active", def.Name)
	}
	if err := d.beginJob(ctx); err != nil {
		return err
	}
	defer d.endJob()
	paused := flags&savePaused != 0 || (!h.Running && flags&saveRunning == 0)
	err = c.node.start(ctx, d, def, startOpts{paused: paused, restore: path, restoreOffset: h.Offset, restored: true})
	if err != nil && fresh {
		d.mu.Lock()
		if d.def == nil && !d.active() {
			d.removed = true
			c.node.remove(d)
		}
		d.mu.Unlock()
	}
	return err
}

// SaveImageXML implements virt.DomainFileSaver.
func (c *conn) SaveImageXML(ctx context.Context, path string, flags uint32) (string, error) {
	if err := driver.CheckFlags(virt.FromQEMU, flags, uint32(virt.XMLSecure), "qemuDomainSaveImageGetXMLDesc"); err != nil {
		return "", err
	}
	h, err := readSaveHeader(path)
	if err != nil {
		return "", virt.Errorf(virt.ErrOperationFailed, virt.FromQEMU, "%v", err)
	}
	def, err := virtxml.ParseDomain([]byte(h.XML))
	if err != nil {
		return "", virt.FromXMLError(err, virt.FromDomain)
	}
	ff := virtxml.FormatInactive | virtxml.FormatNamespaces
	if flags&uint32(virt.XMLSecure) != 0 {
		ff |= virtxml.FormatSecure
	}
	b, err := def.Format(ff)
	if err != nil {
		return "", virt.Errorf(virt.ErrInternal, virt.FromQEMU, "format domain: %v", err)
	}
	return string(b), nil
}

// Core dump flags (virDomainCoreDumpFlags).
const (
	dumpCrash       = 1
	dumpLive        = 2
	dumpBypassCache = 4
	dumpReset       = 8
	dumpMemoryOnly  = 16
)

// dumpFormats maps virDomainCoreDumpFormat to QEMU's dump formats.
var dumpFormats = map[uint32]string{0: "elf", 1: "kdump-zlib", 2: "kdump-lzo", 3: "kdump-snappy", 4: "win-dmp"}

// CoreDumpDomain implements virt.DomainCoreDumper: the guest's memory as
// an ELF (or kdump) core file, written by QEMU's dump-guest-memory.
func (c *conn) CoreDumpDomain(ctx context.Context, ref virt.DomainRef, path string, format uint32, flags uint32) error {
	if err := driver.CheckFlags(virt.FromQEMU, flags, dumpCrash|dumpLive|dumpBypassCache|dumpReset|dumpMemoryOnly, "qemuDomainCoreDumpWithFormat"); err != nil {
		return err
	}
	qf, ok := dumpFormats[format]
	if !ok {
		return virt.Errorf(virt.ErrInvalidArg, virt.FromQEMU, "unknown dump format %d", format)
	}
	if flags&dumpCrash != 0 && flags&dumpReset != 0 {
		return virt.Errorf(virt.ErrInvalidArg, virt.FromQEMU, "crash and reset flags are mutually exclusive")
	}
	if !filepath.IsAbs(path) {
		return virt.Errorf(virt.ErrInvalidArg, virt.FromQEMU, "dump path %s must be absolute", path)
	}
	d, err := c.withJob(ctx, ref)
	if err != nil {
		return err
	}
	defer d.endJob()
	p, err := d.running()
	if err != nil {
		return err
	}
	d.mu.Lock()
	wasRunning := d.state == virt.DomainRunning
	d.mu.Unlock()
	paused := false
	if wasRunning && flags&dumpLive == 0 {
		d.mu.Lock()
		p.expectStop++
		d.mu.Unlock()
		if err := qmpRun(ctx, p.mon, "stop", nil, nil); err != nil {
			return qmpError("cannot pause the guest", err)
		}
		d.mu.Lock()
		d.setState(virt.DomainPaused, virt.PausedDump)
		d.mu.Unlock()
		paused = true
	}
	err = dumpGuest(ctx, p.mon, path, qf)
	if err == nil && flags&dumpCrash != 0 {
		d.mu.Lock()
		p.crashed = true
		d.mu.Unlock()
		return c.node.stopProcess(ctx, p)
	}
	if err == nil && flags&dumpReset != 0 {
		if rerr := qmpRun(ctx, p.mon, "system_reset", nil, nil); rerr != nil {
			err = qmpError("cannot reset the guest", rerr)
		}
	}
	if paused {
		d.mu.Lock()
		p.expectResume++
		d.mu.Unlock()
		if cerr := qmpRun(ctx, p.mon, "cont", nil, nil); cerr == nil {
			d.mu.Lock()
			d.setState(virt.DomainRunning, virt.RunningUnpaused)
			d.mu.Unlock()
		}
	}
	return err
}

// dumpGuest writes the guest's memory to path.
func dumpGuest(ctx context.Context, mon *qmp.Monitor, path, format string) error {
	ctx, cancel := context.WithTimeout(ctx, migrationTimeout)
	defer cancel()
	args := map[string]any{"paging": false, "protocol": "file:" + path, "format": format}
	if err := mon.Run(ctx, "dump-guest-memory", args, nil); err != nil {
		return qmpError("cannot dump the guest's memory", err)
	}
	return nil
}

// crashDump writes the automatic dump of a crashed guest (on_crash
// coredump-*) under the state folder's dump/ folder.
func (n *node) crashDump(ctx context.Context, d *domain, p *process) error {
	dir := filepath.Join(n.paths.state, "dump")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%s.core", d.name, time.Now().UTC().Format("2006-01-02-15:04:05")))
	return dumpGuest(ctx, p.mon, path, "elf")
}
