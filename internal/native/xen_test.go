package native

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/govirt/govirt/virtxml"
)

const corpus = "../../../shared/conformance/libvirt-9.0.0"

// corpusCases lists the NAME (without extension) of each input in a
// corpus folder.
func corpusCases(t *testing.T, folder, ext string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpus, folder, "*"+ext))
	if err != nil || len(files) == 0 {
		t.Fatalf("no %s cases in %s: %v", ext, folder, err)
	}
	var out []string
	for _, f := range files {
		out = append(out, strings.TrimSuffix(f, ext))
	}
	return out
}

// TestXenCorpusToXML converts every xm and xl config of the corpus whose
// XML is libvirt's output and compares the text exactly.
func TestXenCorpusToXML(t *testing.T) {
	for _, folder := range []string{"xen-xm", "xen-xl"} {
		for _, base := range corpusCases(t, folder, ".cfg") {
			cfg, err := os.ReadFile(base + ".cfg")
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(base + ".xml")
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(want, []byte("<memballoon")) {
				continue // an input document (vnuma), not libvirt's output
			}
			want = bytes.ReplaceAll(want, []byte("/LIBXL_FIRMWARE_DIR"), []byte(XenFirmwareDir))
			var r *Result
			if folder == "xen-xm" {
				r, err = ParseXM(cfg)
			} else {
				r, err = ParseXL(cfg)
			}
			if err != nil {
				t.Errorf("%s: %v", filepath.Base(base), err)
				continue
			}
			got, err := FormatDomain(r.Domain, virtxml.FormatSecure)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("%s/%s:\ngot\n%s\nwant\n%s", folder, filepath.Base(base), got, want)
			}
		}
	}
}

// TestXenCorpusToNative converts every corpus XML back and compares it
// with the config key by key, unless the config uses spellings libvirt
// never writes (then the two must differ: the check is not vacuous).
func TestXenCorpusToNative(t *testing.T) {
	for _, folder := range []string{"xen-xm", "xen-xl"} {
		for _, base := range corpusCases(t, folder, ".cfg") {
			cfgData, _ := os.ReadFile(base + ".cfg")
			xml, _ := os.ReadFile(base + ".xml")
			want, err := ParseConfig(cfgData)
			if err != nil {
				t.Fatal(err)
			}
			var r *Result
			var got *Config
			d, err := ParseXenDomainXML(xml)
			if err != nil {
				t.Errorf("%s: %v", filepath.Base(base), err)
				continue
			}
			if folder == "xen-xm" {
				r, _ = XMToDomain(want)
				got, err = FormatXM(d, FormatOptions{})
			} else {
				r, _ = XLToDomain(want)
				got, err = FormatXL(d, FormatOptions{})
			}
			if err != nil {
				t.Errorf("%s: %v", filepath.Base(base), err)
				continue
			}
			diff := Diff(got, want)
			switch {
			case len(r.Legacy) == 0 && len(diff) > 0:
				t.Errorf("%s/%s: %v", folder, filepath.Base(base), diff)
			case len(r.Legacy) > 0 && len(diff) == 0:
				t.Errorf("%s/%s: notes %v but converts back identically", folder, filepath.Base(base), r.Legacy)
			}
		}
	}
}

