// Package server serves libvirt's RPC protocol over any byte stream: it
// reads calls, runs the REMOTE program's procedures on the virt connection
// the client opened, and writes replies, events and stream data back. The
// daemon (internal/daemon) owns the listeners and the worker pool; one
// Server serves many clients at once.
//
// Each client has one reader goroutine, one writer goroutine and a bounded
// outgoing queue. Lookups, getters and connection setup (the procedures a
// read-only connection may call) run on the client's reader, in order,
// and answer straight onto the socket; calls with side effects run
// concurrently (at most MaxClientRequests per client) on the Executor, the
// daemon's bounded worker pool. A client that stops reading is dropped
// once its queue passes MaxQueuedBytes or a write stalls for WriteTimeout,
// so it cannot hold the daemon's memory or workers.
package server

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govirt/govirt/internal/rpc"
	"github.com/govirt/govirt/internal/rpc/proto"
	"github.com/govirt/govirt/internal/rpc/xdr"
	"github.com/govirt/govirt/virt"
)

// Opener opens the virt connection named in a client's CONNECT_OPEN
// (a URI such as "qemu:///system" or "test:///default").
type Opener func(ctx context.Context, name string, flags virt.OpenFlags) (*virt.Conn, error)

// Executor runs calls with side effects. Execute may block until a worker
// is free; it returns an error (and does not run job) when ctx ends first.
// high marks the calls libvirt runs at high priority (destroy, define,
// undefine, autostart), which a pool may run on reserved workers.
type Executor interface {
	Execute(ctx context.Context, high bool, job func()) error
}

// goExecutor runs every job on its own goroutine.
type goExecutor struct{}

func (goExecutor) Execute(ctx context.Context, high bool, job func()) error {
	go job()
	return nil
}

// Config configures a Server. Zero values take the defaults noted.
type Config struct {
	// Open opens hypervisor connections; required.
	Open Opener
	// DefaultURI is opened when a client sends CONNECT_OPEN without a name;
	// empty means such clients get libvirtd's "connection not open" error.
	DefaultURI string
	// Logger receives per-client diagnostics (default: discard).
	Logger *slog.Logger
	// Executor runs calls (default: a goroutine per call).
	Executor Executor
	// MaxClientRequests is how many calls of one client may run at once
	// (default 5, libvirtd's max_client_requests).
	MaxClientRequests int
	// MaxMessage bounds incoming messages (default rpc.MaxMessage).
	MaxMessage int
	// MaxQueuedBytes bounds replies and events waiting to be written to one
	// client; a client over it is dropped (default 64 MiB).
	MaxQueuedBytes int
	// WriteTimeout drops a client whose socket accepts nothing for this
	// long (default 30 s).
	WriteTimeout time.Duration
	// KeepaliveInterval and KeepaliveCount: once a client enables
	// keepalive, it is pinged after KeepaliveInterval of silence and
	// dropped after KeepaliveCount unanswered pings (defaults 5 s and 5).
	// A negative interval disables server pings.
	KeepaliveInterval time.Duration
	KeepaliveCount    int
	// CallbackIDStart is the first event callback ID handed out (default 1).
	CallbackIDStart int32
}

// Server serves clients.
type Server struct {
	cfg     Config
	log     *slog.Logger
	nextCB  atomic.Int32
	mu      sync.Mutex
	clients map[*client]struct{}
	wg      sync.WaitGroup
	stats   Stats
}

// Stats counts what a Server has done.
type Stats struct {
	Clients      atomic.Int64
	Calls        atomic.Int64
	Errors       atomic.Int64
	Dropped      atomic.Int64
	BadMessages  atomic.Int64
	EventsSent   atomic.Int64
	Callbacks    atomic.Int64
	PingsSent    atomic.Int64
	PongsSent    atomic.Int64
	StreamsOpen  atomic.Int64
	ActiveCalls  atomic.Int64
	ClientsTotal atomic.Int64
}

