package daemon_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/govirt/govirt/internal/daemon"
	"github.com/govirt/govirt/internal/rpc"
	"github.com/govirt/govirt/internal/rpc/proto"
	"github.com/govirt/govirt/internal/rpc/xdr"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

var virtxmlParseUUID = virtxml.ParseUUID

// rawClient speaks the protocol by hand, to send what no library would.
type rawClient struct {
	t      testing.TB
	c      net.Conn
	serial uint32
}

func dialRaw(t testing.TB, d *daemon.Daemon, ro bool) *rawClient {
	t.Helper()
	c, err := net.Dial("unix", d.SocketPath(ro))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	return &rawClient{t: t, c: c}
}

func msg(h rpc.Header, body proto.Encoder) []byte {
	buf := rpc.AppendHeader(nil, h)
	if body != nil {
		e := xdr.NewEncoder(buf)
		body.EncodeXDR(e)
		buf = e.Bytes()
	}
	return rpc.Finish(buf)
}

func (r *rawClient) send(proc proto.Proc, body proto.Encoder) uint32 {
	r.t.Helper()
	s := r.serial
	r.serial++
	if _, err := r.c.Write(msg(rpc.Header{Prog: rpc.ProgRemote, Vers: 1, Proc: int32(proc), Type: rpc.Call, Serial: s}, body)); err != nil {
		r.t.Fatalf("write: %v", err)
	}
	return s
}

func (r *rawClient) read() (rpc.Header, []byte, error) {
	body, err := rpc.ReadMessage(r.c, nil, rpc.MaxMessage)
	if err != nil {
		return rpc.Header{}, nil, err
	}
	h, _ := rpc.ParseHeader(body)
	return h, body[rpc.HeaderSize:], nil
}

// call sends a call and returns the reply's payload or its error.
func (r *rawClient) call(proc proto.Proc, body proto.Encoder) ([]byte, error) {
	r.t.Helper()
	s := r.send(proc, body)
	h, p, err := r.read()
	if err != nil {
		r.t.Fatalf("%v: read: %v", proc, err)
	}
	if h.Serial != s || h.Proc != int32(proc) || h.Type != rpc.Reply {
		r.t.Fatalf("%v: got reply %v", proc, h)
	}
	if h.Status == rpc.Error {
		return nil, rpc.DecodeError(p)
	}
	return p, nil
}

func (r *rawClient) open(uri string) {
	r.t.Helper()
	if _, err := r.call(proto.ProcConnectOpen, &proto.ConnectOpenArgs{Name: &uri}); err != nil {
		r.t.Fatalf("open: %v", err)
	}
}

// closed reports whether the server hung up.
func (r *rawClient) closed() bool {
	r.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var b [1]byte
	_, err := io.ReadFull(r.c, b[:])
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || isReset(err)
}

func isReset(err error) bool {
	var ne *net.OpError
	return errors.As(err, &ne) && !ne.Timeout()
}

// healthy checks that a fresh client still gets served.
func healthy(t *testing.T, d *daemon.Daemon) {
	t.Helper()
	r := dialRaw(t, d, false)
	r.open("test:///default")
	p, err := r.call(proto.ProcConnectGetHostname, nil)
	if err != nil || len(p) < 8 {
		t.Fatalf("a fresh client is not served: %v", err)
	}
}

func errIs(err error, code int32, dom virt.ErrorDomain, message string) bool {
	var ve *virt.Error
	return errors.As(err, &ve) && int32(ve.Code) == code && ve.Domain == dom && ve.Message == message
}

