// Command start benchmarks starting a guest and noticing its power-off
// with govirt's QEMU driver, against the same QEMU command line run bare
// (started with -S and resumed over QMP; left to exit by itself on power
// off) and, when it is installed, libvirt 9.0's QEMU driver (embedded
// through python3-libvirt, qemu:///embed), in one run on the same domain
// XML: the test guest, no network. It prints
//
//	RESULT start ours=MS peer=MS ratio=OURS/PEER             (peer: bare QEMU)
//	RESULT start-libvirt ours=MS peer=MS ratio=OURS/PEER
//	RESULT poweroff-noticed ours=MS peer=MS ratio=OURS/PEER  (peer: bare QEMU's own exit)
//	RESULT poweroff-noticed-libvirt ours=MS peer=MS ratio=OURS/PEER
//
// Start latency is the API call until the domain runs; power-off
// noticed is the time from QEMU reporting the guest's power-off (SHUTDOWN)
// until the domain is reported shut off with its QEMU gone. Medians.
//
// Usage: go run ./bench/start [-n 10] [-m 3] [-libvirt auto|on|off] [-setup-libvirt]
//
// -setup-libvirt installs libvirt-daemon-system (for its libvirt-qemu
// user) with apt-get when missing; no daemon is started and no network is
// used.
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/govirt/govirt/internal/driver/qemu"
	"github.com/govirt/govirt/internal/qmp"
	"github.com/govirt/govirt/internal/testguest"
	"github.com/govirt/govirt/virt"
)

//go:embed peer.py
var peerScript string

func main() {
	n := flag.Int("n", 10, "starts measured per side")
	m := flag.Int("m", 3, "power-offs measured per side")
	lv := flag.String("libvirt", "auto", "measure libvirt too: auto (when installed), on, off")
	setup := flag.Bool("setup-libvirt", false, "apt-get install libvirt-daemon-system when its libvirt-qemu user is missing")
	flag.Parse()
	if err := run(*n, *m, *lv, *setup); err != nil {
		fmt.Fprintln(os.Stderr, "start:", err)
		os.Exit(1)
	}
}

func run(n, m int, lv string, setup bool) error {
	ctx := context.Background()
	g, err := testguest.Ensure(ctx)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "gvb")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	// Files every side (and libvirt's QEMU user) can read.
	kernel, initrd := filepath.Join(work, "vmlinuz"), filepath.Join(work, "initrd.gz")
	for src, dst := range map[string]string{g.Kernel: kernel, g.Initrd: initrd} {
		b, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			return err
		}
	}
	os.Chmod(work, 0o755)
	startXML := domainXML("bench", kernel, initrd, g.Cmdline, filepath.Join(work, "bench.serial"))
	poweroffXML := domainXML("benchoff", kernel, initrd, g.Cmdline+" govirt.poweroff=1", filepath.Join(work, "benchoff.serial"))

	fmt.Printf("machine: %s, %d CPUs; guest: test guest, 200 MiB, TCG, no network\n", hostname(), numCPU())
	ours, argv, err := oursStart(ctx, filepath.Join(work, "ours"), startXML, n)
	if err != nil {
		return fmt.Errorf("govirt start: %w", err)
	}
	bare, err := bareStart(ctx, argv, work, n)
	if err != nil {
		return fmt.Errorf("bare start: %w", err)
	}
	result("start", ours, bare)
	oursOff, argvOff, err := oursPoweroff(ctx, filepath.Join(work, "ours"), poweroffXML, m)
	if err != nil {
		return fmt.Errorf("govirt power-off: %w", err)
	}
	bareOff, err := barePoweroff(ctx, argvOff, work, m)
	if err != nil {
		return fmt.Errorf("bare power-off: %w", err)
	}
	if lv == "off" {
		result("poweroff-noticed", oursOff, bareOff)
		return nil
	}
	if _, err := exec.LookPath("libvirtd"); err != nil || !userExists("libvirt-qemu") {
		if setup {
			if err := setupLibvirt(); err != nil {
				return err
			}
		} else if lv == "on" {
			return fmt.Errorf("libvirt is not set up (run with -setup-libvirt)")
		}
	}
	var lvStart, lvOff []time.Duration
	if userExists("libvirt-qemu") {
		lvStart, lvOff, err = libvirtPeer(work, startXML, n, poweroffXML, m)
		if err != nil && lv == "on" {
			return fmt.Errorf("libvirt: %w", err)
		}
		if err != nil {
			fmt.Println("libvirt: skipped:", err)
		}
	} else {
		fmt.Println("libvirt: skipped: not set up (run with -setup-libvirt)")
	}
	if lvStart != nil {
		result("start-libvirt", ours, lvStart)
	}
	result("poweroff-noticed", oursOff, bareOff)
	if lvOff != nil {
		result("poweroff-noticed-libvirt", oursOff, lvOff)
	}
	return nil
}

