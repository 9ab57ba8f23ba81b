package driver

import (
	"context"
	"sync"
	"sync/atomic"
)

// DefaultEventBuffer is the number of events a subscriber may fall behind
// by before further events to it are dropped.
const DefaultEventBuffer = 1024

// Broadcaster fans events out to subscribers. Each subscriber has a bounded
// buffer: Publish never blocks, and when a subscriber's buffer is full the
// event is dropped for that subscriber only (Dropped counts them). The zero
// value is ready to use.
type Broadcaster[T any] struct {
	mu      sync.RWMutex
	subs    map[*subscriber[T]]struct{}
	dropped atomic.Uint64
}

type subscriber[T any] struct {
	ch   chan T
	stop chan struct{}
	once sync.Once
}

// remove ends s's subscription once: its channel is closed.
func (b *Broadcaster[T]) remove(s *subscriber[T]) {
	s.once.Do(func() {
		close(s.stop)
		b.mu.Lock()
		delete(b.subs, s)
		// Closing under the write lock: Publish sends under the read lock,
		// so no send can race with the close.
		close(s.ch)
		b.mu.Unlock()
	})
}

// Subscribe registers a subscriber with a buffer of size buf
// (DefaultEventBuffer when buf <= 0). Events flow until ctx is done or
// cancel is called; then the channel is closed. cancel may be called any
// number of times.
func (b *Broadcaster[T]) Subscribe(ctx context.Context, buf int) (<-chan T, func()) {
	if buf <= 0 {
		buf = DefaultEventBuffer
	}
	s := &subscriber[T]{ch: make(chan T, buf), stop: make(chan struct{})}
	b.mu.Lock()
	if b.subs == nil {
		b.subs = make(map[*subscriber[T]]struct{})
	}
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	go func() {
		select {
		case <-ctx.Done():
			b.remove(s)
		case <-s.stop:
		}
	}()
	return s.ch, func() { b.remove(s) }
}

// Publish delivers ev to every subscriber whose buffer has room.
func (b *Broadcaster[T]) Publish(ev T) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for s := range b.subs {
		select {
		case s.ch <- ev:
		default:
			b.dropped.Add(1)
		}
	}
}

// Subscribers returns the number of current subscribers.
func (b *Broadcaster[T]) Subscribers() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.subs)
}

// Dropped returns how many deliveries were dropped because a subscriber's
// buffer was full.
func (b *Broadcaster[T]) Dropped() uint64 { return b.dropped.Load() }

// CloseAll ends every subscription: their channels are closed.
func (b *Broadcaster[T]) CloseAll() {
	b.mu.RLock()
	subs := make([]*subscriber[T], 0, len(b.subs))
	for s := range b.subs {
		subs = append(subs, s)
	}
	b.mu.RUnlock()
	for _, s := range subs {
		b.remove(s)
	}
}
