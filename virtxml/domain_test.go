package virtxml

import (
	"bytes"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"
)

const minimalDomain = `<domain type='test'><name>x</name><memory unit='MiB'>1</memory><os><type>hvm</type></os>` +
	`<devices><disk type='file' device='disk'><source file='/a'/><target dev='vda' bus='virtio'/></disk>` +
	`<interface type='network'><mac address='52:54:00:00:00:01'/><source network='default'/></interface>` +
	`<foo a='1'/></devices></domain>`

func TestDomainDefaults(t *testing.T) {
	d, err := ParseDomain([]byte(minimalDomain))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"memory KiB", d.Memory.Value, uint64(1024)},
		{"current memory", d.CurrentMemory.Value, uint64(1024)},
		{"vcpu", d.VCPU.Value, uint(1)},
		{"placement", d.VCPU.Placement, "static"},
		{"arch", d.OS.Type.Arch, "i686"},
		{"boot", len(d.OS.Boots), 1},
		{"clock", d.Clock.Offset, "utc"},
		{"on_crash", d.OnCrash, "destroy"},
		{"disk source", d.Devices.Disks[0].Source.File, "/a"},
		{"nic network", d.Devices.Interfaces[0].Source.Network, "default"},
		{"unknown kept", len(d.Devices.Extra), 1},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	out, err := d.Format(FormatInactive)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte(`<foo a="1"/>`)) {
		t.Errorf("unknown element lost:\n%s", out)
	}
}

func TestDomainErrors(t *testing.T) {
	tests := []struct {
		doc  string
		code ErrorCode
		msg  string
	}{
		{`<domain type='test'><memory>1</memory><os><type>hvm</type></os></domain>`, CodeNoName, "missing name information"},
		{`<domain type='test'><name>a/b</name><memory>1</memory><os><type>hvm</type></os></domain>`, CodeXML, "name a/b cannot contain '/'"},
		{`<domain type='test'><name>a</name><os><type>hvm</type></os></domain>`, CodeXML, "Memory size must be specified via <memory> or in the <numa> configuration"},
		{`<domain type='test'><name>a</name><memory>1</memory></domain>`, CodeXML, "an os <type> must be specified"},
		{`<domain type='test'><name>a</name><memory>1</memory><os><type>hvm</type></os><on_crash>x</on_crash></domain>`, CodeConfigUnsupported, "unknown on_crash action: x"},
		{`<domain type='test'><name>a`, CodeXMLDetail, ""},
		{`<network/>`, CodeXML, "expecting root element of 'domain', not 'network'"},
	}
	for _, tt := range tests {
		_, err := ParseDomain([]byte(tt.doc))
		var xe *Error
		if !errors.As(err, &xe) {
			t.Errorf("%s: got %v, want an *Error", tt.doc, err)
			continue
		}
		if xe.Code != tt.code || tt.msg != "" && xe.Msg != tt.msg {
			t.Errorf("%s: got %d %q, want %d %q", tt.doc, xe.Code, xe.Msg, tt.code, tt.msg)
		}
	}
}

func TestDomainClone(t *testing.T) {
	d, err := ParseDomain([]byte(minimalDomain))
	if err != nil {
		t.Fatal(err)
	}
	c := d.Clone()
	c.Name = "y"
	c.Memory.Value = 7
	c.Devices.Disks[0].Source.File = "/b"
	c.Devices.Extra[0].Attrs[0].Value = "2"
	if d.Name != "x" || d.Memory.Value != 1024 || d.Devices.Disks[0].Source.File != "/a" || d.Devices.Extra[0].Attrs[0].Value != "1" {
		t.Errorf("changing the clone changed the original")
	}
	a, _ := d.Format(FormatInactive)
	b, _ := d.Clone().Format(FormatInactive)
	if !bytes.Equal(a, b) {
		t.Errorf("clone formats differently:\n%s\n%s", a, b)
	}
}

