package qmp

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"sync"
	"time"
)

// Handler answers one command of a fake QEMU: the value to return (nil for
// an empty object) or an error, reported as a GenericError unless it is an
// *Error.
type Handler func(cmd string, args json.RawMessage) (any, error)

// Fake is the QEMU side of a monitor connection for tests: it speaks the
// real wire protocol over an in-memory pipe and answers through a Handler.
type Fake struct {
	conn    net.Conn
	handler Handler
	wmu     sync.Mutex
}

// NewFake connects a Monitor to a fake QEMU answering with h.
func NewFake(ctx context.Context, h Handler) (*Monitor, *Fake, error) {
	client, server := net.Pipe()
	f := &Fake{conn: server, handler: h}
	go f.serve()
	m, err := New(ctx, client)
	if err != nil {
		server.Close()
		return nil, nil, err
	}
	return m, f, nil
}

func (f *Fake) send(v any) {
	b, _ := json.Marshal(v)
	f.wmu.Lock()
	defer f.wmu.Unlock()
	f.conn.Write(append(b, '\r', '\n'))
}

func (f *Fake) serve() {
	f.send(map[string]any{"QMP": map[string]any{
		"version":      map[string]any{"qemu": map[string]int{"major": 7, "minor": 2, "micro": 0}, "package": "fake"},
		"capabilities": []string{"oob"},
	}})
	r := bufio.NewReader(f.conn)
	for {
		line, err := readLine(r)
		if err != nil {
			f.conn.Close()
			return
		}
		var req struct {
			Execute   string          `json:"execute"`
			Arguments json.RawMessage `json:"arguments"`
			ID        json.RawMessage `json:"id"`
		}
		if err := json.Unmarshal(line, &req); err != nil {
			f.send(map[string]any{"error": map[string]string{"class": "GenericError", "desc": "JSON parse error"}})
			continue
		}
		var ret any = struct{}{}
		var rerr error
		if req.Execute != "qmp_capabilities" && f.handler != nil {
			ret, rerr = f.handler(req.Execute, req.Arguments)
			if ret == nil {
				ret = struct{}{}
			}
		}
		resp := map[string]any{"id": req.ID}
		if rerr != nil {
			class, desc := "GenericError", rerr.Error()
			if qe, ok := rerr.(*Error); ok {
				class, desc = qe.Class, qe.Desc
			}
			resp["error"] = map[string]string{"class": class, "desc": desc}
		} else {
			resp["return"] = ret
		}
		f.send(resp)
	}
}

// Emit sends an asynchronous event.
func (f *Fake) Emit(name string, data any) {
	now := time.Now()
	ev := map[string]any{"event": name, "timestamp": map[string]int64{"seconds": now.Unix(), "microseconds": int64(now.Nanosecond() / 1000)}}
	if data != nil {
		ev["data"] = data
	}
	f.send(ev)
}

// Close ends the connection, as QEMU exiting would.
func (f *Fake) Close() error { return f.conn.Close() }
