package guestinit

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// ModulesList is the file, inside the initramfs and inside an ext2 root,
// that lists the kernel modules to load at boot (paths relative to
// /lib/modules/VERSION, dependencies first).
const ModulesList = "etc/govirt/modules"

const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/run/govirt/bin"

type initState struct {
	debug   bool
	args    map[string]string
	kver    string
	loaded  map[string]bool
	console *os.File
}

// Main runs the appliance's init. It never returns: the machine powers off.
// Started by the kernel as its modprobe helper (not as PID 1), it loads
// the module asked for instead and exits.
func Main() {
	if os.Getpid() != 1 {
		os.Exit(modprobe(os.Args[1:]))
	}
	s := &initState{args: map[string]string{}, loaded: map[string]bool{}, console: os.Stderr}
	os.Setenv("PATH", defaultPath)
	os.Setenv("HOME", "/root")
	os.Setenv("TERM", "dumb")
	if err := s.run(); err != nil {
		s.say("govirt-init: %v", err)
	}
	poweroff()
}

func (s *initState) say(format string, a ...any) {
	fmt.Fprintf(s.console, format+"\n", a...)
}

func (s *initState) debugf(format string, a ...any) {
	if s.debug {
		s.say("govirt-init: [%sms] "+format, append([]any{uptimeMillis()}, a...)...)
	}
}

func mount(src, dst, typ string, flags uintptr, data string) error {
	os.MkdirAll(dst, 0o755)
	if err := syscall.Mount(src, dst, typ, flags, data); err != nil {
		return fmt.Errorf("mount %s on %s: %w", typ, dst, err)
	}
	return nil
}

func (s *initState) run() error {
	if _, err := os.Stat("/proc/self"); err != nil {
		if err := mount("proc", "/proc", "proc", 0, ""); err != nil {
			return err
		}
	}
	if b, err := os.ReadFile("/proc/cmdline"); err == nil {
		for _, f := range strings.Fields(string(b)) {
			k, v, _ := strings.Cut(f, "=")
			s.args[k] = v
		}
	}
	_, s.debug = s.args["govirt.debug"]
	if _, err := os.Stat("/sys/kernel"); err != nil {
		if err := mount("sysfs", "/sys", "sysfs", 0, ""); err != nil {
			return err
		}
	}
	if _, err := os.Stat("/dev/null"); err != nil {
		if err := mount("devtmpfs", "/dev", "devtmpfs", 0, ""); err != nil {
			return err
		}
	}
	var u syscall.Utsname
	if err := syscall.Uname(&u); err == nil {
		s.kver = cstr(u.Release[:])
	}
	s.debugf("started")
	s.loadModules("/")
	s.debugf("modules loaded")
	if root := s.args["govirt.root"]; root != "" {
		if err := s.switchRoot(root); err != nil {
			return err
		}
	}
	s.setupRoot()
	s.modprobeHelper()
	s.debugf("root ready")
	return s.serve()
}

func cstr(b []int8) string {
	var out []byte
	for _, c := range b {
		if c == 0 {
			break
		}
		out = append(out, byte(c))
	}
	return string(out)
}

// loadModules loads the modules listed under root.
func (s *initState) loadModules(root string) {
	b, err := os.ReadFile(filepath.Join(root, ModulesList))
	if err != nil {
		return
	}
	for _, m := range strings.Split(string(b), "\n") {
		m = strings.TrimSpace(m)
		if m == "" || s.loaded[filepath.Base(m)] {
			continue
		}
		p := filepath.Join(root, "lib/modules", s.kver, m)
		if err := loadModule(p); err != nil {
			s.debugf("module %s: %v", m, err)
			continue
		}
		s.debugf("loaded %s", m)
		s.loaded[filepath.Base(m)] = true
	}
}