// TestProtocolMisuse sends what libvirtd answers with errors (REMOTE.md
// §3.3) and checks the same answers come back, the connection stays up
// where libvirtd keeps it, and the daemon keeps serving.
func TestProtocolMisuse(t *testing.T) {
	d := startDaemon(t, nil)
	r := dialRaw(t, d, false)

	if _, err := r.call(proto.ProcConnectGetVersion, nil); !errIs(err, 1, virt.FromRPC, "internal error: hypervisor connection not open") {
		t.Errorf("call before open: got %v", err)
	}
	if _, err := r.call(proto.ProcAuthList, nil); err != nil {
		t.Errorf("AUTH_LIST before open: %v", err)
	}
	r.open("test:///default")
	if _, err := r.call(proto.Proc(9999), nil); !errIs(err, 39, virt.FromRPC, "unknown procedure: 9999") {
		t.Errorf("unknown procedure: got %v", err)
	}
	// A known procedure govirt does not implement: NO_SUPPORT, the answer
	// clients fall back on.
	if _, err := r.call(proto.ProcDomainGetJobInfo, &proto.DomainArgs{}); !errIs(err, 3, virt.FromDomain, "this function is not supported by the connection driver: virDomainGetJobInfo") {
		t.Errorf("unimplemented procedure: got %v", err)
	}
	// Arguments that do not decode.
	r.c.Write(rpc.Finish(append(rpc.AppendHeader(nil, rpc.Header{Prog: rpc.ProgRemote, Vers: 1, Proc: int32(proto.ProcDomainLookupByName), Serial: 77}), 0, 0, 0, 9, 'a')))
	if h, p, err := r.read(); err != nil || h.Serial != 77 || h.Status != rpc.Error || !errIs(rpc.DecodeError(p), 39, virt.FromRPC, "Unable to decode message payload") {
		t.Errorf("truncated arguments: got %v %v %v", h, err, rpc.DecodeError(p))
	}
	// Unknown program and wrong version: the reply echoes them.
	r.c.Write(msg(rpc.Header{Prog: 0x12345678, Vers: 1, Proc: 3, Serial: 78}, nil))
	if h, p, _ := r.read(); h.Prog != 0x12345678 || h.Serial != 78 || !errIs(rpc.DecodeError(p), 39, virt.FromRPC, "Cannot find program 305419896 version 1") {
		t.Errorf("unknown program: got %v %v", h, rpc.DecodeError(p))
	}
	r.c.Write(msg(rpc.Header{Prog: rpc.ProgRemote, Vers: 2, Proc: 3, Serial: 79}, nil))
	if h, p, _ := r.read(); h.Serial != 79 || !errIs(rpc.DecodeError(p), 39, virt.FromRPC, "Cannot find program 536903814 version 2") {
		t.Errorf("wrong version: got %v %v", h, rpc.DecodeError(p))
	}
	// A REPLY from the client is ignored; keepalive PING gets PONG.
	r.c.Write(msg(rpc.Header{Prog: rpc.ProgRemote, Vers: 1, Proc: 3, Type: rpc.Reply, Serial: 80}, nil))
	r.c.Write(msg(rpc.Header{Prog: rpc.ProgKeepalive, Vers: 1, Proc: rpc.KeepalivePing, Type: rpc.Message}, nil))
	if h, _, _ := r.read(); h.Prog != rpc.ProgKeepalive || h.Proc != rpc.KeepalivePong || h.Type != rpc.Message || h.Serial != 0 {
		t.Errorf("PING: got %v", h)
	}
	// Still working after all that.
	if _, err := r.call(proto.ProcConnectGetType, nil); err != nil {
		t.Errorf("after misuse: %v", err)
	}
	// A second CONNECT_OPEN is refused and drops the hypervisor
	// connection, as libvirtd does.
	uri := "test:///default"
	if _, err := r.call(proto.ProcConnectOpen, &proto.ConnectOpenArgs{Name: &uri}); !errIs(err, 1, virt.FromRPC, "internal error: connection already open") {
		t.Errorf("second open: got %v", err)
	}
	if _, err := r.call(proto.ProcConnectGetType, nil); !errIs(err, 1, virt.FromRPC, "internal error: hypervisor connection not open") {
		t.Errorf("after second open: got %v", err)
	}
	healthy(t, d)
}

