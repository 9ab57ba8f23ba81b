package daemon_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestGovirtRemote runs govirt's own CLI through the remote driver
// (test+unix://) for every command of the core list and requires what it
// prints in process against test:///default.
func TestGovirtRemote(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "govirt")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/govirt").CombinedOutput(); err != nil {
		t.Fatalf("build govirt: %v\n%s", err, out)
	}
	d := startDaemon(t, nil)
	dir := t.TempDir()
	files, _ := filepath.Glob("testdata/*.xml")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644)
	}
	run := func(uri, c string) result {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, "-c", uri, c)
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
			t.Fatal(err)
		}
		return result{out.String(), errb.String(), code}
	}
	uri := sockURI(d, "test", false)
	cases := append(virshCases, "define bad.xml")
	defer func() {
		if n := d.Server().Stats().ClientsTotal.Load(); n < int64(len(cases)) {
			t.Errorf("the daemon served %d clients for %d remote runs", n, len(cases))
		}
	}()
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c, "/", "_"), func(t *testing.T) {
			want := run("test:///default", c)
			got := run(uri, c)
			norm := func(s string) string {
				s = volatile.ReplaceAllString(s, "${1}N")
				return strings.ReplaceAll(s, uri, "test:///default")
			}
			if norm(got.stdout) != norm(want.stdout) || norm(got.stderr) != norm(want.stderr) || got.code != want.code {
				t.Errorf("govirt %q\n--- remote (exit %d):\n%s%s--- in process (exit %d):\n%s%s", c, got.code, got.stdout, got.stderr, want.code, want.stdout, want.stderr)
			}
		})
	}
}
