// Package qmp is a client of the QEMU Machine Protocol: JSON commands and
// replies over a socket, with asynchronous events in between.
//
// One goroutine reads the socket. Callers of Run wait on their own reply
// channel or their context; when the connection ends, every pending call
// fails at once and Done is closed. Events are queued without bound, so a
// slow event consumer never blocks replies.
package qmp

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"
)

// MaxLine bounds one message from QEMU (replies like query-qmp-schema are
// large, but not this large).
const MaxLine = 64 << 20

// Event is an asynchronous QMP event.
type Event struct {
	Name string
	Data json.RawMessage
	Time time.Time
}

// Error is an error reply from QEMU.
type Error struct {
	Class string
	Desc  string
}

func (e *Error) Error() string { return fmt.Sprintf("qmp: %s: %s", e.Class, e.Desc) }

// ErrClosed is returned by calls on a monitor whose connection has ended.
var ErrClosed = errors.New("qmp: monitor connection closed")

// Version is the QEMU version from the greeting.
type Version struct {
	Major, Minor, Micro int
	Package             string
}

// Monitor is a connected QMP monitor.
type Monitor struct {
	conn    net.Conn
	version Version

	wmu sync.Mutex // serialises writes

	mu      sync.Mutex
	pending map[string]chan reply
	nextID  uint64
	err     error // why the connection ended

	done      chan struct{}
	quit      chan struct{} // closed by Close: stop delivering events
	closeOnce sync.Once

	evmu   sync.Mutex
	evq    []Event
	evwake chan struct{}
	events chan Event
}

type reply struct {
	ret json.RawMessage
	err error
}

type message struct {
	QMP *struct {
		Version struct {
			QEMU struct {
				Major int `json:"major"`
				Minor int `json:"minor"`
				Micro int `json:"micro"`
			} `json:"qemu"`
			Package string `json:"package"`
		} `json:"version"`
	} `json:"QMP"`
	Return json.RawMessage `json:"return"`
	Error  *struct {
		Class string `json:"class"`
		Desc  string `json:"desc"`
	} `json:"error"`
	Event     string          `json:"event"`
	Data      json.RawMessage `json:"data"`
	Timestamp *struct {
		Seconds      int64 `json:"seconds"`
		Microseconds int64 `json:"microseconds"`
	} `json:"timestamp"`
	ID json.RawMessage `json:"id"`
}

// Dial connects to the QMP unix socket at path and negotiates capabilities.
func Dial(ctx context.Context, path string) (*Monitor, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, fmt.Errorf("qmp: connect %s: %w", path, err)
	}
	m, err := New(ctx, conn)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return m, nil
}

// New runs the QMP handshake on conn (greeting, qmp_capabilities) and
// starts the reader. The monitor owns conn from then on.
func New(ctx context.Context, conn net.Conn) (*Monitor, error) {
	m := &Monitor{
		conn:    conn,
		pending: map[string]chan reply{},
		done:    make(chan struct{}),
		quit:    make(chan struct{}),
		evwake:  make(chan struct{}, 1),
		events:  make(chan Event),
	}
	r := bufio.NewReaderSize(conn, 64<<10)
	greeting := make(chan error, 1)
	go func() {
		line, err := readLine(r)
		if err != nil {
			greeting <- fmt.Errorf("qmp: read greeting: %w", err)
			return
		}
		var msg message
		if err := json.Unmarshal(line, &msg); err != nil || msg.QMP == nil {
			greeting <- fmt.Errorf("qmp: unexpected greeting %.100q", line)
			return
		}
		v := msg.QMP.Version
		m.version = Version{v.QEMU.Major, v.QEMU.Minor, v.QEMU.Micro, v.Package}
		greeting <- nil
	}()
	select {
	case err := <-greeting:
		if err != nil {
			return nil, err
		}
	case <-ctx.Done():
		conn.Close()
		<-greeting
		return nil, fmt.Errorf("qmp: greeting: %w", ctx.Err())
	}
	go m.read(r)
	go m.deliver()
	if err := m.Run(ctx, "qmp_capabilities", nil, nil); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

// Version returns QEMU's version from the greeting.
func (m *Monitor) Version() Version { return m.version }

// Done is closed when the connection has ended (QEMU exited or Close).
func (m *Monitor) Done() <-chan struct{} { return m.done }

// Err returns why the connection ended, once Done is closed.
func (m *Monitor) Err() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.err
}

// Events returns the channel of asynchronous events. It is closed after
// the connection ends and every queued event was received, or at Close.
func (m *Monitor) Events() <-chan Event { return m.events }

// Close ends the connection and event delivery. Pending calls fail with
// ErrClosed. Call it once done with a monitor, even after Done is closed.
func (m *Monitor) Close() error {
	err := m.conn.Close()
	m.closeOnce.Do(func() { close(m.quit) })
	<-m.done
	return err
}

