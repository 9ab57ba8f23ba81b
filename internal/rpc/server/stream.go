package server

import (
	"context"
	"errors"
	"io"
	"sync"

	"github.com/govirt/govirt/internal/rpc"
	"github.com/govirt/govirt/internal/rpc/proto"
	"github.com/govirt/govirt/internal/rpc/xdr"
	"github.com/govirt/govirt/virt"
)

// streamKey names a stream by the call that opened it: stream packets in
// both directions carry that call's procedure and serial.
type streamKey struct {
	proc   int32
	serial uint32
}

// stream joins a virt.Stream to the client. Data from the driver goes out
// as STREAM CONTINUE packets (waiting for the client's queue to drain, so a
// slow reader slows the stream instead of growing memory); data from the
// client goes to the driver through a bounded channel.
type stream struct {
	c   *client
	key streamKey
	st  virt.Stream
	in  chan []byte
	out bool // the driver sends data (console, download)

	mu        sync.Mutex
	done      bool // released: no more packets go out
	finishing bool // the client finished: the driver side is closing
	inClosed  bool
}

// streamStart is what a stream-opening procedure returns: the dispatcher
// sends the void reply, then starts the stream.
type streamStart struct{ s *stream }

// EncodeXDR writes nothing: the reply to a stream-opening call is void.
func (*streamStart) EncodeXDR(*xdr.Encoder) {}

func (ss *streamStart) start() {
	s := ss.s
	if s.out {
		go s.pumpOut()
	}
	go s.pumpIn()
}

// openStream registers st for the call h (before the reply goes out, so
// the client's first packets find it). out says whether the driver side
// produces data (a console or a download; not an upload).
func (c *client) openStream(call rpc.Header, st virt.Stream, out bool) *streamStart {
	s := &stream{c: c, key: streamKey{call.Proc, call.Serial}, st: st, in: make(chan []byte, 16), out: out}
	c.mu.Lock()
	c.streams[s.key] = s
	c.mu.Unlock()
	c.s.stats.StreamsOpen.Add(1)
	return &streamStart{s}
}

func (s *stream) header(status rpc.Status) rpc.Header {
	return rpc.Header{Prog: rpc.ProgRemote, Vers: rpc.ProtocolVersion, Proc: s.key.proc, Type: rpc.Stream, Serial: s.key.serial, Status: status}
}

// release forgets the stream; it returns false when it was already gone.
func (s *stream) release() bool {
	s.mu.Lock()
	if s.done {
		s.mu.Unlock()
		return false
	}
	s.done = true
	s.mu.Unlock()
	s.c.mu.Lock()
	delete(s.c.streams, s.key)
	s.c.mu.Unlock()
	s.c.s.stats.StreamsOpen.Add(-1)
	return true
}

// isDone reports whether pumpOut must stay quiet: the stream is released
// or being finished at the client's request.
func (s *stream) isDone() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.done || s.finishing
}

// fail aborts the stream and tells the client why.
func (s *stream) fail(err error) {
	if !s.release() {
		return
	}
	s.st.Abort()
	buf := rpc.AppendHeader(getBuf(), s.header(rpc.Error))
	e := xdr.NewEncoder(buf)
	rpc.EncodeError(e, err)
	s.c.enqueue(rpc.Finish(e.Bytes()))
	s.closeIn()
}

// abortLocal drops the stream when the client goes away.
func (s *stream) abortLocal() {
	if s.release() {
		s.st.Abort()
		s.closeIn()
	}
}

func (s *stream) closeIn() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.inClosed {
		s.inClosed = true
		close(s.in)
	}
}

func (s *stream) released() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.done
}

