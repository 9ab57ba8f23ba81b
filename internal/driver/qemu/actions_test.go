package qemu

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/govirt/govirt/virt"
)

// TestLifecycleActions boots guests that crash (through pvpanic), power
// off or reboot by themselves, and checks on_crash, on_poweroff and
// on_reboot from the guest's side and through the domain's state and
// events. The guests boot in parallel.
func TestLifecycleActions(t *testing.T) {
	g := needQEMU(t)
	root := testRoot(t)
	c := openRoot(t, root)
	ctx := context.Background()
	panicDev := `<panic model='pvpanic'/>`
	type step func(t *testing.T, d *virt.Domain, s *serialLog, ev <-chan virt.DomainEvent)
	cases := []struct {
		name string
		o    guestOpts
		run  step
	}{
		{"crash-restart", guestOpts{cmdline: "govirt.crash=1", devices: panicDev, extra: "<on_crash>restart</on_crash>"},
			func(t *testing.T, d *virt.Domain, s *serialLog, ev <-chan virt.DomainEvent) {
				first := s.wait(t, `booted token=([0-9a-f]+)`, bootTimeout)[1]
				s.wait(t, `govirt-guest: crashing`, 30*time.Second)
				wantEvent(t, ev, d.Name(), virt.EventCrashed, virt.DetailCrashedPanicked, 30*time.Second)
				wantEvent(t, ev, d.Name(), virt.EventStarted, virt.DetailStartedBooted, 30*time.Second)
				second := s.wait(t, `booted token=([0-9a-f]+)`, bootTimeout)[1]
				if first == second {
					t.Errorf("the guest came back with the same memory token %s: it did not restart", first)
				}
				if err := d.Destroy(ctx, 0); err != nil {
					t.Fatal(err)
				}
			}},
		{"crash-coredump-destroy", guestOpts{cmdline: "govirt.crash=1", devices: panicDev, extra: "<on_crash>coredump-destroy</on_crash>"},
			func(t *testing.T, d *virt.Domain, s *serialLog, ev <-chan virt.DomainEvent) {
				s.wait(t, `govirt-guest: crashing`, bootTimeout)
				wantEvent(t, ev, d.Name(), virt.EventCrashed, virt.DetailCrashedPanicked, 30*time.Second)
				wantEvent(t, ev, d.Name(), virt.EventStopped, virt.DetailStoppedCrashed, 60*time.Second)
				waitState(t, d, virt.DomainShutoff, virt.ShutoffCrashed, time.Second)
				dumps, _ := filepath.Glob(filepath.Join(root, "var/lib/govirt/qemu/dump", d.Name()+"-*.core"))
				if len(dumps) != 1 {
					t.Fatalf("crash dumps: got %v, want one", dumps)
				}
				if st, err := os.Stat(dumps[0]); err != nil || st.Size() < 100<<20 {
					t.Errorf("crash dump %s: %v, %d bytes; want the guest's memory", dumps[0], err, st.Size())
				}
			}},
		{"crash-preserve", guestOpts{cmdline: "govirt.crash=1", devices: panicDev, extra: "<on_crash>preserve</on_crash>"},
			func(t *testing.T, d *virt.Domain, s *serialLog, ev <-chan virt.DomainEvent) {
				s.wait(t, `govirt-guest: crashing`, bootTimeout)
				wantEvent(t, ev, d.Name(), virt.EventCrashed, virt.DetailCrashedPanicked, 30*time.Second)
				time.Sleep(200 * time.Millisecond)
				waitState(t, d, virt.DomainCrashed, virt.CrashedPanicked, time.Second)
				if err := d.Resume(ctx); err == nil {
					t.Error("resume of a crashed guest: got no error")
				}
				if err := d.Destroy(ctx, 0); err != nil {
					t.Fatal(err)
				}
				wantEvent(t, ev, d.Name(), virt.EventStopped, virt.DetailStoppedDestroyed, 10*time.Second)
			}},
		{"poweroff-restart", guestOpts{cmdline: "govirt.poweroff=1", extra: "<on_poweroff>restart</on_poweroff>"},
			func(t *testing.T, d *virt.Domain, s *serialLog, ev <-chan virt.DomainEvent) {
				s.wait(t, `govirt-guest: powering off`, bootTimeout)
				wantEvent(t, ev, d.Name(), virt.EventShutdown, virt.DetailShutdownGuest, 30*time.Second)
				wantEvent(t, ev, d.Name(), virt.EventStarted, virt.DetailStartedBooted, 30*time.Second)
				s.wait(t, `govirt-guest: booted`, bootTimeout)
				waitState(t, d, virt.DomainRunning, virt.RunningBooted, time.Second)
				if err := d.Destroy(ctx, 0); err != nil {
					t.Fatal(err)
				}
			}},
		{"poweroff-preserve", guestOpts{cmdline: "govirt.poweroff=1", extra: "<on_poweroff>preserve</on_poweroff>"},
			func(t *testing.T, d *virt.Domain, s *serialLog, ev <-chan virt.DomainEvent) {
				s.wait(t, `govirt-guest: powering off`, bootTimeout)
				wantEvent(t, ev, d.Name(), virt.EventShutdown, virt.DetailShutdownGuest, 30*time.Second)
				wantEvent(t, ev, d.Name(), virt.EventSuspended, virt.DetailSuspendedPaused, 30*time.Second)
				waitState(t, d, virt.DomainPaused, virt.PausedShuttingDown, time.Second)
				if err := d.Destroy(ctx, 0); err != nil {
					t.Fatal(err)
				}
			}},
		{"reboot-destroy", guestOpts{cmdline: "govirt.crash=1", extra: "<on_reboot>destroy</on_reboot>"},
			// Without pvpanic the guest's panic=-1 reboots it at once.
			func(t *testing.T, d *virt.Domain, s *serialLog, ev <-chan virt.DomainEvent) {
				s.wait(t, `govirt-guest: crashing`, bootTimeout)
				wantEvent(t, ev, d.Name(), virt.EventShutdown, virt.DetailShutdownGuest, 30*time.Second)
				wantEvent(t, ev, d.Name(), virt.EventStopped, virt.DetailStoppedShutdown, 30*time.Second)
				waitState(t, d, virt.DomainShutoff, virt.ShutoffShutdown, time.Second)
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev, err := c.DomainEvents(ctx)
			if err != nil {
				t.Fatal(err)
			}
			serial := filepath.Join(root, tc.name+".serial")
			d, err := c.DefineDomain(ctx, guestXML(g, tc.name, serial, tc.o), 0)
			if err != nil {
				t.Fatalf("define: %v", err)
			}
			wantEvent(t, ev, tc.name, virt.EventDefined, virt.DetailDefinedAdded, 5*time.Second)
			if err := d.Start(ctx, 0); err != nil {
				t.Fatalf("start: %v", err)
			}
			wantEvent(t, ev, tc.name, virt.EventStarted, virt.DetailStartedBooted, 5*time.Second)
			tc.run(t, d, &serialLog{path: serial}, ev)
		})
	}
}
