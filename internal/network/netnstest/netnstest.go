// Package netnstest runs tests inside network namespaces of their own, so
// that what they do to links, addresses, routes and firewall rules never
// reaches the host's. A test calls Enter first: in the test process it
// creates a namespace, runs the same test again in a child process inside
// it (ip netns exec), reports the child's result and removes the
// namespace with every process left in it; in the child it returns true
// and the test goes on.
package netnstest

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Env names the environment variable that holds, in the child, the name
// of the namespace it runs in.
const Env = "GOVIRT_NETNS"

// Need skips (or, with GOVIRT_REQUIRE_QEMU=1, fails) the test when the
// machine cannot run namespaced network tests: root and the named tools
// (besides ip) are needed.
func Need(t testing.TB, tools ...string) {
	t.Helper()
	missing := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("GOVIRT_REQUIRE_QEMU") == "1" {
			t.Fatalf(format, args...)
		}
		t.Skipf(format, args...)
	}
	if os.Geteuid() != 0 {
		missing("network namespace tests need root")
	}
	for _, tool := range append([]string{"ip"}, tools...) {
		if _, err := exec.LookPath(tool); err != nil {
			missing("%s not found (see scripts/setup.sh): %v", tool, err)
		}
	}
}

// Name returns the namespace the child runs in ("" in the parent).
func Name() string { return os.Getenv(Env) }

// Enter runs the calling top-level test inside a new network namespace.
// It returns true in the child, which goes on with the test; in the
// parent it returns false once the child is done.
func Enter(t *testing.T, tools ...string) bool {
	t.Helper()
	if Name() != "" {
		return true
	}
	Need(t, tools...)
	var rnd [4]byte
	rand.Read(rnd[:])
	ns := "gvt-" + hex.EncodeToString(rnd[:])
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add %s: %v: %s", ns, err, out)
	}
	t.Cleanup(func() { Remove(ns) })
	// The loopback link is down in a new namespace.
	exec.Command("ip", "-n", ns, "link", "set", "lo", "up").Run()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"netns", "exec", ns, exe, "-test.run=^" + t.Name() + "$", "-test.v", "-test.count=1"}
	if d, ok := t.Deadline(); ok {
		args = append(args, "-test.timeout="+time.Until(d).Round(time.Second).String())
	}
	cmd := exec.Command("ip", args...)
	cmd.Env = append(os.Environ(), Env+"="+ns)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s in network namespace %s: %v", t.Name(), ns, err)
	}
	return false
}

// Remove kills every process left in the namespace ns and deletes it.
func Remove(ns string) {
	for i := 0; i < 50; i++ {
		out, _ := exec.Command("ip", "netns", "pids", ns).Output()
		pids := strings.Fields(string(out))
		if len(pids) == 0 {
			break
		}
		for _, p := range pids {
			if pid, err := strconv.Atoi(p); err == nil {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	exec.Command("ip", "netns", "del", ns).Run()
}

// Exec runs a command inside the namespace ns and returns its output.
func Exec(ns string, name string, args ...string) (string, error) {
	out, err := exec.Command("ip", append([]string{"netns", "exec", ns, name}, args...)...).CombinedOutput()
	return string(out), err
}