func loadModule(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var flags uintptr
	for _, ext := range []string{".xz", ".zst", ".gz"} {
		if strings.HasSuffix(path, ext) {
			flags = 4 // MODULE_INIT_COMPRESSED_FILE: the kernel decompresses
		}
	}
	if sysFinitModule == 0 {
		return fmt.Errorf("finit_module: unknown system call number on %s", runtime.GOARCH)
	}
	params, _ := syscall.BytePtrFromString("")
	_, _, e := syscall.Syscall(sysFinitModule, f.Fd(), uintptr(unsafe.Pointer(params)), flags)
	if e != 0 && e != syscall.EEXIST {
		return e
	}
	return nil
}

// switchRoot mounts the root device and chroots into it (under a RAM
// overlay when overlayfs is available).
func (s *initState) switchRoot(dev string) error {
	name := strings.TrimPrefix(dev, "/dev/")
	start := time.Now()
	delay := time.Millisecond
	hinted := false
	for {
		if _, err := os.Stat("/sys/block/" + name + "/dev"); err == nil {
			break
		}
		if time.Since(start) > 60*time.Second {
			return fmt.Errorf("root device %s did not appear: the kernel lacks a virtio block driver, or its module failed to load (boot with govirt.debug)", dev)
		}
		if !hinted && time.Since(start) > 5*time.Second {
			hinted = true
			s.say("govirt-init: still waiting for the root device %s", dev)
		}
		time.Sleep(delay)
		if delay < 100*time.Millisecond {
			delay *= 2
		}
	}
	if _, err := os.Stat(dev); err != nil {
		b, err := os.ReadFile("/sys/block/" + name + "/dev")
		if err != nil {
			return err
		}
		maj, min, _ := strings.Cut(strings.TrimSpace(string(b)), ":")
		ma, _ := strconv.Atoi(maj)
		mi, _ := strconv.Atoi(min)
		if err := syscall.Mknod(dev, syscall.S_IFBLK|0o600, ma<<8|mi&0xff|(mi&^0xff)<<12); err != nil {
			return fmt.Errorf("mknod %s: %w", dev, err)
		}
	}
	var errs []string
	mounted := false
	for _, typ := range []string{"ext2", "ext4"} {
		err := mount(dev, "/sysroot", typ, syscall.MS_RDONLY|syscall.MS_NOATIME, "")
		if err == nil {
			mounted = true
			break
		}
		errs = append(errs, err.Error())
	}
	if !mounted {
		return fmt.Errorf("mount the root: %s", strings.Join(errs, "; "))
	}
	s.debugf("root %s mounted after %v", dev, time.Since(start))
	s.loadModules("/sysroot")
	s.debugf("root modules loaded")
	newRoot := "/sysroot"
	if s.args["govirt.overlay"] != "off" {
		if err := mount("tmpfs", "/rw", "tmpfs", 0, "mode=0755"); err == nil {
			os.MkdirAll("/rw/upper", 0o755)
			os.MkdirAll("/rw/work", 0o755)
			if err := mount("overlay", "/newroot", "overlay", 0, "lowerdir=/sysroot,upperdir=/rw/upper,workdir=/rw/work"); err == nil {
				newRoot = "/newroot"
			} else {
				s.debugf("no overlay, the root stays read-only: %v", err)
			}
		}
	}
	for _, m := range []string{"/dev", "/proc", "/sys"} {
		os.MkdirAll(newRoot+m, 0o755)
		if err := syscall.Mount(m, newRoot+m, "", syscall.MS_MOVE, ""); err != nil {
			return fmt.Errorf("move %s into the root: %w", m, err)
		}
	}
	if err := syscall.Chroot(newRoot); err != nil {
		return fmt.Errorf("chroot: %w", err)
	}
	return os.Chdir("/")
}

