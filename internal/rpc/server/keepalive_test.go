package server_test

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/govirt/govirt/internal/rpc"
	"github.com/govirt/govirt/internal/rpc/proto"
	"github.com/govirt/govirt/internal/rpc/server"
	"github.com/govirt/govirt/internal/rpc/xdr"
	"github.com/govirt/govirt/virt"
)

func frame(h rpc.Header, body proto.Encoder) []byte {
	buf := rpc.AppendHeader(nil, h)
	if body != nil {
		e := xdr.NewEncoder(buf)
		body.EncodeXDR(e)
		buf = e.Bytes()
	}
	return rpc.Finish(buf)
}

// TestServerKeepalive: once a client enables keepalive the server pings
// it after each interval of silence, a PONG keeps it connected, and a
// client that stops answering is dropped after count intervals. A client
// that never enabled keepalive is never pinged.
func TestServerKeepalive(t *testing.T) {
	const iv = 50 * time.Millisecond
	srv := server.New(server.Config{
		Open: func(ctx context.Context, name string, flags virt.OpenFlags) (*virt.Conn, error) {
			return nil, errors.New("unused")
		},
		KeepaliveInterval: iv,
		KeepaliveCount:    4,
	})
	serve := func() (net.Conn, chan struct{}) {
		cli, s := net.Pipe()
		done := make(chan struct{})
		go func() { srv.ServeConn(context.Background(), s, server.ClientInfo{}); close(done) }()
		return cli, done
	}

	cli, done := serve()
	cli.SetDeadline(time.Now().Add(10 * time.Second))
	cli.Write(frame(rpc.Header{Prog: rpc.ProgRemote, Vers: 1, Proc: int32(proto.ProcConnectSupportsFeature)}, &proto.ConnectSupportsFeatureArgs{Feature: 10}))
	if _, err := rpc.ReadMessage(cli, nil, rpc.MaxMessage); err != nil {
		t.Fatal(err)
	}
	// Answer the first pings: the client stays.
	start := time.Now()
	for i := 0; i < 3; i++ {
		body, err := rpc.ReadMessage(cli, nil, rpc.MaxMessage)
		if err != nil {
			t.Fatalf("ping %d: %v", i, err)
		}
		h, _ := rpc.ParseHeader(body)
		if h.Prog != rpc.ProgKeepalive || h.Proc != rpc.KeepalivePing || h.Type != rpc.Message {
			t.Fatalf("got %v, want a keepalive PING", h)
		}
		cli.Write(frame(rpc.Header{Prog: rpc.ProgKeepalive, Vers: 1, Proc: rpc.KeepalivePong, Type: rpc.Message}, nil))
	}
	if el := time.Since(start); el < 2*iv {
		t.Errorf("three pings in %v: they came faster than the interval", el)
	}
	// Now stay silent: pings keep coming, then the server hangs up.
	go io.Copy(io.Discard, cli)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a client that stopped answering keepalive was not dropped")
	}

	// Without SUPPORTS_FEATURE(10): no ping, no drop.
	cli2, done2 := serve()
	defer cli2.Close()
	got := make(chan error, 1)
	go func() { _, err := rpc.ReadMessage(cli2, nil, rpc.MaxMessage); got <- err }()
	select {
	case err := <-got:
		t.Errorf("a client without keepalive got a message (%v)", err)
	case <-done2:
		t.Errorf("a client without keepalive was dropped")
	case <-time.After(10 * iv):
	}
}