// TestDomainRoundTripStable checks that formatting a parsed corpus domain
// and parsing it again gives the same document.
func TestDomainRoundTripStable(t *testing.T) {
	for _, c := range loadDomainCases(t) {
		d, err := ParseDomain(c.input)
		if err != nil {
			continue
		}
		out, err := d.Format(FormatInactive)
		if err != nil {
			t.Fatalf("%s: format: %v", c.name, err)
		}
		d2, err := ParseDomain(out)
		if err != nil {
			t.Errorf("%s: re-parse: %v", c.name, err)
			continue
		}
		// libvirt itself is not idempotent on the first round (implicit
		// controllers are appended after the sorted ones, and a second
		// parse sorts them), so the second output must be a fixpoint.
		out2, _ := d2.Format(FormatInactive)
		d3, err := ParseDomain(out2)
		if err != nil {
			t.Errorf("%s: second re-parse: %v", c.name, err)
			continue
		}
		out3, _ := d3.Format(FormatInactive)
		if !bytes.Equal(out2, out3) {
			t.Errorf("%s: not stable: %s", c.name, firstDiff("", string(out3), string(out2)))
		}
	}
}

// TestDomainHostile feeds 1 MiB hostile documents and checks they are
// refused or handled in bounded time and memory.
func TestDomainHostile(t *testing.T) {
	const size = 1 << 20
	head := `<domain type='test'><name>h</name><memory>1</memory><os><type>hvm</type></os>`
	var attrs strings.Builder
	attrs.WriteString(head + `<devices><disk type='file'`)
	for i := 0; attrs.Len() < size; i++ {
		attrs.WriteString(" a")
		attrs.WriteString(strings.Repeat("x", 8))
		attrs.WriteString(string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676%26)))
		attrs.WriteString("='1'")
	}
	attrs.WriteString(`/></devices></domain>`)
	docs := map[string]string{
		"deep nesting": head + strings.Repeat("<x>", size/3) + strings.Repeat("</x>", size/3) + "</domain>",
		"huge text":    head + "<description>" + strings.Repeat("A", size) + "</description></domain>",
		"many attrs":   attrs.String(),
		"many devices": head + "<devices>" + strings.Repeat("<controller type='scsi'/>", size/25) + "</devices></domain>",
		"huge index":   head + "<devices><disk type='file' device='disk'><source file='/a'/><target dev='sda' bus='scsi'/><address type='drive' controller='4000000000'/></disk></devices></domain>",
	}
	for name, doc := range docs {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		d, err := ParseDomain([]byte(doc))
		if err == nil {
			_, err = d.Format(FormatInactive)
		}
		el := time.Since(start)
		runtime.ReadMemStats(&after)
		if el > 5*time.Second {
			t.Errorf("%s: took %v", name, el)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 512<<20 {
			t.Errorf("%s: allocated %d MiB", name, alloc>>20)
		}
		t.Logf("%s: %v in %v", name, err, el)
	}
}

func FuzzParseDomain(f *testing.F) {
	f.Add([]byte(minimalDomain))
	for i, c := range loadDomainCases(f) {
		if i%7 == 0 {
			f.Add(c.input)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseDomain(data)
		if err != nil {
			return
		}
		out, err := d.Format(FormatInactive)
		if err != nil {
			t.Fatalf("format: %v", err)
		}
		d2, err := ParseDomain(out)
		if err != nil {
			t.Fatalf("re-parse of our own output: %v\n%s", err, out)
		}
		out2, err := d2.Format(FormatInactive)
		if err != nil {
			t.Fatalf("re-format: %v", err)
		}
		// Like libvirt, the first round may still move implicit
		// controllers; from the second round on the output is fixed.
		d3, err := ParseDomain(out2)
		if err != nil {
			t.Fatalf("second re-parse: %v\n%s", err, out2)
		}
		out3, err := d3.Format(FormatInactive)
		if err != nil {
			t.Fatalf("third format: %v", err)
		}
		if !bytes.Equal(out2, out3) {
			t.Fatalf("re-format differs:\n%s\n---\n%s", out2, out3)
		}
	})
}
