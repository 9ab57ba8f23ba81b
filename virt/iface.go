package virt

import "context"

// InterfaceRef names a host network interface (virInterfacePtr): its name
// and MAC address.
type InterfaceRef struct {
	Name string
	MAC  string
}

// ListInterfacesFlags filter ListAllInterfaces
// (virConnectListAllInterfacesFlags). Zero lists every interface.
type ListInterfacesFlags uint32

// ListAllInterfaces filters.
const (
	ListInterfacesInactive ListInterfacesFlags = 1 << 0
	ListInterfacesActive   ListInterfacesFlags = 1 << 1
)

// InterfaceDriver reports the node's host network interfaces.
type InterfaceDriver interface {
	ListInterfaces(ctx context.Context, flags ListInterfacesFlags) ([]InterfaceRef, error)
	LookupInterfaceByName(ctx context.Context, name string) (InterfaceRef, error)
	LookupInterfaceByMAC(ctx context.Context, mac string) (InterfaceRef, error)
	InterfaceXML(ctx context.Context, i InterfaceRef, flags uint32) (string, error)
	InterfaceIsActive(ctx context.Context, i InterfaceRef) (bool, error)
}

// Interface is a handle on one host network interface.
type Interface struct {
	c   *Conn
	ref InterfaceRef
}

// Ref returns the interface's name and MAC address.
func (i *Interface) Ref() InterfaceRef { return i.ref }

// Name returns the interface's name.
func (i *Interface) Name() string { return i.ref.Name }

// MAC returns the interface's MAC address.
func (i *Interface) MAC() string { return i.ref.MAC }

// InterfaceFromRef makes a handle for ref without a lookup.
func (c *Conn) InterfaceFromRef(ref InterfaceRef) *Interface { return &Interface{c: c, ref: ref} }

// ListAllInterfaces lists the host interfaces that pass the filter flags.
func (c *Conn) ListAllInterfaces(ctx context.Context, flags ListInterfacesFlags) ([]*Interface, error) {
	d, err := family[InterfaceDriver](c, FromInterface, "virConnectListAllInterfaces")
	if err != nil {
		return nil, err
	}
	refs, err := d.ListInterfaces(ctx, flags)
	if err != nil {
		return nil, err
	}
	out := make([]*Interface, len(refs))
	for i, r := range refs {
		out[i] = c.InterfaceFromRef(r)
	}
	return out, nil
}

// LookupInterfaceByName finds a host interface by name.
func (c *Conn) LookupInterfaceByName(ctx context.Context, name string) (*Interface, error) {
	d, err := family[InterfaceDriver](c, FromInterface, "virInterfaceLookupByName")
	if err != nil {
		return nil, err
	}
	r, err := d.LookupInterfaceByName(ctx, name)
	if err != nil {
		return nil, err
	}
	return c.InterfaceFromRef(r), nil
}

// LookupInterfaceByMAC finds a host interface by MAC address.
func (c *Conn) LookupInterfaceByMAC(ctx context.Context, mac string) (*Interface, error) {
	d, err := family[InterfaceDriver](c, FromInterface, "virInterfaceLookupByMACString")
	if err != nil {
		return nil, err
	}
	r, err := d.LookupInterfaceByMAC(ctx, mac)
	if err != nil {
		return nil, err
	}
	return c.InterfaceFromRef(r), nil
}

// XML returns the interface's XML description.
func (i *Interface) XML(ctx context.Context, flags uint32) (string, error) {
	d, err := family[InterfaceDriver](i.c, FromInterface, "virInterfaceGetXMLDesc")
	if err != nil {
		return "", err
	}
	return d.InterfaceXML(ctx, i.ref, flags)
}

// IsActive reports whether the interface is up.
func (i *Interface) IsActive(ctx context.Context) (bool, error) {
	d, err := family[InterfaceDriver](i.c, FromInterface, "virInterfaceIsActive")
	if err != nil {
		return false, err
	}
	return d.InterfaceIsActive(ctx, i.ref)
}
