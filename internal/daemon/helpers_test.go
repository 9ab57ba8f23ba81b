package daemon_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/govirt/govirt/internal/daemon"
	"github.com/govirt/govirt/internal/driver/test"
	"github.com/govirt/govirt/virt"
)

// startDaemon runs a daemon with the test driver whose sockets live in a
// temporary folder, until the test ends.
func startDaemon(t testing.TB, mod func(*daemon.Options)) *daemon.Daemon {
	t.Helper()
	var reg virt.Registry
	reg.Register(test.New())
	cfg := daemon.DefaultConfig("")
	cfg.UnixSockDir = filepath.Join(t.TempDir(), "run")
	opts := daemon.Options{
		Config: cfg,
		Open: func(ctx context.Context, name string, flags virt.OpenFlags) (*virt.Conn, error) {
			return reg.Open(ctx, name, flags)
		},
	}
	if os.Getenv("GOVIRT_TEST_LOG") != "" {
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if mod != nil {
		mod(&opts)
	}
	d, err := daemon.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("daemon: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("daemon did not stop")
		}
	})
	return d
}

// needVirsh returns virsh's path; scripts/setup.sh installs it, so its
// absence fails the test.
func needVirsh(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("virsh")
	if err != nil {
		t.Fatalf("virsh is required (scripts/setup.sh installs libvirt-clients): %v", err)
	}
	return p
}

type result struct {
	stdout, stderr string
	code           int
}

// virsh runs the real virsh with uri and args.
func virsh(t testing.TB, dir, uri string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, needVirsh(t), append([]string{"-c", uri}, args...)...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + dir, "LANG=C"}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("virsh %v: %v", args, err)
	}
	return result{out.String(), errb.String(), code}
}

func sockURI(d *daemon.Daemon, scheme string, ro bool) string {
	return scheme + "+unix:///default?socket=" + d.SocketPath(ro)
}
