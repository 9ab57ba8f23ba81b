package qemu

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/govirt/govirt/internal/qmp"
	"github.com/govirt/govirt/virtxml"
)

// TestArgvAccepted runs the command lines of golden definitions with real
// QEMU (paused, never booted), with their files made up under a temporary
// folder and host networking and block devices swapped for user-mode
// networking and files: QEMU must accept every option and answer on its
// monitor. It checks the syntax the golden files only freeze.
func TestArgvAccepted(t *testing.T) {
	g := needQEMU(t)
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("qemu-img not found")
	}
	caps := testCaps(t)
	dir, err := os.MkdirTemp("", "gva")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	raw := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, make([]byte, 1<<20), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	qcow := filepath.Join(dir, "root.qcow2")
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", qcow, "16M").CombinedOutput(); err != nil {
		t.Fatalf("qemu-img: %v: %s", err, out)
	}
	direct := true
	if f, err := os.OpenFile(raw("probe"), os.O_RDWR|syscall.O_DIRECT, 0); err != nil {
		direct = false // tmpfs: no O_DIRECT, so no cache='none'
	} else {
		f.Close()
	}
	kernel := g.Kernel // QEMU reads the kernel's header when an initrd is given
	edits := map[string][]string{
		"pc-full.xml": {
			"/var/lib/govirt/images/full,root.qcow2", qcow,
			"<disk type='block' device='disk'>", "<disk type='file' device='disk'>",
			"<source dev='/dev/sdz'/>", "<source file='" + raw("sdz.img") + "'/>",
			"/srv/shared.img", raw("shared.img"),
			"/srv/install.iso", raw("install.iso"),
			"/srv/data.img", raw("data.img"),
			"<interface type='network'>", "<interface type='user'>",
			"<source network='default'/>", "",
			"<interface type='bridge'>", "<interface type='user'>",
			"<source bridge='br0'/>", "",
			"<interface type='ethernet'>", "<interface type='user'>",
			"<target dev='tap7'/>", "",
			"/run/govirt/full,serial1.sock", filepath.Join(dir, "serial1,x.sock"),
			"/run/govirt/full.agent", filepath.Join(dir, "agent.sock"),
			"/var/log/govirt/full.serial", filepath.Join(dir, "full.serial"),
			"listen='0.0.0.0'", "listen='127.0.0.1'",
			"port='5907'", "port='5987'",
			"service='4555'", "service='45557'",
		},
		"q35.xml":              {"/srv/q35.img", raw("q35.img"), "/srv/q35.iso", raw("q35.iso"), "/boot/vmlinuz", kernel, "port='5901'", "port='5988'"},
		"microvm.xml":          {"/srv/micro.qcow2", qcow, "/boot/vmlinuz", kernel, "/boot/initrd", raw("initrd"), "/run/micro.sock", filepath.Join(dir, "micro.sock"), "/run/micro.agent", filepath.Join(dir, "micro.agent")},
		"user-restrict.xml":    {"<kernel>/k</kernel>", "<kernel>" + kernel + "</kernel>", "/tmp/s.log", filepath.Join(dir, "s.log")},
		"pc-pm-genid.xml":      {"<kernel>/k</kernel>", "<kernel>" + kernel + "</kernel>"},
		"qemu-commandline.xml": {"<kernel>/k</kernel>", "<kernel>" + kernel + "</kernel>"},
		"pc-minimal.xml":       {"/var/cache/govirt/vmlinuz", kernel, "/var/cache/govirt/initrd.gz", raw("initrd.gz"), "/var/log/govirt/minimal.serial", filepath.Join(dir, "minimal.serial")},
	}
	if !direct {
		edits["pc-full.xml"] = append(edits["pc-full.xml"], "cache='none' io='native'", "cache='writeback'", "cache='directsync'", "cache='writethrough'")
	}
	for file, repl := range edits {
		t.Run(strings.TrimSuffix(file, ".xml"), func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata/argv", file))
			if err != nil {
				t.Fatal(err)
			}
			x := strings.NewReplacer(repl...).Replace(string(b))
			def, err := virtxml.ParseDomain([]byte(x))
			if err != nil {
				t.Fatal(err)
			}
			defaultArch([]byte(x), def)
			if err := postParse(def, caps); err != nil {
				t.Fatal(err)
			}
			argv, err := BuildArgv(def, ArgvConfig{MonitorFD: 3, PidFile: filepath.Join(dir, "pid"), Caps: caps})
			if err != nil {
				t.Fatal(err)
			}
			sock := filepath.Join(dir, "qmp")
			l, err := listenUnix(sock)
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(argv[0], argv[1:]...)
			cmd.ExtraFiles = []*os.File{l}
			var out strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			l.Close()
			exited := make(chan struct{})
			go func() { cmd.Wait(); close(exited) }()
			defer func() {
				cmd.Process.Kill()
				<-exited
			}()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			conn, err := dialUnix(ctx, sock)
			var mon *qmp.Monitor
			if err == nil {
				mon, err = qmp.New(ctx, conn)
			}
			if err != nil {
				<-exited
				t.Fatalf("QEMU refused the command line: %v\n%s\n%s", err, out.String(), strings.Join(argv, " "))
			}
			defer mon.Close()
			var st struct {
				Status string `json:"status"`
			}
			if err := mon.Run(ctx, "query-status", nil, &st); err != nil || st.Status != "prelaunch" {
				t.Errorf("status: %q, %v", st.Status, err)
			}
		})
	}
}
