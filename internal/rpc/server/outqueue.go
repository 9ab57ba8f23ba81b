package server

import (
	"context"
	"errors"
	"sync"
)

var (
	errQueueFull   = errors.New("outgoing queue full: client is not reading")
	errQueueClosed = errors.New("outgoing queue closed")
)

// outQueue holds the messages waiting for a client's writer. Its byte
// budget bounds what a client that stops reading can cost.
type outQueue struct {
	mu        sync.Mutex
	msgs      [][]byte
	spare     [][]byte
	bytes     int // queued and being written
	max       int
	closed    bool
	finishing bool
	writing   bool // a writer owns the socket

	wake chan struct{}
	room chan struct{} // closed and replaced whenever bytes shrink
}

func newOutQueue(max int) *outQueue {
	return &outQueue{max: max, wake: make(chan struct{}, 1), room: make(chan struct{})}
}

func (q *outQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// push queues msg, or fails when the queue is closed or over budget.
func (q *outQueue) push(msg []byte) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return errQueueClosed
	}
	if q.bytes+len(msg) > q.max && q.bytes > 0 {
		return errQueueFull
	}
	q.msgs = append(q.msgs, msg)
	q.bytes += len(msg)
	q.signal()
	return nil
}

// pushWait queues msg once the queue is at most half full: stream data
// waits for the client instead of overrunning the budget.
func (q *outQueue) pushWait(ctx context.Context, msg []byte) error {
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return errQueueClosed
		}
		if q.bytes == 0 || q.bytes+len(msg) <= q.max/2 {
			q.msgs = append(q.msgs, msg)
			q.bytes += len(msg)
			q.signal()
			q.mu.Unlock()
			return nil
		}
		room := q.room
		q.mu.Unlock()
		select {
		case <-room:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

// direct writes msg at once with write when nothing is queued or being
// written, keeping the order of messages; it reports whether it did.
func (q *outQueue) direct(msg []byte, write func([]byte) error) (bool, error) {
	q.mu.Lock()
	if q.closed || q.writing || len(q.msgs) > 0 {
		q.mu.Unlock()
		return false, nil
	}
	q.writing = true
	q.mu.Unlock()
	err := write(msg)
	q.mu.Lock()
	q.writing = false
	more := len(q.msgs) > 0
	q.mu.Unlock()
	if more {
		q.signal()
	}
	return true, err
}

// wait returns the next batch to write; false once the queue is closed, or
// finishing and empty.
func (q *outQueue) wait() ([][]byte, bool) {
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return nil, false
		}
		if len(q.msgs) > 0 && !q.writing {
			batch := q.msgs
			q.msgs = q.spare[:0]
			q.spare = nil
			q.writing = true
			q.mu.Unlock()
			return batch, true
		}
		if q.finishing && !q.writing {
			q.mu.Unlock()
			return nil, false
		}
		q.mu.Unlock()
		<-q.wake
	}
}

// done returns a written batch's budget.
func (q *outQueue) done(batch [][]byte) {
	n := 0
	for _, b := range batch {
		n += len(b)
	}
	q.mu.Lock()
	q.bytes -= n
	q.writing = false
	if q.spare == nil {
		clear(batch)
		q.spare = batch[:0]
	}
	close(q.room)
	q.room = make(chan struct{})
	q.mu.Unlock()
}

func (q *outQueue) size() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.bytes
}

// close stops the queue; queued messages are dropped.
func (q *outQueue) close() {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		close(q.room)
		q.room = make(chan struct{})
	}
	q.mu.Unlock()
	q.signal()
}

// finish makes wait end once everything queued is written.
func (q *outQueue) finish() {
	q.mu.Lock()
	q.finishing = true
	q.mu.Unlock()
	q.signal()
}
