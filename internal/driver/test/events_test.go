package test

import (
	"context"
	"testing"
	"time"

	"github.com/govirt/govirt/virt"
)

// TestDomainEvents checks the event type and detail of each operation
// against what libvirt 9.0's test driver emits.
func TestDomainEvents(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := openDefault(t)
	ch, err := c.DomainEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := c.LookupDomainByName(ctx, "test")
	type ev struct {
		typ    virt.DomainEventType
		detail int32
	}
	steps := []struct {
		what string
		do   func() error
		want []ev // nil: no event
	}{
		{"suspend", func() error { return d.Suspend(ctx) }, []ev{{virt.EventSuspended, 0}}},
		{"resume", func() error { return d.Resume(ctx) }, []ev{{virt.EventResumed, 0}}},
		{"reboot", func() error { return d.Reboot(ctx, 0) }, nil},
		{"reset", func() error { return d.Reset(ctx) }, nil},
		{"shutdown", func() error { return d.Shutdown(ctx, 0) }, []ev{{virt.EventStopped, virt.DetailStoppedShutdown}}},
		{"start", func() error { return d.Start(ctx, 0) }, []ev{{virt.EventStarted, virt.DetailStartedBooted}}},
		{"redefine running", func() error {
			x, _ := d.XML(ctx, virt.XMLInactive)
			_, err := c.DefineDomain(ctx, x, 0)
			return err
		}, []ev{{virt.EventDefined, virt.DetailDefinedUpdated}}},
		{"setmem", func() error { return d.SetMemory(ctx, 1000, virt.AffectLive) }, nil},
		{"managedsave", func() error { return d.ManagedSave(ctx, 0) }, []ev{{virt.EventStopped, virt.DetailStoppedSaved}}},
		{"start", func() error { return d.Start(ctx, 0) }, []ev{{virt.EventStarted, virt.DetailStartedBooted}}},
		{"undefine running", func() error { return d.Undefine(ctx, 0) }, []ev{{virt.EventUndefined, virt.DetailUndefinedRemoved}}},
		// libvirt still holds the old persistent definition: "updated".
		{"redefine after undefine", func() error {
			x, _ := d.XML(ctx, virt.XMLInactive)
			_, err := c.DefineDomain(ctx, x, 0)
			return err
		}, []ev{{virt.EventDefined, virt.DetailDefinedUpdated}}},
		{"destroy", func() error { return d.Destroy(ctx, 0) }, []ev{{virt.EventStopped, virt.DetailStoppedDestroyed}}},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.what, err)
		}
		for _, w := range s.want {
			select {
			case got := <-ch:
				if got.Type != w.typ || got.Detail != w.detail || got.Domain.Name != "test" {
					t.Fatalf("%s: got event %+v, want %d/%d", s.what, got, w.typ, w.detail)
				}
			case <-time.After(2 * time.Second):
				t.Fatalf("%s: no event", s.what)
			}
		}
		if s.want == nil {
			select {
			case got := <-ch:
				t.Fatalf("%s: got event %+v, want none", s.what, got)
			default:
			}
		}
	}
}

func TestNetworkEvents(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := openDefault(t)
	ch, err := c.NetworkEvents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := c.LookupNetworkByName(ctx, "default")
	steps := []struct {
		what string
		do   func() error
		want virt.ObjectEventType
	}{
		{"destroy", func() error { return n.Destroy(ctx) }, virt.ObjectStopped},
		{"start", func() error { return n.Start(ctx) }, virt.ObjectStarted},
		{"define", func() error { _, err := c.DefineNetwork(ctx, "<network><name>n2</name></network>"); return err }, virt.ObjectDefined},
		{"undefine", func() error {
			m, _ := c.LookupNetworkByName(ctx, "n2")
			return m.Undefine(ctx)
		}, virt.ObjectUndefined},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.what, err)
		}
		select {
		case got := <-ch:
			if got.Type != s.want {
				t.Fatalf("%s: got %+v, want type %d", s.what, got, s.want)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("%s: no event", s.what)
		}
	}
}

func TestEventsEndWithConnection(t *testing.T) {
	drv := New()
	c := openWith(t, drv, "test:///default", 0)
	ch, err := c.DomainEvents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	select {
	case _, ok := <-ch:
		if ok {
			t.Fatal("got an event after close, want the channel closed")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("channel not closed when the connection closed")
	}
}