// New returns a Server.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Executor == nil {
		cfg.Executor = goExecutor{}
	}
	if cfg.MaxClientRequests <= 0 {
		cfg.MaxClientRequests = 5
	}
	if cfg.MaxMessage <= 0 || cfg.MaxMessage > rpc.MaxMessage {
		cfg.MaxMessage = rpc.MaxMessage
	}
	if cfg.MaxQueuedBytes <= 0 {
		cfg.MaxQueuedBytes = 64 << 20
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 30 * time.Second
	}
	if cfg.KeepaliveInterval == 0 {
		cfg.KeepaliveInterval = 5 * time.Second
	}
	if cfg.KeepaliveCount <= 0 {
		cfg.KeepaliveCount = 5
	}
	if cfg.CallbackIDStart == 0 {
		cfg.CallbackIDStart = 1
	}
	s := &Server{cfg: cfg, log: cfg.Logger, clients: map[*client]struct{}{}}
	s.nextCB.Store(cfg.CallbackIDStart - 1)
	return s
}

// Stats returns the server's counters.
func (s *Server) Stats() *Stats { return &s.stats }

// ClientInfo describes where a client connected.
type ClientInfo struct {
	// ReadOnly forces read-only access (the -ro socket).
	ReadOnly bool
	// Secure reports an encrypted or local transport (CONNECT_IS_SECURE).
	Secure bool
	// Transport names the listener ("unix", "unix-ro", "tcp", "tls", "stdio").
	Transport string
	// Peer identifies the client in logs.
	Peer string
}

// ServeConn serves one client until it disconnects, misbehaves, or ctx
// ends. It closes nc.
func (s *Server) ServeConn(ctx context.Context, nc net.Conn, info ClientInfo) {
	c := newClient(s, nc, info)
	s.mu.Lock()
	s.clients[c] = struct{}{}
	s.mu.Unlock()
	s.stats.Clients.Add(1)
	s.stats.ClientsTotal.Add(1)
	s.wg.Add(1)
	defer func() {
		s.mu.Lock()
		delete(s.clients, c)
		s.mu.Unlock()
		s.stats.Clients.Add(-1)
		s.wg.Done()
	}()
	c.run(ctx)
}

// Clients returns the number of connected clients.
func (s *Server) Clients() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.clients)
}

// CloseAll disconnects every client and waits for their goroutines.
// Guests and other driver state are untouched.
func (s *Server) CloseAll() {
	s.mu.Lock()
	cs := make([]*client, 0, len(s.clients))
	for c := range s.clients {
		cs = append(cs, c)
	}
	s.mu.Unlock()
	for _, c := range cs {
		c.close(errors.New("server shutting down"))
	}
	s.wg.Wait()
}

func (s *Server) callbackID() int32 { return s.nextCB.Add(1) }

// client is one connected client.
type client struct {
	s    *Server
	nc   net.Conn
	info ClientInfo
	log  *slog.Logger

	ctx    context.Context
	cancel context.CancelCauseFunc
	sem    chan struct{}
	out    *outQueue
	calls  sync.WaitGroup

	lastRecv   atomic.Int64 // unix nanos of the last message received
	keepalive  atomic.Bool
	closeOnce  sync.Once
	closeAfter atomic.Bool // CONNECT_CLOSE answered: hang up once written

	mu      sync.Mutex
	conn    *virt.Conn
	dropped bool // a second CONNECT_OPEN dropped the connection
	events  *eventState
	streams map[streamKey]*stream
}

func newClient(s *Server, nc net.Conn, info ClientInfo) *client {
	c := &client{
		s:       s,
		nc:      nc,
		info:    info,
		log:     s.log.With("client", info.Peer, "transport", info.Transport),
		sem:     make(chan struct{}, s.cfg.MaxClientRequests),
		out:     newOutQueue(s.cfg.MaxQueuedBytes),
		streams: map[streamKey]*stream{},
	}
	return c
}