func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, isPrefix, err := r.ReadLine()
		if err != nil {
			return nil, err
		}
		line = append(line, chunk...)
		if len(line) > MaxLine {
			return nil, fmt.Errorf("qmp: message longer than %d bytes", MaxLine)
		}
		if !isPrefix {
			return line, nil
		}
	}
}

// read is the one goroutine that reads the socket.
func (m *Monitor) read(r *bufio.Reader) {
	var err error
	for {
		var line []byte
		line, err = readLine(r)
		if err != nil {
			break
		}
		var msg message
		if jerr := json.Unmarshal(line, &msg); jerr != nil {
			err = fmt.Errorf("qmp: bad message %.100q: %w", line, jerr)
			break
		}
		switch {
		case msg.Event != "":
			ev := Event{Name: msg.Event, Data: msg.Data}
			if msg.Timestamp != nil {
				ev.Time = time.Unix(msg.Timestamp.Seconds, msg.Timestamp.Microseconds*1000)
			}
			m.evmu.Lock()
			m.evq = append(m.evq, ev)
			m.evmu.Unlock()
			select {
			case m.evwake <- struct{}{}:
			default:
			}
		case msg.ID != nil:
			m.mu.Lock()
			ch := m.pending[string(msg.ID)]
			delete(m.pending, string(msg.ID))
			m.mu.Unlock()
			if ch == nil {
				continue
			}
			if msg.Error != nil {
				ch <- reply{err: &Error{Class: msg.Error.Class, Desc: msg.Error.Desc}}
			} else {
				ch <- reply{ret: msg.Return}
			}
		}
	}
	m.conn.Close()
	m.mu.Lock()
	m.err = err
	for id, ch := range m.pending {
		ch <- reply{err: ErrClosed}
		delete(m.pending, id)
	}
	m.mu.Unlock()
	close(m.done)
	select {
	case m.evwake <- struct{}{}:
	default:
	}
}

// deliver moves queued events to the events channel.
func (m *Monitor) deliver() {
	defer close(m.events)
	for {
		m.evmu.Lock()
		q := m.evq
		m.evq = nil
		m.evmu.Unlock()
		for _, ev := range q {
			select {
			case m.events <- ev:
			case <-m.quit:
				return
			}
		}
		if len(q) > 0 {
			continue
		}
		select {
		case <-m.evwake:
		case <-m.quit:
			return
		case <-m.done:
			m.evmu.Lock()
			empty := len(m.evq) == 0
			m.evmu.Unlock()
			if empty {
				return
			}
		}
	}
}

// Run sends a command and waits for its reply. args is marshalled as the
// command's "arguments" (nil for none); the reply's "return" is unmarshalled
// into result unless result is nil.
func (m *Monitor) Run(ctx context.Context, cmd string, args any, result any) error {
	m.mu.Lock()
	if m.err != nil || isClosed(m.done) {
		m.mu.Unlock()
		return ErrClosed
	}
	m.nextID++
	id := strconv.Quote("govirt-" + strconv.FormatUint(m.nextID, 10))
	ch := make(chan reply, 1)
	m.pending[id] = ch
	m.mu.Unlock()

	req := struct {
		Execute   string          `json:"execute"`
		Arguments any             `json:"arguments,omitempty"`
		ID        json.RawMessage `json:"id"`
	}{cmd, args, json.RawMessage(id)}
	b, err := json.Marshal(req)
	if err != nil {
		m.forget(id)
		return fmt.Errorf("qmp: %s: %w", cmd, err)
	}
	b = append(b, '\n')
	m.wmu.Lock()
	if dl, ok := ctx.Deadline(); ok {
		m.conn.SetWriteDeadline(dl)
	} else {
		m.conn.SetWriteDeadline(time.Time{})
	}
	_, err = m.conn.Write(b)
	m.wmu.Unlock()
	if err != nil {
		m.forget(id)
		return fmt.Errorf("qmp: %s: %w", cmd, err)
	}
	select {
	case r := <-ch:
		if r.err != nil {
			return fmt.Errorf("qmp: %s: %w", cmd, r.err)
		}
		if result != nil && len(r.ret) > 0 {
			if err := json.Unmarshal(r.ret, result); err != nil {
				return fmt.Errorf("qmp: %s: decode reply: %w", cmd, err)
			}
		}
		return nil
	case <-ctx.Done():
		m.forget(id)
		return fmt.Errorf("qmp: %s: %w", cmd, ctx.Err())
	}
}

func (m *Monitor) forget(id string) {
	m.mu.Lock()
	delete(m.pending, id)
	m.mu.Unlock()
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