func domainXML(name, kernel, initrd, cmdline, serial string) string {
	return fmt.Sprintf(`<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>200</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>%s</kernel>
    <initrd>%s</initrd>
    <cmdline>%s</cmdline>
  </os>
  <features><acpi/></features>
  <devices>
    <serial type='file'><source path='%s'/></serial>
    <console type='file'><source path='%s'/><target type='serial'/></console>
    <memballoon model='none'/>
  </devices>
</domain>
`, name, kernel, initrd, cmdline, serial, serial)
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

func result(name string, ours, peer []time.Duration) {
	o, p := median(ours), median(peer)
	fmt.Printf("RESULT %s ours=%s peer=%s ratio=%.2f\n", name, ms(o), ms(p), float64(o)/float64(p))
}

// oursStart measures d.Start through the driver, and returns the exact
// command line the driver ran.
func oursStart(ctx context.Context, root, xml string, n int) ([]time.Duration, []string, error) {
	c, err := open(ctx, root)
	if err != nil {
		return nil, nil, err
	}
	defer c.Close()
	d, err := c.DefineDomain(ctx, xml, 0)
	if err != nil {
		return nil, nil, err
	}
	defer d.Undefine(ctx, 0)
	// Warm-up: the first start probes the binary.
	if err := d.Start(ctx, 0); err != nil {
		return nil, nil, err
	}
	argv, err := cmdline(root, d.Name())
	if err != nil {
		return nil, nil, err
	}
	d.Destroy(ctx, 0)
	var out []time.Duration
	for i := 0; i < n; i++ {
		t := time.Now()
		if err := d.Start(ctx, 0); err != nil {
			return nil, nil, err
		}
		out = append(out, time.Since(t))
		if err := d.Destroy(ctx, 0); err != nil {
			return nil, nil, err
		}
	}
	return out, argv, nil
}

func open(ctx context.Context, root string) (*virt.Conn, error) {
	var r virt.Registry
	r.Register(qemu.New(qemu.Options{Root: root}))
	return r.Open(ctx, "qemu:///system", 0)
}

// cmdline reads the command line of a running guest's QEMU.
func cmdline(root, name string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(root, "run/govirt/qemu", name+".status"))
	if err != nil {
		return nil, err
	}
	var st struct {
		PID int `json:"pid"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", st.PID))
	if err != nil {
		return nil, err
	}
	return strings.Split(strings.TrimRight(string(raw), "\x00"), "\x00"), nil
}

// bareQEMU is QEMU run from a command line by hand.
type bareQEMU struct {
	cmd  *exec.Cmd
	mon  *qmp.Monitor
	exit chan struct{}
}

// startBare runs argv with its QMP socket (descriptor 3) and connects.
func startBare(ctx context.Context, argv []string, dir string) (*bareQEMU, error) {
	sock := filepath.Join(dir, "bare.qmp")
	os.Remove(sock)
	l, err := net.Listen("unix", sock)
	if err != nil {
		return nil, err
	}
	ul := l.(*net.UnixListener)
	ul.SetUnlinkOnClose(false)
	f, err := ul.File()
	l.Close()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.ExtraFiles = []*os.File{f}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, err
	}
	f.Close()
	b := &bareQEMU{cmd: cmd, exit: make(chan struct{})}
	go func() { cmd.Wait(); close(b.exit) }()
	conn, err := net.Dial("unix", sock)
	if err == nil {
		b.mon, err = qmp.New(ctx, conn)
	}
	if err != nil {
		cmd.Process.Kill()
		<-b.exit
		return nil, err
	}
	return b, nil
}

func (b *bareQEMU) stop() {
	b.cmd.Process.Kill()
	<-b.exit
	b.mon.Close()
}

// bareStart measures the same command line started by hand: exec, QMP
// handshake, cont.
func bareStart(ctx context.Context, argv []string, dir string, n int) ([]time.Duration, error) {
	var out []time.Duration
	for i := 0; i < n+1; i++ {
		t := time.Now()
		b, err := startBare(ctx, argv, dir)
		if err != nil {
			return nil, err
		}
		err = b.mon.Run(ctx, "cont", nil, nil)
		took := time.Since(t)
		b.stop()
		if err != nil {
			return nil, err
		}
		if i > 0 { // the first run warms the caches, as on our side
			out = append(out, took)
		}
	}
	return out, nil
}

// oursPoweroff measures how long after QEMU reports the guest's power-off
// the driver reports the domain shut off.
func oursPoweroff(ctx context.Context, root, xml string, m int) ([]time.Duration, []string, error) {
	c, err := open(ctx, root)
	if err != nil {
		return nil, nil, err
	}
	defer c.Close()
	d, err := c.DefineDomain(ctx, xml, 0)
	if err != nil {
		return nil, nil, err
	}
	defer d.Undefine(ctx, 0)
	var argv []string
	var out []time.Duration
	for i := 0; i < m; i++ {
		ectx, cancel := context.WithTimeout(ctx, 3*time.Minute)
		ev, err := c.DomainEvents(ectx)
		if err != nil {
			cancel()
			return nil, nil, err
		}
		if err := d.Start(ctx, 0); err != nil {
			cancel()
			return nil, nil, err
		}
		if argv == nil {
			argv, _ = cmdline(root, d.Name())
		}
		var shutdown time.Time
		for e := range ev {
			if e.Domain.Name != d.Name() {
				continue
			}
			if e.Type == virt.EventShutdown && shutdown.IsZero() {
				shutdown = time.Now()
			}
			if e.Type == virt.EventStopped {
				if shutdown.IsZero() || e.Detail != virt.DetailStoppedShutdown {
					cancel()
					return nil, nil, fmt.Errorf("stopped (detail %d) without a guest power-off", e.Detail)
				}
				out = append(out, time.Since(shutdown))
				break
			}
		}
		cancel()
		if len(out) != i+1 {
			return nil, nil, fmt.Errorf("no power-off within 3 minutes")
		}
	}
	return out, argv, nil
}

// barePoweroff measures how long QEMU itself takes to exit after it
// reports the guest's power-off, with the same command line minus
// -no-shutdown.
func barePoweroff(ctx context.Context, argv []string, dir string, m int) ([]time.Duration, error) {
	var args []string
	for _, a := range argv {
		if a != "-no-shutdown" {
			args = append(args, a)
		}
	}
	var out []time.Duration
	for i := 0; i < m; i++ {
		b, err := startBare(ctx, args, dir)
		if err != nil {
			return nil, err
		}
		if err := b.mon.Run(ctx, "cont", nil, nil); err != nil {
			b.stop()
			return nil, err
		}
		var shutdown time.Time
		timeout := time.After(3 * time.Minute)
	wait:
		for {
			select {
			case e, ok := <-b.mon.Events():
				if !ok {
					break wait
				}
				if e.Name == "SHUTDOWN" && shutdown.IsZero() {
					shutdown = time.Now()
				}
			case <-timeout:
				b.stop()
				return nil, fmt.Errorf("no power-off within 3 minutes")
			}
		}
		<-b.exit
		if shutdown.IsZero() {
			return nil, fmt.Errorf("QEMU exited without a SHUTDOWN event")
		}
		out = append(out, time.Since(shutdown))
		b.mon.Close()
	}
	return out, nil
}

// libvirtPeer runs peer.py against libvirt's embedded QEMU driver.
func libvirtPeer(work, startXML string, n int, poweroffXML string, m int) ([]time.Duration, []time.Duration, error) {
	root := filepath.Join(work, "lv")
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		return nil, nil, err
	}
	// QEMU runs as root like ours; logs go to files (no virtlogd).
	conf := "user = \"root\"\ngroup = \"root\"\nstdio_handler = \"file\"\n"
	if err := os.WriteFile(filepath.Join(root, "etc", "qemu.conf"), []byte(conf), 0o644); err != nil {
		return nil, nil, err
	}
	sx, px := filepath.Join(work, "lv-start.xml"), filepath.Join(work, "lv-poweroff.xml")
	os.WriteFile(sx, []byte(strings.Replace(startXML, "bench.serial", "lv-bench.serial", -1)), 0o644)
	os.WriteFile(px, []byte(strings.Replace(poweroffXML, "benchoff.serial", "lv-benchoff.serial", -1)), 0o644)
	script := filepath.Join(work, "peer.py")
	if err := os.WriteFile(script, []byte(peerScript), 0o644); err != nil {
		return nil, nil, err
	}
	cmd := exec.Command("/usr/bin/python3", script, root, sx, fmt.Sprint(n), px, fmt.Sprint(m))
	cmd.Stderr = nil
	out, err := cmd.Output()
	if err != nil {
		return nil, nil, fmt.Errorf("peer.py: %v: %s", err, out)
	}
	var res struct {
		Start    []float64 `json:"start"`
		Poweroff []float64 `json:"poweroff"`
		Error    string    `json:"error"`
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil || res.Error != "" {
		return nil, nil, fmt.Errorf("peer.py: %v %s", err, res.Error)
	}
	conv := func(fs []float64) []time.Duration {
		var ds []time.Duration
		for _, f := range fs {
			ds = append(ds, time.Duration(f*float64(time.Second)))
		}
		return ds
	}
	return conv(res.Start), conv(res.Poweroff), nil
}

func userExists(name string) bool {
	b, err := os.ReadFile("/etc/passwd")
	return err == nil && strings.Contains(string(b), "\n"+name+":")
}

// setupLibvirt installs libvirt-daemon-system for its QEMU user. Services
// are not started here (and the bench never starts a daemon).
func setupLibvirt() error {
	cmd := exec.Command("apt-get", "install", "-y", "--no-install-recommends", "libvirt-daemon-system")
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}

func hostname() string {
	h, _ := os.Hostname()
	return h
}

func numCPU() int {
	b, _ := os.ReadFile("/proc/cpuinfo")
	return strings.Count(string(b), "processor\t:")
}
