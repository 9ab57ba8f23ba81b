package appliance

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/govirt/govirt/internal/appliance/guestinit"
	"github.com/govirt/govirt/virt"
)

// Disk is a disk image attached to a running appliance. The first
// attached disk is /dev/vdb in an ext2 appliance (whose root is
// /dev/vda) and /dev/vda in an initrd appliance.
type Disk struct {
	Path     string
	ReadOnly bool
	// Format is the image format ("raw", "qcow2"); "" detects qcow2 by its
	// magic and takes anything else as raw.
	Format string
}

// RunOptions tune Run.
type RunOptions struct {
	// URI is the QEMU driver connection to boot under; "" uses a private
	// qemu:///embed root in a temporary folder (removed afterwards).
	URI       string
	Disks     []Disk
	MemoryMiB int      // default 512
	Env       []string // extra environment for the command
	// Stdin, when set, is copied to the command's standard input (which
	// otherwise reads /dev/null). Run may return before a blocked read
	// of Stdin ends; that read's data is then dropped.
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Console, when set, receives the appliance's serial console output
	// (kernel and init messages) once it has stopped.
	Console io.Writer
	// Debug boots with kernel and init messages on the console.
	Debug bool
	// Timeout bounds the whole run (default 10 minutes).
	Timeout time.Duration
}

// RunResult tells how a run went.
type RunResult struct {
	ExitCode int
	// GuestBoot is the guest's uptime when its init was ready to run the
	// command; Total is the whole run, from Run's call to the exit status.
	GuestBoot time.Duration
	Total     time.Duration
}