func (c *client) run(parent context.Context) {
	c.ctx, c.cancel = context.WithCancelCause(parent)
	c.lastRecv.Store(time.Now().UnixNano())
	c.log.Debug("client connected")
	done := make(chan struct{})
	go func() {
		c.writeLoop()
		close(done)
	}()
	go func() {
		<-c.ctx.Done()
		// Unblock the reader and the writer.
		c.nc.SetDeadline(time.Now())
		c.out.close()
	}()
	ka := c.startKeepalive()
	err := c.readLoop()
	if c.closeAfter.Load() {
		// CONNECT_CLOSE: finish the calls in flight, write every reply,
		// then hang up.
		c.calls.Wait()
		c.out.finish()
		select {
		case <-done:
		case <-c.ctx.Done():
		}
	}
	c.close(err)
	<-done
	if ka != nil {
		ka.Stop()
	}
	c.calls.Wait()
	c.teardown()
	c.nc.Close()
	c.log.Debug("client disconnected", "reason", context.Cause(c.ctx))
}

// close ends the client for reason.
func (c *client) close(reason error) {
	c.closeOnce.Do(func() {
		if reason == nil {
			reason = io.EOF
		}
		c.cancel(reason)
	})
}

// teardown releases the client's hypervisor connection, events and streams.
func (c *client) teardown() {
	c.mu.Lock()
	conn := c.conn
	c.conn = nil
	streams := c.streams
	c.streams = map[streamKey]*stream{}
	ev := c.events
	c.events = nil
	c.mu.Unlock()
	for _, st := range streams {
		st.abortLocal()
	}
	if ev != nil {
		ev.stop()
	}
	if conn != nil {
		conn.Close()
	}
}

var errNotOpen = rpc.InternalError("hypervisor connection not open")

// virtConn returns the client's hypervisor connection.
func (c *client) virtConn() (*virt.Conn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn == nil {
		return nil, errNotOpen
	}
	return c.conn, nil
}

func (c *client) readLoop() error {
	br := bufio.NewReaderSize(c.nc, 64<<10)
	max := c.s.cfg.MaxMessage
	for {
		body, err := rpc.ReadMessage(br, nil, max)
		if err != nil {
			if errors.Is(err, rpc.ErrBadLength) {
				c.s.stats.BadMessages.Add(1)
				c.log.Warn("dropping client: bad message length", "err", err)
			}
			return err
		}
		c.lastRecv.Store(time.Now().UnixNano())
		h, _ := rpc.ParseHeader(body)
		payload := body[rpc.HeaderSize:]
		if err := c.handle(h, payload); err != nil {
			return err
		}
		if c.closeAfter.Load() {
			return io.EOF
		}
	}
}