// setupRoot mounts the usual scratch filesystems and, when the appliance
// has busybox but no shell, exposes busybox's applets.
func (s *initState) setupRoot() {
	mount("tmpfs", "/run", "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "mode=0755")
	mount("tmpfs", "/tmp", "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "mode=1777")
	mount("devpts", "/dev/pts", "devpts", syscall.MS_NOSUID|syscall.MS_NOEXEC, "gid=5,mode=620,ptmxmode=000")
	mount("tmpfs", "/dev/shm", "tmpfs", syscall.MS_NOSUID|syscall.MS_NODEV, "mode=1777")
	for name, target := range map[string]string{"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2"} {
		os.Symlink(target, "/dev/"+name)
	}
	syscall.Sethostname([]byte("appliance"))
	if _, err := exec.LookPath("sh"); err == nil {
		return
	}
	os.MkdirAll("/run/govirt/bin", 0o755)
	if bash, err := exec.LookPath("bash"); err == nil {
		// No /bin/sh (dash is not a dependency of bash): let bash be sh.
		os.Symlink(bash, "/run/govirt/bin/sh")
		return
	}
	for _, bb := range []string{"/bin/busybox", "/usr/bin/busybox", "/sbin/busybox"} {
		out, err := exec.Command(bb, "--list").Output()
		if err != nil {
			continue
		}
		for _, a := range strings.Fields(string(out)) {
			os.Symlink(bb, "/run/govirt/bin/"+a)
		}
		return
	}
}

// findPort returns the device of the virtio-serial port named PortName.
func findPort() (string, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		names, _ := filepath.Glob("/sys/class/virtio-ports/*/name")
		for _, n := range names {
			b, err := os.ReadFile(n)
			if err == nil && strings.TrimSpace(string(b)) == PortName {
				return "/dev/" + filepath.Base(filepath.Dir(n)), nil
			}
		}
		if time.Now().After(deadline) {
			return "", errors.New("no virtio-serial port named " + PortName + " (is virtio_console loaded?)")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type frameWriter struct {
	mu   *sync.Mutex
	f    *os.File
	kind byte
}

// Write sends p as frames of the writer's kind.
func (w *frameWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for off := 0; off < len(p); off += maxFrame {
		end := min(off+maxFrame, len(p))
		if err := WriteFrame(w.f, w.kind, p[off:end]); err != nil {
			return off, err
		}
	}
	return len(p), nil
}

func uptimeMillis() string {
	b, _ := os.ReadFile("/proc/uptime")
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "0"
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return strconv.Itoa(int(v * 1000))
}

// serve answers the host's one request.
func (s *initState) serve() error {
	dev, err := findPort()
	if err != nil {
		return err
	}
	var port *os.File
	for i := 0; ; i++ {
		port, err = os.OpenFile(dev, os.O_RDWR, 0)
		if err == nil || i > 200 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err != nil {
		return err
	}
	defer port.Close()
	mu := &sync.Mutex{}
	if err := WriteFrame(port, FrameReady, []byte(uptimeMillis())); err != nil {
		return err
	}
	in := bufio.NewReader(port)
	line, err := in.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("read request: %w", err)
	}
	// The host's frames: standard input, then the acknowledgement.
	stdinR, stdinW, err := os.Pipe()
	if err != nil {
		return err
	}
	acked := make(chan struct{})
	go func() {
		defer close(acked)
		open := true
		for {
			kind, p, err := ReadFrame(in)
			if err != nil || kind == FrameAck {
				if open {
					stdinW.Close()
				}
				return
			}
			switch {
			case kind == FrameStdin && open:
				stdinW.Write(p) // a command that stopped reading drops the rest
			case kind == FrameStdinEOF && open:
				stdinW.Close()
				open = false
			}
		}
	}()
	var req Request
	code := 0
	if err := decodeRequest(line, &req); err != nil {
		WriteFrame(port, FrameError, []byte(err.Error()))
		code = 127
	} else {
		var stdin *os.File
		if req.Stdin {
			stdin = stdinR
		}
		code = s.runCommand(&req, stdin, port, mu)
	}
	stdinR.Close()
	var st [4]byte
	st[0], st[1], st[2], st[3] = byte(code>>24), byte(code>>16), byte(code>>8), byte(code)
	mu.Lock()
	err = WriteFrame(port, FrameExit, st[:])
	mu.Unlock()
	if err != nil {
		return err
	}
	select {
	case <-acked:
	case <-time.After(5 * time.Second):
	}
	return nil
}

func (s *initState) runCommand(req *Request, stdin, port *os.File, mu *sync.Mutex) int {
	if len(req.Argv) == 0 {
		WriteFrame(port, FrameError, []byte("no command given"))
		return 127
	}
	cmd := exec.Command(req.Argv[0], req.Argv[1:]...)
	cmd.Env = append(os.Environ(), req.Env...)
	cmd.Dir = req.Dir
	if cmd.Dir == "" {
		cmd.Dir = "/"
	}
	if stdin != nil {
		cmd.Stdin = stdin
	}
	cmd.Stdout = &frameWriter{mu: mu, f: port, kind: FrameStdout}
	cmd.Stderr = &frameWriter{mu: mu, f: port, kind: FrameStderr}
	cmd.WaitDelay = 2 * time.Second
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				return 128 + int(ws.Signal())
			}
			return ee.ExitCode()
		}
		mu.Lock()
		WriteFrame(port, FrameError, []byte(err.Error()))
		mu.Unlock()
		return 127
	}
	return 0
}

func poweroff() {
	syscall.Sync()
	syscall.Reboot(syscall.LINUX_REBOOT_CMD_POWER_OFF)
	for {
		time.Sleep(time.Hour)
	}
}

// sysFinitModule is finit_module(2)'s number (the syscall package lacks
// it); 0 where unknown.
var sysFinitModule = map[string]uintptr{"amd64": 313, "arm64": 273, "riscv64": 273, "386": 350, "ppc64le": 353, "s390x": 344}[runtime.GOARCH]

// modprobeHelper makes a copy of this program the kernel's modprobe
// helper, so that modules listed in /etc/govirt/modules.dep load when the
// kernel asks for them (mounting a filesystem whose driver is a module).
func (s *initState) modprobeHelper() {
	if _, err := os.Stat("/etc/govirt/modules.dep"); err != nil {
		return
	}
	self, err := os.ReadFile("/proc/self/exe")
	if err != nil {
		s.debugf("modprobe helper: %v", err)
		return
	}
	os.MkdirAll("/run/govirt", 0o755)
	if err := os.WriteFile("/run/govirt/modprobe", self, 0o755); err != nil {
		s.debugf("modprobe helper: %v", err)
		return
	}
	if err := os.WriteFile("/proc/sys/kernel/modprobe", []byte("/run/govirt/modprobe\n"), 0o644); err != nil {
		s.debugf("modprobe helper: %v", err)
	}
}

// modprobe loads the module named by the last argument (a module name or
// an alias such as fs-vfat) and its dependencies, from the lists in
// /etc/govirt. It returns the exit status.
func modprobe(args []string) int {
	if len(args) == 0 {
		return 1
	}
	want := args[len(args)-1]
	deps := map[string][]string{} // path -> dependency paths
	byName := map[string]string{}
	if b, err := os.ReadFile("/etc/govirt/modules.dep"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			mod, rest, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			deps[mod] = strings.Fields(rest)
			byName[modBase(mod)] = mod
		}
	}
	target := byName[strings.ReplaceAll(want, "-", "_")]
	if target == "" {
		b, _ := os.ReadFile("/etc/govirt/modules.alias")
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) == 3 {
				if ok, _ := filepath.Match(f[1], want); ok && byName[f[2]] != "" {
					target = byName[f[2]]
					break
				}
			}
		}
	}
	if target == "" {
		return 1
	}
	var u syscall.Utsname
	syscall.Uname(&u)
	dir := filepath.Join("/lib/modules", cstr(u.Release[:]))
	seen := map[string]bool{}
	var load func(m string, depth int) error
	load = func(m string, depth int) error {
		if seen[m] || depth > 32 {
			return nil
		}
		seen[m] = true
		for _, d := range deps[m] {
			if err := load(d, depth+1); err != nil {
				return err
			}
		}
		if _, ok := deps[m]; !ok {
			return nil // not in this appliance: loaded at boot, or built in
		}
		return loadModule(filepath.Join(dir, m))
	}
	if err := load(target, 0); err != nil {
		return 1
	}
	return 0
}

// modBase normalises a module path to its name.
func modBase(p string) string {
	b := filepath.Base(p)
	if i := strings.Index(b, ".ko"); i >= 0 {
		b = b[:i]
	}
	return strings.ReplaceAll(b, "-", "_")
}
