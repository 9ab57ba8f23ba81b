package test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/govirt/govirt/internal/driver/drivertest"
	"github.com/govirt/govirt/virt"
)

const corpus = "../../../../shared/conformance/libvirt-9.0.0"

// openWith opens uri through a registry holding only drv.
func openWith(t testing.TB, drv *Driver, uri string, flags virt.OpenFlags) *virt.Conn {
	t.Helper()
	var r virt.Registry
	r.Register(drv)
	c, err := r.Open(context.Background(), uri, flags)
	if err != nil {
		t.Fatalf("open %s: %v", uri, err)
	}
	return c
}

// openDefault opens a private test:///default (its own driver, so its own
// node).
func openDefault(t testing.TB) *virt.Conn {
	t.Helper()
	c := openWith(t, New(), "test:///default", 0)
	t.Cleanup(func() { c.Close() })
	return c
}

func TestConformanceSuite(t *testing.T) {
	drv := New()
	drivertest.RunConfig(t, drivertest.Config{
		Open: func(t *testing.T) *virt.Conn { return openWith(t, drv, "test:///default", 0) },
		OpenReadOnly: func(t *testing.T) *virt.Conn {
			return openWith(t, drv, "test:///default", virt.OpenReadOnlyFlag)
		},
	})
}

func readCorpus(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpus, rel))
	if err != nil {
		t.Fatalf("read oracle output: %v", err)
	}
	return string(b)
}

// TestDefaultNodeAsVirsh compares the default node's documents with what
// virsh printed for libvirt's (virsh adds a blank line after a document).
func TestDefaultNodeAsVirsh(t *testing.T) {
	ctx := context.Background()
	c := openDefault(t)
	d, err := c.LookupDomainByName(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	n, err := c.LookupNetworkByName(ctx, "default")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		get  func() (string, error)
		want string
	}{
		{"dumpxml", func() (string, error) { return d.XML(ctx, 0) }, "virsh/012.out"},
		{"dumpxml --inactive", func() (string, error) { return d.XML(ctx, virt.XMLInactive) }, "virsh/013.out"},
		{"net-dumpxml", func() (string, error) { return n.XML(ctx, 0) }, "virsh/019.out"},
	}
	for _, tc := range cases {
		got, err := tc.get()
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if want := strings.TrimSuffix(readCorpus(t, tc.want), "\n"); got != want {
			t.Errorf("%s: got\n%s\nwant\n%s", tc.name, got, want)
		}
	}
}

func TestDefaultNodeFacts(t *testing.T) {
	ctx := context.Background()
	c := openDefault(t)
	info, err := c.NodeInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := virt.NodeInfo{Model: "i686", Memory: 3145728, CPUs: 16, MHz: 1400, Nodes: 2, Sockets: 2, Cores: 2, Threads: 2}
	if info != want {
		t.Errorf("nodeinfo: got %+v, want %+v", info, want)
	}
	if v, _ := c.Version(ctx); v != 2 {
		t.Errorf("version: got %d, want 2", v)
	}
	if h, _ := c.Hostname(ctx); h == "" {
		t.Error("hostname: got empty")
	}
	if c.Type() != "TEST" || c.URI() != "test:///default" {
		t.Errorf("type/uri: got %q %q", c.Type(), c.URI())
	}
	sm, _ := c.SecurityModel(ctx)
	if sm != (virt.SecurityModel{Model: "testSecurity"}) {
		t.Errorf("security model: got %+v", sm)
	}
	d, _ := c.LookupDomainByName(ctx, "test")
	if d.ID() != 1 || d.UUID().String() != "6695eb01-f6a4-8304-79aa-97f2502e193f" {
		t.Errorf("domain test: got id %d uuid %s", d.ID(), d.UUID())
	}
	st, reason, _ := d.State(ctx)
	if st != virt.DomainRunning || reason != virt.ReasonUnknown {
		t.Errorf("domstate --reason: got %v (%d), want running (unknown)", st, reason)
	}
	di, _ := d.Info(ctx)
	if di.MaxMem != 8388608 || di.Memory != 2097152 || di.NrVirtCPU != 2 || di.CPUTime == 0 {
		t.Errorf("dominfo: got %+v", di)
	}
	lbl, _ := d.SecurityLabel(ctx)
	if lbl != (virt.SecurityLabel{Label: "libvirt-test", Enforcing: true}) {
		t.Errorf("security label: got %+v", lbl)
	}
	vcpus, err := d.Vcpus(ctx)
	if err != nil || len(vcpus) != 2 || vcpus[1].CPU != 15 || vcpus[1].State != 1 || len(vcpus[1].Affinity) != 8 || !vcpus[1].Affinity[7] {
		t.Errorf("vcpuinfo: got %+v, %v", vcpus, err)
	}
	typ, params, err := d.Scheduler(ctx, 0)
	if err != nil || typ != "fair" || len(params) != 1 || params[0] != (virt.SchedParam{Field: "weight", Value: uint32(50)}) {
		t.Errorf("schedinfo: got %s %+v, %v", typ, params, err)
	}
	caps, _ := c.Capabilities(ctx)
	for _, s := range []string{"<cells num='2'>", "<cpu id='15' socket_id='1' die_id='0' core_id='7' siblings='15'/>",
		"<pages unit='KiB' size='8'>524288</pages>", "<os_type>xen</os_type>", "<model>testSecurity</model>"} {
		if !strings.Contains(caps, s) {
			t.Errorf("capabilities lack %q", s)
		}
	}
}

func TestSharedDefaultNode(t *testing.T) {
	ctx := context.Background()
	drv := New()
	a := openWith(t, drv, "test:///default", 0)
	b := openWith(t, drv, "test:///default", 0)
	if _, err := a.DefineDomain(ctx, "<domain type='test'><name>shared</name><memory>1024</memory><os><type>hvm</type></os></domain>", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := b.LookupDomainByName(ctx, "shared"); err != nil {
		t.Fatalf("second connection does not see the first's domain: %v", err)
	}
	a.Close()
	if _, err := b.LookupDomainByName(ctx, "shared"); err != nil {
		t.Fatalf("node dropped while a connection remains: %v", err)
	}
	b.Close()
	c := openWith(t, drv, "test:///default", 0)
	defer c.Close()
	if _, err := c.LookupDomainByName(ctx, "shared"); err == nil {
		t.Fatal("node not fresh after its last connection closed")
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.xml")
	os.WriteFile(bad, []byte("not xml"), 0o644)
	tests := []struct {
		uri  string
		code *virt.Error
		msg  string
	}{
		{"test:///", virt.ErrInvalidArg, "invalid argument: testOpen: supply a path or use test:///default"},
		{"test:///nonexist.xml", virt.ErrXML, "XML error: failed to parse xml document '/nonexist.xml'"},
		{"test://" + bad, virt.ErrXMLDetail, bad + ":1: Start tag expected, '<' not found"},
	}
	for _, tc := range tests {
		var r virt.Registry
		r.Register(New())
		_, err := r.Open(context.Background(), tc.uri, 0)
		if err == nil || !errorsIs(err, tc.code) {
			t.Errorf("open %s: got %v, want code %v", tc.uri, err, tc.code.Code)
			continue
		}
		if tc.code != virt.ErrXMLDetail && err.Error() != tc.msg {
			t.Errorf("open %s: got %q, want %q", tc.uri, err, tc.msg)
		}
	}
}
