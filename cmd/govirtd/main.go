// Command govirtd is govirt's node daemon. It speaks libvirt's RPC
// protocol, so virsh, python3-libvirt and virt-manager drive it unchanged:
//
//	govirtd [--root DIR] [-f FILE] [--listen] [--timeout SECS] [--session]
//	govirtd --stdio                   serve one client on stdin/stdout
//	govirtd proxy [--socket PATH] [URI]  relay stdin/stdout to a daemon's socket (for ssh)
//
// It listens on a read-write and a read-only unix socket
// (ROOT/run/govirt/govirt-sock and govirt-sock-ro; the session daemon in
// $XDG_RUNTIME_DIR/govirt), and with --listen on the TCP and TLS ports its
// configuration enables. Under systemd it takes the sockets it is handed
// (socket activation). SIGINT and SIGTERM shut it down gracefully; guests
// keep running.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/govirt/govirt/internal/daemon"
	"github.com/govirt/govirt/internal/driver/test"
	"github.com/govirt/govirt/internal/rpc"
	"github.com/govirt/govirt/virt"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin *os.File, stdout *os.File, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "proxy" {
		return runProxy(args[1:], stdin, stdout, stderr)
	}
	fs := flag.NewFlagSet("govirtd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("root", "", "run a self-contained node under `DIR` (sockets in DIR/run/govirt)")
	config := fs.String("config", "", "configuration `file` (libvirtd.conf syntax)")
	fs.StringVar(config, "f", "", "configuration `file` (short for --config)")
	listen := fs.Bool("listen", false, "listen on the TCP/TLS ports the configuration enables")
	fs.BoolVar(listen, "l", false, "short for --listen")
	timeout := fs.Int("timeout", 0, "exit after `SECS` without clients (0: never)")
	fs.IntVar(timeout, "t", 0, "short for --timeout")
	session := fs.Bool("session", os.Geteuid() != 0, "run as the user's session daemon")
	stdio := fs.Bool("stdio", false, "serve one client on stdin/stdout and exit")
	readOnly := fs.Bool("readonly", false, "with --stdio: give the client read-only access")
	verbose := fs.Bool("verbose", false, "log debug messages")
	fs.BoolVar(verbose, "v", false, "short for --verbose")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	pidFile := fs.String("pid-file", "", "write the daemon's pid to `file`")
	fs.StringVar(pidFile, "p", "", "short for --pid-file")
	version := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *version {
		fmt.Fprintf(stdout, "govirtd (govirt) %d.%d.%d\n", virt.LibVersion/1000000, virt.LibVersion/1000%1000, virt.LibVersion%1000)
		return 0
	}
	log := newLogger(stderr, *logFormat, *verbose)
	if *root != "" {
		abs, err := filepath.Abs(*root)
		if err != nil {
			log.Error("bad --root", "err", err)
			return 1
		}
		*root = abs
		*session = false
	}

	cfg := daemon.DefaultConfig(*root)
	if *session {
		cfg.UnixSockDir = rpc.SessionSocketDir()
		// The session daemon is the user's own: only they may connect.
		cfg.UnixSockROPerms = 0o700
	}
	confPath := *config
	if confPath == "" {
		confPath = defaultConfigPath(*root, *session)
	}
	if _, err := os.Stat(confPath); err == nil || *config != "" {
		c, err := daemon.LoadConfig(confPath, cfg)
		if err != nil {
			log.Error("configuration", "err", err)
			return 1
		}
		cfg = c
	}

	opts := daemon.Options{Config: cfg, Open: opener(*root), Logger: log, Listen: *listen}
	if *stdio {
		return runStdio(opts, stdin, stdout, *readOnly)
	}
	inherited, err := daemon.Activated(cfg)
	if err != nil {
		log.Error("socket activation", "err", err)
		return 1
	}
	opts.Inherited = inherited
	d, err := daemon.New(opts)
	if err != nil {
		log.Error("start", "err", err)
		return 1
	}
	if *pidFile != "" {
		if err := os.WriteFile(*pidFile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
			log.Error("pid file", "err", err)
			return 1
		}
		defer os.Remove(*pidFile)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if *timeout > 0 {
		ctx = idleTimeout(ctx, d, time.Duration(*timeout)*time.Second, log)
	}
	log.Info("govirtd started", "pid", os.Getpid(), "root", *root, "session", *session, "socket", d.SocketPath(false))
	if err := d.Run(ctx); err != nil {
		log.Error("run", "err", err)
		return 1
	}
	log.Info("govirtd stopped")
	return 0
}

// opener returns how the daemon opens the connections clients ask for:
// through its own registry of in-process drivers, never the remote
// driver, so a daemon cannot loop back into itself.
func opener(root string) func(ctx context.Context, name string, flags virt.OpenFlags) (*virt.Conn, error) {
	var reg virt.Registry
	// One test driver for the whole daemon: every client asking for
	// test:///default shares one node, fresh again once the last leaves.
	reg.Register(test.New())
	registerQEMU(&reg, root)
	return func(ctx context.Context, name string, flags virt.OpenFlags) (*virt.Conn, error) {
		return reg.Open(ctx, name, flags)
	}
}

func defaultConfigPath(root string, session bool) string {
	if session {
		dir := os.Getenv("XDG_CONFIG_HOME")
		if dir == "" {
			home, _ := os.UserHomeDir()
			dir = filepath.Join(home, ".config")
		}
		return filepath.Join(dir, "govirt", "govirtd.conf")
	}
	return filepath.Join(root+"/", "etc", "govirt", "govirtd.conf")
}

func newLogger(w io.Writer, format string, verbose bool) *slog.Logger {
	lvl := slog.LevelInfo
	if verbose {
		lvl = slog.LevelDebug
	}
	o := &slog.HandlerOptions{Level: lvl}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, o))
	}
	return slog.New(slog.NewTextHandler(w, o))
}

