package qemu

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/govirt/govirt/virt"
)

// helperEnv makes the test binary act as a managing process (see
// runManager) instead of running tests.
const helperEnv = "GOVIRT_QEMU_TEST_MANAGER"

func TestMain(m *testing.M) {
	if root := os.Getenv(helperEnv); root != "" {
		os.Exit(runManager(root, os.Args[len(os.Args)-1]))
	}
	os.Exit(m.Run())
}

// runManager defines and starts every domain XML file of dir under root,
// prints "ready" and waits to be killed.
func runManager(root, dir string) int {
	var r virt.Registry
	r.Register(New(Options{Root: root, RestrictUserNet: true}))
	ctx := context.Background()
	c, err := r.Open(ctx, "qemu:///system", 0)
	if err != nil {
		fmt.Println("open:", err)
		return 1
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		d, err := c.DefineDomain(ctx, string(b), 0)
		if err == nil {
			err = d.Start(ctx, 0)
		}
		if err != nil {
			fmt.Println("start:", err)
			return 1
		}
	}
	fmt.Println("ready")
	select {}
}

// TestSurvival kills the managing process with SIGKILL while guests run,
// then opens the root with a new driver: the guest still running is
// re-adopted and fully manageable, and the guests that died meanwhile are
// reported shut off with the reason their end tells.
func TestSurvival(t *testing.T) {
	g := needQEMU(t)
	root := testRoot(t)
	dir := t.TempDir()
	serial := func(name string) string { return filepath.Join(root, name+".serial") }
	guests := map[string]guestOpts{
		"alive":    {},
		"killed":   {},
		"termed":   {},
		"poweroff": {cmdline: "govirt.poweroff=1"},
	}
	for name, o := range guests {
		if err := os.WriteFile(filepath.Join(dir, name+".xml"), []byte(guestXML(g, name, serial(name), o)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$", dir)
	cmd.Env = append(os.Environ(), helperEnv+"="+root)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "ready" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("manager: %q", line)
	}
	// The guest that powers off by itself must have booted before its
	// manager dies, and still be up: kill the manager right after boot.
	(&serialLog{path: serial("poweroff")}).wait(t, `govirt-guest: booted`, bootTimeout)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	// Meanwhile, one guest is killed hard and one terminated, and one
	// powers itself off.
	pidOf := func(name string) (int, uint64) {
		st, err := readStatus(filepath.Join(root, "run/govirt/qemu", name+".status"))
		if err != nil {
			t.Fatal(err)
		}
		return st.PID, st.StartTime
	}
	for name, sig := range map[string]syscall.Signal{"killed": syscall.SIGKILL, "termed": syscall.SIGTERM} {
		pid, start := pidOf(name)
		if err := signal(pid, start, sig); err != nil {
			t.Fatal(err)
		}
		if err := waitGone(context.Background(), pid, start); err != nil {
			t.Fatal(err)
		}
	}
	(&serialLog{path: serial("poweroff")}).wait(t, `govirt-guest: powering off`, 30*time.Second)
	pid, start := pidOf("alive")
	if !alive(pid, start) {
		t.Fatal("the guest died with its manager")
	}
	time.Sleep(300 * time.Millisecond) // let the powered-off guest settle in QEMU

	c := openRoot(t, root)
	ctx := context.Background()
	for _, w := range []struct {
		name   string
		state  virt.DomainState
		reason int
	}{
		{"alive", virt.DomainRunning, virt.RunningBooted},
		{"killed", virt.DomainShutoff, virt.ShutoffCrashed},
		{"termed", virt.DomainShutoff, virt.ShutoffDestroyed},
		{"poweroff", virt.DomainShutoff, virt.ShutoffShutdown},
	} {
		d, err := c.LookupDomainByName(ctx, w.name)
		if err != nil {
			t.Fatalf("%s lost: %v", w.name, err)
		}
		st, reason, err := d.State(ctx)
		if err != nil || st != w.state || reason != w.reason {
			t.Errorf("%s: got %v/%d (%v), want %v/%d", w.name, st, reason, err, w.state, w.reason)
		}
	}
	// The re-adopted guest is fully manageable: pause, resume, and an ACPI
	// power-off the guest hears, noticed by the new driver.
	d, err := c.LookupDomainByName(ctx, "alive")
	if err != nil {
		t.Fatal(err)
	}
	if d.ID() <= 0 {
		t.Errorf("re-adopted guest's id: got %d", d.ID())
	}
	ev, err := c.DomainEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Suspend(ctx); err != nil {
		t.Fatalf("suspend: %v", err)
	}
	wantEvent(t, ev, "alive", virt.EventSuspended, virt.DetailSuspendedPaused, 5*time.Second)
	if err := d.Resume(ctx); err != nil {
		t.Fatalf("resume: %v", err)
	}
	wantEvent(t, ev, "alive", virt.EventResumed, virt.DetailResumedUnpaused, 5*time.Second)
	s := &serialLog{path: serial("alive")}
	s.wait(t, `govirt-guest: booted`, bootTimeout)
	if err := d.Shutdown(ctx, 0); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	s.wait(t, `govirt-guest: acpi powerdown`, 30*time.Second)
	wantEvent(t, ev, "alive", virt.EventShutdown, virt.DetailShutdownGuest, 30*time.Second)
	wantEvent(t, ev, "alive", virt.EventStopped, virt.DetailStoppedShutdown, 10*time.Second)
	if alive(pid, start) {
		t.Error("QEMU still runs after the domain shut off")
	}
	// Leftovers are gone.
	left, _ := filepath.Glob(filepath.Join(root, "run/govirt/qemu/*.qmp"))
	if len(left) != 0 {
		t.Errorf("monitor sockets left: %v", left)
	}
}
