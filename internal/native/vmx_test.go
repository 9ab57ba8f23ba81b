package native

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/govirt/govirt/virtxml"
)

// esxTestFileName maps file names as libvirt's vmx2xml tests do.
func esxTestFileName(name string, allowMissing bool) (string, bool, error) {
	if rest, ok := strings.CutPrefix(name, "/vmfs/volumes/"); ok {
		ds, path, _ := strings.Cut(rest, "/")
		if ds == "missing" || strings.HasPrefix(path, "missing") {
			if allowMissing {
				return "", false, nil
			}
			return "", false, errors.New("referenced missing file")
		}
		return "[" + ds + "] " + path, true, nil
	}
	if strings.HasPrefix(name, "/") {
		return name, true, nil
	}
	if strings.Contains(name, "/") {
		return "", false, errors.New("relative path")
	}
	return "[datastore] directory/" + name, true, nil
}

// TestVMXCorpus converts every .vmx of the corpus: those with an XML must
// give it exactly, those without must be refused.
func TestVMXCorpus(t *testing.T) {
	for _, base := range corpusCases(t, "vmx", ".vmx") {
		name := filepath.Base(base)
		data, err := os.ReadFile(base + ".vmx")
		if err != nil {
			t.Fatal(err)
		}
		opts := VMXOptions{FileName: esxTestFileName}
		if name == "datacenterpath" {
			// libvirt's test program sets this path for this case only.
			opts.DatacenterPath = "folder1/folder2/datacenter1"
		}
		r, err := ParseVMX(data, opts)
		want, werr := os.ReadFile(base + ".xml")
		if werr != nil {
			if err == nil {
				t.Errorf("%s: accepted, libvirt refuses it", name)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		got, err := FormatDomain(r.Domain, virtxml.FormatSecure)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s:\ngot\n%s\nwant\n%s", name, got, want)
		}
	}
}

func TestVMXUUIDAndEscapes(t *testing.T) {
	u, ok := parseVMXUUID("42 35 94 20 99 dc 42 61-52 64 ba 58 dd ae 20 e4")
	if !ok || u.String() != "42359420-99dc-4261-5264-ba58ddae20e4" {
		t.Errorf("got %v %v", u, ok)
	}
	for _, bad := range []string{"42 35", "42 35 94 20 99 dc 42 61-52 64 ba 58 dd ae 20 e4 ff", "4 23 59"} {
		if _, ok := parseVMXUUID(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
	if s, ok := unescapeHex("a|7Cb|22", '|'); !ok || s != `a|b"` {
		t.Errorf("got %q %v", s, ok)
	}
	if _, ok := unescapeHex("a|7", '|'); ok {
		t.Error("truncated escape accepted")
	}
}

func TestVMXErrors(t *testing.T) {
	base := "config.version = \"8\"\nvirtualHW.version = \"4\"\n"
	cases := []struct{ in, want string }{
		{"virtualHW.version = \"4\"\n", "config.version"},
		{"config.version = \"7\"\nvirtualHW.version = \"4\"\n", "to be 8"},
		{"config.version = \"8\"\nvirtualHW.version = \"3\"\n", "4 or higher"},
		{base + "memsize = \"30\"\n", "line 3: key 'memsize'"},
		{base + "numvcpus = \"0\"\n", "numvcpus"},
		{base + "scsi0.present = \"maybe\"\n", "line 3: key 'scsi0.present': must represent a boolean"},
		{base + "scsi0.present = \"true\"\nscsi0.virtualDev = \"fancy\"\n", "scsi0.virtualDev"},
		{base + "ethernetX.present = \"true\"\n", "failed to parse the index"},
		{base + "ethernet0.present = \"true\"\nethernet0.connectionType = \"hostonly\"\n", "not yet handled"},
		{base + "firmware = \"bios2\"\n", "firmware"},
		{base + "memsize = 64\n", "numbers not allowed"},
		{base + "disk = [ \"a\" ]\n", "lists not allowed"},
		{"config.version = \"8\n", "unterminated string"},
	}
	for _, c := range cases {
		_, err := ParseVMX([]byte(c.in), VMXOptions{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.in, err, c.want)
		}
	}
}

func TestVMXFileNamesKeptByDefault(t *testing.T) {
	in := "config.version = \"8\"\nvirtualHW.version = \"4\"\nide0:0.present = \"true\"\nide0:0.fileName = \"disk.vmdk\"\n"
	r, err := ParseVMX([]byte(in), VMXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d := r.Domain.Devices.Disks; len(d) != 1 || d[0].Source.File != "disk.vmdk" || d[0].Target.Dev != "hda" {
		t.Errorf("got %+v", d)
	}
}

func TestVMXEncoding(t *testing.T) {
	in := []byte(".encoding = \"windows-1252\"\nconfig.version = \"8\"\nvirtualHW.version = \"4\"\ndisplayName = \"caf\xe9 \x80\"\n")
	r, err := ParseVMX(in, VMXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Domain.Name != "café €" {
		t.Errorf("got %q", r.Domain.Name)
	}
	if _, err := ParseVMX([]byte("config.version = \"8\"\nvirtualHW.version = \"4\"\ndisplayName = \"\xff\"\n"), VMXOptions{}); err == nil {
		t.Error("invalid UTF-8 accepted")
	}
	if _, err := ParseVMX([]byte(".encoding = \"ebcdic\"\n"), VMXOptions{}); err == nil {
		t.Error("unknown encoding accepted")
	}
}

func TestVMXWideSCSI(t *testing.T) {
	in := "config.version = \"8\"\nvirtualHW.version = \"13\"\nscsi0.present = \"true\"\nscsi0:20.present = \"true\"\nscsi0:20.fileName = \"d.vmdk\"\n"
	r, err := ParseVMX([]byte(in), VMXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := FormatDomain(r.Domain, 0)
	if !bytes.Contains(out, []byte("<target dev='sdt' bus='scsi'/>")) || !bytes.Contains(out, []byte("controller='0' bus='0' target='0' unit='20'")) {
		t.Errorf("got\n%s", out)
	}
}
