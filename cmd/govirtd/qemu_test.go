package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/govirt/govirt/internal/driver/qemu"
	"github.com/govirt/govirt/internal/testguest"
	"github.com/govirt/govirt/virt"
)

// needGuest returns the test guest; without qemu the test skips, or fails
// when GOVIRT_REQUIRE_QEMU=1 (CI).
func needGuest(t *testing.T) *testguest.Guest {
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

// daemonProc is a running govirtd.
type daemonProc struct {
	cmd  *exec.Cmd
	done chan error
	logs *syncBuffer
}

func startRoot(t *testing.T, bin, root string) *daemonProc {
	t.Helper()
	p := &daemonProc{cmd: exec.Command(bin, "--root", root), done: make(chan error, 1), logs: &syncBuffer{}}
	p.cmd.Stderr = p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	waitFor(t, filepath.Join(root, "run", "govirt", "govirt-sock-ro"))
	return p
}

func (p *daemonProc) stop(t *testing.T) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("govirtd: %v\n%s", err, p.logs)
		}
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		t.Errorf("govirtd did not stop")
	}
}

// TestVirshQEMUGuest drives a real QEMU guest through govirtd with the
// real virsh: define, start, dominfo, dumpxml, console (a command run by
// the guest's shell), then a daemon restart that leaves the guest running,
// destroy and undefine.
func TestVirshQEMUGuest(t *testing.T) {
	g := needGuest(t)
	virsh, err := exec.LookPath("virsh")
	if err != nil {
		t.Fatalf("virsh is required: %v", err)
	}
	scriptBin, err := exec.LookPath("script")
	if err != nil {
		t.Fatalf("script (util-linux) is required: %v", err)
	}
	bin := buildDaemon(t)
	root, err := os.MkdirTemp("", "gvd") // short: QMP socket paths have a length limit
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Whatever happened, no guest outlives the test.
		var reg virt.Registry
		reg.Register(qemu.New(qemu.Options{Root: root, LockTimeout: 30 * time.Second}))
		if c, err := reg.Open(context.Background(), "qemu:///system", 0); err == nil {
			doms, _ := c.ListAllDomains(context.Background(), virt.ListDomainsActive)
			for _, d := range doms {
				d.Destroy(context.Background(), 0)
			}
			c.Close()
		}
		os.RemoveAll(root)
	})
	dir := t.TempDir()
	xml := fmt.Sprintf(`<domain type='qemu'>
  <name>vguest</name>
  <uuid>5a3e0c1d-2b4f-4e6a-8c7d-9e0f1a2b3c4d</uuid>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>%s</kernel>
    <initrd>%s</initrd>
    <cmdline>%s</cmdline>
  </os>
  <devices>
    <serial type='pty'/>
    <console type='pty'/>
    <memballoon model='none'/>
  </devices>
</domain>
`, g.Kernel, g.Initrd, g.Cmdline)
	os.WriteFile(filepath.Join(dir, "guest.xml"), []byte(xml), 0o644)

	d := startRoot(t, bin, root)
	uri := "qemu+unix:///system?socket=" + filepath.Join(root, "run", "govirt", "govirt-sock")
	run := func(cmds string) string {
		t.Helper()
		cmd := exec.Command(virsh, "-c", uri, cmds)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("virsh %q: %v\n%s\ndaemon log:\n%s", cmds, err, out, d.logs)
		}
		return string(out)
	}
	if out := run("define guest.xml; start vguest"); !strings.Contains(out, "Domain 'vguest' started") {
		t.Errorf("define and start:\n%s", out)
	}
	out := run("dominfo vguest")
	for _, want := range []string{"Name:           vguest", "State:          running", "OS Type:        hvm", "UUID:           5a3e0c1d-2b4f-4e6a-8c7d-9e0f1a2b3c4d"} {
		if !strings.Contains(out, want) {
			t.Errorf("dominfo lacks %q:\n%s", want, out)
		}
	}
	if out := run("dumpxml vguest"); !strings.Contains(out, "<name>vguest</name>") || !strings.Contains(out, "type='pty'") {
		t.Errorf("dumpxml:\n%s", out)
	}

	// The console: once the guest has booted, its shell computes 6*7.
	time.Sleep(6 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	con := exec.CommandContext(ctx, scriptBin, "-qfec", virsh+" -c '"+uri+"' console vguest --force", "/dev/null")
	con.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + dir, "LANG=C", "TERM=dumb"}
	in, _ := con.StdinPipe()
	var cout syncBuffer
	con.Stdout, con.Stderr = &cout, &cout
	if err := con.Start(); err != nil {
		t.Fatal(err)
	}
	found := false
	for i := 0; i < 20 && !found; i++ {
		time.Sleep(500 * time.Millisecond)
		in.Write([]byte("\recho govirt-$((6*7))\r"))
		time.Sleep(500 * time.Millisecond)
		found = strings.Contains(cout.String(), "govirt-42")
	}
	in.Write([]byte{0x1d})
	in.Close()
	con.Wait()
	if !found {
		t.Errorf("the guest's shell did not answer on the console:\n%q", cout.String())
	}

	// A graceful daemon stop leaves the guest running; the next daemon
	// finds it again.
	d.stop(t)
	d = startRoot(t, bin, root)
	if out := run("domstate vguest"); strings.TrimSpace(out) != "running" {
		t.Errorf("after a daemon restart: domstate %q, want running", out)
	}
	if out := run("destroy vguest; undefine vguest; list --all --name"); !strings.Contains(out, "Domain 'vguest' destroyed") || !strings.Contains(out, "Domain 'vguest' has been undefined") {
		t.Errorf("destroy and undefine:\n%s", out)
	}
	d.stop(t)
}