// pumpOut sends what the driver produces.
func (s *stream) pumpOut() {
	buf := make([]byte, rpc.StreamChunk)
	for {
		n, err := s.st.Read(buf)
		if n > 0 {
			msg := rpc.AppendHeader(getBuf(), s.header(rpc.Continue))
			msg = rpc.Finish(append(msg, buf[:n]...))
			if s.isDone() {
				putBuf(msg)
				return
			}
			if perr := s.c.out.pushWait(s.c.ctx, msg); perr != nil {
				putBuf(msg)
				return
			}
		}
		if err != nil {
			if s.isDone() {
				return
			}
			if errors.Is(err, io.EOF) {
				// End of data is an empty CONTINUE packet (libvirt's
				// clients take a STREAM OK only as the answer to their
				// own finish). The stream stays registered until the
				// client finishes its side too.
				s.c.sendRaw(s.header(rpc.Continue), nil)
				return
			}
			s.fail(err)
			return
		}
	}
}

// pumpIn writes what the client sends and acknowledges its finish.
func (s *stream) pumpIn() {
	for data := range s.in {
		if s.released() {
			continue
		}
		for len(data) > 0 {
			n, err := s.st.Write(data)
			if err != nil {
				s.fail(err)
				break
			}
			data = data[n:]
		}
	}
	if !s.released() {
		s.mu.Lock()
		s.finishing = true
		s.mu.Unlock()
		err := s.st.Finish()
		if !s.release() {
			return
		}
		if err != nil {
			buf := rpc.AppendHeader(getBuf(), s.header(rpc.Error))
			e := xdr.NewEncoder(buf)
			rpc.EncodeError(e, err)
			s.c.enqueue(rpc.Finish(e.Bytes()))
			return
		}
		s.c.sendRaw(s.header(rpc.OK), nil)
	}
}

// streamPacket routes a STREAM message from the client.
func (c *client) streamPacket(h rpc.Header, payload []byte) error {
	c.mu.Lock()
	s := c.streams[streamKey{h.Proc, h.Serial}]
	c.mu.Unlock()
	if s == nil {
		// Late packets for a stream that already ended are dropped.
		return nil
	}
	switch h.Status {
	case rpc.Continue:
		if len(payload) == 0 {
			return nil
		}
		select {
		case s.in <- payload:
		case <-c.ctx.Done():
			return context.Cause(c.ctx)
		}
	case rpc.OK:
		s.closeIn()
	default:
		s.fail(rpc.RPCError("stream aborted at client request"))
	}
	return nil
}

func streamHandlers(r registry) {
	r.add(proto.ProcDomainOpenConsole, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.DomainOpenConsoleArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		dev := ""
		if a.DevName != nil {
			dev = *a.DevName
		}
		st, err := conn.DomainFromRef(domRef(a.Dom)).OpenConsole(c.ctx, dev, a.Flags)
		if err != nil {
			return nil, err
		}
		return c.openStream(callHeader(ctx), st, true), nil
	})
	transfer := func(upload bool) procFunc {
		return func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
			var a proto.VolTransferArgs
			if err := args(d, &a); err != nil {
				return nil, err
			}
			v := conn.VolFromRef(volRef(a.Vol))
			var st virt.Stream
			var err error
			if upload {
				st, err = v.Upload(c.ctx, a.Offset, a.Length, a.Flags)
			} else {
				st, err = v.Download(c.ctx, a.Offset, a.Length, a.Flags)
			}
			if err != nil {
				return nil, err
			}
			return c.openStream(callHeader(ctx), st, !upload), nil
		}
	}
	r.add(proto.ProcStorageVolUpload, transfer(true))
	r.add(proto.ProcStorageVolDownload, transfer(false))
}

type callHeaderKey struct{}

// callHeader returns the header of the call being served (stream handlers
// need its serial).
func callHeader(ctx context.Context) rpc.Header {
	h, _ := ctx.Value(callHeaderKey{}).(rpc.Header)
	return h
}

func isStreamProc(p proto.Proc) bool {
	return p == proto.ProcDomainOpenConsole || p == proto.ProcStorageVolUpload || p == proto.ProcStorageVolDownload
}