func TestParseVif(t *testing.T) {
	cases := []struct {
		spec, typename string
		check          func(n *Interface) string
	}{
		{"mac=00:16:3E:66:92:9C,bridge=xenbr1,script=vif-bridge,model=e1000", "vif", func(n *Interface) string {
			if n.Type != "bridge" || n.MAC.Address != "00:16:3e:66:92:9c" || n.Source.Bridge != "xenbr1" || n.Model.Type != "e1000" {
				return "bridge"
			}
			return ""
		}},
		{"mac=00:16:3e:00:00:01,bridge=ovsbr0.42", "vif", func(n *Interface) string {
			if n.Source.Bridge != "ovsbr0" || len(n.VLAN.Tags) != 1 || n.VLAN.Tags[0].ID != 42 || n.VLAN.Trunk || n.VirtualPort.Type != "openvswitch" {
				return "vlan tag"
			}
			return ""
		}},
		{"bridge=ovsbr0:42:43", "vif", func(n *Interface) string {
			if !n.VLAN.Trunk || len(n.VLAN.Tags) != 2 || n.VLAN.Tags[1].ID != 43 {
				return "trunk"
			}
			return ""
		}},
		{"script=vif-vnic, type=netfront", "netfront", func(n *Interface) string {
			if n.Type != "bridge" || n.Model.Type != "netfront" {
				return "netfront"
			}
			return ""
		}},
		{"rate=10Mb/s@20ms", "vif", func(n *Interface) string {
			if n.Type != "ethernet" || n.Bandwidth.Outbound.Average != 1280 {
				return "rate"
			}
			return ""
		}},
		{"ip=10.0.0.1 2000::1,vifname=v0", "vif", func(n *Interface) string {
			if len(n.IPs) != 2 || n.IPs[1].Family != "ipv6" || n.Target.Dev != "v0" {
				return "ips"
			}
			return ""
		}},
	}
	for _, c := range cases {
		n, err := parseVif(c.spec, c.typename)
		if err != nil {
			t.Errorf("%s: %v", c.spec, err)
			continue
		}
		if what := c.check(n); what != "" {
			t.Errorf("%s: wrong %s: %+v", c.spec, what, n)
		}
	}
	for _, bad := range []string{"mac", "mac=zz:16:3e:00:00:01", "rate=fast", "rate=10MB", "bridge=br.x", "ip=10.0.0.300"} {
		if _, err := parseVif(bad, "vif"); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}

// Interface is a short name for the tests.
type Interface = virtxml.Interface

func TestParseXLDiskSpec(t *testing.T) {
	cases := []struct {
		spec string
		want xlDisk
	}{
		{"/dev/vg/guest,raw,xvda,rw", xlDisk{target: "/dev/vg/guest", format: "raw", vdev: "xvda", access: "rw"}},
		{"format=qcow2,vdev=hdb,access=ro,target=/a,b c", xlDisk{target: "/a,b c", format: "qcow2", vdev: "hdb", access: "ro", readonly: true}},
		{" vdev=hdc, devtype=cdrom", xlDisk{vdev: "hdc", devtype: "cdrom", cdrom: true, readonly: true}},
		{"/iso,,hdd,,cdrom", xlDisk{target: "/iso", vdev: "hdd", devtype: "cdrom", cdrom: true, readonly: true}},
		{"phy:/dev/sdb,,xvdb", xlDisk{target: "/dev/sdb", vdev: "xvdb", backend: "phy"}},
	}
	for _, c := range cases {
		got, err := parseXLDiskSpec(c.spec)
		if err != nil {
			t.Errorf("%q: %v", c.spec, err)
			continue
		}
		if *got != c.want {
			t.Errorf("%q: got %+v, want %+v", c.spec, *got, c.want)
		}
	}
	for _, bad := range []string{"/a,raw", "/a,raw,xvda,rw,extra", "vdev=xvda", "format=zip,vdev=xvda,target=/a",
		"vdev=xvda,vdev=xvdb,target=/a", "access=rx,vdev=xvda,target=/a", "frobnicate=1,vdev=xvda,target=/a"} {
		if _, err := parseXLDiskSpec(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}

func TestRBDRoundTrip(t *testing.T) {
	spec := `rbd:pool/image:auth_supported=none:mon_host=mon1.example.org\\:6321\\;[fe80\:\:1]\\:6322`
	x, err := parseXLDiskSpec("format=raw,vdev=xvda,access=rw,backendtype=qdisk,target=" + spec)
	if err != nil {
		t.Fatal(err)
	}
	disk, err := x.toDisk(false)
	if err != nil {
		t.Fatal(err)
	}
	s := disk.Source
	if disk.Type != "network" || s.Protocol != "rbd" || s.Name != "pool/image" || len(s.Hosts) != 2 ||
		s.Hosts[0].Name != "mon1.example.org" || s.Hosts[0].Port != "6321" || s.Hosts[1].Name != "fe80::1" || s.Hosts[1].Port != "6322" {
		t.Fatalf("got %+v %+v", disk, s.Hosts)
	}
	back, err := formatXLDisk(disk)
	if err != nil {
		t.Fatal(err)
	}
	if want := "format=raw,vdev=xvda,access=rw,backendtype=qdisk,target=" + spec; back != want {
		t.Errorf("got %s, want %s", back, want)
	}
}

func TestSxprChar(t *testing.T) {
	for _, s := range []string{"pty", "null", "stdio", "vc", "/dev/ttyS1", "file:/tmp/x", "pipe:/tmp/p",
		"tcp:127.0.0.1:7777", "tcp::7777,server,nowait", "telnet:127.0.0.1:9999,server,nowait",
		"udp:127.0.0.1:9987@127.0.0.1:9876", "unix:/tmp/s.sock,server,nowait", "unix:/tmp/c.sock"} {
		c, err := parseSxprChar(s)
		if err != nil {
			t.Errorf("%s: %v", s, err)
			continue
		}
		back, err := formatSxprChar(&c)
		if err != nil || back != s {
			t.Errorf("%s: formatted back as %q (%v)", s, back, err)
		}
	}
	for _, bad := range []string{"serial:x", "tcp:nocolon", "udp:x"} {
		if _, err := parseSxprChar(bad); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}

func TestParsePCISpec(t *testing.T) {
	h, short, err := parsePCISpec("0001:0c:1b.2,permissive=1")
	if err != nil || short {
		t.Fatalf("got %v short %v", err, short)
	}
	a := h.Source.Address
	if a.Domain != "0x0001" || a.Bus != "0x0c" || a.Slot != "0x1b" || a.Function != "0x2" || h.Source.Attrs[0].Value != "no" {
		t.Errorf("got %+v %+v", a, h.Source.Attrs)
	}
	if _, short, err := parsePCISpec("01:13.0"); err != nil || !short {
		t.Errorf("short form: got %v short %v", err, short)
	}
	for _, bad := range []string{"01:13", "zz:13.0", "01:20.0", "01:13.8", "01:13.0,permissive"} {
		if _, _, err := parsePCISpec(bad); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}

func TestXenErrorsNameLineAndKey(t *testing.T) {
	cases := []struct {
		in, want string
	}{
		{"uuid = \"x\"\n", "missing"},
		{"name = \"a\"\nmemory = \"lots\"\n", "line 2: key 'memory': malformed value"},
		{"name = \"a\"\nvcpus = 0\n", "line 2: key 'vcpus'"},
		{"name = \"a\"\non_crash = \"explode\"\n", "line 2: key 'on_crash': unexpected value explode"},
		{"name = \"a\"\n\ntype = \"exotic\"\n", "line 3: key 'type': type exotic is not supported"},
		{"name = \"a\"\nbuilder = \"hvm\"\nserial = [ \"pty\", \"bogus:x\" ]\n", "line 3: key 'serial': item 2"},
		{"name = \"a\"\ndisk = [ \"nocomma\" ]\n", "line 2: key 'disk': item 1"},
		{"name = \"a\"\nvif = [ \"mac=xx\" ]\n", "line 2: key 'vif': item 1: malformed mac"},
		{"name = \"a\"\nmaxmem = 99999999999999\n", "key 'memory': too large"},
	}
	for _, c := range cases {
		_, err := ParseXL([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.in, err, c.want)
		}
	}
	if _, err := ParseXM([]byte("name = \"a\"\nbuilder = \"hvm\"\nserial = [ \"pty\" ]\nkernel = \"/l\"\n")); err == nil ||
		!strings.Contains(err.Error(), "not supported by xen-xm") {
		t.Errorf("xm serial list: got %v", err)
	}
}

func TestXenDefaults(t *testing.T) {
	r, err := ParseXL([]byte("name = \"min\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	d := r.Domain
	if d.UUID.IsZero() || d.Memory.Value != 128*1024 || d.VCPU.Value != 1 || d.OS.Type.Type != osPV ||
		d.OnCrash != "restart" || d.Devices.MemBalloon.Model != "xen" || len(d.Devices.Consoles) != 1 {
		t.Errorf("got %+v", d)
	}
	out, err := FormatDomain(d, virtxml.FormatInactive)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := virtxml.ParseDomain(out); err != nil {
		t.Errorf("converted domain does not parse back: %v\n%s", err, out)
	}
}

func TestFormatDomainSecrets(t *testing.T) {
	r, err := ParseXL([]byte("name = \"g\"\nbuilder = \"hvm\"\nvnc = 1\nvncpasswd = \"s3cret\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := FormatDomain(r.Domain, virtxml.FormatInactive)
	secure, _ := FormatDomain(r.Domain, virtxml.FormatSecure)
	if bytes.Contains(plain, []byte("s3cret")) || !bytes.Contains(secure, []byte("passwd='s3cret'")) {
		t.Errorf("plain:\n%s\nsecure:\n%s", plain, secure)
	}
}

func TestToAndFromNativeAPI(t *testing.T) {
	xml, err := ToDomainXML(FormatXenXL, []byte("name = \"a\"\ndevice_model_args = [ \"-x\" ]\n"), VMXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(xml, []byte("xmlns:xen='"+XenNamespace+"'")) || !bytes.Contains(xml, []byte("<xen:arg value='-x'/>")) {
		t.Errorf("namespace data missing:\n%s", xml)
	}
	cfg, err := FromDomainXML(FormatXenXL, xml, FormatOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(cfg, []byte(`device_model_args = [ "-x" ]`)) {
		t.Errorf("got\n%s", cfg)
	}
	if _, err := ToDomainXML("xen-sxpr", nil, VMXOptions{}); err == nil {
		t.Error("unknown format accepted")
	}
	if _, err := FromDomainXML(FormatVMX, xml, FormatOptions{}); err == nil {
		t.Error("vmware-vmx output accepted")
	}
}

func TestXLDiskCanonical(t *testing.T) {
	cases := map[string]bool{
		"format=raw,vdev=hda,access=rw,backendtype=phy,target=/dev/a":                 true,
		"format=raw,vdev=hdc,access=ro,backendtype=qdisk,devtype=cdrom,target=/b.iso": true,
		"format=raw,vdev=hdd,access=ro,devtype=cdrom":                                 true,
		"format=qcow2,vdev=xvda,access=rw,target=/c,with,commas":                      true,
		"/dev/a,raw,hda,rw":                                    false,
		"vdev=hda,format=raw,access=rw,target=/a":              false,
		"format=raw,vdev=hda,access=rw,devtype=disk,target=/a": false,
		"format=raw,vdev=hda,access=rw,script=x,target=/a":     false,
		"format=raw,vdev=hda,access=rw,/a":                     false,
	}
	for spec, want := range cases {
		if got := xlDiskCanonical(spec); got != want {
			t.Errorf("%q: got %v, want %v", spec, got, want)
		}
	}
}
