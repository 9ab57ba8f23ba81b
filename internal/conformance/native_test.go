package conformance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const nativeCorpus = "../../../shared/conformance/libvirt-9.0.0"

func TestCompareTrees(t *testing.T) {
	cases := []struct {
		name, got, want string
		uuid, agree     bool
	}{
		{"attribute order and layout", "<a x='1' y='2'><b/></a>", "<a y=\"2\" x=\"1\">\n  <b/>\n</a>\n", false, true},
		{"attribute value", "<a x='1'/>", "<a x='2'/>", false, false},
		{"extra attribute", "<a x='1' z='3'/>", "<a x='1'/>", false, false},
		{"child order", "<a><b/><c/></a>", "<a><c/><b/></a>", false, false},
		{"missing child", "<a><b/></a>", "<a><b/><c/></a>", false, false},
		{"text", "<a><n>x</n></a>", "<a><n> x </n></a>", false, true},
		{"generated uuid", "<d><uuid>11111111-2222-4333-8444-555555555555</uuid></d>", "<d><uuid>c7a5fdb2-cdaf-9455-926a-d65c16db1809</uuid></d>", true, true},
		{"given uuid", "<d><uuid>11111111-2222-4333-8444-555555555555</uuid></d>", "<d><uuid>c7a5fdb2-cdaf-9455-926a-d65c16db1809</uuid></d>", false, false},
	}
	for _, c := range cases {
		d := compareTrees([]byte(c.got), []byte(c.want), c.uuid)
		if (d == "") != c.agree {
			t.Errorf("%s: got %q, want agree=%v", c.name, d, c.agree)
		}
	}
}

// copyCase copies a corpus case into dir, letting edit change the files.
func copyCase(t *testing.T, dir, folder, name string, exts []string, edit func(ext, s string) string) {
	t.Helper()
	for _, ext := range exts {
		data, err := os.ReadFile(filepath.Join(nativeCorpus, folder, name+ext))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+ext), []byte(edit(ext, string(data))), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestNativeRunnerDirections checks that each direction is checked when it
// applies, and only then.
func TestNativeRunnerDirections(t *testing.T) {
	same := func(_, s string) string { return s }
	cases := []struct {
		name, folder, file string
		kind               nativeKind
		edit               func(ext, s string) string
		agree              bool
		reason             string
	}{
		{"two-way case", "xen-xm", "test-fullvirt-sound", kindXM, same, true, ""},
		{"XML changed", "xen-xm", "test-fullvirt-sound", kindXM, func(ext, s string) string {
			if ext == ".xml" {
				return strings.Replace(s, "es1370", "ac97", 1)
			}
			return s
		}, false, "to XML"},
		{"cfg gains a key the XML lacks", "xen-xl", "test-fullvirt-ovmf", kindXL, func(ext, s string) string {
			if ext == ".cfg" {
				return s + "mystery = 1\n"
			}
			return s
		}, false, "to native"},
		{"one-way: legacy cfg", "xen-xl", "test-paravirt-cmdline-extra-root", kindXL, same, true, ""},
		{"legacy cfg still checked to XML", "xen-xl", "test-paravirt-cmdline-extra-root", kindXL, func(ext, s string) string {
			if ext == ".xml" {
				return strings.Replace(s, "console=hvc0", "console=ttyS0", 1)
			}
			return s
		}, false, "to XML"},
		{"one-way: input XML", "xen-xl", "test-fullvirt-vnuma-autocomplete", kindXL, same, true, ""},
		{"input XML still checked to native", "xen-xl", "test-fullvirt-vnuma-autocomplete", kindXL, func(ext, s string) string {
			if ext == ".cfg" {
				return strings.Replace(s, "vdistances=10,21,31,41,51,61", "vdistances=10,22,31,41,51,61", 1)
			}
			return s
		}, false, "to native"},
	}
	for _, c := range cases {
		dir := t.TempDir()
		copyCase(t, dir, c.folder, c.file, []string{".cfg", ".xml"}, c.edit)
		got, err := runNativeCase(dir, c.file, ".cfg", c.kind)
		if err != nil {
			t.Fatal(err)
		}
		if got.Agree != c.agree || !strings.HasPrefix(got.Reason, c.reason) {
			t.Errorf("%s: got agree=%v %q, want agree=%v reason %q...", c.name, got.Agree, got.Reason, c.agree, c.reason)
		}
	}
}

func TestNativeRunnerVMX(t *testing.T) {
	dir := t.TempDir()
	copyCase(t, dir, "vmx", "harddisk-scsi-file", []string{".vmx", ".xml"}, func(_, s string) string { return s })
	copyCase(t, dir, "vmx", "harddisk-scsi-file-missing-file", []string{".vmx"}, func(_, s string) string { return s })
	copyCase(t, dir, "vmx", "minimal", []string{".vmx"}, func(_, s string) string { return s })
	f, err := runNative(dir, "vmx", kindVMX)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"harddisk-scsi-file": true, "harddisk-scsi-file-missing-file": true, "minimal": false}
	for _, c := range f.Cases {
		if c.Agree != want[c.Name] {
			t.Errorf("%s: got agree=%v (%s), want %v", c.Name, c.Agree, c.Reason, want[c.Name])
		}
	}
	if len(f.Cases) != 3 {
		t.Errorf("got %d cases, want 3", len(f.Cases))
	}
}
