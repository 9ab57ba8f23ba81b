package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/govirt/govirt/virt"
)

// session is one invocation of govirt (virsh's vshControl): where output
// goes, the connection, and the global options. Nothing outlives it.
type session struct {
	ctx context.Context
	in  io.Reader
	// out buffers standard output; it is flushed after every command and
	// before anything is written to standard error, so the two streams
	// interleave as a user expects.
	out   *bufio.Writer
	errw  io.Writer
	tab   *table
	conn  *virt.Conn
	quiet bool
	// json selects JSON output for list-like commands (-o json).
	json     bool
	readOnly bool
	timing   bool
	// connName is the URI to connect to; empty means libvirt's default.
	connName string
	// interactive is true while the shell runs (virsh's imode).
	interactive bool
	// cwd is the directory "cd" chose; empty means the process's own.
	cwd string

	debug             int
	escape            string
	logFile           string
	keepaliveInterval int
	keepalive         bool
}

func newSession(ctx context.Context, in io.Reader, out, errw io.Writer) *session {
	return &session{ctx: ctx, in: in, out: bufio.NewWriter(out), errw: errw, tab: commands(),
		escape: "^]", keepaliveInterval: 5}
}

// flush writes out what standard output holds.
func (s *session) flush() { s.out.Flush() }

// close drops the connection and flushes standard output.
func (s *session) close() {
	s.flush()
	if s.conn != nil {
		s.conn.Close()
		s.conn = nil
	}
}

// printf writes to standard output (virsh's vshPrint).
func (s *session) printf(format string, args ...any) {
	fmt.Fprintf(s.out, format, args...)
}

// print writes a string to standard output.
func (s *session) print(text string) {
	s.out.WriteString(text)
}

// extraf writes to standard output unless --quiet (virsh's vshPrintExtra).
func (s *session) extraf(format string, args ...any) {
	if !s.quiet {
		fmt.Fprintf(s.out, format, args...)
	}
}

// errorf writes "error: MESSAGE" to standard error (virsh's vshError).
func (s *session) errorf(format string, args ...any) {
	s.flush()
	fmt.Fprintf(s.errw, "error: "+format+"\n", args...)
}

// report prints the lines of a command's error.
func (s *session) report(err error) {
	s.flush()
	for _, l := range errorLines(err) {
		fmt.Fprintf(s.errw, "error: %s\n", l)
	}
}

// connect opens the connection if there is none. On failure it prints
// virsh's messages and returns errReported.
func (s *session) connect() error {
	if s.conn != nil {
		return nil
	}
	c, err := s.open(s.connName, s.readOnly)
	if err != nil {
		s.report(err)
		return errReported
	}
	s.conn = c
	return nil
}

// open connects to uri and applies the keepalive settings.
func (s *session) open(uri string, readOnly bool) (*virt.Conn, error) {
	var (
		c   *virt.Conn
		err error
	)
	if readOnly {
		c, err = virt.OpenReadOnly(s.ctx, uri)
	} else {
		c, err = virt.Open(s.ctx, uri)
	}
	if err != nil {
		if serr := daemonSocketError(uri, err); serr != nil {
			err = serr
		}
		return nil, fail(err, "failed to connect to the hypervisor")
	}
	if s.keepalive {
		// No in-process driver speaks the keepalive protocol; libvirt
		// refuses the connection in that case and so do we.
		c.Close()
		s.errorf("Cannot setup keepalive on connection as requested, disconnecting")
		return nil, fail(virt.Errorf(virt.ErrNoSupport, virt.FromNone, "virConnectSetKeepAlive"), "failed to connect to the hypervisor")
	}
	return c, nil
}

// run runs parsed commands in order, as virsh's vshCommandRun does: each
// command's error is reported, a newline follows its output (unless
// --quiet), and the result is that of the last command. quit reports
// whether a quit or exit command ended the run.
func (s *session) run(calls []*call) (ok, quit bool) {
	ok = true
	for _, c := range calls {
		start := time.Now()
		var err error
		if c.def.noConnect {
			err = s.invoke(c)
		} else if err = s.connect(); err == nil {
			err = s.invoke(c)
		}
		ok = err == nil
		if err != nil {
			s.report(err)
		}
		if c.def.name == "quit" || c.def.name == "exit" {
			return ok, true
		}
		if s.timing {
			s.printf("\n(Time: %.3f ms)\n\n", float64(time.Since(start).Microseconds())/1000)
		} else {
			s.extraf("\n")
		}
		s.flush()
	}
	return ok, false
}

// invoke runs one command, turning a panic into a reported error so that a
// bug in one command cannot take down the process that embeds Main.
func (s *session) invoke(c *call) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: command '%s' failed: %v", c.def.name, r)
		}
	}()
	return c.def.run(s, c)
}
