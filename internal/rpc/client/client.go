// Package client is the calling side of libvirt's RPC protocol: one
// connection to a daemon, calls matched to replies by serial, event
// messages handed to a callback, streams, and keepalive. The remote
// driver (internal/driver/remote) builds govirt's API on it.
//
// One goroutine reads the connection; callers wait for their reply or
// their context. When the connection ends every waiting call fails at
// once.
package client

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govirt/govirt/internal/rpc"
	"github.com/govirt/govirt/internal/rpc/proto"
	"github.com/govirt/govirt/internal/rpc/xdr"
	"github.com/govirt/govirt/virt"
)

// ErrClosed is returned by calls on a closed connection.
var ErrClosed = errors.New("rpc client: connection closed")

// EventFunc receives the asynchronous messages of the REMOTE program
// (events). It runs on the reader goroutine and must not block.
type EventFunc func(proc proto.Proc, payload []byte)

// Options configure a Client.
type Options struct {
	// OnEvent receives event messages.
	OnEvent EventFunc
	// MaxMessage bounds incoming messages (default rpc.MaxMessage).
	MaxMessage int
}

// Client is one connection to a daemon.
type Client struct {
	nc   net.Conn
	opts Options

	writeMu sync.Mutex
	bw      *bufio.Writer

	mu      sync.Mutex
	serial  uint32
	pending map[uint32]chan reply
	streams map[uint32]*Stream
	err     error
	done    chan struct{}

	lastRecv atomic.Int64
	kaStop   chan struct{}
	kaOnce   sync.Once
}

type reply struct {
	h       rpc.Header
	payload []byte
}

// New starts a client on nc. The caller then runs the connection
// handshake with Call.
func New(nc net.Conn, opts Options) *Client {
	if opts.MaxMessage <= 0 {
		opts.MaxMessage = rpc.MaxMessage
	}
	c := &Client{
		nc:      nc,
		opts:    opts,
		bw:      bufio.NewWriterSize(nc, 64<<10),
		pending: map[uint32]chan reply{},
		streams: map[uint32]*Stream{},
		done:    make(chan struct{}),
		kaStop:  make(chan struct{}),
	}
	c.lastRecv.Store(time.Now().UnixNano())
	go c.readLoop()
	return c
}

// Done is closed when the connection has ended.
func (c *Client) Done() <-chan struct{} { return c.done }

// Err returns why the connection ended (nil while it is open).
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Close ends the connection; waiting calls fail with ErrClosed.
func (c *Client) Close() error {
	c.fail(ErrClosed)
	return nil
}

// fail ends the connection for err once.
func (c *Client) fail(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	pending := c.pending
	c.pending = map[uint32]chan reply{}
	streams := c.streams
	c.streams = map[uint32]*Stream{}
	c.mu.Unlock()
	c.kaOnce.Do(func() { close(c.kaStop) })
	c.nc.Close()
	close(c.done)
	for _, ch := range pending {
		close(ch)
	}
	for _, s := range streams {
		s.remoteFailed(connError(err))
	}
}

func connError(err error) error {
	if errors.Is(err, ErrClosed) {
		return virt.Errorf(virt.ErrInternal, virt.FromRPC, "client socket is closed")
	}
	return virt.Errorf(virt.ErrSystem, virt.FromRPC, "%v", err)
}

func (c *Client) readLoop() {
	br := bufio.NewReaderSize(c.nc, 64<<10)
	for {
		body, err := rpc.ReadMessage(br, nil, c.opts.MaxMessage)
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.EOF
			}
			c.fail(err)
			return
		}
		c.lastRecv.Store(time.Now().UnixNano())
		h, _ := rpc.ParseHeader(body)
		payload := body[rpc.HeaderSize:]
		switch {
		case h.Prog == rpc.ProgKeepalive:
			if h.Proc == rpc.KeepalivePing {
				c.writeMsg(rpc.Header{Prog: rpc.ProgKeepalive, Vers: rpc.ProtocolVersion, Proc: rpc.KeepalivePong, Type: rpc.Message}, nil, nil)
			}
		case h.Prog != rpc.ProgRemote:
			// Nothing else is ever sent to us.
		case h.Type == rpc.Reply || h.Type == rpc.ReplyWithFDs:
			c.mu.Lock()
			ch := c.pending[h.Serial]
			delete(c.pending, h.Serial)
			c.mu.Unlock()
			if ch != nil {
				ch <- reply{h, payload}
			}
		case h.Type == rpc.Message:
			if c.opts.OnEvent != nil {
				c.opts.OnEvent(proto.Proc(h.Proc), payload)
			}
		case h.Type == rpc.Stream:
			c.mu.Lock()
			s := c.streams[h.Serial]
			c.mu.Unlock()
			if s != nil {
				s.packet(h, payload)
			}
		}
	}
}

