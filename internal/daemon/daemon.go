package daemon

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govirt/govirt/internal/rpc/server"
)

var errStopped = errors.New("daemon stopped")

// Socket names inside Config.UnixSockDir.
const (
	SockName   = "govirt-sock"
	SockROName = "govirt-sock-ro"
)

// Options configure a Daemon.
type Options struct {
	Config Config
	// Open opens the virt connections clients ask for; required.
	Open server.Opener
	// Logger receives the daemon's structured logs (default: discard).
	Logger *slog.Logger
	// Listen enables the TCP and TLS listeners that Config turns on
	// (libvirtd's --listen).
	Listen bool
	// Inherited are listeners passed in by systemd socket activation; when
	// set the daemon creates no unix sockets of its own.
	Inherited []Listener
	// NoListen creates no listeners at all (govirtd --stdio).
	NoListen bool
	// CallbackIDStart is the first event callback ID (tests).
	CallbackIDStart int32
}

// Listener is a listening socket and what its clients may do.
type Listener struct {
	net.Listener
	// Name is "unix", "unix-ro", "tcp" or "tls".
	Name     string
	ReadOnly bool
	Secure   bool
	// path is the unix socket file to remove at shutdown.
	path string
}

// Daemon serves clients on its listeners until its context ends.
type Daemon struct {
	opts      Options
	cfg       Config
	log       *slog.Logger
	srv       *server.Server
	pool      *Pool
	listeners []Listener
	clients   atomic.Int64
	wg        sync.WaitGroup
	lastIdle  atomic.Int64
}

// New prepares a daemon: it validates the options and creates its
// listeners, so that a caller knows the sockets exist when New returns.
func New(opts Options) (*Daemon, error) {
	if opts.Open == nil {
		return nil, errors.New("daemon: no connection opener")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	cfg := opts.Config
	d := &Daemon{opts: opts, cfg: cfg, log: opts.Logger}
	d.pool = NewPool(cfg.MaxWorkers, cfg.PrioWorkers)
	ka := time.Duration(cfg.KeepaliveInterval) * time.Second
	if cfg.KeepaliveInterval < 0 {
		ka = -1
	}
	d.srv = server.New(server.Config{
		Open:              opts.Open,
		DefaultURI:        cfg.DefaultURI,
		Logger:            opts.Logger,
		Executor:          d.pool,
		MaxClientRequests: cfg.MaxClientRequests,
		WriteTimeout:      cfg.WriteTimeout,
		KeepaliveInterval: ka,
		KeepaliveCount:    cfg.KeepaliveCount,
		CallbackIDStart:   opts.CallbackIDStart,
	})
	d.lastIdle.Store(time.Now().UnixNano())
	if opts.NoListen {
		return d, nil
	}
	if len(opts.Inherited) > 0 {
		d.listeners = opts.Inherited
	} else if err := d.listenUnix(); err != nil {
		d.pool.Close()
		return nil, err
	}
	if opts.Listen {
		if err := d.listenNet(); err != nil {
			d.closeListeners()
			d.pool.Close()
			return nil, err
		}
	}
	return d, nil
}

// Server returns the RPC server (for counters and tests).
func (d *Daemon) Server() *server.Server { return d.srv }

// Listeners returns the daemon's listeners.
func (d *Daemon) Listeners() []Listener { return d.listeners }

// SocketPath returns the path of the read-write (or read-only) socket.
func (d *Daemon) SocketPath(readOnly bool) string {
	if readOnly {
		return filepath.Join(d.cfg.UnixSockDir, SockROName)
	}
	return filepath.Join(d.cfg.UnixSockDir, SockName)
}

func (d *Daemon) listenUnix() error {
	if err := os.MkdirAll(d.cfg.UnixSockDir, 0o755); err != nil {
		return fmt.Errorf("create socket folder: %w", err)
	}
	gid := -1
	if d.cfg.UnixSockGroup != "" {
		g, err := user.LookupGroup(d.cfg.UnixSockGroup)
		if err != nil {
			return fmt.Errorf("unix_sock_group: %w", err)
		}
		gid, _ = strconv.Atoi(g.Gid)
	}
	for _, s := range []struct {
		ro    bool
		perms os.FileMode
	}{{false, d.cfg.UnixSockRWPerms}, {true, d.cfg.UnixSockROPerms}} {
		path := d.SocketPath(s.ro)
		l, err := listenUnixSocket(path, s.perms, gid)
		if err != nil {
			d.closeListeners()
			return err
		}
		name := "unix"
		if s.ro {
			name = "unix-ro"
		}
		d.listeners = append(d.listeners, Listener{Listener: l, Name: name, ReadOnly: s.ro, Secure: true, path: path})
	}
	return nil
}

// listenUnixSocket binds path with perms, replacing a stale socket file
// but refusing to take over one a live daemon answers on.
func listenUnixSocket(path string, perms os.FileMode, gid int) (net.Listener, error) {
	if _, err := os.Lstat(path); err == nil {
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil, fmt.Errorf("socket %s is in use by another daemon", path)
		}
		os.Remove(path)
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	if err := os.Chmod(path, perms); err != nil {
		l.Close()
		return nil, fmt.Errorf("set permissions of %s: %w", path, err)
	}
	if gid >= 0 {
		if err := os.Chown(path, -1, gid); err != nil {
			l.Close()
			return nil, fmt.Errorf("set group of %s: %w", path, err)
		}
	}
	return l, nil
}

func (d *Daemon) listenNet() error {
	if d.cfg.ListenTCP {
		addr := net.JoinHostPort(d.cfg.ListenAddr, d.cfg.TCPPort)
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("listen on tcp %s: %w", addr, err)
		}
		d.listeners = append(d.listeners, Listener{Listener: l, Name: "tcp"})
		d.log.Warn("listening on TCP without encryption or authentication", "addr", l.Addr().String())
	}
	if d.cfg.ListenTLS {
		tc, err := ServerTLSConfig(d.cfg)
		if err != nil {
			return err
		}
		addr := net.JoinHostPort(d.cfg.ListenAddr, d.cfg.TLSPort)
		l, err := tls.Listen("tcp", addr, tc)
		if err != nil {
			return fmt.Errorf("listen on tls %s: %w", addr, err)
		}
		d.listeners = append(d.listeners, Listener{Listener: l, Name: "tls", Secure: true})
	}
	return nil
}

