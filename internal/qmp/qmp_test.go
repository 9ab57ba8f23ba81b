package qmp

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestRunAndEvents(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, f, err := NewFake(ctx, func(cmd string, args json.RawMessage) (any, error) {
		switch cmd {
		case "query-status":
			return map[string]any{"status": "running", "running": true}, nil
		case "echo":
			return json.RawMessage(args), nil
		}
		return nil, &Error{Class: "CommandNotFound", Desc: "The command " + cmd + " has not been found"}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if v := m.Version(); v.Major != 7 || v.Minor != 2 {
		t.Errorf("version = %+v, want 7.2", v)
	}
	var st struct {
		Status  string `json:"status"`
		Running bool   `json:"running"`
	}
	if err := m.Run(ctx, "query-status", nil, &st); err != nil || st.Status != "running" || !st.Running {
		t.Fatalf("query-status = %+v, %v", st, err)
	}
	err = m.Run(ctx, "nope", nil, nil)
	var qe *Error
	if !errors.As(err, &qe) || qe.Class != "CommandNotFound" {
		t.Fatalf("unknown command: got %v, want a CommandNotFound error", err)
	}
	// Concurrent calls each get their own reply.
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var got map[string]int
			if err := m.Run(ctx, "echo", map[string]int{"n": i}, &got); err != nil || got["n"] != i {
				t.Errorf("echo %d = %v, %v", i, got, err)
			}
		}(i)
	}
	wg.Wait()
	f.Emit("STOP", nil)
	f.Emit("SHUTDOWN", map[string]any{"guest": true, "reason": "guest-shutdown"})
	for _, want := range []string{"STOP", "SHUTDOWN"} {
		select {
		case ev := <-m.Events():
			if ev.Name != want {
				t.Fatalf("event %q, want %q", ev.Name, want)
			}
		case <-ctx.Done():
			t.Fatalf("no %s event", want)
		}
	}
}

// TestPendingFailOnEOF checks that a call in flight fails at once when
// QEMU goes away, and that queued events are still delivered.
func TestPendingFailOnEOF(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	block := make(chan struct{})
	m, f, err := NewFake(ctx, func(cmd string, args json.RawMessage) (any, error) {
		<-block
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	f.Emit("SHUTDOWN", nil)
	errc := make(chan error, 1)
	go func() { errc <- m.Run(ctx, "system_powerdown", nil, nil) }()
	time.Sleep(50 * time.Millisecond)
	f.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, ErrClosed) {
			t.Errorf("pending call: got %v, want ErrClosed", err)
		}
	case <-ctx.Done():
		t.Fatal("pending call did not fail on EOF")
	}
	close(block)
	<-m.Done()
	ev, ok := <-m.Events()
	if !ok || ev.Name != "SHUTDOWN" {
		t.Errorf("got %v %v, want the SHUTDOWN event queued before EOF", ev, ok)
	}
	if err := m.Run(ctx, "query-status", nil, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("call after EOF: got %v, want ErrClosed", err)
	}
}

func TestContextCancel(t *testing.T) {
	ctx := context.Background()
	m, _, err := NewFake(ctx, func(cmd string, args json.RawMessage) (any, error) {
		time.Sleep(time.Hour)
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := m.Run(cctx, "slow", nil, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want a deadline error", err)
	}
}

// TestRealQEMU speaks to a real qemu-system-x86_64 with no guest.
func TestRealQEMU(t *testing.T) {
	qemu, err := exec.LookPath("qemu-system-x86_64")
	if err != nil {
		if os.Getenv("GOVIRT_REQUIRE_QEMU") == "1" {
			t.Fatal("qemu-system-x86_64 not found and GOVIRT_REQUIRE_QEMU=1")
		}
		t.Skip("qemu-system-x86_64 not found")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sock := filepath.Join(t.TempDir(), "qmp.sock")
	cmd := exec.CommandContext(ctx, qemu, "-M", "none", "-nodefaults", "-display", "none",
		"-accel", "tcg", "-S", "-qmp", "unix:"+sock+",server=on,wait=off")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var m *Monitor
	for i := 0; i < 100; i++ {
		if m, err = Dial(ctx, sock); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var st struct {
		Status string `json:"status"`
	}
	if err := m.Run(ctx, "query-status", nil, &st); err != nil || st.Status != "prelaunch" {
		t.Fatalf("query-status = %+v, %v; want prelaunch", st, err)
	}
	if err := m.Run(ctx, "quit", nil, nil); err != nil {
		t.Fatal(err)
	}
	select {
	case <-m.Done():
	case <-ctx.Done():
		t.Fatal("qemu did not close the monitor after quit")
	}
	cmd.Wait()
}

func FuzzMessages(f *testing.F) {
	f.Add([]byte(`{"return": {}, "id": "govirt-1"}`))
	f.Add([]byte(`{"event": "STOP", "timestamp": {"seconds": 1, "microseconds": 2}}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		m, fk, err := NewFake(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		fk.wmu.Lock()
		fk.conn.Write(append(line, '\n'))
		fk.wmu.Unlock()
		m.Run(ctx, "query-status", nil, nil)
		fk.Close()
		m.Close()
	})
}
