package test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/govirt/govirt/virt"
)

func testnodePath(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(corpus, "testnode", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFileNode loads libvirt's example node (domains, networks, a pool from
// files) and checks what virsh showed for it.
func TestFileNode(t *testing.T) {
	ctx := context.Background()
	c := openWith(t, New(), "test://"+testnodePath(t, "testnode.xml"), 0)
	defer c.Close()
	info, _ := c.NodeInfo(ctx)
	want := virt.NodeInfo{Model: "i986", Memory: 8192000, CPUs: 50, MHz: 6000, Nodes: 4, Sockets: 4, Cores: 4, Threads: 2}
	if info != want {
		t.Errorf("nodeinfo: got %+v, want %+v", info, want)
	}
	doms, err := c.ListAllDomains(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int32{}
	for _, d := range doms {
		ids[d.Name()] = d.ID()
	}
	wantIDs := map[string]int32{"fv0": 1, "fc4": 2, "fc5": 3}
	for n, id := range wantIDs {
		if ids[n] != id {
			t.Errorf("domain %s: got id %d, want %d (all: %v)", n, ids[n], id, ids)
		}
	}
	fv0, _ := c.LookupDomainByName(ctx, "fv0")
	vcpus, err := fv0.Vcpus(ctx)
	if err != nil || len(vcpus) != 4 || vcpus[0].CPU != 127 {
		t.Errorf("vcpuinfo fv0: got %+v, %v; want 4 vCPUs on CPU 127", vcpus, err)
	}
	nets, _ := c.ListAllNetworks(ctx, virt.ListNetworksActive)
	if len(nets) != 2 {
		t.Errorf("active networks: got %d, want 2", len(nets))
	}
	caps, _ := c.Capabilities(ctx)
	if !contains(caps, "<cells num='0'>\n      </cells>") {
		t.Errorf("capabilities of a file node: want no cells, got\n%s", caps)
	}
}

// TestFileNodesArePrivate checks that two connections to one file get two
// nodes.
func TestFileNodesArePrivate(t *testing.T) {
	ctx := context.Background()
	drv := New()
	uri := "test://" + testnodePath(t, "testnode.xml")
	a := openWith(t, drv, uri, 0)
	defer a.Close()
	b := openWith(t, drv, uri, 0)
	defer b.Close()
	d, _ := a.LookupDomainByName(ctx, "fv0")
	if err := d.Destroy(ctx, 0); err != nil {
		t.Fatal(err)
	}
	e, _ := b.LookupDomainByName(ctx, "fv0")
	if st, _, _ := e.State(ctx); st != virt.DomainRunning {
		t.Errorf("other connection's fv0: got %v, want running", st)
	}
}

func TestFileNodeTestNamespace(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	node := `<node>
  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
    <name>off</name><memory>1024</memory><os><type>hvm</type></os>
    <test:runstate>5</test:runstate><test:hasmanagedsave/>
  </domain>
  <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
    <name>paused</name><memory>1024</memory><os><type>hvm</type></os>
    <test:runstate>3</test:runstate><test:transient/>
  </domain>
  <cpu><nodes>1</nodes><sockets>1</sockets><cores>2</cores><threads>1</threads></cpu>
</node>`
	p := filepath.Join(dir, "node.xml")
	if err := os.WriteFile(p, []byte(node), 0o644); err != nil {
		t.Fatal(err)
	}
	c := openWith(t, New(), "test://"+p, 0)
	defer c.Close()
	off, err := c.LookupDomainByName(ctx, "off")
	if err != nil {
		t.Fatal(err)
	}
	st, reason, _ := off.State(ctx)
	fl, _ := off.Flags(ctx)
	if st != virt.DomainShutoff || reason != 0 || !fl.ManagedSave || !fl.Persistent || off.ID() != -1 {
		t.Errorf("off: got %v (%d) %+v id %d", st, reason, fl, off.ID())
	}
	x, _ := off.XML(ctx, 0)
	if contains(x, "runstate") || contains(x, "xmlns:test") {
		t.Errorf("test namespace leaked into the definition:\n%s", x)
	}
	pd, _ := c.LookupDomainByName(ctx, "paused")
	st, _, _ = pd.State(ctx)
	fl, _ = pd.Flags(ctx)
	if st != virt.DomainPaused || fl.Persistent || pd.ID() != 1 {
		t.Errorf("paused: got %v %+v id %d", st, fl, pd.ID())
	}
	if info, _ := c.NodeInfo(ctx); info.CPUs != 2 {
		t.Errorf("cpus: got %d, want 2", info.CPUs)
	}
}

func contains(s, sub string) bool { return indexFrom(s, sub, 0) >= 0 }
