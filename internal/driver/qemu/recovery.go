package qemu

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/govirt/govirt/internal/qmp"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// recover rescans the run folder at start-up. A guest whose QEMU is
// provably ours (pid alive with the recorded start time, and its command
// line naming the domain's UUID) is re-adopted over QMP; any other is
// reported shut off with the reason its leftovers tell, and cleaned up.
func (n *node) recover(ctx context.Context) {
	files, _ := filepath.Glob(filepath.Join(n.paths.run, "*.status"))
	for _, f := range files {
		st, err := readStatus(f)
		if err != nil {
			n.log.Warn("cannot read status", "file", f, "err", err)
			continue
		}
		uuid, err := virtxml.ParseUUID(st.UUID)
		if err != nil || filepath.Base(f) != st.Name+".status" {
			n.log.Warn("bad status file", "file", f)
			continue
		}
		d := n.domainByUUID(uuid)
		if st.PID == 0 {
			// A stopped persistent domain: keep why it stopped.
			if d != nil && d.def != nil {
				d.setState(virt.DomainShutoff, st.Reason)
			} else {
				removeIfExists(f)
			}
			continue
		}
		n.recoverGuest(ctx, d, uuid, st)
	}
}

// recoverGuest re-adopts or buries the guest a running status describes.
func (n *node) recoverGuest(ctx context.Context, d *domain, uuid virt.UUID, st *status) {
	live, err := virtxml.ParseDomain([]byte(st.XML))
	if err != nil {
		n.log.Warn("cannot parse running definition", "domain", st.Name, "err", err)
	}
	if d == nil {
		if live == nil {
			removeIfExists(n.paths.statusFile(st.Name))
			return
		}
		d = newDomain(n, st.Name, uuid)
		n.insert(d)
	}
	ours := live != nil && alive(st.PID, st.StartTime) && cmdlineNames(st.PID, st.UUID)
	if ours {
		applyLive(live, st.Ptys, st.VNCPorts)
		setTaps(live, st.Taps)
		if err := n.adopt(ctx, d, live, st); err == nil {
			return
		} else {
			n.log.Warn("cannot re-adopt guest; stopping it", "domain", st.Name, "pid", st.PID, "err", err)
			kill(ctx, st.PID, st.StartTime, 3*time.Second)
			n.bury(d, virt.ShutoffFailed)
			return
		}
	}
	n.bury(d, deadReason(n.paths, st))
}

// deadReason tells from the leftovers why a guest stopped while nobody
// watched: QEMU removes its pidfile when it exits cleanly, and logs
// "terminating on signal" when it is told to.
func deadReason(p paths, st *status) int {
	if alive(st.PID, 0) && !alive(st.PID, st.StartTime) {
		return virt.ShutoffCrashed // the pid was reused: nothing is known
	}
	if exists(p.pidFile(st.Name)) {
		return virt.ShutoffCrashed // killed without a chance to clean up
	}
	if strings.Contains(logTail(p.logFile(st.Name), st.LogOffset), "terminating on signal") {
		return virt.ShutoffDestroyed
	}
	return virt.ShutoffShutdown
}

// bury shuts d off after its QEMU is gone and removes the leftovers.
func (n *node) bury(d *domain, reason int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.proc, d.live, d.id = nil, nil, -1
	d.setState(virt.DomainShutoff, reason)
	n.cleanup(d)
}

// adopt reconnects to a running guest's monitor and resumes supervising
// it, applying what happened meanwhile (a power-off, a panic).
func (n *node) adopt(ctx context.Context, d *domain, live *virtxml.Domain, st *status) error {
	mctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := dialUnix(mctx, n.paths.monitorSocket(st.UUID))
	if err != nil {
		return err
	}
	mon, err := qmp.New(mctx, conn)
	if err != nil {
		conn.Close()
		return err
	}
	var qs struct {
		Status  string `json:"status"`
		Running bool   `json:"running"`
	}
	if err := mon.Run(mctx, "query-status", nil, &qs); err != nil {
		mon.Close()
		return err
	}
	p := newProcess(st.PID, st.StartTime, mon)
	p.logOffset = st.LogOffset
	for k, v := range st.Ptys {
		p.ptys[k] = v
	}
	if len(p.ptys) == 0 && hasPty(live) {
		// The managing process died before it recorded them: ask again.
		var chardevs []struct {
			Label    string `json:"label"`
			Filename string `json:"filename"`
		}
		if err := mon.Run(mctx, "query-chardev", nil, &chardevs); err == nil {
			for _, c := range chardevs {
				if path, ok := strings.CutPrefix(c.Filename, "pty:"); ok {
					p.ptys[strings.TrimPrefix(c.Label, "char")] = path
				}
			}
			setPtys(live, p.ptys)
		}
	}
	d.mu.Lock()
	d.live, d.proc, d.id = live, p, st.ID
	n.seeID(st.ID)
	var pending int = -1
	switch qs.Status {
	case "running":
		reason := virt.RunningUnpaused
		if st.State == virt.DomainRunning {
			reason = st.Reason
		}
		d.setState(virt.DomainRunning, reason)
	case "shutdown":
		// The guest powered off while nobody watched.
		p.shutdown, p.shutdownReason = true, "guest-shutdown"
		if st.State == virt.DomainPaused && st.Reason == virt.PausedShuttingDown {
			d.setState(virt.DomainPaused, virt.PausedShuttingDown) // preserved
		} else {
			d.setState(virt.DomainShutdown, virt.ShutdownUser)
			pending = onPoweroff
		}
	case "guest-panicked":
		// It crashed while nobody watched: apply on_crash now (a preserved
		// crash stays as it is).
		d.setState(virt.DomainCrashed, virt.CrashedPanicked)
		pending = onCrash
	case "inmigrate", "prelaunch", "finish-migrate", "postmigrate", "save-vm", "restore-vm":
		d.mu.Unlock()
		mon.Close()
		d.mu.Lock()
		d.live, d.proc, d.id = nil, nil, -1
		d.mu.Unlock()
		return errString("the guest was caught starting or saving (" + qs.Status + ")")
	default:
		reason := virt.ReasonUnknown
		if st.State == virt.DomainPaused {
			reason = st.Reason
		}
		d.setState(virt.DomainPaused, reason)
	}
	n.writeStatus(d, false)
	d.mu.Unlock()
	n.supervise(d, p)
	if pending >= 0 {
		// Settle it now, so that the state callers see next is final.
		d.mu.Lock()
		done := n.lifecycleAction(d, p, pending)
		d.mu.Unlock()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
		}
	}
	return nil
}

type errString string

func (e errString) Error() string { return string(e) }

var _ = os.Getpid
