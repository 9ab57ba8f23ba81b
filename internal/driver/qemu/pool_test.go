package qemu

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/govirt/govirt/virt"
)

// TestDirPool drives a directory pool with real qemu-img images: raw and
// qcow2 volumes, a qcow2 volume backed by another, a clone, resizes,
// upload and download, a wipe, a volume made behind the driver's back
// that refresh finds, deletion; and the pool's state survives a new
// driver (as a CLI command after another would see it).
func TestDirPool(t *testing.T) {
	if _, err := exec.LookPath("qemu-img"); err != nil {
		if os.Getenv("GOVIRT_REQUIRE_QEMU") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	root := testRoot(t)
	dir := filepath.Join(root, "images")
	c := openRoot(t, root)
	ctx := context.Background()
	p, err := c.DefineStoragePool(ctx, `<pool type='dir'><name>imgs</name><target><path>`+dir+`</path></target></pool>`)
	if err != nil {
		t.Fatalf("define: %v", err)
	}
	if err := p.Build(ctx, 0); err != nil {
		t.Fatalf("build: %v", err)
	}
	if err := p.Start(ctx, 0); err != nil {
		t.Fatalf("start: %v", err)
	}
	if err := p.Start(ctx, 0); err == nil || !strings.Contains(err.Error(), "storage pool 'imgs' is already active") {
		t.Errorf("second start: got %v", err)
	}
	vol := func(xml string) *virt.StorageVol {
		t.Helper()
		v, err := p.CreateVol(ctx, xml, 0)
		if err != nil {
			t.Fatalf("create volume: %v", err)
		}
		return v
	}
	raw := vol(`<volume><name>raw.img</name><capacity unit='MiB'>1</capacity></volume>`)
	base := vol(`<volume><name>base.qcow2</name><capacity unit='MiB'>8</capacity><target><format type='qcow2'/></target></volume>`)
	over := vol(`<volume><name>over.qcow2</name><capacity unit='MiB'>8</capacity><target><format type='qcow2'/></target>
<backingStore><path>` + filepath.Join(dir, "base.qcow2") + `</path><format type='qcow2'/></backingStore></volume>`)
	xml, _ := over.XML(ctx)
	for _, want := range []string{"<format type='qcow2'/>", "<backingStore>", "<path>" + filepath.Join(dir, "base.qcow2") + "</path>", "<capacity unit='bytes'>8388608</capacity>"} {
		if !strings.Contains(xml, want) {
			t.Errorf("volume XML lacks %q:\n%s", want, xml)
		}
	}
	if _, err := p.CreateVol(ctx, `<volume><name>raw.img</name><capacity>1</capacity></volume>`, 0); err == nil || !strings.Contains(err.Error(), "storage volume name 'raw.img' already in use.") {
		t.Errorf("duplicate volume: got %v", err)
	}
	// Upload, download.
	data := bytes.Repeat([]byte("govirt!"), 1000)
	up, err := raw.Upload(ctx, 4096, 0, 0)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	if _, err := up.Write(data); err != nil {
		t.Fatalf("upload write: %v", err)
	}
	if err := up.Finish(); err != nil {
		t.Fatalf("upload finish: %v", err)
	}
	down, err := raw.Download(ctx, 4096, uint64(len(data)), 0)
	if err != nil {
		t.Fatalf("download: %v", err)
	}
	got, err := io.ReadAll(down)
	down.Finish()
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("download: got %d bytes (%v), want the %d uploaded", len(got), err, len(data))
	}
	// Clone, resize, wipe.
	clone, err := p.CloneVol(ctx, `<volume><name>clone.qcow2</name><capacity>0</capacity><target><format type='qcow2'/></target></volume>`, raw, 0)
	if err != nil {
		t.Fatalf("clone: %v", err)
	}
	if info, _ := clone.Info(ctx); info.Capacity != 1<<20 {
		t.Errorf("clone capacity: got %d, want %d", info.Capacity, 1<<20)
	}
	cpath, _ := clone.Path(ctx)
	if out, err := exec.Command("qemu-img", "compare", "-f", "raw", "-F", "qcow2", filepath.Join(dir, "raw.img"), cpath).CombinedOutput(); err != nil {
		t.Errorf("clone differs from its source: %v: %s", err, out)
	}
	if err := base.Resize(ctx, 16<<20, 0); err != nil {
		t.Fatalf("resize: %v", err)
	}
	if info, _ := base.Info(ctx); info.Capacity != 16<<20 {
		t.Errorf("capacity after resize: got %d, want %d", info.Capacity, 16<<20)
	}
	if err := base.Resize(ctx, 4<<20, 0); err == nil || !strings.Contains(err.Error(), "unless shrink flag explicitly specified") {
		t.Errorf("shrink without flag: got %v", err)
	}
	if err := base.Resize(ctx, 4<<20, virt.VolResizeShrink); err != nil {
		t.Errorf("shrink: %v", err)
	}
	if err := raw.Wipe(ctx, 0, 0); err != nil {
		t.Fatalf("wipe: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "raw.img")); len(b) != 1<<20 || bytes.Count(b, []byte{0}) != len(b) {
		t.Errorf("wiped volume is not all zeros")
	}
	// A volume made behind the driver's back.
	if out, err := exec.Command("qemu-img", "create", "-f", "qcow2", filepath.Join(dir, "outside.qcow2"), "2M").CombinedOutput(); err != nil {
		t.Fatalf("qemu-img: %v: %s", err, out)
	}
	if _, err := p.LookupVolByName(ctx, "outside.qcow2"); err == nil {
		t.Errorf("volume found before refresh")
	}
	if err := p.Refresh(ctx); err != nil {
		t.Fatalf("refresh: %v", err)
	}
	outside, err := p.LookupVolByName(ctx, "outside.qcow2")
	if err != nil {
		t.Fatalf("after refresh: %v", err)
	}
	if x, _ := outside.XML(ctx); !strings.Contains(x, "<format type='qcow2'/>") || !strings.Contains(x, "<capacity unit='bytes'>2097152</capacity>") {
		t.Errorf("volume made outside:\n%s", x)
	}
	if err := over.Delete(ctx, 0); err != nil {
		t.Fatalf("delete: %v", err)
	}
	vols, _ := p.ListVols(ctx)
	var names []string
	for _, v := range vols {
		names = append(names, v.Name())
	}
	if got, want := strings.Join(names, " "), "base.qcow2 clone.qcow2 outside.qcow2 raw.img"; got != want {
		t.Errorf("volumes: got %s, want %s", got, want)
	}
	// A new driver (another process) sees the running pool and its volumes.
	c.Close()
	c2 := openRoot(t, root)
	p2, err := c2.LookupStoragePoolByName(ctx, "imgs")
	if err != nil {
		t.Fatalf("lookup after reopen: %v", err)
	}
	if info, err := p2.Info(ctx); err != nil || info.State != virt.PoolRunning || info.Capacity == 0 {
		t.Errorf("pool after reopen: %+v, %v", info, err)
	}
	if _, err := p2.LookupVolByName(ctx, "clone.qcow2"); err != nil {
		t.Errorf("volume after reopen: %v", err)
	}
	for _, v := range []string{"base.qcow2", "clone.qcow2", "outside.qcow2", "raw.img"} {
		if vv, err := p2.LookupVolByName(ctx, v); err == nil {
			vv.Delete(ctx, 0)
		}
	}
	if err := p2.Destroy(ctx); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	if err := p2.Delete(ctx, 0); err != nil {
		t.Fatalf("delete pool: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pool folder left: %v", err)
	}
	if err := p2.Undefine(ctx); err != nil {
		t.Fatalf("undefine: %v", err)
	}
}
