package cli

import (
	"errors"
	"io"
	"os"
	"syscall"
	"unsafe"

	"github.com/govirt/govirt/virt"
)

// cmdConsole attaches the terminal to a guest's console until the escape
// character (Ctrl-] unless -e says otherwise) or the end of the stream,
// as virsh console does.
func cmdConsole(s *session, c *call) error {
	d, name, err := s.domainArg(c, "domain")
	if err != nil {
		return err
	}
	dev, _, err := c.str("devname")
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("force") {
		flags |= virt.ConsoleForce
	}
	if c.has("safe") {
		flags |= virt.ConsoleSafe
	}
	active, err := d.IsActive(s.ctx)
	if err != nil {
		return err
	}
	if !active {
		return fail(errNoCause, "The domain is not running")
	}
	st, err := d.OpenConsole(s.ctx, dev, flags)
	if err != nil {
		return err
	}
	s.printf("Connected to domain '%s'\n", name)
	s.printf("Escape character is %s (Ctrl + %s)\n", s.escape, escapeKey(s.escape))
	s.flush()
	restore := rawTerminal(s.in)
	err = runConsole(st, s.in, s.out, escapeByte(s.escape))
	restore()
	s.printf("\n")
	if err != nil && !errors.Is(err, io.EOF) {
		return fail(err, "console of domain '%s' ended", name)
	}
	return nil
}

// runConsole copies in to the stream and the stream to out until the
// escape byte comes in or the stream ends.
func runConsole(st virt.Stream, in io.Reader, out interface {
	io.Writer
	Flush() error
}, esc byte) error {
	done := make(chan error, 2)
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := st.Read(b)
			if n > 0 {
				out.Write(b[:n])
				out.Flush()
			}
			if err != nil {
				done <- err
				return
			}
		}
	}()
	go func() {
		b := make([]byte, 1024)
		for {
			n, err := in.Read(b)
			for i := 0; i < n; i++ {
				if b[i] == esc {
					if i > 0 {
						st.Write(b[:i])
					}
					done <- nil
					return
				}
			}
			if n > 0 {
				if _, werr := st.Write(b[:n]); werr != nil {
					done <- werr
					return
				}
			}
			if err != nil {
				// End of input: keep showing the guest until it ends.
				return
			}
		}
	}()
	err := <-done
	st.Finish()
	return err
}

// escapeByte turns virsh's escape notation (^] by default) into a byte.
func escapeByte(e string) byte {
	if len(e) == 2 && e[0] == '^' {
		return e[1] ^ 0x40
	}
	if e == "" {
		return 0x1d
	}
	return e[0]
}

// escapeKey is the key to press with Ctrl, as virsh prints it.
func escapeKey(e string) string {
	if len(e) == 2 && e[0] == '^' {
		return e[1:]
	}
	return e
}

// rawTerminal puts in, when it is a terminal, in raw mode and returns what
// restores it.
func rawTerminal(in io.Reader) func() {
	f, ok := in.(*os.File)
	if !ok {
		return func() {}
	}
	fd := f.Fd()
	var old syscall.Termios
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TCGETS, uintptr(unsafe.Pointer(&old))); e != 0 {
		return func() {}
	}
	t := old
	t.Iflag &^= syscall.IGNBRK | syscall.BRKINT | syscall.PARMRK | syscall.ISTRIP | syscall.INLCR | syscall.IGNCR | syscall.ICRNL | syscall.IXON
	t.Oflag &^= syscall.OPOST
	t.Lflag &^= syscall.ECHO | syscall.ECHONL | syscall.ICANON | syscall.ISIG | syscall.IEXTEN
	t.Cflag &^= syscall.CSIZE | syscall.PARENB
	t.Cflag |= syscall.CS8
	t.Cc[syscall.VMIN] = 1
	t.Cc[syscall.VTIME] = 0
	syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TCSETS, uintptr(unsafe.Pointer(&t)))
	return func() {
		syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TCSETS, uintptr(unsafe.Pointer(&old)))
	}
}
