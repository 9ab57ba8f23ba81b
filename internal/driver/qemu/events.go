package qemu

import (
	"context"
	"time"

	"github.com/govirt/govirt/internal/qmp"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// supervise follows a running QEMU: its events drive d's state and
// lifecycle actions, and its exit (the monitor's end, then the process
// gone) shuts d off at once.
func (n *node) supervise(d *domain, p *process) {
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		for ev := range p.mon.Events() {
			n.handleEvent(d, p, ev)
		}
		if n.ctx.Err() != nil {
			return // the node closes; QEMU runs on
		}
		if err := waitGone(n.ctx, p.pid, p.startTime); err != nil {
			return
		}
		n.handleExit(d, p)
	}()
}

// action kinds for lifecycleAction.
const (
	onPoweroff = iota
	onReboot
	onCrash
)

// handleEvent applies one QMP event.
func (n *node) handleEvent(d *domain, p *process, ev qmp.Event) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.proc != p {
		return
	}
	switch ev.Name {
	case "SHUTDOWN":
		var data struct {
			Guest  bool   `json:"guest"`
			Reason string `json:"reason"`
		}
		parseEventData(ev, &data)
		p.shutdown, p.shutdownReason = true, data.Reason
		if p.destroying || p.saving || p.crashed {
			return
		}
		switch data.Reason {
		case "guest-shutdown", "guest-reset", "guest-panic", "host-qmp-system-reset", "host-ui", "":
		default:
			// host-signal, host-qmp-quit: QEMU is on its way out.
			return
		}
		detail := virt.DetailShutdownHost
		if data.Guest {
			detail = virt.DetailShutdownGuest
		}
		d.setState(virt.DomainShutdown, virt.ShutdownUser)
		d.emit(virt.EventShutdown, detail)
		kind := onPoweroff
		if data.Reason == "guest-reset" {
			kind = onReboot
		}
		n.lifecycleAction(d, p, kind)
	case "STOP":
		if p.expectStop > 0 {
			p.expectStop--
			return
		}
		if d.state == virt.DomainRunning {
			d.setState(virt.DomainPaused, virt.ReasonUnknown)
			d.emit(virt.EventSuspended, virt.DetailSuspendedPaused)
			n.writeStatus(d, false)
		}
	case "RESUME":
		if p.expectResume > 0 {
			p.expectResume--
			return
		}
		if d.state == virt.DomainPaused {
			d.setState(virt.DomainRunning, virt.RunningUnpaused)
			d.emit(virt.EventResumed, virt.DetailResumedUnpaused)
			n.writeStatus(d, false)
		}
	case "GUEST_PANICKED":
		if p.destroying || p.saving {
			return
		}
		d.setState(virt.DomainCrashed, virt.CrashedPanicked)
		d.emit(virt.EventCrashed, virt.DetailCrashedPanicked)
		n.writeStatus(d, false)
		n.lifecycleAction(d, p, onCrash)
	case "WATCHDOG":
		var data struct {
			Action string `json:"action"`
		}
		parseEventData(ev, &data)
		if data.Action == "pause" && d.state == virt.DomainRunning {
			p.expectStop++
			d.setState(virt.DomainPaused, virt.PausedWatchdog)
			d.emit(virt.EventSuspended, virt.DetailSuspendedPaused)
		}
	case "BLOCK_IO_ERROR":
		var data struct {
			Action string `json:"action"`
		}
		parseEventData(ev, &data)
		if data.Action == "stop" && d.state == virt.DomainRunning {
			p.expectStop++
			d.setState(virt.DomainPaused, virt.PausedIOError)
			d.emit(virt.EventSuspended, detailSuspendedIOError)
		}
	case "DEVICE_DELETED":
		var data struct {
			Device string `json:"device"`
		}
		parseEventData(ev, &data)
		if ch := p.deleted[data.Device]; ch != nil {
			close(ch)
			delete(p.deleted, data.Device)
		}
	case "BALLOON_CHANGE":
		var data struct {
			Actual uint64 `json:"actual"`
		}
		parseEventData(ev, &data)
		if d.live != nil && data.Actual > 0 {
			if d.live.CurrentMemory == nil {
				d.live.CurrentMemory = new(virtxml.Memory)
				d.live.CurrentMemory.Unit = "KiB"
			}
			d.live.CurrentMemory.Value = data.Actual / 1024
		}
	}
}