// Run boots the appliance built in out under the QEMU driver (TCG), runs
// argv inside it, streams its output, and powers it off. The callers'
// process must have registered the QEMU driver (drivers.RegisterDefaults).
func Run(ctx context.Context, out string, argv []string, o RunOptions) (*RunResult, error) {
	start := time.Now()
	if len(argv) == 0 {
		return nil, fmt.Errorf("no command to run")
	}
	st, err := ReadStamp(out)
	if err != nil {
		return nil, err
	}
	if st.Format == FormatChroot {
		return nil, fmt.Errorf("%s is a chroot appliance: build it with -f ext2 or -f initrd to boot it", out)
	}
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Minute
	}
	if o.MemoryMiB == 0 {
		o.MemoryMiB = 512
	}
	if o.Stdout == nil {
		o.Stdout = io.Discard
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	abs, err := filepath.Abs(out)
	if err != nil {
		return nil, err
	}
	run, err := os.MkdirTemp("", "govirt-run-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(run)
	uri := o.URI
	if uri == "" {
		uri = "qemu:///embed?root=" + run
		seedCaps(run)
		defer saveCaps(run)
	}
	sock := filepath.Join(run, "ch.sock")
	console := filepath.Join(run, "console.log")
	xml, err := runXML(abs, bootKernel(abs, st), st, sock, console, o)
	if err != nil {
		return nil, err
	}
	conn, err := virt.Open(ctx, uri)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", uri, err)
	}
	defer conn.Close()
	dom, err := conn.CreateDomain(ctx, xml, 0)
	if err != nil {
		return nil, fmt.Errorf("boot the appliance: %w", err)
	}
	stopped := false
	defer func() {
		if !stopped {
			dom.Destroy(context.Background(), 0)
		}
		if o.Console != nil {
			if b, err := os.ReadFile(console); err == nil {
				o.Console.Write(b)
			}
		}
	}()
	res := &RunResult{}
	fail := func(err error) (*RunResult, error) {
		b, _ := os.ReadFile(console)
		return nil, fmt.Errorf("%w\nthe appliance's console said:\n%s", err, tail(string(b), 2000))
	}
	c, err := dialRetry(ctx, sock)
	if err != nil {
		return fail(fmt.Errorf("connect to the appliance's channel: %w", err))
	}
	defer c.Close()
	go func() {
		<-ctx.Done()
		c.Close()
	}()
	// The guest says it is ready before it reads the request.
	kind, p, err := guestinit.ReadFrame(c)
	if err != nil || kind != guestinit.FrameReady {
		return fail(fmt.Errorf("the appliance did not start its init (%v)", errOr(err, ctx)))
	}
	var ms int
	fmt.Sscan(string(p), &ms)
	res.GuestBoot = time.Duration(ms) * time.Millisecond
	req, err := guestinit.EncodeRequest(&guestinit.Request{Argv: argv, Env: o.Env, Stdin: o.Stdin != nil})
	if err != nil {
		return nil, err
	}
	if _, err := c.Write(req); err != nil {
		return fail(fmt.Errorf("send the command: %w", err))
	}
	var wmu sync.Mutex
	send := func(kind byte, p []byte) error {
		wmu.Lock()
		defer wmu.Unlock()
		return guestinit.WriteFrame(c, kind, p)
	}
	if o.Stdin != nil {
		go func() {
			buf := make([]byte, 64<<10)
			for {
				n, err := o.Stdin.Read(buf)
				if n > 0 && send(guestinit.FrameStdin, buf[:n]) != nil {
					return
				}
				if err != nil {
					send(guestinit.FrameStdinEOF, nil)
					return
				}
			}
		}()
	}
	for {
		kind, p, err := guestinit.ReadFrame(c)
		if err != nil {
			return fail(fmt.Errorf("the appliance stopped before the command's exit status came back (%v)", errOr(err, ctx)))
		}
		switch kind {
		case guestinit.FrameStdout:
			o.Stdout.Write(p)
		case guestinit.FrameStderr:
			o.Stderr.Write(p)
		case guestinit.FrameError:
			fmt.Fprintf(o.Stderr, "govirt appliance: %s\n", p)
		case guestinit.FrameExit:
			if len(p) == 4 {
				res.ExitCode = int(int32(uint32(p[0])<<24 | uint32(p[1])<<16 | uint32(p[2])<<8 | uint32(p[3])))
			}
			res.Total = time.Since(start)
			send(guestinit.FrameAck, nil)
			// The guest powers off; its domain goes away with it.
			deadline := time.Now().Add(15 * time.Second)
			for time.Now().Before(deadline) {
				if act, err := dom.IsActive(ctx); err != nil || !act {
					stopped = true
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			return res, nil
		}
	}
}

func errOr(err error, ctx context.Context) error {
	if ctx.Err() != nil {
		return fmt.Errorf("timed out: %w", ctx.Err())
	}
	if err == nil {
		return errors.New("unexpected message")
	}
	return err
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

func dialRetry(ctx context.Context, sock string) (net.Conn, error) {
	for {
		c, err := net.Dial("unix", sock)
		if err == nil {
			return c, nil
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func detectFormat(p string) string {
	f, err := os.Open(p)
	if err != nil {
		return "raw"
	}
	defer f.Close()
	var m [4]byte
	if n, _ := io.ReadFull(f, m[:]); n == 4 && string(m[:]) == "QFI\xfb" {
		return "qcow2"
	}
	return "raw"
}

// runXML is the domain definition of one appliance run.
func runXML(out, kernel string, st *Stamp, sock, console string, o RunOptions) (string, error) {
	esc := html.EscapeString
	cmdline := "console=ttyS0 panic=-1 reboot=t no_timer_check 8250.nr_uarts=1 cryptomgr.notests mitigations=off"
	if o.Debug {
		cmdline += " govirt.debug"
	} else {
		cmdline += " quiet loglevel=0"
	}
	var disks strings.Builder
	letter := 'a'
	// Every PCI device sits in a slot that is a multiple of 4, so that all
	// share one interrupt link: the kernel enables each link through ACPI,
	// which costs about 0.2 s under TCG.
	slot := 8
	addr := func() string {
		a := fmt.Sprintf("<address type='pci' domain='0x0000' bus='0x00' slot='0x%02x' function='0x0'/>", slot)
		slot += 4
		return a
	}
	if st.Format == FormatExt2 {
		cmdline += " govirt.root=/dev/vda"
		fmt.Fprintf(&disks, "    <disk type='file' device='disk'><driver name='qemu' type='raw' cache='unsafe'/><source file='%s'/><target dev='vda' bus='virtio'/><readonly/>%s</disk>\n", esc(filepath.Join(out, "root")), addr())
		letter++
	}
	for _, d := range o.Disks {
		if letter > 'z' {
			return "", fmt.Errorf("too many disks")
		}
		abs, err := filepath.Abs(d.Path)
		if err != nil {
			return "", err
		}
		if _, err := os.Stat(abs); err != nil {
			return "", fmt.Errorf("disk: %w", err)
		}
		format := d.Format
		if format == "" {
			format = detectFormat(abs)
		}
		ro := ""
		if d.ReadOnly {
			ro = "<readonly/>"
		}
		if slot > 0x1c {
			return "", fmt.Errorf("too many disks (at most %d)", (0x1c-8)/4+1)
		}
		fmt.Fprintf(&disks, "    <disk type='file' device='disk'><driver name='qemu' type='%s'/><source file='%s'/><target dev='vd%c' bus='virtio'/>%s%s</disk>\n", esc(format), esc(abs), letter, ro, addr())
		letter++
	}
	name := "appliance-" + filepath.Base(filepath.Dir(sock))
	return fmt.Sprintf(`<domain type='qemu'>
  <name>%s</name>
  <memory unit='MiB'>%d</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>%s</kernel>
    <initrd>%s</initrd>
    <cmdline>%s</cmdline>
  </os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <controller type='virtio-serial' index='0'><address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/></controller>
%s    <serial type='file'><source path='%s'/></serial>
    <channel type='unix'><source mode='bind' path='%s'/><target type='virtio' name='%s'/></channel>
    <memballoon model='none'/>
  </devices>
</domain>`, esc(name), o.MemoryMiB, esc(kernel), esc(filepath.Join(out, "initrd")), esc(cmdline), disks.String(), esc(console), esc(sock), guestinit.PortName), nil
}

// seedCaps copies the QEMU capability probes cached from earlier runs into
// a fresh embed root, so that the driver does not probe QEMU again.
func seedCaps(root string) {
	src, _ := filepath.Glob(filepath.Join(CacheDir(), "appliance", "qemu-caps", "caps-*.json"))
	if len(src) == 0 {
		return
	}
	dst := filepath.Join(root, "var/cache/govirt/qemu")
	if os.MkdirAll(dst, 0o755) != nil {
		return
	}
	for _, s := range src {
		copyFile(s, filepath.Join(dst, filepath.Base(s)))
	}
}

// saveCaps keeps the capability probes of a run for the next.
func saveCaps(root string) {
	src, _ := filepath.Glob(filepath.Join(root, "var/cache/govirt/qemu", "caps-*.json"))
	dst := filepath.Join(CacheDir(), "appliance", "qemu-caps")
	for _, s := range src {
		if isFile(filepath.Join(dst, filepath.Base(s))) {
			continue
		}
		if os.MkdirAll(dst, 0o755) != nil {
			return
		}
		b, err := os.ReadFile(s)
		if err != nil {
			continue
		}
		tmp := filepath.Join(dst, "."+filepath.Base(s)+".tmp")
		if os.WriteFile(tmp, b, 0o644) == nil {
			os.Rename(tmp, filepath.Join(dst, filepath.Base(s)))
		}
	}
}

// BootKernel returns the kernel to boot a built appliance with: the
// kernel's uncompressed ELF payload from the cache when it has a PVH entry
// point (the kernel's own decompression takes seconds under TCG; the
// payload is extracted again if the cache lost it), else out/kernel.
func BootKernel(out string) (string, error) {
	st, err := ReadStamp(out)
	if err != nil {
		return "", err
	}
	return bootKernel(out, st), nil
}

func bootKernel(out string, st *Stamp) string {
	kernel := filepath.Join(out, "kernel")
	if st.KernelELF && st.KernelSum != "" {
		if p, ok := directKernel(kernel, st.KernelSum); ok {
			return p
		}
	}
	return kernel
}
