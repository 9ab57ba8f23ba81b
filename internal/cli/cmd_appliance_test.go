package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestApplianceCommands(t *testing.T) {
	root := t.TempDir()
	w := func(p, data string) {
		t.Helper()
		os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755)
		if err := os.WriteFile(filepath.Join(root, p), []byte(data), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	w("var/lib/dpkg/status", "Package: tool\nStatus: install ok installed\nArchitecture: all\nVersion: 1\n")
	w("var/lib/dpkg/info/tool.list", "/.\n/usr\n/usr/bin\n/usr/bin/tool\n")
	w("usr/bin/tool", "#!/bin/sh\n")
	desc, out := filepath.Join(t.TempDir(), "d"), filepath.Join(t.TempDir(), "o")
	cases := []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"help"}, 0, "govirt appliance prepare", ""},
		{[]string{"frobnicate"}, 1, "", "unknown appliance command"},
		{[]string{"prepare", "tool"}, 1, "", "-o DIR"},
		{[]string{"prepare", "--host-root", root, "-o", desc}, 1, "", "give the packages"},
		{[]string{"prepare", "--host-root", root, "-o", desc, "tool", "nope"}, 1, "", "not installed on this host: nope"},
		{[]string{"prepare", "--host-root", root, "tool", "-o", desc}, 0, "", "wrote " + desc},
		{[]string{"build", desc, "--host-root", root, "-f", "chroot", "-o", out}, 0, "", "built " + out},
		{[]string{"build", "--host-root", root, "-f", "chroot", "-o", out, desc}, 0, "", "is up to date"},
		{[]string{"build", "--host-root", root, "-f", "squashfs", "-o", out, desc}, 1, "", "unknown appliance format"},
		{[]string{"build", "--host-root", root, "--size", "12Q", "-o", out, desc}, 1, "", "bad size"},
		{[]string{"run", out, "--", "true"}, 1, "", "chroot appliance"},
		{[]string{"run", out}, 1, "", "give the command after --"},
	}
	for _, c := range cases {
		var so, se bytes.Buffer
		code := ApplianceMain(c.args, nil, &so, &se)
		if code != c.code || !strings.Contains(so.String(), c.out) || !strings.Contains(se.String(), c.err) {
			t.Errorf("%v: got %d, stdout %q, stderr %q; want %d, %q, %q", c.args, code, so.String(), se.String(), c.code, c.out, c.err)
		}
	}
	if b, err := os.ReadFile(filepath.Join(out, "usr/bin/tool")); err != nil || string(b) != "#!/bin/sh\n" {
		t.Errorf("built tree: %q, %v", b, err)
	}
}
