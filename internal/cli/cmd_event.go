package cli

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/signal"
	"time"

	"github.com/govirt/govirt/virt"
)

// domainEventNames lists the domain event types virsh 9.0 knows, in its
// order; only lifecycle events are delivered by govirt's drivers so far.
var domainEventNames = []string{
	"lifecycle", "reboot", "rtc-change", "watchdog", "io-error", "graphics", "io-error-reason",
	"control-error", "block-job", "disk-change", "tray-change", "pm-wakeup", "pm-suspend",
	"balloon-change", "pm-suspend-disk", "device-removed", "block-job-2", "tunable",
	"agent-lifecycle", "device-added", "migration-iteration", "job-completed",
	"device-removal-failed", "metadata-change", "block-threshold", "memory-failure",
	"memory-device-size-change",
}

// lifecycleNames gives virsh's words for lifecycle event types and their
// details.
var lifecycleNames = []struct {
	event   string
	details []string
}{
	virt.EventDefined:     {"Defined", []string{"Added", "Updated", "Renamed", "Snapshot"}},
	virt.EventUndefined:   {"Undefined", []string{"Removed", "Renamed"}},
	virt.EventStarted:     {"Started", []string{"Booted", "Migrated", "Restored", "Snapshot", "Event wakeup"}},
	virt.EventSuspended:   {"Suspended", []string{"Paused", "Migrated", "I/O Error", "Watchdog", "Restored", "Snapshot", "API error", "Post-copy", "Post-copy Error"}},
	virt.EventResumed:     {"Resumed", []string{"Unpaused", "Migrated", "Snapshot", "Post-copy", "Post-copy Error"}},
	virt.EventStopped:     {"Stopped", []string{"Shutdown", "Destroyed", "Crashed", "Migrated", "Saved", "Failed", "Snapshot"}},
	virt.EventShutdown:    {"Shutdown", []string{"Finished", "Finished after guest request", "Finished after host request"}},
	virt.EventPMSuspended: {"PMSuspended", []string{"Memory", "Disk"}},
	virt.EventCrashed:     {"Crashed", []string{"Panicked", "Crashloaded"}},
}

// lifecycleText returns "Event Detail" as virsh prints a lifecycle event.
func lifecycleText(t virt.DomainEventType, detail int32) (string, string) {
	if t < 0 || int(t) >= len(lifecycleNames) {
		return "unknown", "unknown"
	}
	n := lifecycleNames[t]
	if detail < 0 || int(detail) >= len(n.details) {
		return n.event, "unknown"
	}
	return n.event, n.details[detail]
}

// eventTimeout reads the --timeout of the *-event commands.
func eventTimeout(c *call) (time.Duration, error) {
	v, ok := c.find("timeout")
	if !ok {
		return 0, nil
	}
	n, err := parseCUint(v.data, 32)
	if err != nil || n == 0 || n > math.MaxInt32/1000 {
		return 0, malformed(v.data, "timeout")
	}
	return time.Duration(n) * time.Second, nil
}

// waitEvents prints the events of the *-event commands, each with an
// optional timestamp, as text makes them (false: not one to print), until
// the first (all of them with loop), the timeout or an interrupt; then
// how it ended and how many it printed, which it returns.
func waitEvents[E any](s *session, events <-chan E, timeout time.Duration, loop, stamp bool, text func(E) (string, bool)) int {
	var expired <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expired = t.C
	}
	interrupt := make(chan os.Signal, 1)
	signal.Notify(interrupt, os.Interrupt)
	defer signal.Stop(interrupt)

	count := 0
	outcome := ""
wait:
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				break wait
			}
			line, ok := text(ev)
			if !ok {
				continue
			}
			if stamp {
				s.printf("%s: ", time.Now().UTC().Format("2006-01-02 15:04:05.000-0700"))
			}
			s.printf("%s\n", line)
			s.flush()
			count++
			if !loop {
				break wait
			}
		case <-expired:
			outcome = "event loop timed out\n"
			break wait
		case <-interrupt:
			outcome = "event loop interrupted\n"
			break wait
		case <-s.ctx.Done():
			outcome = "event loop interrupted\n"
			break wait
		}
	}
	s.print(outcome)
	s.printf("events received: %d\n", count)
	return count
}

func cmdEvent(s *session, c *call) error {
	for _, p := range [][2]string{{"all", "event"}, {"list", "all"}, {"list", "event"}} {
		if err := c.exclusive(p[0], p[1]); err != nil {
			return err
		}
	}
	if c.has("list") {
		for _, n := range domainEventNames {
			s.printf("%s\n", n)
		}
		return nil
	}
	all, loop, stamp := c.has("all"), c.has("loop"), c.has("timestamp")
	eventName, haveEvent, err := c.str("event")
	if err != nil {
		return err
	}
	if !haveEvent && !all {
		return fail(errNoCause, "one of --list, --all, or --event <type> is required")
	}
	if haveEvent {
		known := false
		for _, n := range domainEventNames {
			known = known || n == eventName
		}
		if !known {
			return fail(errNoCause, "unknown event type %s", eventName)
		}
	}
	timeout, err := eventTimeout(c)
	if err != nil {
		return err
	}
	var only *virt.Domain
	if c.has("domain") {
		if only, _, err = s.domainArg(c, "domain"); err != nil {
			return err
		}
	}
	wantLifecycle := all || eventName == "lifecycle"

	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	events, err := s.conn.DomainEvents(ctx)
	if err != nil {
		return err
	}
	count := waitEvents(s, events, timeout, loop, stamp, func(ev virt.DomainEvent) (string, bool) {
		if !wantLifecycle || (only != nil && ev.Domain.UUID != only.UUID()) {
			return "", false
		}
		event, detail := lifecycleText(ev.Type, ev.Detail)
		return fmt.Sprintf("event 'lifecycle' for domain '%s': %s %s", ev.Domain.Name, event, detail), true
	})
	if count == 0 {
		return errReported
	}
	return nil
}