// lifecycleAction applies on_poweroff, on_reboot or on_crash in the
// background (it needs the job lock and QMP round trips); the returned
// channel closes when it is done. The caller holds d.mu.
func (n *node) lifecycleAction(d *domain, p *process, kind int) <-chan struct{} {
	def := d.live
	var action string
	switch kind {
	case onPoweroff:
		action = def.OnPoweroff
		if p.fakeReboot {
			action = "restart"
		}
	case onReboot:
		action = def.OnReboot
	case onCrash:
		action = def.OnCrash
	}
	if action == "" {
		action = "destroy"
		if kind == onReboot {
			action = "restart"
		}
	}
	done := make(chan struct{})
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		defer close(done)
		ctx, cancel := context.WithTimeout(n.ctx, 5*time.Minute)
		defer cancel()
		if err := d.beginJob(ctx); err != nil {
			return
		}
		defer d.endJob()
		d.mu.Lock()
		gone := d.proc != p || p.destroying || p.saving
		if !gone {
			p.fakeReboot = false
		}
		d.mu.Unlock()
		if gone {
			return
		}
		if err := n.applyAction(ctx, d, p, kind, action); err != nil {
			n.log.Warn("lifecycle action failed", "domain", d.name, "action", action, "err", err)
		}
	}()
	return done
}

// applyAction carries out a lifecycle action. The caller holds the job lock.
func (n *node) applyAction(ctx context.Context, d *domain, p *process, kind int, action string) error {
	switch action {
	case "coredump-destroy", "coredump-restart":
		if err := n.crashDump(ctx, d, p); err != nil {
			n.log.Warn("crash dump failed", "domain", d.name, "err", err)
		}
		if action == "coredump-destroy" {
			action = "destroy"
		} else {
			action = "restart"
		}
	}
	switch action {
	case "destroy":
		d.mu.Lock()
		if kind == onCrash {
			p.crashed = true
		}
		d.mu.Unlock()
		return n.stopProcess(ctx, p)
	case "restart", "rename-restart":
		if err := qmpRun(ctx, p.mon, "system_reset", nil, nil); err != nil {
			return err
		}
		d.mu.Lock()
		p.expectResume++
		p.shutdown, p.shutdownReason = false, ""
		d.mu.Unlock()
		if err := qmpRun(ctx, p.mon, "cont", nil, nil); err != nil {
			return err
		}
		d.mu.Lock()
		if d.proc == p {
			d.setState(virt.DomainRunning, virt.RunningBooted)
			d.emit(virt.EventStarted, virt.DetailStartedBooted)
			n.writeStatus(d, false)
		}
		d.mu.Unlock()
	case "preserve":
		d.mu.Lock()
		if d.proc == p && kind != onCrash {
			d.setState(virt.DomainPaused, virt.PausedShuttingDown)
			d.emit(virt.EventSuspended, virt.DetailSuspendedPaused)
			n.writeStatus(d, false)
		}
		d.mu.Unlock()
	}
	return nil
}

// stopProcess asks QEMU to quit and waits until its exit is handled,
// killing it if it lingers.
func (n *node) stopProcess(ctx context.Context, p *process) error {
	qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	err := p.mon.Run(qctx, "quit", nil, nil)
	cancel()
	if err != nil && !isClosed(err) {
		n.log.Warn("quit failed", "pid", p.pid, "err", err)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(10 * time.Second):
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := kill(ctx, p.pid, p.startTime, time.Second); err != nil {
		return err
	}
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// handleExit shuts d off after its QEMU exited, with the reason its last
// events tell, and cleans up.
func (n *node) handleExit(d *domain, p *process) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.proc != p {
		return
	}
	reason, detail := exitReason(p)
	d.proc, d.live, d.id = nil, nil, -1
	d.setState(virt.DomainShutoff, reason)
	d.emit(virt.EventStopped, detail)
	p.mon.Close()
	n.cleanup(d)
	close(p.done)
	go closeConsoles(d.uuid.String())
}

// exitReason decides why a QEMU exited. The caller holds the domain's mu.
func exitReason(p *process) (reason, detail int) {
	switch {
	case p.saving:
		return virt.ShutoffSaved, virt.DetailStoppedSaved
	case p.crashed:
		return virt.ShutoffCrashed, virt.DetailStoppedCrashed
	case p.destroying:
		return virt.ShutoffDestroyed, virt.DetailStoppedDestroyed
	case p.shutdown && p.shutdownReason == "host-signal":
		return virt.ShutoffDestroyed, virt.DetailStoppedDestroyed
	case p.shutdown:
		return virt.ShutoffShutdown, virt.DetailStoppedShutdown
	}
	return virt.ShutoffCrashed, virt.DetailStoppedFailed
}

// cleanup removes the run files of a domain that stopped; a transient
// domain goes away, a persistent one keeps why it stopped. The caller
// holds d.mu.
func (n *node) cleanup(d *domain) {
	removeIfExists(n.paths.monitorSocket(d.uuid.String()))
	removeIfExists(n.paths.pidFile(d.name))
	if d.def == nil {
		removeIfExists(n.paths.statusFile(d.name))
		d.removed = true
		n.remove(d)
		return
	}
	if err := n.writeStatus(d, false); err != nil {
		n.log.Warn("cannot write status", "domain", d.name, "err", err)
	}
}

// detailSuspendedIOError is VIR_DOMAIN_EVENT_SUSPENDED_IOERROR.
const detailSuspendedIOError = 1
