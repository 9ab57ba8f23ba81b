package server

import (
	"context"
	"slices"
	"strconv"
	"sync"

	"github.com/govirt/govirt/internal/rpc"
	"github.com/govirt/govirt/internal/rpc/proto"
	"github.com/govirt/govirt/internal/rpc/xdr"
	"github.com/govirt/govirt/virt"
)

// eventState is a client's event registrations. The client holds one
// driver subscription per object family, started by the first
// registration, and fans each event out to its matching callbacks.
type eventState struct {
	c      *client
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	dom       []callback // sorted by id
	legacyDom map[int32]bool
	net       []callback
	pool      []callback
	started   map[string]bool
}

// callback is one registration: its ID, event ID and optional object.
type callback struct {
	id      int32
	eventID int32
	uuid    *virt.UUID
}

func (c *client) eventState() *eventState {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.events == nil {
		ctx, cancel := context.WithCancel(c.ctx)
		c.events = &eventState{c: c, ctx: ctx, cancel: cancel, legacyDom: map[int32]bool{}, started: map[string]bool{}}
	}
	return c.events
}

func (e *eventState) stop() {
	e.cancel()
	e.wg.Wait()
}

// ensure starts the driver subscription of family once.
func (e *eventState) ensure(family string, start func(ctx context.Context) error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.started[family] {
		return nil
	}
	if err := start(e.ctx); err != nil {
		return err
	}
	e.started[family] = true
	return nil
}

func eventHeader(p proto.Proc) rpc.Header {
	// libvirtd sends event messages with serial 1.
	return rpc.Header{Prog: rpc.ProgRemote, Vers: rpc.ProtocolVersion, Proc: int32(p), Type: rpc.Message, Serial: 1}
}

// follow hands every event of ch to deliver, on a goroutine that stop
// waits for, until ch closes.
func follow[E any](e *eventState, ch <-chan E, deliver func(E)) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		for ev := range ch {
			deliver(ev)
		}
	}()
}

func (e *eventState) startDomain(ctx context.Context, conn *virt.Conn) error {
	ch, err := conn.DomainEvents(ctx)
	if err != nil {
		return err
	}
	follow(e, ch, e.deliverDomain)
	return nil
}

func (e *eventState) deliverDomain(ev virt.DomainEvent) {
	dom := wireDom(ev.Domain)
	e.mu.Lock()
	cbs := e.dom
	legacy := e.legacyDom[0]
	e.mu.Unlock()
	msg := proto.DomainEventLifecycleMsg{Dom: dom, Event: int32(ev.Type), Detail: ev.Detail}
	for _, cb := range cbs {
		if cb.eventID != 0 || (cb.uuid != nil && *cb.uuid != ev.Domain.UUID) {
			continue
		}
		e.c.s.stats.EventsSent.Add(1)
		e.c.send(eventHeader(proto.ProcDomainEventCallbackLifecycle), &proto.DomainEventCallbackLifecycleMsg{CallbackID: cb.id, Msg: msg})
	}
	if legacy {
		e.c.s.stats.EventsSent.Add(1)
		e.c.send(eventHeader(proto.ProcDomainEventLifecycle), &msg)
	}
}

// fanOut sends a lifecycle event about the object with uuid to each
// callback of *list that wants it (event ID 0, and that object or any):
// procedure p, with the message msg makes for the callback's ID.
func (e *eventState) fanOut(list *[]callback, uuid virt.UUID, p proto.Proc, msg func(id int32) proto.Encoder) {
	e.mu.Lock()
	cbs := *list
	e.mu.Unlock()
	for _, cb := range cbs {
		if cb.eventID != 0 || (cb.uuid != nil && *cb.uuid != uuid) {
			continue
		}
		e.c.s.stats.EventsSent.Add(1)
		e.c.send(eventHeader(p), msg(cb.id))
	}
}

func (e *eventState) startNetwork(ctx context.Context, conn *virt.Conn) error {
	ch, err := conn.NetworkEvents(ctx)
	if err != nil {
		return err
	}
	follow(e, ch, func(ev virt.NetworkEvent) {
		e.fanOut(&e.net, ev.Network.UUID, proto.ProcNetworkEventLifecycle, func(id int32) proto.Encoder {
			return &proto.NetworkEventLifecycleMsg{CallbackID: id, Net: wireNet(ev.Network), Event: int32(ev.Type)}
		})
	})
	return nil
}

func (e *eventState) startPool(ctx context.Context, conn *virt.Conn) error {
	ch, err := conn.StoragePoolEvents(ctx)
	if err != nil {
		return err
	}
	follow(e, ch, func(ev virt.StoragePoolEvent) {
		e.fanOut(&e.pool, ev.Pool.UUID, proto.ProcStoragePoolEventLifecycle, func(id int32) proto.Encoder {
			return &proto.StoragePoolEventLifecycleMsg{CallbackID: id, Pool: wirePool(ev.Pool), Event: int32(ev.Type)}
		})
	})
	return nil
}

// register adds a callback for eventID about the object with uuid (nil:
// any) to *list and returns its ID. The list is copied on write, so
// deliveries read a snapshot.
func (e *eventState) register(list *[]callback, eventID int32, uuid *virt.UUID) int32 {
	cb := callback{id: e.c.s.callbackID(), eventID: eventID, uuid: uuid}
	e.mu.Lock()
	*list = append(slices.Clone(*list), cb)
	e.mu.Unlock()
	return cb.id
}

