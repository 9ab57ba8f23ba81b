package qemu

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/govirt/govirt/internal/testguest"
	"github.com/govirt/govirt/virt"
)

// needQEMU skips (or, with GOVIRT_REQUIRE_QEMU=1, fails) a test when QEMU
// or the test guest is missing.
func needQEMU(t testing.TB) *testguest.Guest {
	t.Helper()
	missing := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("GOVIRT_REQUIRE_QEMU") == "1" {
			t.Fatalf(format, args...)
		}
		t.Skipf(format, args...)
	}
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		missing("qemu-system-x86_64 not found: %v", err)
	}
	g, err := testguest.Ensure(context.Background())
	if err != nil {
		missing("test guest: %v", err)
	}
	return g
}

// testRoot returns a short state root for a test (socket paths stay short).
func testRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "gvq")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		killLeftovers(dir)
		os.RemoveAll(dir)
	})
	return dir
}

// killLeftovers kills guests a failed test left running under root.
func killLeftovers(root string) {
	files, _ := filepath.Glob(filepath.Join(root, "run/govirt/qemu/*.status"))
	for _, f := range files {
		if st, err := readStatus(f); err == nil && st.PID > 0 && alive(st.PID, st.StartTime) && cmdlineNames(st.PID, st.UUID) {
			kill(context.Background(), st.PID, st.StartTime, time.Second)
		}
	}
}

// openRoot opens qemu:///system under root with a fresh driver.
func openRoot(t testing.TB, root string) *virt.Conn {
	t.Helper()
	var r virt.Registry
	r.Register(New(Options{Root: root, RestrictUserNet: true, LockTimeout: 10 * time.Second}))
	c, err := r.Open(context.Background(), "qemu:///system", 0)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// guestOpts tune guestXML.
type guestOpts struct {
	cmdline string // appended to the guest's kernel command line
	devices string // extra devices
	extra   string // extra top-level elements
	memMiB  int
}

// guestXML is a definition of the test guest with its serial console
// logged to serial.
func guestXML(g *testguest.Guest, name, serial string, o guestOpts) string {
	if o.memMiB == 0 {
		o.memMiB = 200
	}
	return fmt.Sprintf(`<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>%d</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>%s</kernel>
    <initrd>%s</initrd>
    <cmdline>%s %s</cmdline>
  </os>
  <features><acpi/></features>
  %s
  <devices>
    <serial type='file'><source path='%s'/></serial>
    <console type='file'><source path='%s'/><target type='serial'/></console>
    %s
  </devices>
</domain>`, name, o.memMiB, g.Kernel, g.Initrd, g.Cmdline, o.cmdline, o.extra, serial, serial, o.devices)
}

// serialLog follows a guest's serial output file.
type serialLog struct {
	path string
	from int // bytes already consumed by earlier waits
}

// wait waits until the output after what earlier waits consumed matches
// re, and returns the match.
func (s *serialLog) wait(t testing.TB, re string, timeout time.Duration) []string {
	t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(timeout)
	for {
		b, _ := os.ReadFile(s.path)
		if s.from <= len(b) {
			if loc := rx.FindSubmatchIndex(b[s.from:]); loc != nil {
				m := rx.FindSubmatch(b[s.from:])
				s.from += loc[1]
				out := make([]string, len(m))
				for i := range m {
					out[i] = string(m[i])
				}
				return out
			}
		}
		if time.Now().After(deadline) {
			// The QEMU log of the guest sits next to its serial file's root.
			logs, _ := filepath.Glob(filepath.Join(filepath.Dir(s.path), "var/log/govirt/qemu/*.log"))
			var qlog string
			for _, l := range logs {
				lb, _ := os.ReadFile(l)
				qlog += "== " + l + "\n" + tail(string(lb), 1500) + "\n"
			}
			t.Fatalf("serial %s: no %q within %v; output:\n%s\nQEMU logs:\n%s", s.path, re, timeout, tail(string(b), 2000), qlog)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// bootTimeout bounds a test guest's boot under TCG on a busy machine.
const bootTimeout = 90 * time.Second

// waitState waits until d has state want (and reason, when >= 0).
func waitState(t testing.TB, d *virt.Domain, want virt.DomainState, reason int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		st, r, err := d.State(context.Background())
		if err == nil && st == want && (reason < 0 || r == reason) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("state of %s: got %v/%d (%v), want %v/%d", d.Name(), st, r, err, want, reason)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// nextEvent waits for the next event about name.
func nextEvent(t testing.TB, ch <-chan virt.DomainEvent, name string, timeout time.Duration) virt.DomainEvent {
	t.Helper()
	tm := time.After(timeout)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatal("event channel closed")
			}
			if ev.Domain.Name == name {
				return ev
			}
		case <-tm:
			t.Fatalf("no event for %s within %v", name, timeout)
		}
	}
}

// wantEvent waits for the next event about name and checks it.
func wantEvent(t testing.TB, ch <-chan virt.DomainEvent, name string, typ virt.DomainEventType, detail int32, timeout time.Duration) {
	t.Helper()
	ev := nextEvent(t, ch, name, timeout)
	if ev.Type != typ || ev.Detail != detail {
		t.Fatalf("event of %s: got %d/%d, want %d/%d", name, ev.Type, ev.Detail, typ, detail)
	}
}

var _ = strings.Contains
