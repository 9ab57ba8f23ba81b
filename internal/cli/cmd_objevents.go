package cli

import (
	"context"
	"errors"

	"github.com/govirt/govirt/virt"
)

// objEvent is one event of a network, pool, device or secret as the
// *-event commands print it: the kind ("lifecycle"), the object's key for
// filtering and the text after the optional timestamp.
type objEvent struct {
	kind, key, text string
}

// objEventCmd describes one of virsh's object event commands.
type objEventCmd struct {
	kinds []string
	// filterOpt names the option that restricts events to one object;
	// lookup resolves it to the key the events carry. A lookup failure
	// with linger set is printed and the command goes on, as virsh does
	// for networks, pools and secrets.
	filterOpt string
	lookup    func(name string) (string, error)
	linger    bool
	// subscribe starts the event stream.
	subscribe func(ctx context.Context) (<-chan objEvent, error)
}

// run implements virsh's net-event, pool-event, nodedev-event and
// secret-event.
func (e objEventCmd) run(s *session, c *call) error {
	if c.has("list") {
		for _, k := range e.kinds {
			s.printf("%s\n", k)
		}
		return nil
	}
	kind, ok, err := c.str("event")
	if err != nil {
		return err
	}
	if !ok {
		return fail(errNoCause, "either --list or --event <type> is required")
	}
	if indexOf(e.kinds, kind) < 0 {
		return fail(errNoCause, "unknown event type %s", kind)
	}
	loop, stamp := c.has("loop"), c.has("timestamp")
	timeout, err := eventTimeout(c)
	if err != nil {
		return err
	}
	filter, lingering := "", error(nil)
	if name, ok, err := c.str(e.filterOpt); err != nil {
		return err
	} else if ok {
		key, err := e.lookup(name)
		switch {
		case err == nil:
			filter = key
		case e.linger:
			var ce *cmdError
			if errors.As(err, &ce) {
				s.errorf("%s", ce.msg)
				lingering = ce.cause
			} else {
				lingering = err
			}
		default:
			return err
		}
	}
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	events, err := e.subscribe(ctx)
	if err != nil {
		return err
	}
	count := waitEvents(s, events, timeout, loop, stamp, func(ev objEvent) (string, bool) {
		return ev.text, ev.kind == kind && (filter == "" || ev.key == filter)
	})
	if count == 0 {
		if lingering != nil && lingering != errNoCause {
			return lingering
		}
		return errReported
	}
	return nil
}

var (
	networkEventNames = []string{"Defined", "Undefined", "Started", "Stopped"}
	poolEventNames    = []string{"Defined", "Undefined", "Started", "Stopped", "Created", "Deleted"}
	nodeDevEventNames = []string{"Created", "Deleted", "Defined", "Undefined"}
	secretEventNames  = []string{"Defined", "Undefined"}
)

func eventName(names []string, t int32) string {
	if t >= 0 && int(t) < len(names) {
		return names[t]
	}
	return "unknown"
}

// relay turns a typed event stream into objEvents.
func relay[T any](ctx context.Context, in <-chan T, conv func(T) objEvent) <-chan objEvent {
	out := make(chan objEvent)
	go func() {
		defer close(out)
		for ev := range in {
			select {
			case out <- conv(ev):
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

func cmdNetEvent(s *session, c *call) error {
	return objEventCmd{
		kinds:     []string{"lifecycle"},
		filterOpt: "network",
		linger:    true,
		lookup: func(name string) (string, error) {
			n, err := s.lookupNetworkBy(name, byUUID|byName)
			if err != nil {
				return "", err
			}
			return n.Name(), nil
		},
		subscribe: func(ctx context.Context) (<-chan objEvent, error) {
			ch, err := s.conn.NetworkEvents(ctx)
			if err != nil {
				return nil, err
			}
			return relay(ctx, ch, func(ev virt.NetworkEvent) objEvent {
				return objEvent{"lifecycle", ev.Network.Name,
					"event 'lifecycle' for network " + ev.Network.Name + ": " + eventName(networkEventNames, int32(ev.Type))}
			}), nil
		},
	}.run(s, c)
}

func cmdPoolEvent(s *session, c *call) error {
	return objEventCmd{
		kinds:     []string{"lifecycle", "refresh"},
		filterOpt: "pool",
		linger:    true,
		lookup: func(name string) (string, error) {
			p, err := s.lookupPool(name)
			if err != nil {
				return "", err
			}
			return p.Name(), nil
		},
		subscribe: func(ctx context.Context) (<-chan objEvent, error) {
			ch, err := s.conn.StoragePoolEvents(ctx)
			if err != nil {
				return nil, err
			}
			return relay(ctx, ch, func(ev virt.StoragePoolEvent) objEvent {
				return objEvent{"lifecycle", ev.Pool.Name,
					"event 'lifecycle' for storage pool " + ev.Pool.Name + ": " + eventName(poolEventNames, int32(ev.Type))}
			}), nil
		},
	}.run(s, c)
}

func cmdNodedevEvent(s *session, c *call) error {
	return objEventCmd{
		kinds:     []string{"lifecycle", "update"},
		filterOpt: "device",
		lookup: func(name string) (string, error) {
			d, err := s.conn.LookupNodeDeviceByName(s.ctx, name)
			if err != nil {
				return "", fail(err, "Could not find matching device '%s'", name)
			}
			return d.Name(), nil
		},
		subscribe: func(ctx context.Context) (<-chan objEvent, error) {
			ch, err := s.conn.NodeDeviceEvents(ctx)
			if err != nil {
				return nil, err
			}
			return relay(ctx, ch, func(ev virt.NodeDeviceEvent) objEvent {
				if ev.Update {
					return objEvent{"update", ev.Device.Name, "event 'update' for node device " + ev.Device.Name}
				}
				return objEvent{"lifecycle", ev.Device.Name,
					"event 'lifecycle' for node device " + ev.Device.Name + ": " + eventName(nodeDevEventNames, ev.Type)}
			}), nil
		},
	}.run(s, c)
}