// idleTimeout returns a context that ends once the daemon has had no
// clients for d (libvirtd's --timeout, used by auto-started session
// daemons).
func idleTimeout(parent context.Context, dmn *daemon.Daemon, d time.Duration, log *slog.Logger) context.Context {
	ctx, cancel := context.WithCancel(parent)
	go func() {
		t := time.NewTicker(min(d/4+time.Millisecond, time.Second))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				since, busy := dmn.IdleSince()
				if !busy && time.Since(since) >= d {
					log.Info("no clients: exiting", "timeout", d)
					cancel()
					return
				}
			}
		}
	}()
	return ctx
}

// runStdio serves one client on stdin/stdout.
func runStdio(opts daemon.Options, stdin, stdout *os.File, readOnly bool) int {
	opts.NoListen = true
	d, err := daemon.New(opts)
	if err != nil {
		opts.Logger.Error("start", "err", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	d.ServeStdio(ctx, &stdioConn{in: stdin, out: stdout}, readOnly)
	return 0
}

// stdioConn is a net.Conn over a pair of files.
type stdioConn struct {
	in, out *os.File
}

func (c *stdioConn) Read(b []byte) (int, error)  { return c.in.Read(b) }
func (c *stdioConn) Write(b []byte) (int, error) { return c.out.Write(b) }
func (c *stdioConn) Close() error {
	err := c.in.Close()
	if e := c.out.Close(); err == nil {
		err = e
	}
	return err
}
func (c *stdioConn) LocalAddr() net.Addr  { return stdioAddr{} }
func (c *stdioConn) RemoteAddr() net.Addr { return stdioAddr{} }
func (c *stdioConn) SetDeadline(t time.Time) error {
	return errors.Join(c.in.SetReadDeadline(t), c.out.SetWriteDeadline(t))
}
func (c *stdioConn) SetReadDeadline(t time.Time) error  { return c.in.SetReadDeadline(t) }
func (c *stdioConn) SetWriteDeadline(t time.Time) error { return c.out.SetWriteDeadline(t) }

type stdioAddr struct{}

func (stdioAddr) Network() string { return "stdio" }
func (stdioAddr) String() string  { return "stdio" }
