package test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/govirt/govirt/virt"
)

func TestDefaultPoolAsVirsh(t *testing.T) {
	ctx := context.Background()
	c := openDefault(t)
	p, err := c.LookupStoragePoolByName(ctx, "default-pool")
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.XML(ctx, 0)
	if want := strings.TrimSuffix(readCorpus(t, "virsh/023.out"), "\n"); err != nil || got != want {
		t.Errorf("pool-dumpxml: got %v\n%s\nwant\n%s", err, got, want)
	}
	info, _ := p.Info(ctx)
	if info != (virt.StoragePoolInfo{State: virt.PoolRunning, Capacity: 100 << 30, Available: 100 << 30}) {
		t.Errorf("pool-info: got %+v", info)
	}
	pers, auto, _ := p.Flags(ctx)
	if !pers || auto {
		t.Errorf("pool flags: got persistent %v autostart %v", pers, auto)
	}
}

// TestVolumeBookkeeping follows libvirt's test driver through volume
// create, clone and delete, with the pool's sizes after each.
func TestVolumeBookkeeping(t *testing.T) {
	ctx := context.Background()
	c := openDefault(t)
	p, _ := c.LookupStoragePoolByName(ctx, "default-pool")
	v1, err := p.CreateVol(ctx, "<volume><name>v1</name><capacity unit='M'>10</capacity><allocation unit='M'>5</allocation></volume>", 0)
	if err != nil {
		t.Fatal(err)
	}
	if v1.Key() != "/default-pool/v1" {
		t.Errorf("key: got %q", v1.Key())
	}
	if path, _ := v1.Path(ctx); path != "/default-pool/v1" {
		t.Errorf("path: got %q", path)
	}
	if vi, _ := v1.Info(ctx); vi != (virt.StorageVolInfo{Type: virt.VolFile, Capacity: 10485760, Allocation: 5242880}) {
		t.Errorf("vol-info: got %+v", vi)
	}
	x, _ := v1.XML(ctx)
	want := "<volume type='file'>\n  <name>v1</name>\n  <key>/default-pool/v1</key>\n  <capacity unit='bytes'>10485760</capacity>\n" +
		"  <allocation unit='bytes'>5242880</allocation>\n  <target>\n    <path>/default-pool/v1</path>\n    <format type='raw'/>\n  </target>\n</volume>\n"
	if x != want {
		t.Errorf("vol-dumpxml: got\n%s\nwant\n%s", x, want)
	}
	errs := []struct {
		what string
		err  error
		want string
	}{
		{"duplicate", func() error {
			_, err := p.CreateVol(ctx, "<volume><name>v1</name><capacity>10</capacity></volume>", 0)
			return err
		}(), "operation failed: storage vol already exists"},
		{"too big", func() error {
			_, err := p.CreateVol(ctx, "<volume><name>big</name><capacity unit='T'>1</capacity><allocation unit='G'>101</allocation></volume>", 0)
			return err
		}(), "internal error: Not enough free space in pool for volume 'big'"},
		{"by key", func() error { _, err := c.LookupStorageVolByKey(ctx, "/x"); return err }(),
			"Storage volume not found: no storage vol with matching key '/x'"},
		{"start active", p.Start(ctx, 0), "Requested operation is not valid: storage pool 'default-pool' is active"},
		{"undefine active", p.Undefine(ctx), "Requested operation is not valid: storage pool 'default-pool' is active"},
	}
	for _, e := range errs {
		if e.err == nil || e.err.Error() != e.want {
			t.Errorf("%s: got %v, want %q", e.what, e.err, e.want)
		}
	}
	v2, err := p.CloneVol(ctx, "<volume><name>v2</name><capacity unit='M'>20</capacity></volume>", v1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if info, _ := p.Info(ctx); info.Allocation != 26214400 || info.Available != 107347968000 {
		t.Errorf("pool after clone: got %+v", info)
	}
	if err := v1.Delete(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if info, _ := p.Info(ctx); info.Allocation != 20971520 {
		t.Errorf("pool after delete: got %+v", info)
	}
	if byPath, err := c.LookupStorageVolByPath(ctx, "/default-pool/v2"); err != nil || byPath.Name() != "v2" {
		t.Errorf("lookup by path: got %v, %v", byPath, err)
	}
	if err := p.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := v2.Info(ctx); err == nil || err.Error() != "Requested operation is not valid: storage pool 'default-pool' is not active" {
		t.Errorf("vol-info in stopped pool: got %v", err)
	}
	if _, err := p.ListVols(ctx); err == nil || err.Error() != "Requested operation is not valid: storage pool is not active" {
		t.Errorf("vol-list in stopped pool: got %v", err)
	}
}

func TestPoolLifecycleAndEvents(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := openDefault(t)
	ch, err := c.StoragePoolEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := c.LookupStoragePoolByName(ctx, "default-pool")
	_, err = c.DefineStoragePool(ctx, "<pool type='dir'><name>q</name><target><path>/default-pool</path></target></pool>")
	if want := "operation failed: Storage source conflict with pool: 'default-pool'"; err == nil || err.Error() != want {
		t.Errorf("source clash: got %v, want %q", err, want)
	}
	steps := []struct {
		what string
		do   func() error
		want virt.ObjectEventType
	}{
		{"destroy", func() error { return p.Destroy(ctx) }, virt.ObjectStopped},
		{"build", func() error { return p.Build(ctx, 0) }, virt.ObjectCreated},
		{"delete", func() error { return p.Delete(ctx, 0) }, virt.ObjectDeleted},
		{"start", func() error { return p.Start(ctx, 0) }, virt.ObjectStarted},
		{"create transient", func() error {
			_, err := c.CreateStoragePool(ctx, "<pool type='dir'><name>tr</name><target><path>/tr</path></target></pool>", 0)
			return err
		}, virt.ObjectStarted},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.what, err)
		}
		select {
		case ev := <-ch:
			if ev.Type != s.want {
				t.Fatalf("%s: got event %+v, want type %d", s.what, ev, s.want)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("%s: no event", s.what)
		}
	}
	tr, _ := c.LookupStoragePoolByName(ctx, "tr")
	if err := tr.SetAutostart(ctx, true); err == nil || err.Error() != "invalid argument: pool has no config file" {
		t.Errorf("autostart of transient pool: got %v", err)
	}
	if err := tr.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.LookupStoragePoolByName(ctx, "tr"); err == nil || err.Error() != "Storage pool not found: no storage pool with matching name 'tr'" {
		t.Errorf("transient pool after destroy: got %v", err)
	}
}

func TestInlinePoolVolumes(t *testing.T) {
	ctx := context.Background()
	c := openWith(t, New(), "test://"+testnodePath(t, "testnodeinline.xml"), 0)
	defer c.Close()
	p, err := c.LookupStoragePoolByName(ctx, "default-pool")
	if err != nil {
		t.Fatal(err)
	}
	vols, err := p.ListVols(ctx)
	if err != nil || len(vols) != 1 || vols[0].Key() != "/default-pool/default-vol" {
		t.Fatalf("volumes: got %v, %v", vols, err)
	}
	if info, _ := p.Info(ctx); info.Allocation != 50000 {
		t.Errorf("pool allocation: got %d, want 50000", info.Allocation)
	}
}