// handle routes one incoming message. An error ends the client.
func (c *client) handle(h rpc.Header, payload []byte) error {
	switch h.Prog {
	case rpc.ProgKeepalive:
		if h.Type == rpc.Message && h.Proc == rpc.KeepalivePing {
			c.s.stats.PongsSent.Add(1)
			c.sendRaw(rpc.Header{Prog: rpc.ProgKeepalive, Vers: rpc.ProtocolVersion, Proc: rpc.KeepalivePong, Type: rpc.Message}, nil)
		}
		// PONGs (and anything else) only count as activity.
		return nil
	case rpc.ProgRemote:
	default:
		if h.Type == rpc.Call {
			c.s.stats.BadMessages.Add(1)
			c.replyError(h, rpc.RPCError("Cannot find program %d version %d", h.Prog, h.Vers))
		}
		return nil
	}
	switch h.Type {
	case rpc.Call:
	case rpc.Stream:
		return c.streamPacket(h, payload)
	case rpc.CallWithFDs:
		c.s.stats.BadMessages.Add(1)
		c.replyError(h, rpc.RPCError("file descriptor passing is not supported"))
		return nil
	default:
		// libvirtd ignores replies and messages from clients.
		return nil
	}
	if h.Vers != rpc.ProtocolVersion {
		c.s.stats.BadMessages.Add(1)
		c.replyError(h, rpc.RPCError("Cannot find program %d version %d", h.Prog, h.Vers))
		return nil
	}
	if h.Status != rpc.OK {
		c.s.stats.BadMessages.Add(1)
		c.replyError(h, rpc.RPCError("Unexpected message status %d", h.Status))
		return nil
	}
	p := proto.Proc(h.Proc)
	hd := lookup(p)
	if hd.fn == nil {
		if !p.Known() {
			c.s.stats.BadMessages.Add(1)
			c.replyError(h, rpc.RPCError("unknown procedure: %d", h.Proc))
			return nil
		}
		c.replyError(h, c.unsupported(p))
		return nil
	}
	if hd.inline || !p.Writes() {
		// Connection setup, lookups and getters never wait on a
		// hypervisor: they run here, in order, and answer straight onto
		// the socket, sparing two goroutine hand-offs per call. Calls
		// with side effects go to the bounded worker pool.
		c.s.stats.Calls.Add(1)
		c.call(c.ctx, h, hd, payload, true)
		return nil
	}
	// Bound this client's calls in flight; waiting here stops reading from
	// this client only.
	select {
	case c.sem <- struct{}{}:
	case <-c.ctx.Done():
		return context.Cause(c.ctx)
	}
	c.calls.Add(1)
	c.s.stats.Calls.Add(1)
	job := func() {
		defer func() {
			<-c.sem
			c.calls.Done()
		}()
		c.call(c.ctx, h, hd, payload, false)
	}
	if err := c.s.cfg.Executor.Execute(c.ctx, highPriority[p], job); err != nil {
		<-c.sem
		c.calls.Done()
		return err
	}
	return nil
}

// highPriority are the calls with side effects that libvirt lets run on
// its priority workers: they never wait on a guest, so they stay possible
// (destroy above all) while ordinary workers hang on a stuck hypervisor.
var highPriority = map[proto.Proc]bool{
	proto.ProcDomainDestroy: true, proto.ProcDomainDestroyFlags: true, proto.ProcDomainDefineXML: true,
	proto.ProcDomainDefineXMLFlags: true, proto.ProcDomainUndefine: true, proto.ProcDomainUndefineFlags: true,
	proto.ProcDomainSetAutostart: true, proto.ProcDomainSetMaxMemory: true,
	proto.ProcNetworkDefineXML: true, proto.ProcNetworkDestroy: true, proto.ProcNetworkUndefine: true,
	proto.ProcNetworkSetAutostart: true, proto.ProcStoragePoolDefineXML: true, proto.ProcStoragePoolDestroy: true,
	proto.ProcStoragePoolUndefine: true, proto.ProcStoragePoolSetAutostart: true,
}

// unsupported is the answer to a procedure libvirt defines and govirt does
// not implement: what libvirtd answers when the connection is missing or
// read-only, else VIR_ERR_NO_SUPPORT, which clients treat like an older
// daemon's answer and work around.
func (c *client) unsupported(p proto.Proc) error {
	conn, err := c.virtConn()
	if err != nil {
		return err
	}
	from := familyDomain(p)
	if conn.ReadOnly() && p.Writes() {
		return virt.Errorf(virt.ErrOperationDenied, from, "read only access prevents %s", p.API())
	}
	return virt.Errorf(virt.ErrNoSupport, from, "%s", p.API())
}

// call runs one procedure and queues its reply; on the reader goroutine
// (direct) the reply is written at once when nothing else waits.
func (c *client) call(ctx context.Context, h rpc.Header, hd handler, payload []byte, direct bool) {
	c.s.stats.ActiveCalls.Add(1)
	defer c.s.stats.ActiveCalls.Add(-1)
	d := xdr.NewDecoder(payload)
	if isStreamProc(proto.Proc(h.Proc)) {
		ctx = context.WithValue(ctx, callHeaderKey{}, h)
	}
	ret, err := hd.fn(c, ctx, d)
	if err != nil {
		c.s.stats.Errors.Add(1)
		c.replyError(h, err)
		return
	}
	if st, ok := ret.(*streamStart); ok {
		c.reply(h, nil)
		st.start()
		return
	}
	if direct {
		rh := h
		rh.Type, rh.Status = rpc.Reply, rpc.OK
		c.sendDirect(rh, ret)
		return
	}
	c.reply(h, ret)
}

