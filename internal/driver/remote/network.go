package remote

import (
	"context"

	"github.com/govirt/govirt/internal/rpc/proto"
	"github.com/govirt/govirt/virt"
)

func wireNet(r virt.NetworkRef) proto.Network {
	return proto.Network{Name: r.Name, UUID: proto.UUID(r.UUID)}
}

func netRef(n proto.Network) virt.NetworkRef {
	return virt.NetworkRef{Name: n.Name, UUID: virt.UUID(n.UUID)}
}

func (c *conn) netRet(ctx context.Context, p proto.Proc, args proto.Encoder) (virt.NetworkRef, error) {
	var r proto.NetworkRet
	if err := c.call(ctx, p, args, &r); err != nil {
		return virt.NetworkRef{}, err
	}
	return netRef(r.Net), nil
}

// LookupNetworkByName implements virt.NetworkDriver.
func (c *conn) LookupNetworkByName(ctx context.Context, name string) (virt.NetworkRef, error) {
	return c.netRet(ctx, proto.ProcNetworkLookupByName, &proto.NameArgs{Name: name})
}

// LookupNetworkByUUID implements virt.NetworkDriver.
func (c *conn) LookupNetworkByUUID(ctx context.Context, u virt.UUID) (virt.NetworkRef, error) {
	return c.netRet(ctx, proto.ProcNetworkLookupByUUID, &proto.UUIDArgs{UUID: proto.UUID(u)})
}

// ListNetworks implements virt.NetworkDriver.
func (c *conn) ListNetworks(ctx context.Context, flags virt.ListNetworksFlags) ([]virt.NetworkRef, error) {
	var r proto.NetworkListRet
	if err := c.call(ctx, proto.ProcConnectListAllNetworks, &proto.ListAllArgs{NeedResults: 1, Flags: uint32(flags)}, &r); err != nil {
		return nil, err
	}
	out := make([]virt.NetworkRef, len(r.Nets))
	for i, n := range r.Nets {
		out[i] = netRef(n)
	}
	return out, nil
}

// DefineNetwork implements virt.NetworkDriver.
func (c *conn) DefineNetwork(ctx context.Context, xml string) (virt.NetworkRef, error) {
	return c.netRet(ctx, proto.ProcNetworkDefineXML, &proto.NameArgs{Name: xml})
}

// CreateNetwork implements virt.NetworkDriver.
func (c *conn) CreateNetwork(ctx context.Context, xml string) (virt.NetworkRef, error) {
	return c.netRet(ctx, proto.ProcNetworkCreateXML, &proto.NameArgs{Name: xml})
}

// UndefineNetwork implements virt.NetworkDriver.
func (c *conn) UndefineNetwork(ctx context.Context, n virt.NetworkRef) error {
	return c.call(ctx, proto.ProcNetworkUndefine, &proto.NetworkArgs{Net: wireNet(n)}, nil)
}

// StartNetwork implements virt.NetworkDriver.
func (c *conn) StartNetwork(ctx context.Context, n virt.NetworkRef) error {
	return c.call(ctx, proto.ProcNetworkCreate, &proto.NetworkArgs{Net: wireNet(n)}, nil)
}

// DestroyNetwork implements virt.NetworkDriver.
func (c *conn) DestroyNetwork(ctx context.Context, n virt.NetworkRef) error {
	return c.call(ctx, proto.ProcNetworkDestroy, &proto.NetworkArgs{Net: wireNet(n)}, nil)
}

// NetworkXML implements virt.NetworkDriver.
func (c *conn) NetworkXML(ctx context.Context, n virt.NetworkRef, flags uint32) (string, error) {
	var r proto.StringRet
	err := c.call(ctx, proto.ProcNetworkGetXMLDesc, &proto.NetworkFlagsArgs{Net: wireNet(n), Flags: flags}, &r)
	return r.Str, err
}

// NetworkInfo implements virt.NetworkDriver with four pipelined calls; a
// network without a bridge has an empty Bridge.
func (c *conn) NetworkInfo(ctx context.Context, n virt.NetworkRef) (virt.NetworkInfo, error) {
	a := &proto.NetworkArgs{Net: wireNet(n)}
	act := c.c.Go(proto.ProcNetworkIsActive, a)
	pers := c.c.Go(proto.ProcNetworkIsPersistent, a)
	auto := c.c.Go(proto.ProcNetworkGetAutostart, a)
	br := c.c.Go(proto.ProcNetworkGetBridgeName, a)
	var ra, rp, rauto proto.IntRet
	var rb proto.StringRet
	for _, err := range []error{act.Wait(ctx, &ra), pers.Wait(ctx, &rp), auto.Wait(ctx, &rauto)} {
		if err != nil {
			br.Wait(ctx, nil)
			return virt.NetworkInfo{}, err
		}
	}
	if err := br.Wait(ctx, &rb); err != nil {
		rb.Str = ""
	}
	return virt.NetworkInfo{Active: ra.Value != 0, Persistent: rp.Value != 0, Autostart: rauto.Value != 0, Bridge: rb.Str}, nil
}

// SetNetworkAutostart implements virt.NetworkDriver.
func (c *conn) SetNetworkAutostart(ctx context.Context, n virt.NetworkRef, on bool) error {
	v := int32(0)
	if on {
		v = 1
	}
	return c.call(ctx, proto.ProcNetworkSetAutostart, &proto.NetworkIntArgs{Net: wireNet(n), Value: v}, nil)
}
