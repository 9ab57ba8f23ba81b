package qemu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/govirt/govirt/internal/qmp"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// startOpts say how a guest starts.
type startOpts struct {
	paused bool
	// restore is a save image to resume from ("" for a fresh boot), with
	// the offset of the migration stream in it.
	restore       string
	restoreOffset int64
	// why is "booted" or "restored": the running reason and event detail.
	restored bool
}

// monitorTimeout bounds QEMU's start-up until its monitor answers.
const monitorTimeout = 30 * time.Second

// cmdTimeout bounds one QMP command of the driver.
const cmdTimeout = 30 * time.Second

// qmpRun runs one command with the driver's timeout.
func qmpRun(ctx context.Context, mon *qmp.Monitor, cmd string, args, result any) error {
	ctx, cancel := context.WithTimeout(ctx, cmdTimeout)
	defer cancel()
	return mon.Run(ctx, cmd, args, result)
}

// start runs def as d's live definition. The caller holds d's job lock
// and d is shut off.
func (n *node) start(ctx context.Context, d *domain, def *virtxml.Domain, o startOpts) error {
	live := def.Clone()
	k, err := machineKindOf(machineOf(live))
	if err != nil {
		return err
	}
	if err := assignAddresses(live, k); err != nil {
		return err
	}
	assignAliases(live, k)
	emu, err := n.emulatorFor(live)
	if err != nil {
		return err
	}
	caps, err := n.capsOf(ctx, emu)
	if err != nil {
		return err
	}
	if live.Type == "kvm" {
		if err := n.kvmError(ctx, caps); err != nil {
			return err
		}
	}
	if err := n.allocVNCPorts(d, live); err != nil {
		return err
	}
	if err := selectFirmware(live, n.paths.state); err != nil {
		return err
	}
	cfg := ArgvConfig{
		Emulator:        emu,
		MonitorFD:       3,
		PidFile:         n.paths.pidFile(d.name),
		TBSizeMiB:       n.drv.opts.TBSizeMiB,
		RestrictUserNet: n.drv.opts.RestrictUserNet,
		Caps:            caps,
	}
	if o.restore != "" {
		cfg.Incoming = "defer"
	}
	taps, err := n.plugInterfaces(live, &cfg, cfg.MonitorFD+1)
	if err != nil {
		return err
	}
	// QEMU gets copies of the tap devices; the driver's go once it runs.
	defer func() {
		for _, f := range taps {
			f.Close()
		}
	}()
	argv, err := BuildArgv(live, cfg)
	if err != nil {
		return err
	}
	if err := prepareFiles(live); err != nil {
		return err
	}
	sock := n.paths.monitorSocket(d.uuid.String())
	l, err := listenUnix(sock)
	if err != nil {
		return sysErr("cannot create monitor socket: %v", err)
	}
	removeIfExists(cfg.PidFile)
	logPath := n.paths.logFile(d.name)
	sp, err := spawn(argv, logPath, l, taps...)
	l.Close()
	if err != nil {
		removeIfExists(sock)
		return virt.Errorf(virt.ErrInternal, virt.FromQEMU, "cannot start %s: %v", emu, err)
	}
	// Record the new QEMU durably while it initialises: from here on, a
	// managing process that dies leaves a guest the next one re-adopts.
	id := n.allocID()
	early := &status{Version: statusVersion, Name: d.name, UUID: d.uuid.String(),
		State: virt.DomainPaused, Reason: virt.PausedStartingUp, ID: id, PID: sp.pid, StartTime: sp.startTime,
		Monitor: sock, LogOffset: sp.logOffset, Taps: tapsOf(live)}
	if b, ferr := live.Format(virtxml.FormatSecure | virtxml.FormatNamespaces); ferr == nil {
		early.XML = string(b)
	}
	stored := make(chan error, 1)
	go func() { stored <- n.storeStatus(d.name, early, true) }()
	mon, err := n.connectMonitor(ctx, sock, sp, logPath)
	var p *process
	if err == nil {
		p = newProcess(sp.pid, sp.startTime, mon)
		p.logOffset = sp.logOffset
		err = n.configure(ctx, d, live, p, o)
	}
	if err != nil {
		if mon != nil {
			// QEMU going away mid-way says why in its log.
			select {
			case <-mon.Done():
				wctx, wcancel := context.WithTimeout(ctx, 2*time.Second)
				if waitGone(wctx, sp.pid, sp.startTime) == nil {
					if tail := logTail(logPath, sp.logOffset); tail != "" {
						err = fmt.Errorf("%w: %s", err, tail)
					}
				}
				wcancel()
			default:
			}
			mon.Close()
		}
		kill(context.Background(), sp.pid, sp.startTime, time.Second)
		<-stored
		removeIfExists(sock)
		removeIfExists(cfg.PidFile)
		d.mu.Lock()
		if d.def == nil {
			removeIfExists(n.paths.statusFile(d.name))
		} else {
			n.writeStatus(d, false)
		}
		d.mu.Unlock()
		return err
	}
	if err := <-stored; err != nil {
		n.log.Warn("cannot write status", "domain", d.name, "err", err)
	}
	setPtys(live, p.ptys)
	d.mu.Lock()
	d.live, d.proc, d.id = live, p, id
	reason, detail := virt.RunningBooted, virt.DetailStartedBooted
	if o.restored {
		reason, detail = virt.RunningRestored, virt.DetailStartedRestored
	}
	if o.paused {
		d.setState(virt.DomainPaused, virt.PausedUser)
	} else {
		d.setState(virt.DomainRunning, reason)
	}
	if err := n.writeStatus(d, false); err != nil {
		n.log.Warn("cannot write status", "domain", d.name, "err", err)
	}
	d.emit(virt.EventStarted, detail)
	if o.paused {
		d.emit(virt.EventSuspended, virt.DetailSuspendedPaused)
	}
	d.mu.Unlock()
	n.supervise(d, p)
	return nil
}

