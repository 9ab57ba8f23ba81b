package main

import (
	"bytes"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildDaemon builds govirtd into a temporary folder.
func buildDaemon(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "govirtd")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func waitFor(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not appear", path)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRootNode runs `govirtd --root DIR`, drives it with the real virsh
// through DIR/run/govirt/govirt-sock, then stops it with SIGTERM: it exits
// 0, removes its sockets and logs structured lines.
func TestRootNode(t *testing.T) {
	virsh, err := exec.LookPath("virsh")
	if err != nil {
		t.Fatalf("virsh is required (scripts/setup.sh installs libvirt-clients): %v", err)
	}
	bin := buildDaemon(t)
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "etc", "govirt"), 0o755)
	// The node's own configuration file is read from DIR/etc/govirt.
	os.WriteFile(filepath.Join(root, "etc", "govirt", "govirtd.conf"), []byte("max_clients = 3\nunix_sock_ro_perms = \"0775\"\n"), 0o644)
	var logs bytes.Buffer
	cmd := exec.Command(bin, "--root", root, "--log-format", "json")
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	sock := filepath.Join(root, "run", "govirt", "govirt-sock")
	waitFor(t, sock+"-ro")
	fi, err := os.Stat(sock + "-ro")
	if err != nil || fi.Mode().Perm() != 0o775 {
		t.Errorf("-ro socket: got %v %v, want mode 0775 from the node's config", fi.Mode(), err)
	}
	out, err := exec.Command(virsh, "-c", "test+unix:///default?socket="+sock, "list --all; net-list --all").CombinedOutput()
	if err != nil {
		t.Fatalf("virsh: %v\n%s", err, out)
	}
	want := " Id   Name   State\n----------------------\n 1    test   running\n\n Name      State    Autostart   Persistent\n--------------------------------------------\n default   active   no          yes\n\n"
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("govirtd exited with %v\n%s", err, logs.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("govirtd did not stop on SIGTERM")
	}
	for _, p := range []string{sock, sock + "-ro"} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s still exists after shutdown", p)
		}
	}
	if !strings.Contains(logs.String(), `"msg":"govirtd stopped"`) {
		t.Errorf("logs lack the shutdown line:\n%s", logs.String())
	}
}

// TestStdio serves one client on stdin/stdout (what ssh runs).
func TestStdio(t *testing.T) {
	bin := buildDaemon(t)
	cmd := exec.Command(bin, "--stdio", "--root", t.TempDir())
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	// AUTH_LIST, as every client starts.
	in.Write([]byte{0, 0, 0, 0x1c, 0x20, 0, 0x80, 0x86, 0, 0, 0, 1, 0, 0, 0, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	got := make([]byte, 36)
	if _, err := io.ReadFull(out, got); err != nil {
		t.Fatal(err)
	}
	want := []byte{0, 0, 0, 0x24, 0x20, 0, 0x80, 0x86, 0, 0, 0, 1, 0, 0, 0, 0x42, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0}
	if !bytes.Equal(got, want) {
		t.Errorf("got %x, want %x", got, want)
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		t.Errorf("govirtd --stdio: %v", err)
	}
}

// TestSocketActivation hands govirtd two listening sockets the way systemd
// does (LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES): it serves them, the one
// named -ro read-only, and creates none of its own.
func TestSocketActivation(t *testing.T) {
	virsh, err := exec.LookPath("virsh")
	if err != nil {
		t.Fatalf("virsh is required: %v", err)
	}
	bin := buildDaemon(t)
	dir := t.TempDir()
	var files []*os.File
	for _, name := range []string{"rw.sock", "ro.sock"} {
		l, err := net.Listen("unix", filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		f, err := l.(*net.UnixListener).File()
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		files = append(files, f)
	}
	root := t.TempDir()
	cmd := exec.Command("/bin/sh", "-c", `LISTEN_PID=$$ LISTEN_FDS=2 LISTEN_FDNAMES=govirtd.socket:govirtd-ro.socket exec "$0" --root "$1"`, bin, root)
	cmd.ExtraFiles = files
	var logs syncBuffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	for _, f := range files {
		f.Close()
	}
	run := func(sock, cmds string) (string, error) {
		out, err := exec.Command(virsh, "-c", "test+unix:///default?socket="+filepath.Join(dir, sock), cmds).CombinedOutput()
		return string(out), err
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := run("rw.sock", "hostname"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("govirtd does not answer on the passed socket:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if out, err := run("rw.sock", "destroy test; domstate test"); err != nil || !strings.Contains(out, "shut off") {
		t.Errorf("read-write socket: %v\n%s", err, out)
	}
	if out, err := run("ro.sock", "destroy test"); err == nil || !strings.Contains(out, "read only access prevents virDomainDestroy") {
		t.Errorf("read-only socket: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(root, "run", "govirt", "govirt-sock")); !os.IsNotExist(err) {
		t.Errorf("govirtd created its own socket despite socket activation: %v", err)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("govirtd: %v\n%s", err, logs.String())
	}
}

// syncBuffer is a bytes.Buffer safe to read while a process writes to it.
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
