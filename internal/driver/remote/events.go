package remote

import (
	"context"
	"sync"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/internal/rpc/proto"
	"github.com/govirt/govirt/internal/rpc/xdr"
	"github.com/govirt/govirt/virt"
)

// eventSub is one daemon-side registration fanned out to local
// subscribers: the first subscriber registers the callback, and events
// are published to every subscriber without blocking the connection.
type eventSub[T any] struct {
	b    driver.Broadcaster[T]
	id   int32
	proc proto.Proc // the deregistration procedure
	c    *conn
	once sync.Once
}

func (s *eventSub[T]) close() {
	if s == nil {
		return
	}
	s.once.Do(func() { s.b.CloseAll() })
}

// subscribe returns the family's subscription, registering it with the
// daemon first if needed.
func subscribe[T any](ctx context.Context, c *conn, slot **eventSub[T], register func() (int32, proto.Proc, error)) (<-chan T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, virt.Errorf(virt.ErrInvalidConn, virt.FromRemote, "")
	}
	if *slot == nil {
		id, dereg, err := register()
		if err != nil {
			return nil, err
		}
		*slot = &eventSub[T]{id: id, proc: dereg, c: c}
	}
	ch, _ := (*slot).b.Subscribe(ctx, 0)
	return ch, nil
}

// DomainEvents implements virt.DomainEvents.
func (c *conn) DomainEvents(ctx context.Context) (<-chan virt.DomainEvent, error) {
	return subscribe(ctx, c, &c.domEvents, func() (int32, proto.Proc, error) {
		if !c.events {
			// A daemon without callback events: the legacy registration.
			err := c.call(ctx, proto.ProcConnectDomainEventRegisterAny, &proto.IntArgs{Value: 0}, nil)
			return 0, proto.ProcConnectDomainEventDeregisterAny, err
		}
		id, err := c.intRet(ctx, proto.ProcConnectDomainEventCallbackRegisterAny, &proto.DomainEventCallbackRegisterAnyArgs{EventID: 0})
		return id, proto.ProcConnectDomainEventCallbackDeregisterAny, err
	})
}

// NetworkEvents implements virt.NetworkEvents.
func (c *conn) NetworkEvents(ctx context.Context) (<-chan virt.NetworkEvent, error) {
	return subscribe(ctx, c, &c.netEvents, func() (int32, proto.Proc, error) {
		id, err := c.intRet(ctx, proto.ProcConnectNetworkEventRegisterAny, &proto.NetworkEventRegisterAnyArgs{EventID: 0})
		return id, proto.ProcConnectNetworkEventDeregisterAny, err
	})
}

// StoragePoolEvents implements virt.StoragePoolEvents.
func (c *conn) StoragePoolEvents(ctx context.Context) (<-chan virt.StoragePoolEvent, error) {
	return subscribe(ctx, c, &c.poolEvts, func() (int32, proto.Proc, error) {
		id, err := c.intRet(ctx, proto.ProcConnectStoragePoolEventRegisterAny, &proto.StoragePoolEventRegisterAnyArgs{EventID: 0})
		return id, proto.ProcConnectStoragePoolEventDeregisterAny, err
	})
}

// onEvent decodes event messages (on the client's reader goroutine) and
// publishes them.
func (c *conn) onEvent(p proto.Proc, payload []byte) {
	d := xdr.NewDecoder(payload)
	c.mu.Lock()
	dom, net, pool := c.domEvents, c.netEvents, c.poolEvts
	c.mu.Unlock()
	switch p {
	case proto.ProcDomainEventCallbackLifecycle:
		var m proto.DomainEventCallbackLifecycleMsg
		m.DecodeXDR(d)
		if d.Err() == nil && dom != nil && m.CallbackID == dom.id {
			dom.b.Publish(virt.DomainEvent{Domain: domRef(m.Msg.Dom), Type: virt.DomainEventType(m.Msg.Event), Detail: m.Msg.Detail})
		}
	case proto.ProcDomainEventLifecycle:
		var m proto.DomainEventLifecycleMsg
		m.DecodeXDR(d)
		if d.Err() == nil && dom != nil {
			dom.b.Publish(virt.DomainEvent{Domain: domRef(m.Dom), Type: virt.DomainEventType(m.Event), Detail: m.Detail})
		}
	case proto.ProcNetworkEventLifecycle:
		var m proto.NetworkEventLifecycleMsg
		m.DecodeXDR(d)
		if d.Err() == nil && net != nil && m.CallbackID == net.id {
			net.b.Publish(virt.NetworkEvent{Network: netRef(m.Net), Type: virt.ObjectEventType(m.Event)})
		}
	case proto.ProcStoragePoolEventLifecycle:
		var m proto.StoragePoolEventLifecycleMsg
		m.DecodeXDR(d)
		if d.Err() == nil && pool != nil && m.CallbackID == pool.id {
			pool.b.Publish(virt.StoragePoolEvent{Pool: poolRef(m.Pool), Type: virt.ObjectEventType(m.Event)})
		}
	}
}
