package client

import (
	"context"
	"errors"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/govirt/govirt/internal/rpc"
	"github.com/govirt/govirt/internal/rpc/proto"
	"github.com/govirt/govirt/internal/rpc/xdr"
	"github.com/govirt/govirt/virt"
)

// fakeServer answers calls with fn on the far end of a pipe.
func fakeServer(t *testing.T, fn func(h rpc.Header, payload []byte, w io.Writer)) *Client {
	t.Helper()
	cli, srv := net.Pipe()
	go func() {
		for {
			body, err := rpc.ReadMessage(srv, nil, rpc.MaxMessage)
			if err != nil {
				srv.Close()
				return
			}
			h, _ := rpc.ParseHeader(body)
			fn(h, body[rpc.HeaderSize:], srv)
		}
	}()
	c := New(cli, Options{})
	t.Cleanup(func() { c.Close() })
	return c
}

func write(w io.Writer, h rpc.Header, body proto.Encoder) {
	buf := rpc.AppendHeader(nil, h)
	if body != nil {
		e := xdr.NewEncoder(buf)
		body.EncodeXDR(e)
		buf = e.Bytes()
	}
	w.Write(rpc.Finish(buf))
}

// TestOutOfOrderReplies: replies are matched by serial, not order.
func TestOutOfOrderReplies(t *testing.T) {
	var held []rpc.Header
	c := fakeServer(t, func(h rpc.Header, p []byte, w io.Writer) {
		held = append(held, h)
		if len(held) < 3 {
			return
		}
		for i := len(held) - 1; i >= 0; i-- {
			r := held[i]
			r.Type = rpc.Reply
			write(w, r, &proto.IntRet{Value: int32(r.Serial) * 10})
		}
	})
	ctx := context.Background()
	ps := []*Pending{c.Go(proto.ProcConnectNumOfDomains, nil), c.Go(proto.ProcConnectNumOfDomains, nil), c.Go(proto.ProcConnectNumOfDomains, nil)}
	for i, p := range ps {
		var r proto.IntRet
		if err := p.Wait(ctx, &r); err != nil || r.Value != int32(i)*10 {
			t.Errorf("call %d: got %d, %v; want %d", i, r.Value, err, i*10)
		}
	}
}

// TestErrorReply: a remote_error becomes the *virt.Error it describes.
func TestErrorReply(t *testing.T) {
	c := fakeServer(t, func(h rpc.Header, p []byte, w io.Writer) {
		h.Type, h.Status = rpc.Reply, rpc.Error
		buf := rpc.AppendHeader(nil, h)
		e := xdr.NewEncoder(buf)
		rpc.EncodeError(e, virt.Errorf(virt.ErrNoDomain, virt.FromQEMU, "no domain with matching name '%s'", "x"))
		w.Write(rpc.Finish(e.Bytes()))
	})
	err := c.Call(context.Background(), proto.ProcDomainLookupByName, &proto.NameArgs{Name: "x"}, &proto.DomainRet{})
	var ve *virt.Error
	if !errors.As(err, &ve) || ve.Code != 42 || ve.Domain != virt.FromQEMU || ve.Message != "Domain not found: no domain with matching name 'x'" || ve.Detail != "no domain with matching name 'x'" {
		t.Errorf("got %#v", err)
	}
}

// TestConnectionLoss: every waiting call fails at once when the
// connection ends.
func TestConnectionLoss(t *testing.T) {
	cli, srv := net.Pipe()
	c := New(cli, Options{})
	go func() {
		rpc.ReadMessage(srv, nil, rpc.MaxMessage)
		srv.Close()
	}()
	errs := make(chan error, 1)
	go func() { errs <- c.Call(context.Background(), proto.ProcConnectGetHostname, nil, &proto.StringRet{}) }()
	select {
	case err := <-errs:
		if err == nil {
			t.Error("call succeeded on a dead connection")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("call still waiting after the connection ended")
	}
	if err := c.Call(context.Background(), proto.ProcConnectGetHostname, nil, nil); err == nil {
		t.Error("call after the end succeeded")
	}
}

// TestClientKeepalive: the client answers PINGs, pings a silent daemon
// and gives up after count intervals.
func TestClientKeepalive(t *testing.T) {
	cli, srv := net.Pipe()
	c := New(cli, Options{})
	defer c.Close()
	srv.SetDeadline(time.Now().Add(10 * time.Second))
	write(srv, rpc.Header{Prog: rpc.ProgKeepalive, Vers: 1, Proc: rpc.KeepalivePing, Type: rpc.Message}, nil)
	body, err := rpc.ReadMessage(srv, nil, rpc.MaxMessage)
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := rpc.ParseHeader(body); h.Prog != rpc.ProgKeepalive || h.Proc != rpc.KeepalivePong {
		t.Fatalf("got %v, want PONG", h)
	}
	const iv = 30 * time.Millisecond
	c.StartKeepalive(iv, 3)
	var pings atomic.Int32
	go func() {
		for {
			body, err := rpc.ReadMessage(srv, nil, rpc.MaxMessage)
			if err != nil {
				return
			}
			if h, _ := rpc.ParseHeader(body); h.Proc == rpc.KeepalivePing {
				pings.Add(1)
			}
		}
	}()
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("client kept a silent connection")
	}
	if pings.Load() == 0 {
		t.Error("client gave up without pinging")
	}
}
