package server_test

import (
	"context"
	"encoding/hex"
	"io"
	"net"
	"testing"
	"time"

	"github.com/govirt/govirt/internal/driver/test"
	"github.com/govirt/govirt/internal/rpc/server"
	"github.com/govirt/govirt/virt"
)

// FuzzServe feeds arbitrary byte streams to a server holding a test
// driver: whatever arrives, it must answer or hang up, never panic or
// hang, and release the client.
func FuzzServe(f *testing.F) {
	seed := func(h string) []byte { b, _ := hex.DecodeString(h); return b }
	// AUTH_LIST, CONNECT_OPEN test:///default, LOOKUP_BY_NAME "test".
	f.Add(seed("0000001c200080860000000100000042000000000000000000000000" +
		"0000003820008086000000010000000100000000000000010000000000000001000000" + "0f746573743a2f2f2f64656661756c740000000000" +
		"0000002420008086000000010000001700000000000000020000000000000004746573740"))
	f.Add(seed("0000001c2000808600000001000003e8000000000000000000000000"))
	f.Add(seed("ffffffff"))
	f.Add(seed("0000001c6b6565700000000100000001000000020000000000000000"))
	var reg virt.Registry
	reg.Register(test.New())
	srv := server.New(server.Config{
		Open: func(ctx context.Context, name string, flags virt.OpenFlags) (*virt.Conn, error) {
			return reg.Open(ctx, name, flags)
		},
		KeepaliveInterval: -1,
		WriteTimeout:      time.Second,
	})
	f.Fuzz(func(t *testing.T, data []byte) {
		cli, srvSide := net.Pipe()
		done := make(chan struct{})
		go func() {
			srv.ServeConn(context.Background(), srvSide, server.ClientInfo{Transport: "fuzz"})
			close(done)
		}()
		go io.Copy(io.Discard, cli)
		cli.SetWriteDeadline(time.Now().Add(time.Second))
		cli.Write(data)
		cli.Close()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("server did not release the client")
		}
	})
}