func (d *Daemon) closeListeners() {
	for _, l := range d.listeners {
		l.Close()
		if l.path != "" {
			os.Remove(l.path)
		}
	}
}

// Run accepts clients until ctx ends, then shuts down gracefully: it stops
// listening, removes its sockets, disconnects the clients and waits for
// the calls in flight. Guests and other driver state are left alone.
func (d *Daemon) Run(ctx context.Context) error {
	for _, l := range d.listeners {
		d.log.Info("listening", "socket", l.Name, "addr", l.Addr().String())
		d.wg.Add(1)
		go func(l Listener) {
			defer d.wg.Done()
			d.accept(ctx, l)
		}(l)
	}
	<-ctx.Done()
	d.log.Info("shutting down", "clients", d.srv.Clients())
	d.closeListeners()
	d.srv.CloseAll()
	d.wg.Wait()
	d.pool.Close()
	return nil
}

func (d *Daemon) accept(ctx context.Context, l Listener) {
	var delay time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: back off, keep serving.
			if delay == 0 {
				delay = 5 * time.Millisecond
			} else if delay < time.Second {
				delay *= 2
			}
			d.log.Warn("accept failed", "socket", l.Name, "err", err)
			time.Sleep(delay)
			continue
		}
		delay = 0
		if int(d.clients.Load()) >= d.cfg.MaxClients {
			d.log.Warn("too many clients: connection refused", "socket", l.Name, "max_clients", d.cfg.MaxClients)
			nc.Close()
			continue
		}
		d.clients.Add(1)
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			defer d.clientGone()
			d.serve(ctx, nc, l)
		}()
	}
}

func (d *Daemon) clientGone() {
	if d.clients.Add(-1) == 0 {
		d.lastIdle.Store(time.Now().UnixNano())
	}
}

func (d *Daemon) serve(ctx context.Context, nc net.Conn, l Listener) {
	info := server.ClientInfo{ReadOnly: l.ReadOnly, Secure: l.Secure, Transport: l.Name, Peer: nc.RemoteAddr().String()}
	if tc, ok := nc.(*tls.Conn); ok {
		hctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err == nil {
			err = checkPeerDN(tc, d.cfg)
		}
		if err == nil {
			// libvirt's TLS transport: one byte 1 confirms that the
			// client's certificate was accepted.
			tc.SetWriteDeadline(time.Now().Add(30 * time.Second))
			_, err = tc.Write([]byte{1})
			tc.SetWriteDeadline(time.Time{})
		}
		if err != nil {
			d.log.Warn("TLS client refused", "peer", info.Peer, "err", err)
			nc.Close()
			return
		}
		if cs := tc.ConnectionState(); len(cs.PeerCertificates) > 0 {
			info.Peer = cs.PeerCertificates[0].Subject.String() + "@" + info.Peer
		}
	}
	if info.Peer == "" || info.Peer == "@" {
		info.Peer = l.Name
	}
	d.srv.ServeConn(ctx, nc, info)
}

// ServeStdio serves one client over a pipe pair (govirtd --stdio, for ssh).
func (d *Daemon) ServeStdio(ctx context.Context, nc net.Conn, readOnly bool) {
	d.clients.Add(1)
	defer d.clientGone()
	d.srv.ServeConn(ctx, nc, server.ClientInfo{ReadOnly: readOnly, Secure: true, Transport: "stdio", Peer: "stdio"})
}

// Clients returns the number of connected clients.
func (d *Daemon) Clients() int { return int(d.clients.Load()) }

// IdleSince returns when the last client left (or the daemon started),
// and whether clients are connected now.
func (d *Daemon) IdleSince() (time.Time, bool) {
	return time.Unix(0, d.lastIdle.Load()), d.clients.Load() > 0
}
