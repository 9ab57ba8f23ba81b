package qemu

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govirt/govirt/virt"
)

// console talks to a guest's shell through a console stream.
type console struct {
	s    virt.Stream
	mu   sync.Mutex
	buf  bytes.Buffer
	done chan struct{}
}

func openConsole(t *testing.T, d *virt.Domain) *console {
	t.Helper()
	s, err := d.OpenConsole(context.Background(), "", 0)
	if err != nil {
		t.Fatalf("open console: %v", err)
	}
	c := &console{s: s, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		b := make([]byte, 4096)
		for {
			n, err := s.Read(b)
			c.mu.Lock()
			c.buf.Write(b[:n])
			c.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { s.Abort() })
	return c
}

// poll runs cmd until its output matches re.
func (c *console) poll(t *testing.T, cmd, re string, timeout time.Duration) []string {
	t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(timeout)
	for {
		out := c.run(t, cmd+"; echo end-of-output", `(?s)(.*)end-of-output`)[1]
		if m := rx.FindStringSubmatch(out); m != nil {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("console: %q gave no %q within %v; last output:\n%s", cmd, re, timeout, out)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// run types a command and waits for its output to match re.
func (c *console) run(t *testing.T, cmd, re string) []string {
	t.Helper()
	c.mu.Lock()
	c.buf.Reset()
	c.mu.Unlock()
	if _, err := c.s.Write([]byte(cmd + "\n")); err != nil {
		t.Fatalf("console write: %v", err)
	}
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(30 * time.Second)
	for {
		c.mu.Lock()
		out := c.buf.String()
		c.mu.Unlock()
		// Skip the echo of the command itself.
		if i := strings.Index(out, "\n"); i >= 0 {
			if m := rx.FindStringSubmatch(out[i+1:]); m != nil {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("console: %q gave no %q; output:\n%s", cmd, re, tail(out, 2000))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestGuestOperations runs one guest through the operations on a running
// guest, each proved from the guest's side: console, vCPU hot-plug,
// balloon, disk and NIC hot-plug and unplug, core dump, managed save and
// save to a file (the memory token survives both).
func TestGuestOperations(t *testing.T) {
	g := needQEMU(t)
	root := testRoot(t)
	c := openRoot(t, root)
	drv := c.Driver().(*conn)
	ctx := context.Background()
	serial := filepath.Join(root, "ops.serial")
	xml := strings.Replace(guestXML(g, "ops", serial, guestOpts{memMiB: 256}), "<vcpu>1</vcpu>", "<vcpu current='1'>2</vcpu>", 1)
	xml = strings.Replace(xml, "<serial type='file'><source path='"+serial+"'/></serial>",
		"<serial type='pty'><log file='"+serial+"' append='on'/></serial>", 1)
	xml = strings.Replace(xml, "<console type='file'><source path='"+serial+"'/><target type='serial'/></console>",
		"<console type='pty'><target type='serial'/></console>", 1)
	d, err := c.DefineDomain(ctx, xml, 0)
	if err != nil {
		t.Fatalf("define: %v", err)
	}
	if err := d.Start(ctx, 0); err != nil {
		t.Fatalf("start: %v", err)
	}
	s := &serialLog{path: serial}
	token := s.wait(t, `booted token=([0-9a-f]+)`, bootTimeout)[1]
	live, _ := d.XML(ctx, 0)
	if !regexp.MustCompile(`<source path='/dev/pts/\d+'/>`).MatchString(live) {
		t.Errorf("live XML shows no pty:\n%s", live)
	}
	con := openConsole(t, d)
	con.run(t, "echo hello-$((6*7))", `hello-42`)

	t.Run("vcpus", func(t *testing.T) {
		if err := d.SetVcpus(ctx, 2, virt.AffectLive); err != nil {
			t.Fatalf("setvcpus: %v", err)
		}
		if n, err := d.VcpuCount(ctx, virt.AffectLive); err != nil || n != 2 {
			t.Errorf("live vcpu count: got %d, %v; want 2", n, err)
		}
		if vs, err := d.Vcpus(ctx); err != nil || len(vs) != 2 {
			t.Errorf("vcpus: got %d, %v; want 2", len(vs), err)
		}
		con.run(t, "ls /sys/devices/system/cpu/", `cpu1`)
	})
	t.Run("balloon", func(t *testing.T) {
		before, _ := strconv.Atoi(con.run(t, "grep MemTotal /proc/meminfo", `MemTotal:\s+(\d+) kB`)[1])
		if err := d.SetMemory(ctx, 160*1024, virt.AffectLive); err != nil {
			t.Fatalf("setmem: %v", err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			after, _ := strconv.Atoi(con.run(t, "grep MemTotal /proc/meminfo", `MemTotal:\s+(\d+) kB`)[1])
			if after <= before-80*1024 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("guest memory after setmem: %d kB (was %d): the balloon did not inflate", after, before)
			}
			time.Sleep(200 * time.Millisecond)
		}
		if ms, err := drv.DomainMemoryStats(ctx, d.Ref(), 0); err != nil || len(ms) == 0 {
			t.Errorf("memory stats: %v, %v", ms, err)
		}
		// QEMU's BALLOON_CHANGE events keep the live memory up to date.
		deadline = time.Now().Add(10 * time.Second)
		for {
			info, err := d.Info(ctx)
			if err == nil && info.Memory == 160*1024 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("info memory: got %d, %v; want %d", info.Memory, err, 160*1024)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	t.Run("disk", func(t *testing.T) {
		img := filepath.Join(root, "extra.img")
		if err := os.WriteFile(img, make([]byte, 8<<20), 0o644); err != nil {
			t.Fatal(err)
		}
		disk := "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='" + img + "'/><target dev='vdb' bus='virtio'/></disk>"
		if err := drv.AttachDomainDevice(ctx, d.Ref(), disk, virt.AffectLive); err != nil {
			t.Fatalf("attach disk: %v", err)
		}
		// The guest names its first virtio disk vda, whatever the target.
		s.wait(t, `govirt-guest: disks=[^\n]*vda`, 30*time.Second)
		if x, _ := d.XML(ctx, 0); !strings.Contains(x, "<target dev='vdb' bus='virtio'/>") {
			t.Errorf("live XML lacks the attached disk")
		}
		// The guest read the new disk (its partition table, at least).
		if st, err := drv.DomainBlockStats(ctx, d.Ref(), "vdb"); err != nil || st.RdReq == 0 || st.RdBytes == 0 {
			t.Errorf("block stats of vdb: %+v, %v", st, err)
		}
		if bi, err := drv.DomainBlockInfo(ctx, d.Ref(), "vdb", 0); err != nil || bi.Capacity != 8<<20 || bi.Physical != 8<<20 {
			t.Errorf("block info of vdb: %+v, %v", bi, err)
		}
		if err := drv.DetachDomainDevice(ctx, d.Ref(), disk, virt.AffectLive); err != nil {
			t.Fatalf("detach disk: %v", err)
		}
		m := s.wait(t, `govirt-guest: disks=([^\n]*)`, 30*time.Second)
		if strings.Contains(m[1], "vda") {
			t.Errorf("guest still sees the disk: %s", m[1])
		}
	})
	t.Run("interface", func(t *testing.T) {
		nic := "<interface type='user'><mac address='52:54:00:12:34:56'/><model type='virtio'/></interface>"
		if err := drv.AttachDomainDevice(ctx, d.Ref(), nic, virt.AffectLive); err != nil {
			t.Fatalf("attach interface: %v", err)
		}
		con.poll(t, "cat /sys/class/net/*/address", `52:54:00:12:34:56`, 30*time.Second)
		if err := drv.DetachDomainDevice(ctx, d.Ref(), nic, virt.AffectLive); err != nil {
			t.Fatalf("detach interface: %v", err)
		}
		con.poll(t, "cat /sys/class/net/*/address", `^[^5]*$`, 30*time.Second)
	})
	t.Run("coredump", func(t *testing.T) {
		path := filepath.Join(root, "ops.core")
		if err := drv.CoreDumpDomain(ctx, d.Ref(), path, 0, 16); err != nil {
			t.Fatalf("core dump: %v", err)
		}
		b := make([]byte, 4)
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		f.Read(b)
		f.Close()
		if string(b) != "\x7fELF" {
			t.Errorf("core dump starts with %q, want an ELF header", b)
		}
		waitState(t, d, virt.DomainRunning, -1, time.Second)
	})
	t.Run("managedsave", func(t *testing.T) {
		if err := d.ManagedSave(ctx, 0); err != nil {
			t.Fatalf("managed save: %v", err)
		}
		waitState(t, d, virt.DomainShutoff, virt.ShutoffSaved, time.Second)
		if fl, _ := d.Flags(ctx); !fl.ManagedSave {
			t.Fatal("no managed save image after managed save")
		}
		if err := d.Start(ctx, 0); err != nil {
			t.Fatalf("start from managed save: %v", err)
		}
		waitState(t, d, virt.DomainRunning, virt.RunningRestored, time.Second)
		if fl, _ := d.Flags(ctx); fl.ManagedSave {
			t.Error("managed save image left after the restore")
		}
		con = openConsole(t, d)
		con.run(t, "cat /tmp/token", token)
	})
	t.Run("savefile", func(t *testing.T) {
		path := filepath.Join(root, "ops.save")
		if err := drv.SaveDomain(ctx, d.Ref(), path, "", 0); err != nil {
			t.Fatalf("save: %v", err)
		}
		waitState(t, d, virt.DomainShutoff, virt.ShutoffSaved, time.Second)
		if x, err := drv.SaveImageXML(ctx, path, 0); err != nil || !strings.Contains(x, "<name>ops</name>") {
			t.Errorf("save image XML: %v\n%s", err, x)
		}
		if err := drv.RestoreDomain(ctx, path, "", 0); err != nil {
			t.Fatalf("restore: %v", err)
		}
		waitState(t, d, virt.DomainRunning, virt.RunningRestored, time.Second)
		con = openConsole(t, d)
		con.run(t, "cat /tmp/token", token)
	})
	if err := d.Destroy(ctx, 0); err != nil {
		t.Fatalf("destroy: %v", err)
	}
}

// TestAutostart starts the domains marked autostart.
func TestAutostart(t *testing.T) {
	g := needQEMU(t)
	root := testRoot(t)
	c := openRoot(t, root)
	ctx := context.Background()
	d, err := c.DefineDomain(ctx, guestXML(g, "auto", filepath.Join(root, "auto.serial"), guestOpts{memMiB: 128}), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DefineDomain(ctx, guestXML(g, "manual", filepath.Join(root, "manual.serial"), guestOpts{memMiB: 128}), 0); err != nil {
		t.Fatal(err)
	}
	if err := d.SetAutostart(ctx, true); err != nil {
		t.Fatal(err)
	}
	if err := c.AutostartDomains(ctx); err != nil {
		t.Fatalf("autostart: %v", err)
	}
	waitState(t, d, virt.DomainRunning, virt.RunningBooted, time.Second)
	m, _ := c.LookupDomainByName(ctx, "manual")
	waitState(t, m, virt.DomainShutoff, -1, time.Second)
	if !exists(filepath.Join(root, "etc/govirt/qemu/autostart/auto.xml")) {
		t.Error("no autostart link")
	}
	if err := d.Destroy(ctx, 0); err != nil {
		t.Fatal(err)
	}
}
