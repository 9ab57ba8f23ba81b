package server_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/govirt/govirt/internal/rpc"
	"github.com/govirt/govirt/internal/rpc/proto"
	"github.com/govirt/govirt/internal/rpc/rpctest"
	"github.com/govirt/govirt/internal/rpc/server"
	"github.com/govirt/govirt/internal/rpc/xdr"
	"github.com/govirt/govirt/virt"
)

const traceDir = "../../../../shared/protocol/traces"

// replayCase says how the fake node must look for one recording.
type replayCase struct {
	name     string
	readOnly bool // recorded on the -ro socket
	fallback bool
	cbStart  int32
	nextID   int32
}

// TestReplayTraces plays the client side of every recorded session
// against our server and requires the server's messages to equal the
// recorded ones byte for byte: serials, handles, ids, callback IDs, error
// payloads and all. Values the recording host's clock or configuration
// produced (CPU time, the live XML, the capabilities) are what the fake
// driver returns; the test reads them from the recorded replies. Keepalive
// PINGs the recorded daemon sent after 5 s of idleness are timing, not
// protocol: server pings are off here and those lines are skipped (client
// PINGs are still answered and compared).
func TestReplayTraces(t *testing.T) {
	cases := []replayCase{
		{name: "virsh_list_all"},
		{name: "virsh_dominfo_dumpxml"},
		{name: "virsh_define_start_destroy_undefine"},
		{name: "virsh_error_replies"},
		{name: "virsh_list_all_nosupport_fallback", fallback: true},
		{name: "virsh_event_lifecycle", cbStart: 70},
		{name: "virsh_console_stream"},
		{name: "python_ro_lookup_info"},
		{name: "python_ro_lookup_info_xml_list_caps"},
		{name: "readonly_flag_denied_clientside"},
		{name: "readonly_socket_denied_write", readOnly: true},
	}
	files, _ := filepath.Glob(filepath.Join(traceDir, "*.trace"))
	if len(files) != len(cases) {
		t.Fatalf("got %d trace files, want %d: a new recording needs a case here", len(files), len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { replay(t, tc) })
	}
}

func replay(t *testing.T, tc replayCase) {
	msgs, err := rpctest.ReadTrace(filepath.Join(traceDir, tc.name+".trace"))
	if err != nil {
		t.Fatal(err)
	}
	node := newTraceNode()
	node.fallback = tc.fallback
	if tc.nextID != 0 {
		node.nextID = tc.nextID
	}
	for _, m := range msgs {
		if m.FromClient || m.Header.Status != rpc.OK {
			continue
		}
		d := xdr.NewDecoder(m.Payload())
		switch proto.Proc(m.Header.Proc) {
		case proto.ProcDomainGetInfo:
			var r proto.DomainGetInfoRet
			r.DecodeXDR(d)
			if r.CPUTime != 0 {
				node.cpuTime = r.CPUTime
			}
		case proto.ProcDomainGetXMLDesc:
			var r proto.StringRet
			r.DecodeXDR(d)
			node.liveXML = r.Str
		case proto.ProcConnectGetCapabilities:
			var r proto.StringRet
			r.DecodeXDR(d)
			node.caps = r.Str
		}
	}
	srv := server.New(server.Config{
		Open: func(ctx context.Context, name string, flags virt.OpenFlags) (*virt.Conn, error) {
			if name != "qemu:///system" {
				return nil, virt.Errorf(virt.ErrNoConnect, virt.FromNone, "%s", name)
			}
			return virt.NewConn(node, flags&virt.OpenReadOnlyFlag != 0), nil
		},
		KeepaliveInterval: -1,
		CallbackIDStart:   tc.cbStart,
	})
	cli, srvSide := net.Pipe()
	done := make(chan struct{})
	go func() {
		srv.ServeConn(context.Background(), srvSide, server.ClientInfo{ReadOnly: tc.readOnly, Transport: "pipe"})
		close(done)
	}()
	defer func() {
		cli.Close()
		<-done
	}()
	cli.SetDeadline(time.Now().Add(10 * time.Second))
	for _, m := range msgs {
		if m.FromClient {
			if _, err := cli.Write(m.Raw); err != nil {
				t.Fatalf("line %d: write: %v", m.Line, err)
			}
			continue
		}
		if m.Header.Prog == rpc.ProgKeepalive && m.Header.Proc == rpc.KeepalivePing {
			continue
		}
		if m.Header.Type == rpc.Message && proto.Proc(m.Header.Proc) == proto.ProcDomainEventCallbackLifecycle {
			// Another client caused this event in the recording; make the
			// fake driver emit it.
			var ev proto.DomainEventCallbackLifecycleMsg
			ev.DecodeXDR(xdr.NewDecoder(m.Payload()))
			node.events.Publish(virt.DomainEvent{
				Domain: virt.DomainRef{Name: ev.Msg.Dom.Name, UUID: virt.UUID(ev.Msg.Dom.UUID), ID: ev.Msg.Dom.ID},
				Type:   virt.DomainEventType(ev.Msg.Event), Detail: ev.Msg.Detail,
			})
		}
		body, err := rpc.ReadMessage(cli, nil, rpc.MaxMessage)
		if err != nil {
			t.Fatalf("line %d: reading the server's %v: %v", m.Line, m.Header, err)
		}
		got := rpc.Finish(append(make([]byte, 4), body...))
		if !bytes.Equal(got, m.Raw) {
			gh, _ := rpc.ParseHeader(body)
			t.Fatalf("line %d: server sent\n%v\n%s\nwant\n%v\n%s", m.Line, gh, hexShort(got), m.Header, hexShort(m.Raw))
		}
	}
	// After CONNECT_CLOSE the server hangs up.
	var b [1]byte
	if _, err := cli.Read(b[:]); !errors.Is(err, io.EOF) {
		t.Errorf("after the last reply: got %v, want EOF", err)
	}
	if tc.name == "virsh_console_stream" {
		if got := node.console.Written(); got != "hello\r" {
			t.Errorf("console received %q, want %q", got, "hello\r")
		}
	}
}

func hexShort(b []byte) string {
	s := hex.EncodeToString(b)
	if len(s) > 400 {
		s = s[:400] + "..."
	}
	return s
}