// sendDirect writes a message from the reader goroutine, through the
// queue when other messages wait.
func (c *client) sendDirect(h rpc.Header, body proto.Encoder) {
	buf := rpc.AppendHeader(getBuf(), h)
	if body != nil {
		e := xdr.NewEncoder(buf)
		body.EncodeXDR(e)
		buf = e.Bytes()
	}
	msg := rpc.Finish(buf)
	done, err := c.out.direct(msg, func(b []byte) error {
		c.nc.SetWriteDeadline(time.Now().Add(c.s.cfg.WriteTimeout))
		_, err := c.nc.Write(b)
		return err
	})
	if !done {
		c.enqueue(msg)
		return
	}
	putBuf(msg)
	if err != nil {
		if c.ctx.Err() == nil {
			c.log.Warn("dropping client: write failed", "err", err)
			c.s.stats.Dropped.Add(1)
		}
		c.close(err)
	}
}

// errDecode is the answer to arguments that fail to decode.
var errDecode = rpc.RPCError("Unable to decode message payload")

// args decodes a call's arguments into a.
func args(d *xdr.Decoder, a proto.Decoder) error {
	a.DecodeXDR(d)
	if d.Err() != nil {
		return errDecode
	}
	return nil
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

func getBuf() []byte { return (*bufPool.Get().(*[]byte))[:0] }

func putBuf(b []byte) {
	if cap(b) > 1<<20 {
		return
	}
	bufPool.Put(&b)
}

// reply queues a successful REPLY carrying ret (nil: void).
func (c *client) reply(call rpc.Header, ret proto.Encoder) {
	h := call
	h.Type = rpc.Reply
	h.Status = rpc.OK
	c.send(h, ret)
}

// replyError queues a REPLY with status ERROR carrying err.
func (c *client) replyError(call rpc.Header, err error) {
	h := call
	h.Type = rpc.Reply
	h.Status = rpc.Error
	buf := rpc.AppendHeader(getBuf(), h)
	e := xdr.NewEncoder(buf)
	rpc.EncodeError(e, err)
	c.enqueue(rpc.Finish(e.Bytes()))
}

// send queues a message with body.
func (c *client) send(h rpc.Header, body proto.Encoder) {
	buf := rpc.AppendHeader(getBuf(), h)
	if body != nil {
		e := xdr.NewEncoder(buf)
		body.EncodeXDR(e)
		buf = e.Bytes()
	}
	c.enqueue(rpc.Finish(buf))
}

// sendRaw queues a message whose payload is raw bytes.
func (c *client) sendRaw(h rpc.Header, payload []byte) {
	buf := rpc.AppendHeader(getBuf(), h)
	buf = append(buf, payload...)
	c.enqueue(rpc.Finish(buf))
}

// enqueue hands msg to the writer; a client too far behind is dropped.
func (c *client) enqueue(msg []byte) {
	if err := c.out.push(msg); err != nil {
		if errors.Is(err, errQueueFull) {
			c.s.stats.Dropped.Add(1)
			c.log.Warn("dropping client: not reading its replies", "queued", c.out.size())
			c.close(err)
		}
		putBuf(msg)
	}
}

func (c *client) writeLoop() {
	wto := c.s.cfg.WriteTimeout
	for {
		batch, ok := c.out.wait()
		if !ok {
			return
		}
		c.nc.SetWriteDeadline(time.Now().Add(wto))
		bufs := net.Buffers(batch)
		_, err := bufs.WriteTo(c.nc)
		for _, b := range batch {
			putBuf(b)
		}
		c.out.done(batch)
		if err != nil {
			if c.ctx.Err() == nil {
				c.log.Warn("dropping client: write failed", "err", err)
				c.s.stats.Dropped.Add(1)
			}
			c.close(err)
			return
		}
	}
}
