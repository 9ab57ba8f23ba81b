package client

import (
	"context"
	"io"
	"sync"
	"time"

	"github.com/govirt/govirt/internal/rpc"
	"github.com/govirt/govirt/internal/rpc/proto"
	"github.com/govirt/govirt/virt"
)

// Stream is the client end of a stream opened by a call (console, volume
// upload or download). It implements virt.Stream.
type Stream struct {
	c      *Client
	proc   proto.Proc
	serial uint32

	mu        sync.Mutex
	cond      *sync.Cond
	data      [][]byte
	eof       bool
	err       error
	finishing bool
	acked     chan struct{}
	ackOnce   sync.Once
	ackErr    error
	readBuf   []byte
}

// maxQueued bounds unread stream data before packets wait (the reader
// goroutine then stops, which stops the daemon sending: flow control).
const maxQueued = 64

// OpenStream runs the stream-opening call proc with args and returns its
// stream once the daemon accepted it.
func (c *Client) OpenStream(ctx context.Context, proc proto.Proc, args proto.Encoder) (*Stream, error) {
	// Register the stream under the call's serial before sending, so that
	// data following the reply is not lost.
	s := &Stream{c: c, proc: proc, acked: make(chan struct{})}
	s.cond = sync.NewCond(&s.mu)
	ch := make(chan reply, 1)
	c.mu.Lock()
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return nil, connError(err)
	}
	s.serial = c.serial
	c.serial++
	c.pending[s.serial] = ch
	c.streams[s.serial] = s
	c.mu.Unlock()
	h := rpc.Header{Prog: rpc.ProgRemote, Vers: rpc.ProtocolVersion, Proc: int32(proc), Type: rpc.Call, Serial: s.serial}
	if err := c.writeMsg(h, args, nil); err != nil {
		s.forget()
		c.fail(err)
		return nil, connError(err)
	}
	if err := c.wait(ctx, proc, s.serial, ch, nil); err != nil {
		s.forget()
		return nil, err
	}
	return s, nil
}

func (s *Stream) forget() {
	s.c.mu.Lock()
	delete(s.c.streams, s.serial)
	delete(s.c.pending, s.serial)
	s.c.mu.Unlock()
}

func (s *Stream) header(st rpc.Status) rpc.Header {
	return rpc.Header{Prog: rpc.ProgRemote, Vers: rpc.ProtocolVersion, Proc: int32(s.proc), Type: rpc.Stream, Serial: s.serial, Status: st}
}

// packet takes a STREAM message from the reader goroutine.
func (s *Stream) packet(h rpc.Header, payload []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch h.Status {
	case rpc.Continue:
		if len(payload) == 0 {
			// An empty data packet is the end of the daemon's data.
			s.eof = true
			break
		}
		for len(s.data) >= maxQueued && s.err == nil && !s.finishing {
			s.cond.Wait()
		}
		s.data = append(s.data, payload)
	case rpc.OK:
		// The answer to our finish (or abort).
		s.eof = true
		s.ack(nil)
	default:
		err := error(virt.Errorf(virt.ErrRPC, virt.FromStreams, "stream aborted by the daemon"))
		if len(payload) > 0 {
			err = rpc.DecodeError(payload)
		}
		if s.err == nil {
			s.err = err
		}
		s.ack(err)
		go s.forget()
	}
	s.cond.Broadcast()
}

func (s *Stream) ack(err error) {
	s.ackOnce.Do(func() {
		s.ackErr = err
		close(s.acked)
	})
}

// remoteFailed ends the stream when the connection ends.
func (s *Stream) remoteFailed(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.ack(err)
	s.cond.Broadcast()
	s.mu.Unlock()
}

// Read returns data the daemon sent, io.EOF after its end.
func (s *Stream) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.readBuf) == 0 {
		if len(s.data) > 0 {
			s.readBuf = s.data[0]
			s.data = s.data[1:]
			s.cond.Broadcast()
			break
		}
		if s.err != nil {
			return 0, s.err
		}
		if s.eof {
			return 0, io.EOF
		}
		s.cond.Wait()
	}
	n := copy(p, s.readBuf)
	s.readBuf = s.readBuf[n:]
	return n, nil
}

// Write sends data to the daemon in packets of at most rpc.StreamChunk.
func (s *Stream) Write(p []byte) (int, error) {
	s.mu.Lock()
	err := s.err
	s.mu.Unlock()
	if err != nil {
		return 0, err
	}
	n := 0
	for len(p) > 0 {
		chunk := p[:min(len(p), rpc.StreamChunk)]
		if err := s.c.writeMsg(s.header(rpc.Continue), nil, chunk); err != nil {
			return n, connError(err)
		}
		n += len(chunk)
		p = p[len(chunk):]
	}
	return n, nil
}

// Finish ends the stream normally and waits for the daemon to confirm.
func (s *Stream) Finish() error {
	s.mu.Lock()
	if s.err != nil {
		err := s.err
		s.mu.Unlock()
		s.forget()
		return err
	}
	s.finishing = true
	s.cond.Broadcast()
	s.mu.Unlock()
	defer s.forget()
	if err := s.c.writeMsg(s.header(rpc.OK), nil, nil); err != nil {
		return connError(err)
	}
	select {
	case <-s.acked:
		return s.ackErr
	case <-s.c.done:
		return connError(s.c.Err())
	}
}

// Abort ends the stream at once.
func (s *Stream) Abort() error {
	s.mu.Lock()
	if s.err == nil {
		s.err = virt.Errorf(virt.ErrOperationAborted, virt.FromStreams, "stream aborted")
	}
	s.finishing = true
	s.cond.Broadcast()
	s.mu.Unlock()
	defer s.forget()
	if err := s.c.writeMsg(s.header(rpc.Error), nil, nil); err != nil {
		return nil
	}
	// The daemon answers an abort; do not wait long for it.
	select {
	case <-s.acked:
	case <-s.c.done:
	case <-time.After(5 * time.Second):
	}
	return nil
}