// writeMsg writes one message; raw, when set, is the payload as is.
func (c *Client) writeMsg(h rpc.Header, body proto.Encoder, raw []byte) error {
	buf := rpc.AppendHeader(make([]byte, 0, 64+len(raw)), h)
	if body != nil {
		e := xdr.NewEncoder(buf)
		body.EncodeXDR(e)
		buf = e.Bytes()
	}
	buf = rpc.Finish(append(buf, raw...))
	if len(buf)-4 > rpc.MaxMessage {
		return virt.Errorf(virt.ErrRPC, virt.FromRPC, "message length %d exceeds maximum %d", len(buf), rpc.MaxMessage+4)
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if _, err := c.bw.Write(buf); err != nil {
		return err
	}
	return c.bw.Flush()
}

func (c *Client) nextSerial() uint32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.serial
	c.serial++
	return s
}

// Call runs procedure proc of the REMOTE program with args (nil: none) and
// decodes the reply into ret (nil: void). A failed call returns the
// server's error as a *virt.Error.
func (c *Client) Call(ctx context.Context, proc proto.Proc, args proto.Encoder, ret proto.Decoder) error {
	serial, ch, err := c.start(proc, args)
	if err != nil {
		return err
	}
	return c.wait(ctx, proc, serial, ch, ret)
}

func (c *Client) start(proc proto.Proc, args proto.Encoder) (uint32, chan reply, error) {
	ch := make(chan reply, 1)
	c.mu.Lock()
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return 0, nil, connError(err)
	}
	serial := c.serial
	c.serial++
	c.pending[serial] = ch
	c.mu.Unlock()
	h := rpc.Header{Prog: rpc.ProgRemote, Vers: rpc.ProtocolVersion, Proc: int32(proc), Type: rpc.Call, Serial: serial}
	if err := c.writeMsg(h, args, nil); err != nil {
		c.mu.Lock()
		delete(c.pending, serial)
		c.mu.Unlock()
		if _, ok := err.(*virt.Error); ok {
			return 0, nil, err
		}
		c.fail(err)
		return 0, nil, connError(err)
	}
	return serial, ch, nil
}

func (c *Client) wait(ctx context.Context, proc proto.Proc, serial uint32, ch chan reply, ret proto.Decoder) error {
	select {
	case r, ok := <-ch:
		if !ok {
			return connError(c.Err())
		}
		if r.h.Status == rpc.Error {
			return rpc.DecodeError(r.payload)
		}
		if r.h.Status != rpc.OK {
			return virt.Errorf(virt.ErrRPC, virt.FromRPC, "unexpected reply status %d to %v", r.h.Status, proc)
		}
		if ret != nil {
			d := xdr.NewDecoder(r.payload)
			ret.DecodeXDR(d)
			if d.Err() != nil {
				return virt.Errorf(virt.ErrRPC, virt.FromRPC, "Unable to decode message payload of %v: %v", proc, d.Err())
			}
		}
		return nil
	case <-ctx.Done():
		// The reply, if it comes, is dropped.
		c.mu.Lock()
		delete(c.pending, serial)
		c.mu.Unlock()
		return ctx.Err()
	}
}

// Pending is a call whose reply has not been collected yet: it lets a
// caller issue several calls before waiting (pipelining).
type Pending struct {
	c      *Client
	proc   proto.Proc
	serial uint32
	ch     chan reply
	err    error
}

// Go starts a call without waiting for its reply.
func (c *Client) Go(proc proto.Proc, args proto.Encoder) *Pending {
	serial, ch, err := c.start(proc, args)
	return &Pending{c: c, proc: proc, serial: serial, ch: ch, err: err}
}

// Wait collects the reply into ret.
func (p *Pending) Wait(ctx context.Context, ret proto.Decoder) error {
	if p.err != nil {
		return p.err
	}
	return p.c.wait(ctx, p.proc, p.serial, p.ch, ret)
}

// StartKeepalive pings the daemon after interval of silence and closes the
// connection after count intervals without an answer (what virsh does
// after the daemon says it supports keepalive).
func (c *Client) StartKeepalive(interval time.Duration, count int) {
	if interval <= 0 || count <= 0 {
		return
	}
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-c.kaStop:
				return
			case now := <-t.C:
				idle := now.Sub(time.Unix(0, c.lastRecv.Load()))
				if idle >= interval*time.Duration(count) {
					c.fail(fmt.Errorf("connection to the daemon timed out: no answer to keepalive for %v", idle.Round(time.Second)))
					return
				}
				if idle >= interval {
					c.writeMsg(rpc.Header{Prog: rpc.ProgKeepalive, Vers: rpc.ProtocolVersion, Proc: rpc.KeepalivePing, Type: rpc.Message}, nil, nil)
				}
			}
		}
	}()
}