// connectMonitor connects to a starting QEMU's monitor. If QEMU exits
// first, the error carries what it wrote to its log.
func (n *node) connectMonitor(ctx context.Context, sock string, sp *spawned, logPath string) (*qmp.Monitor, error) {
	mctx, cancel := context.WithTimeout(ctx, monitorTimeout)
	defer cancel()
	conn, err := dialUnix(mctx, sock)
	var mon *qmp.Monitor
	if err == nil {
		mon, err = qmp.New(mctx, conn)
		if err != nil {
			conn.Close()
		}
	}
	if err == nil {
		return mon, nil
	}
	// Give QEMU a moment to finish dying, so that its log says why.
	wctx, wcancel := context.WithTimeout(ctx, 2*time.Second)
	gone := waitGone(wctx, sp.pid, sp.startTime) == nil
	wcancel()
	tail := logTail(logPath, sp.logOffset)
	if gone {
		return nil, virt.Errorf(virt.ErrInternal, virt.FromQEMU, "qemu unexpectedly closed the monitor: %s", tail)
	}
	return nil, virt.Errorf(virt.ErrInternal, virt.FromQEMU, "QEMU's monitor did not answer: %v", err)
}

// configure finishes a start: pseudo-terminals, passwords, balloon and
// link state, an incoming migration for a restore, and cont.
func (n *node) configure(ctx context.Context, d *domain, live *virtxml.Domain, p *process, o startOpts) error {
	mon := p.mon
	fail := func(what string, err error) error {
		return virt.Errorf(virt.ErrInternal, virt.FromQEMU, "%s: %v", what, err)
	}
	if hasPty(live) {
		var chardevs []struct {
			Label    string `json:"label"`
			Filename string `json:"filename"`
		}
		if err := qmpRun(ctx, mon, "query-chardev", nil, &chardevs); err != nil {
			return fail("cannot look up pseudo-terminals", err)
		}
		for _, c := range chardevs {
			if path, ok := strings.CutPrefix(c.Filename, "pty:"); ok {
				p.ptys[strings.TrimPrefix(c.Label, "char")] = path
			}
		}
	}
	for _, g := range live.Devices.Graphics {
		if g.Type == "vnc" && g.Passwd != "" {
			if err := qmpRun(ctx, mon, "set_password", map[string]any{"protocol": "vnc", "password": g.Passwd}, nil); err != nil {
				return fail("cannot set the VNC password", err)
			}
		}
	}
	if cur, max := memCurrent(live), memTotal(live); cur < max && live.Devices.MemBalloon != nil && live.Devices.MemBalloon.Model == "virtio" {
		if err := qmpRun(ctx, mon, "balloon", map[string]any{"value": cur * 1024}, nil); err != nil {
			return fail("cannot set the balloon target", err)
		}
	}
	if mb := live.Devices.MemBalloon; mb != nil && mb.Stats != nil && mb.Stats.Period > 0 && mb.Alias != nil {
		args := map[string]any{"path": "/machine/peripheral/" + mb.Alias.Name, "property": "guest-stats-polling-interval", "value": mb.Stats.Period}
		if err := qmpRun(ctx, mon, "qom-set", args, nil); err != nil {
			return fail("cannot set the balloon statistics period", err)
		}
	}
	for _, ifc := range live.Devices.Interfaces {
		if ifc.Link != nil && ifc.Link.State == "down" {
			if err := qmpRun(ctx, mon, "set_link", map[string]any{"name": ifc.Alias.Name, "up": false}, nil); err != nil {
				return fail("cannot set the link state", err)
			}
		}
	}
	if o.restore != "" {
		if err := incoming(ctx, mon, o.restore, o.restoreOffset); err != nil {
			return err
		}
	}
	if o.paused {
		return nil
	}
	p.expectResume++
	if err := qmpRun(ctx, mon, "cont", nil, nil); err != nil {
		return fail("cannot resume the guest", err)
	}
	return nil
}

