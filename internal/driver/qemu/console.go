package qemu

import (
	"context"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"unsafe"

	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// consoleForce is VIR_DOMAIN_CONSOLE_FORCE.
const consoleForce = 1

// consoles tracks the open console sessions of guests: one per console,
// as libvirt allows, unless a new one forces the old one out.
var consoles = struct {
	sync.Mutex
	m map[string]*consoleStream // by uuid/alias
}{m: map[string]*consoleStream{}}

// consoleStream is a virt.Stream on a guest's console.
type consoleStream struct {
	rw   io.ReadWriteCloser
	key  string
	once sync.Once
}

func (s *consoleStream) Read(p []byte) (int, error)  { return s.rw.Read(p) }
func (s *consoleStream) Write(p []byte) (int, error) { return s.rw.Write(p) }

// Finish implements virt.Stream.
func (s *consoleStream) Finish() error { return s.close() }

// Abort implements virt.Stream.
func (s *consoleStream) Abort() error { return s.close() }

func (s *consoleStream) close() error {
	var err error
	s.once.Do(func() {
		consoles.Lock()
		if consoles.m[s.key] == s {
			delete(consoles.m, s.key)
		}
		consoles.Unlock()
		err = s.rw.Close()
	})
	return err
}

// OpenDomainConsole implements virt.DomainConsole: a stream on the
// guest's console named dev (an alias such as serial0, console1 or
// channel0; the first console when empty), through its pseudo-terminal or
// the unix or TCP socket QEMU serves it on.
func (c *conn) OpenDomainConsole(ctx context.Context, ref virt.DomainRef, dev string, flags uint32) (virt.Stream, error) {
	if flags&^uint32(consoleForce|2) != 0 {
		return nil, virt.Errorf(virt.ErrInvalidArg, virt.FromQEMU, "unsupported flags (0x%x) in function qemuDomainOpenConsole", flags)
	}
	d, err := c.locked(ref)
	if err != nil {
		return nil, err
	}
	if d.proc == nil {
		d.mu.Unlock()
		return nil, errNotRunning()
	}
	ch := findConsole(d.live, dev)
	var pty string
	if ch != nil && ch.Alias != nil {
		pty = d.proc.ptys[ch.Alias.Name]
	}
	key := d.uuid.String() + "/" + dev
	d.mu.Unlock()
	if ch == nil {
		if dev == "" {
			return nil, virt.Errorf(virt.ErrInternal, virt.FromQEMU, "cannot find default console device")
		}
		return nil, virt.Errorf(virt.ErrInternal, virt.FromQEMU, "cannot find character device %s", dev)
	}
	var rw io.ReadWriteCloser
	src := virtxml.CharSource{}
	if len(ch.Sources) > 0 {
		src = ch.Sources[0]
	}
	switch {
	case ch.Type == "pty" && pty != "":
		f, err := os.OpenFile(pty, os.O_RDWR|syscall.O_NOCTTY, 0)
		if err != nil {
			return nil, sysErr("cannot open console %s: %v", pty, err)
		}
		makeRaw(f)
		rw = f
	case ch.Type == "unix" && src.Mode == "bind":
		conn, err := dialUnix(ctx, src.Path)
		if err != nil {
			return nil, sysErr("cannot connect to console: %v", err)
		}
		rw = conn
	case ch.Type == "tcp" && src.Mode == "bind":
		var dl net.Dialer
		conn, err := dl.DialContext(ctx, "tcp", net.JoinHostPort(src.Host, src.Service))
		if err != nil {
			return nil, sysErr("cannot connect to console: %v", err)
		}
		rw = conn
	default:
		name := dev
		if ch.Alias != nil {
			name = ch.Alias.Name
		}
		return nil, virt.Errorf(virt.ErrOperationUnsupported, virt.FromQEMU, "character device %s is not using a PTY", name)
	}
	s := &consoleStream{rw: rw, key: key}
	consoles.Lock()
	old := consoles.m[key]
	if old != nil && flags&consoleForce == 0 {
		consoles.Unlock()
		rw.Close()
		return nil, virt.Errorf(virt.ErrOperationFailed, virt.FromQEMU, "Active console session exists for this domain")
	}
	consoles.m[key] = s
	consoles.Unlock()
	if old != nil {
		old.close()
	}
	return s, nil
}

// findConsole returns the chardev a console name stands for.
func findConsole(def *virtxml.Domain, dev string) *virtxml.Chardev {
	dv := def.Devices
	if dev == "" {
		if len(dv.Consoles) > 0 {
			c := &dv.Consoles[0]
			if isSerialConsole(0, c) && len(dv.Serials) > 0 {
				return &dv.Serials[0]
			}
			return c
		}
		if len(dv.Serials) > 0 {
			return &dv.Serials[0]
		}
		return nil
	}
	for _, l := range [][]virtxml.Chardev{dv.Serials, dv.Consoles, dv.Channels} {
		for i := range l {
			if l[i].Alias != nil && l[i].Alias.Name == dev {
				return &l[i]
			}
		}
	}
	return nil
}

// makeRaw puts a terminal in raw mode (cfmakeraw), so that the console's
// bytes pass unchanged.
func makeRaw(f *os.File) {
	var t syscall.Termios
	fd := f.Fd()
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TCGETS, uintptr(unsafe.Pointer(&t))); e != 0 {
		return
	}
	t.Iflag &^= syscall.IGNBRK | syscall.BRKINT | syscall.PARMRK | syscall.ISTRIP | syscall.INLCR | syscall.IGNCR | syscall.ICRNL | syscall.IXON
	t.Oflag &^= syscall.OPOST
	t.Lflag &^= syscall.ECHO | syscall.ECHONL | syscall.ICANON | syscall.ISIG | syscall.IEXTEN
	t.Cflag &^= syscall.CSIZE | syscall.PARENB
	t.Cflag |= syscall.CS8
	t.Cc[syscall.VMIN] = 1
	t.Cc[syscall.VTIME] = 0
	syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TCSETS, uintptr(unsafe.Pointer(&t)))
}

// closeConsoles ends the console sessions of a guest whose QEMU is gone.
func closeConsoles(uuid string) {
	consoles.Lock()
	var old []*consoleStream
	for k, s := range consoles.m {
		if strings.HasPrefix(k, uuid+"/") {
			old = append(old, s)
		}
	}
	consoles.Unlock()
	for _, s := range old {
		s.close()
	}
}
