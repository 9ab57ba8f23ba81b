package virt

import (
	"context"

	"github.com/govirt/govirt/virtxml"
)

func parseUUID(s string) (UUID, error) { return virtxml.ParseUUID(s) }

// Network is a handle on one virtual network (virNetworkPtr).
type Network struct {
	c   *Conn
	ref NetworkRef
}

// Ref returns the network's name and UUID.
func (n *Network) Ref() NetworkRef { return n.ref }

// Name returns the network's name.
func (n *Network) Name() string { return n.ref.Name }

// UUID returns the network's UUID.
func (n *Network) UUID() UUID { return n.ref.UUID }

// NetworkFromRef makes a handle for ref without a lookup.
func (c *Conn) NetworkFromRef(ref NetworkRef) *Network { return &Network{c: c, ref: ref} }

func (c *Conn) networks(api string, write bool) (NetworkDriver, error) {
	if write {
		return writeFamily[NetworkDriver](c, FromNetwork, api)
	}
	return family[NetworkDriver](c, FromNetwork, api)
}

// LookupNetworkByName finds a network by name.
func (c *Conn) LookupNetworkByName(ctx context.Context, name string) (*Network, error) {
	d, err := c.networks("virNetworkLookupByName", false)
	if err != nil {
		return nil, err
	}
	r, err := d.LookupNetworkByName(ctx, name)
	if err != nil {
		return nil, err
	}
	return c.NetworkFromRef(r), nil
}

// LookupNetworkByUUID finds a network by UUID.
func (c *Conn) LookupNetworkByUUID(ctx context.Context, uuid UUID) (*Network, error) {
	d, err := c.networks("virNetworkLookupByUUID", false)
	if err != nil {
		return nil, err
	}
	r, err := d.LookupNetworkByUUID(ctx, uuid)
	if err != nil {
		return nil, err
	}
	return c.NetworkFromRef(r), nil
}

// ListAllNetworks lists the networks that pass the filter flags (0: all).
func (c *Conn) ListAllNetworks(ctx context.Context, flags ListNetworksFlags) ([]*Network, error) {
	d, err := c.networks("virConnectListAllNetworks", false)
	if err != nil {
		return nil, err
	}
	refs, err := d.ListNetworks(ctx, flags)
	if err != nil {
		return nil, err
	}
	out := make([]*Network, len(refs))
	for i, r := range refs {
		out[i] = c.NetworkFromRef(r)
	}
	return out, nil
}

// DefineNetwork makes a network persistent from its XML description.
func (c *Conn) DefineNetwork(ctx context.Context, xml string) (*Network, error) {
	d, err := c.networks("virNetworkDefineXML", true)
	if err != nil {
		return nil, err
	}
	r, err := d.DefineNetwork(ctx, xml)
	if err != nil {
		return nil, err
	}
	return c.NetworkFromRef(r), nil
}

// CreateNetwork starts a transient network from its XML description.
func (c *Conn) CreateNetwork(ctx context.Context, xml string) (*Network, error) {
	d, err := c.networks("virNetworkCreateXML", true)
	if err != nil {
		return nil, err
	}
	r, err := d.CreateNetwork(ctx, xml)
	if err != nil {
		return nil, err
	}
	return c.NetworkFromRef(r), nil
}

// NetworkEvents delivers network lifecycle events until ctx is done.
func (c *Conn) NetworkEvents(ctx context.Context) (<-chan NetworkEvent, error) {
	e, err := family[NetworkEvents](c, FromNetwork, "virConnectNetworkEventRegisterAny")
	if err != nil {
		return nil, err
	}
	return e.NetworkEvents(ctx)
}

// Undefine removes the network's persistent definition.
func (n *Network) Undefine(ctx context.Context) error {
	d, err := n.c.networks("virNetworkUndefine", true)
	if err != nil {
		return err
	}
	return d.UndefineNetwork(ctx, n.ref)
}

// Start starts a defined network.
func (n *Network) Start(ctx context.Context) error {
	d, err := n.c.networks("virNetworkCreate", true)
	if err != nil {
		return err
	}
	return d.StartNetwork(ctx, n.ref)
}

// Destroy stops the network.
func (n *Network) Destroy(ctx context.Context) error {
	d, err := n.c.networks("virNetworkDestroy", true)
	if err != nil {
		return err
	}
	return d.DestroyNetwork(ctx, n.ref)
}

// XML returns the network's XML description (flags: 1 inactive).
func (n *Network) XML(ctx context.Context, flags uint32) (string, error) {
	d, err := n.c.networks("virNetworkGetXMLDesc", false)
	if err != nil {
		return "", err
	}
	return d.NetworkXML(ctx, n.ref, flags)
}

// Info reports whether the network is active, persistent and autostarted,
// and its bridge.
func (n *Network) Info(ctx context.Context) (NetworkInfo, error) {
	d, err := n.c.networks("virNetworkIsActive", false)
	if err != nil {
		return NetworkInfo{}, err
	}
	return d.NetworkInfo(ctx, n.ref)
}

// SetAutostart sets whether the network starts with the host.
func (n *Network) SetAutostart(ctx context.Context, on bool) error {
	d, err := n.c.networks("virNetworkSetAutostart", true)
	if err != nil {
		return err
	}
	return d.SetNetworkAutostart(ctx, n.ref, on)
}
