package qemu

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/govirt/govirt/virt"
)

// TestBootAndPowerdown boots the test guest, checks it from the guest's
// side, presses the ACPI power button and checks that the guest heard it
// and that the domain shut off with reason shutdown.
func TestBootAndPowerdown(t *testing.T) {
	g := needQEMU(t)
	root := testRoot(t)
	c := openRoot(t, root)
	ctx := context.Background()
	ev, err := c.DomainEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	serial := filepath.Join(root, "boot.serial")
	d, err := c.DefineDomain(ctx, guestXML(g, "boot", serial, guestOpts{}), 0)
	if err != nil {
		t.Fatalf("define: %v", err)
	}
	wantEvent(t, ev, "boot", virt.EventDefined, virt.DetailDefinedAdded, time.Second)
	start := time.Now()
	if err := d.Start(ctx, 0); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Logf("start took %v", time.Since(start))
	wantEvent(t, ev, "boot", virt.EventStarted, virt.DetailStartedBooted, time.Second)
	waitState(t, d, virt.DomainRunning, virt.RunningBooted, time.Second)
	s := &serialLog{path: serial}
	first := s.wait(t, `govirt-guest: booted token=([0-9a-f]+)`, bootTimeout)[1]

	// Reboot: the guest hears the power button, and comes back instead of
	// stopping.
	if err := d.Reboot(ctx, 0); err != nil {
		t.Fatalf("reboot: %v", err)
	}
	s.wait(t, `govirt-guest: acpi powerdown`, 30*time.Second)
	wantEvent(t, ev, "boot", virt.EventShutdown, virt.DetailShutdownGuest, 30*time.Second)
	wantEvent(t, ev, "boot", virt.EventStarted, virt.DetailStartedBooted, 10*time.Second)
	second := s.wait(t, `govirt-guest: booted token=([0-9a-f]+)`, bootTimeout)[1]
	if second == first {
		t.Errorf("token after reboot: got %s again", second)
	}
	waitState(t, d, virt.DomainRunning, virt.RunningBooted, time.Second)

	// Shutdown: the guest hears the power button and powers off; the
	// domain is shut off as soon as QEMU is gone.
	if err := d.Shutdown(ctx, 0); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	s.wait(t, `govirt-guest: acpi powerdown`, 30*time.Second)
	wantEvent(t, ev, "boot", virt.EventShutdown, virt.DetailShutdownGuest, 30*time.Second)
	noticed := time.Now()
	wantEvent(t, ev, "boot", virt.EventStopped, virt.DetailStoppedShutdown, 10*time.Second)
	took := time.Since(noticed)
	t.Logf("power-off reported shut off %v after QEMU reported it", took)
	if took > time.Second {
		t.Errorf("power-off took %v to be handled", took)
	}
	waitState(t, d, virt.DomainShutoff, virt.ShutoffShutdown, time.Second)
	if left, _ := filepath.Glob(filepath.Join(root, "run/govirt/qemu/*.qmp")); len(left) > 0 {
		t.Errorf("monitor socket left after power-off: %v", left)
	}
}