func hasPty(def *virtxml.Domain) bool {
	dv := def.Devices
	for _, l := range [][]virtxml.Chardev{dv.Serials, dv.Consoles, dv.Channels} {
		for _, c := range l {
			if c.Type == "pty" {
				return true
			}
		}
	}
	return false
}

// prepareFiles creates what the guest's files need before QEMU opens
// them: the NVRAM store copied from its template.
func prepareFiles(def *virtxml.Domain) error {
	os := def.OS
	if os == nil || os.NVRAM == nil || os.NVRAM.Path == "" || exists(os.NVRAM.Path) {
		return nil
	}
	if os.NVRAM.Template == "" {
		return unsupported("NVRAM file %s is missing and no template is given", os.NVRAM.Path)
	}
	if err := mkdirFor(os.NVRAM.Path); err != nil {
		return sysErr("cannot create NVRAM file: %v", err)
	}
	if err := copyFile(os.NVRAM.Template, os.NVRAM.Path); err != nil {
		return sysErr("cannot create NVRAM file: %v", err)
	}
	return nil
}

// allocVNCPorts chooses ports for autoport VNC graphics: the first free
// port from 5900 that no other guest of the node uses.
func (n *node) allocVNCPorts(d *domain, live *virtxml.Domain) error {
	var want []*virtxml.Graphics
	for i := range live.Devices.Graphics {
		g := &live.Devices.Graphics[i]
		if g.Type == "vnc" && g.AutoPort == "yes" && (g.Port == nil || *g.Port < 5900) && (len(g.Listens) == 0 || g.Listens[0].Type == "address") {
			want = append(want, g)
		}
	}
	if len(want) == 0 {
		return nil
	}
	used := map[int]bool{}
	for _, o := range n.all() {
		if o == d {
			continue
		}
		o.mu.Lock()
		if o.live != nil {
			for _, g := range o.live.Devices.Graphics {
				if g.Port != nil {
					used[*g.Port] = true
				}
			}
		}
		o.mu.Unlock()
	}
	port := 5900
	for _, g := range want {
		listen := g.Listen
		if listen == "" {
			listen = "127.0.0.1"
		}
		for ; port < 65536; port++ {
			if used[port] {
				continue
			}
			l, err := net.Listen("tcp", net.JoinHostPort(listen, strconv.Itoa(port)))
			if err != nil {
				continue
			}
			l.Close()
			break
		}
		if port >= 65536 {
			return virt.Errorf(virt.ErrInternal, virt.FromQEMU, "Unable to find an unused port in range 'display' (5900-65535)")
		}
		p := port
		g.Port = &p
		used[port] = true
	}
	return nil
}

// parseEventData decodes an event's data.
func parseEventData(ev qmp.Event, v any) {
	if len(ev.Data) > 0 {
		_ = json.Unmarshal(ev.Data, v)
	}
}

// isClosed reports whether err means QEMU's monitor went away.
func isClosed(err error) bool { return errors.Is(err, qmp.ErrClosed) }
