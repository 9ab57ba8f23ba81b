package driver

import (
	"context"
	"testing"
	"time"
)

func TestBroadcasterDropsForSlowSubscriber(t *testing.T) {
	var b Broadcaster[int]
	slow, cancelSlow := b.Subscribe(context.Background(), 2)
	defer cancelSlow()
	fast, cancelFast := b.Subscribe(context.Background(), 10)
	defer cancelFast()
	for i := 0; i < 5; i++ {
		b.Publish(i) // must not block although slow never reads
	}
	if got := len(slow); got != 2 {
		t.Errorf("slow buffer: got %d events, want 2", got)
	}
	if got := len(fast); got != 5 {
		t.Errorf("fast buffer: got %d events, want 5", got)
	}
	if got := b.Dropped(); got != 3 {
		t.Errorf("dropped: got %d, want 3", got)
	}
	if first := <-slow; first != 0 {
		t.Errorf("slow's first event: got %d, want 0", first)
	}
}

func TestBroadcasterEndsSubscriptions(t *testing.T) {
	var b Broadcaster[int]
	ctx, cancel := context.WithCancel(context.Background())
	byCtx, _ := b.Subscribe(ctx, 1)
	byCancel, stop := b.Subscribe(context.Background(), 1)
	byClose, _ := b.Subscribe(context.Background(), 1)
	cancel()
	stop()
	stop() // twice is harmless
	waitClosed(t, "context", byCtx)
	waitClosed(t, "cancel", byCancel)
	b.CloseAll()
	waitClosed(t, "CloseAll", byClose)
	if n := b.Subscribers(); n != 0 {
		t.Errorf("subscribers left: got %d, want 0", n)
	}
	b.Publish(1) // no subscribers, no panic
}

func waitClosed(t *testing.T, what string, ch <-chan int) {
	t.Helper()
	deadline := time.After(2 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatalf("%s: channel not closed", what)
		}
	}
}