// TestBadFraming: lengths below the header, above the limit, and a
// message cut short are answered by closing that connection only.
func TestBadFraming(t *testing.T) {
	d := startDaemon(t, nil)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"length below header", []byte{0, 0, 0, 8, 0, 0, 0, 0}},
		{"zero length", []byte{0, 0, 0, 0}},
		{"oversized", binary.BigEndian.AppendUint32(nil, rpc.MaxMessage+5)},
		{"huge", []byte{0xff, 0xff, 0xff, 0xff}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := dialRaw(t, d, false)
			r.c.Write(tc.data)
			if !r.closed() {
				t.Errorf("connection stayed open")
			}
			healthy(t, d)
		})
	}
	t.Run("truncated then hang up", func(t *testing.T) {
		r := dialRaw(t, d, false)
		r.c.Write([]byte{0, 0, 1, 0, 0x20, 0, 0x80})
		r.c.Close()
		healthy(t, d)
	})
	t.Run("limit from config", func(t *testing.T) {
		// A message at the protocol's limit is accepted.
		r := dialRaw(t, d, false)
		r.open("test:///default")
		big := make([]byte, 1<<20)
		for i := range big {
			big[i] = 'a'
		}
		if _, err := r.call(proto.ProcDomainDefineXML, &proto.NameArgs{Name: string(big)}); err == nil {
			t.Errorf("a 1 MiB non-XML document was accepted")
		}
	})
}

// TestClientStopsReading: a client that sends calls and never reads
// replies is dropped once its queue passes the budget or its socket
// stalls; meanwhile other clients are served without delay.
func TestClientStopsReading(t *testing.T) {
	d := startDaemon(t, func(o *daemon.Options) {
		o.Config.WriteTimeout = time.Second
	})
	r := dialRaw(t, d, false)
	r.open("test:///default")
	stop := make(chan struct{})
	var sent atomic.Int64
	go func() {
		// Capabilities replies are ~3 KB: flood until the server hangs up.
		for {
			select {
			case <-stop:
				return
			default:
			}
			h := rpc.Header{Prog: rpc.ProgRemote, Vers: 1, Proc: int32(proto.ProcConnectGetCapabilities), Serial: uint32(sent.Add(1))}
			r.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			if _, err := r.c.Write(msg(h, nil)); err != nil {
				return
			}
		}
	}()
	defer close(stop)
	// Others keep being served quickly while the flood goes on.
	for i := 0; i < 20; i++ {
		start := time.Now()
		healthy(t, d)
		if el := time.Since(start); el > 2*time.Second {
			t.Fatalf("a healthy client waited %v", el)
		}
	}
	deadline := time.Now().Add(15 * time.Second)
	for d.Server().Stats().Dropped.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the client that stopped reading was not dropped (%d calls sent)", sent.Load())
		}
		time.Sleep(50 * time.Millisecond)
	}
	healthy(t, d)
}