func removeCallback(list *[]callback, id int32) bool {
	i := slices.IndexFunc(*list, func(cb callback) bool { return cb.id == id })
	if i < 0 {
		return false
	}
	n := slices.Clone(*list)
	*list = slices.Delete(n, i, i+1)
	return true
}

// deregisterProc answers a virConnect*EventDeregisterAny call for the
// callbacks of the list pick chooses; what names them in the error.
// counted callbacks are also taken off the server's count.
func deregisterProc(pick func(*eventState) *[]callback, what string, counted bool) procFunc {
	return func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.IntArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		e := c.eventState()
		e.mu.Lock()
		ok := removeCallback(pick(e), a.Value)
		e.mu.Unlock()
		if ok && counted {
			c.s.stats.Callbacks.Add(-1)
		}
		if !ok {
			return nil, rpc.InternalError(what + " " + itoa(a.Value) + " not registered")
		}
		return nil, nil
	}
}

func uuidPtr(u *proto.UUID) *virt.UUID {
	if u == nil {
		return nil
	}
	v := virt.UUID(*u)
	return &v
}

func eventHandlers(r registry) {
	r.add(proto.ProcConnectDomainEventCallbackRegisterAny, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.DomainEventCallbackRegisterAnyArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		if a.EventID < 0 || a.EventID >= proto.DomainEventIDLast {
			return nil, virt.Errorf(virt.ErrInvalidArg, virt.FromRPC, "unsupported event ID %d", a.EventID)
		}
		e := c.eventState()
		// Only lifecycle events exist in govirt's drivers; the other IDs are
		// accepted, as libvirtd does, and simply never fire.
		if a.EventID == 0 {
			if err := e.ensure("domain", func(ctx context.Context) error { return e.startDomain(ctx, conn) }); err != nil {
				return nil, err
			}
		}
		var u *virt.UUID
		if a.Dom != nil {
			u = uuidPtr(&a.Dom.UUID)
		}
		id := e.register(&e.dom, a.EventID, u)
		c.s.stats.Callbacks.Add(1)
		return &proto.IntRet{Value: id}, nil
	})
	r.add(proto.ProcConnectDomainEventCallbackDeregisterAny,
		deregisterProc(func(e *eventState) *[]callback { return &e.dom }, "domain event callback", true))
	r.add(proto.ProcConnectDomainEventRegisterAny, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.IntArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		if a.Value < 0 || a.Value >= proto.DomainEventIDLast {
			return nil, virt.Errorf(virt.ErrInvalidArg, virt.FromRPC, "unsupported event ID %d", a.Value)
		}
		e := c.eventState()
		if a.Value == 0 {
			if err := e.ensure("domain", func(ctx context.Context) error { return e.startDomain(ctx, conn) }); err != nil {
				return nil, err
			}
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.legacyDom[a.Value] {
			return nil, rpc.InternalError("domain event " + itoa(a.Value) + " already registered")
		}
		e.legacyDom[a.Value] = true
		return nil, nil
	})
	r.add(proto.ProcConnectDomainEventDeregisterAny, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.IntArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		e := c.eventState()
		e.mu.Lock()
		defer e.mu.Unlock()
		if !e.legacyDom[a.Value] {
			return nil, rpc.InternalError("domain event " + itoa(a.Value) + " not registered")
		}
		delete(e.legacyDom, a.Value)
		return nil, nil
	})
	r.add(proto.ProcConnectNetworkEventRegisterAny, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.NetworkEventRegisterAnyArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		if a.EventID != 0 {
			return nil, virt.Errorf(virt.ErrInvalidArg, virt.FromRPC, "unsupported network event ID %d", a.EventID)
		}
		e := c.eventState()
		if err := e.ensure("network", func(ctx context.Context) error { return e.startNetwork(ctx, conn) }); err != nil {
			return nil, err
		}
		var u *virt.UUID
		if a.Net != nil {
			u = uuidPtr(&a.Net.UUID)
		}
		return &proto.IntRet{Value: e.register(&e.net, a.EventID, u)}, nil
	})
	r.add(proto.ProcConnectNetworkEventDeregisterAny,
		deregisterProc(func(e *eventState) *[]callback { return &e.net }, "network event callback", false))
	r.add(proto.ProcConnectStoragePoolEventRegisterAny, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.StoragePoolEventRegisterAnyArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		if a.EventID < 0 || a.EventID >= proto.StoragePoolEventIDLast {
			return nil, virt.Errorf(virt.ErrInvalidArg, virt.FromRPC, "unsupported storage pool event ID %d", a.EventID)
		}
		e := c.eventState()
		if err := e.ensure("pool", func(ctx context.Context) error { return e.startPool(ctx, conn) }); err != nil {
			return nil, err
		}
		var u *virt.UUID
		if a.Pool != nil {
			u = uuidPtr(&a.Pool.UUID)
		}
		return &proto.IntRet{Value: e.register(&e.pool, a.EventID, u)}, nil
	})
	r.add(proto.ProcConnectStoragePoolEventDeregisterAny,
		deregisterProc(func(e *eventState) *[]callback { return &e.pool }, "storage pool event callback", false))
}

func itoa(v int32) string { return strconv.Itoa(int(v)) }
