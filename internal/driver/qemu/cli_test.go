package qemu_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govirt/govirt/internal/cli"
	"github.com/govirt/govirt/internal/drivers"
	"github.com/govirt/govirt/internal/testguest"
)

// syncBuffer is a buffer the CLI writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestCLI drives a real guest through govirt's CLI on qemu:///system under
// GOVIRT_ROOT, each command in its own connection (as separate govirt
// processes would be): define, start, list, console (escape with
// Ctrl-]), destroy and domstate --reason.
func TestCLI(t *testing.T) {
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		if os.Getenv("GOVIRT_REQUIRE_QEMU") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	g, err := testguest.Ensure(context.Background())
	if err != nil {
		if os.Getenv("GOVIRT_REQUIRE_QEMU") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	root, err := os.MkdirTemp("", "gvc")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(root)
	t.Setenv("GOVIRT_ROOT", root)
	drivers.RegisterDefaults()
	govirt := func(stdin io.Reader, args ...string) (string, int) {
		var out syncBuffer
		code := cli.Main(append([]string{"-c", "qemu:///system"}, args...), stdin, &out, &out)
		return out.String(), code
	}
	serial := filepath.Join(root, "cli.serial")
	xml := fmt.Sprintf(`<domain type='qemu'><name>cli</name><memory unit='MiB'>200</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel><initrd>%s</initrd><cmdline>%s</cmdline></os>
<features><acpi/></features><devices><serial type='pty'><log file='%s'/></serial><console type='pty'/></devices></domain>`,
		g.Kernel, g.Initrd, g.Cmdline, serial)
	file := filepath.Join(root, "cli.xml")
	os.WriteFile(file, []byte(xml), 0o644)
	defer govirt(nil, "destroy", "cli")
	for _, step := range []struct {
		args []string
		want string
	}{
		{[]string{"define", file}, "Domain 'cli' defined from " + file},
		{[]string{"start", "cli"}, "Domain 'cli' started"},
		{[]string{"list"}, " 1    cli    running"},
		{[]string{"domstate", "cli", "--reason"}, "running (booted)"},
		{[]string{"dominfo", "cli"}, "Security model: none"},
	} {
		out, code := govirt(nil, step.args...)
		if code != 0 || !strings.Contains(out, step.want) {
			t.Fatalf("govirt %s: exit %d, output:\n%s\nwant %q", strings.Join(step.args, " "), code, out, step.want)
		}
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		b, _ := os.ReadFile(serial)
		if bytes.Contains(b, []byte("govirt-guest: booted")) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no boot:\n%s", b)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The console: type a command, read its answer, then Ctrl-].
	in, w := io.Pipe()
	var out syncBuffer
	done := make(chan int)
	go func() { done <- cli.Main([]string{"-c", "qemu:///system", "console", "cli"}, in, &out, &out) }()
	time.Sleep(300 * time.Millisecond)
	w.Write([]byte("echo hello-$((6*7))\n"))
	deadline = time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "hello-42") {
		if time.Now().After(deadline) {
			t.Fatalf("console: no answer:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	w.Write([]byte{0x1d})
	select {
	case code := <-done:
		if code != 0 || !strings.HasPrefix(out.String(), "Connected to domain 'cli'\nEscape character is ^] (Ctrl + ])\n") {
			t.Errorf("console: exit %d, output:\n%s", code, out.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("console did not end on Ctrl-]")
	}
	for _, step := range []struct {
		args []string
		want string
	}{
		{[]string{"destroy", "cli"}, "Domain 'cli' destroyed"},
		{[]string{"domstate", "cli", "--reason"}, "shut off (destroyed)"},
		{[]string{"undefine", "cli"}, "Domain 'cli' has been undefined"},
	} {
		out, code := govirt(nil, step.args...)
		if code != 0 || !strings.Contains(out, step.want) {
			t.Fatalf("govirt %s: exit %d, output:\n%s\nwant %q", strings.Join(step.args, " "), code, out, step.want)
		}
	}
}