// TestManyClients runs many clients at once, each pipelining calls, with
// a small worker pool and per-client limit: all are answered correctly.
func TestManyClients(t *testing.T) {
	d := startDaemon(t, func(o *daemon.Options) {
		o.Config.MaxWorkers = 4
		o.Config.PrioWorkers = 2
		o.Config.MaxClientRequests = 2
	})
	const clients, calls = 100, 50
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("unix", d.SocketPath(i%2 == 1))
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(60 * time.Second))
			uri := "test:///default"
			c.Write(msg(rpc.Header{Prog: rpc.ProgRemote, Vers: 1, Proc: int32(proto.ProcConnectOpen)}, &proto.ConnectOpenArgs{Name: &uri}))
			if _, err := rpc.ReadMessage(c, nil, rpc.MaxMessage); err != nil {
				errs <- err
				return
			}
			// Pipeline every call, then read: replies match by serial.
			name := "test"
			go func() {
				for s := 1; s <= calls; s++ {
					c.Write(msg(rpc.Header{Prog: rpc.ProgRemote, Vers: 1, Proc: int32(proto.ProcDomainLookupByName), Serial: uint32(s)}, &proto.NameArgs{Name: name}))
				}
			}()
			seen := map[uint32]bool{}
			for len(seen) < calls {
				body, err := rpc.ReadMessage(c, nil, rpc.MaxMessage)
				if err != nil {
					errs <- fmt.Errorf("client %d after %d replies: %w", i, len(seen), err)
					return
				}
				h, _ := rpc.ParseHeader(body)
				var ret proto.DomainRet
				ret.DecodeXDR(xdr.NewDecoder(body[rpc.HeaderSize:]))
				if h.Status != rpc.OK || ret.Dom.Name != "test" || ret.Dom.ID != 1 || seen[h.Serial] {
					errs <- fmt.Errorf("client %d: bad reply %v %+v", i, h, ret.Dom)
					return
				}
				seen[h.Serial] = true
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestMaxClients: connections past max_clients are closed at once.
func TestMaxClients(t *testing.T) {
	d := startDaemon(t, func(o *daemon.Options) { o.Config.MaxClients = 2 })
	a, b := dialRaw(t, d, false), dialRaw(t, d, false)
	a.open("test:///default")
	b.open("test:///default")
	c := dialRaw(t, d, false)
	if !c.closed() {
		t.Errorf("third client was not refused")
	}
	a.c.Close()
	deadline := time.Now().Add(5 * time.Second)
	for d.Clients() > 1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	healthy(t, d)
}

// stuckConn is the test driver with a domain start that hangs until
// released, like a hypervisor that stopped answering.
type stuckConn struct {
	virt.ConnDriver
	virt.DomainStore
	virt.DomainLifecycle
	release chan struct{}
	stuck   *atomic.Int64
}

func (s *stuckConn) StartDomain(ctx context.Context, r virt.DomainRef, flags virt.CreateFlags) (virt.DomainRef, error) {
	s.stuck.Add(1)
	defer s.stuck.Add(-1)
	select {
	case <-s.release:
	case <-ctx.Done():
		return virt.DomainRef{}, ctx.Err()
	}
	return s.DomainLifecycle.StartDomain(ctx, r, flags)
}

// TestStuckCallsDoNotStallOthers: calls stuck in the driver hold their
// client's slots and the ordinary workers, never the whole daemon: the
// priority workers keep lookups and getters of other clients flowing.
func TestStuckCallsDoNotStallOthers(t *testing.T) {
	release := make(chan struct{})
	var stuck atomic.Int64
	d := startDaemon(t, func(o *daemon.Options) {
		o.Config.MaxWorkers = 2
		o.Config.PrioWorkers = 2
		inner := o.Open
		o.Open = func(ctx context.Context, name string, flags virt.OpenFlags) (*virt.Conn, error) {
			c, err := inner(ctx, name, flags)
			if err != nil {
				return nil, err
			}
			drv := c.Driver()
			return virt.NewConn(&stuckConn{ConnDriver: drv, DomainStore: drv.(virt.DomainStore), DomainLifecycle: drv.(virt.DomainLifecycle), release: release, stuck: &stuck}, false), nil
		}
	})
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		r := dialRaw(t, d, false)
		r.open("test:///default")
		for j := 0; j < 4; j++ {
			r.send(proto.ProcDomainCreate, &proto.DomainArgs{Dom: proto.Domain{Name: "test", UUID: proto.UUID(mustUUID(t, "6695eb01-f6a4-8304-79aa-97f2502e193f")), ID: 1}})
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 4; j++ {
				r.read()
			}
		}()
	}
	deadline := time.Now().Add(5 * time.Second)
	for stuck.Load() < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("got %d stuck calls, want 2", stuck.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	for i := 0; i < 10; i++ {
		start := time.Now()
		healthy(t, d)
		if el := time.Since(start); el > 2*time.Second {
			t.Fatalf("a lookup waited %v behind stuck calls", el)
		}
	}
	if n := stuck.Load(); n != 2 {
		t.Errorf("got %d calls running in the driver, want 2 (max_workers)", n)
	}
	// Destroy is a priority call: it runs although every ordinary worker
	// hangs.
	r := dialRaw(t, d, false)
	r.open("test:///default")
	dom := &proto.DomainArgs{Dom: proto.Domain{Name: "test", UUID: proto.UUID(mustUUID(t, "6695eb01-f6a4-8304-79aa-97f2502e193f")), ID: 1}}
	start := time.Now()
	if _, err := r.call(proto.ProcDomainDestroy, dom); err != nil {
		t.Errorf("destroy behind stuck calls: %v", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("destroy waited %v behind stuck calls", el)
	}
	close(release)
	wg.Wait()
}

func mustUUID(t testing.TB, s string) virt.UUID {
	t.Helper()
	u, err := virtxmlParseUUID(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
