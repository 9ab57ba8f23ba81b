package virt

import "context"

// NodeDeviceRef names a host device (virNodeDevicePtr): its name and its
// parent's.
type NodeDeviceRef struct {
	Name   string
	Parent string
}

// ListNodeDevicesFlags filter ListAllNodeDevices
// (virConnectListAllNodeDeviceFlags): capability bits, and whether the
// device is active.
type ListNodeDevicesFlags uint32

// Node device filters.
const (
	ListNodeDevicesSystem       ListNodeDevicesFlags = 1 << 0
	ListNodeDevicesPCI          ListNodeDevicesFlags = 1 << 1
	ListNodeDevicesUSBDev       ListNodeDevicesFlags = 1 << 2
	ListNodeDevicesUSBInterface ListNodeDevicesFlags = 1 << 3
	ListNodeDevicesNet          ListNodeDevicesFlags = 1 << 4
	ListNodeDevicesSCSIHost     ListNodeDevicesFlags = 1 << 5
	ListNodeDevicesSCSITarget   ListNodeDevicesFlags = 1 << 6
	ListNodeDevicesSCSI         ListNodeDevicesFlags = 1 << 7
	ListNodeDevicesStorage      ListNodeDevicesFlags = 1 << 8
	ListNodeDevicesFCHost       ListNodeDevicesFlags = 1 << 9
	ListNodeDevicesVports       ListNodeDevicesFlags = 1 << 10
	ListNodeDevicesSCSIGeneric  ListNodeDevicesFlags = 1 << 11
	ListNodeDevicesDRM          ListNodeDevicesFlags = 1 << 12
	ListNodeDevicesMdevTypes    ListNodeDevicesFlags = 1 << 13
	ListNodeDevicesMdev         ListNodeDevicesFlags = 1 << 14
	ListNodeDevicesCCW          ListNodeDevicesFlags = 1 << 15
	ListNodeDevicesCSS          ListNodeDevicesFlags = 1 << 16
	ListNodeDevicesVDPA         ListNodeDevicesFlags = 1 << 17
	ListNodeDevicesAPCard       ListNodeDevicesFlags = 1 << 18
	ListNodeDevicesAPQueue      ListNodeDevicesFlags = 1 << 19
	ListNodeDevicesAPMatrix     ListNodeDevicesFlags = 1 << 20
	ListNodeDevicesVPD          ListNodeDevicesFlags = 1 << 21
	ListNodeDevicesInactive     ListNodeDevicesFlags = 1 << 30
	ListNodeDevicesActive       ListNodeDevicesFlags = 1 << 31
)

// NodeDeviceCapNames are the capability names in the order of the
// ListNodeDevices bits.
var NodeDeviceCapNames = []string{"system", "pci", "usb_device", "usb", "net", "scsi_host",
	"scsi_target", "scsi", "storage", "fc_host", "vports", "scsi_generic", "drm",
	"mdev_types", "mdev", "ccw", "css", "vdpa", "ap_card", "ap_queue", "ap_matrix", "vpd"}

// NodeDeviceEvent is a lifecycle event of a host device: Type is 0
// created, 1 deleted, 2 defined, 3 undefined; update events have Update
// set.
type NodeDeviceEvent struct {
	Device NodeDeviceRef
	Type   int32
	Detail int32
	Update bool
}

// NodeDeviceDriver is implemented by drivers that know the host's devices.
type NodeDeviceDriver interface {
	ListNodeDevices(ctx context.Context, flags ListNodeDevicesFlags) ([]NodeDeviceRef, error)
	LookupNodeDevice(ctx context.Context, name string) (NodeDeviceRef, error)
	NodeDeviceXML(ctx context.Context, name string, flags uint32) (string, error)
	// NodeDeviceCaps lists the device's capability names.
	NodeDeviceCaps(ctx context.Context, name string) ([]string, error)
	// CreateNodeDevice creates a transient device (a vHBA, an mdev).
	CreateNodeDevice(ctx context.Context, xml string, flags uint32) (NodeDeviceRef, error)
	DestroyNodeDevice(ctx context.Context, name string) error
}

// NodeDeviceSCSILookup is implemented by drivers that find SCSI hosts by
// their FC names (virNodeDeviceLookupSCSIHostByWWN).
type NodeDeviceSCSILookup interface {
	LookupSCSIHostByWWN(ctx context.Context, wwnn, wwpn string, flags uint32) (NodeDeviceRef, error)
}

// NodeDeviceManager is implemented by drivers with persistent device
// definitions and host device assignment.
type NodeDeviceManager interface {
	DefineNodeDevice(ctx context.Context, xml string, flags uint32) (NodeDeviceRef, error)
	UndefineNodeDevice(ctx context.Context, name string, flags uint32) error
	StartNodeDevice(ctx context.Context, name string, flags uint32) error
	SetNodeDeviceAutostart(ctx context.Context, name string, on bool) error
	// NodeDeviceState reports whether the device is active, persistent
	// and autostarted.
	NodeDeviceState(ctx context.Context, name string) (active, persistent, autostart bool, err error)
	DetachNodeDevice(ctx context.Context, name, driverName string, flags uint32) error
	ReattachNodeDevice(ctx context.Context, name string) error
	ResetNodeDevice(ctx context.Context, name string) error
}

// NodeDeviceEvents is implemented by drivers that report device events.
type NodeDeviceEvents interface {
	NodeDeviceEvents(ctx context.Context) (<-chan NodeDeviceEvent, error)
}

// NodeDevice is a handle on a host device.
type NodeDevice struct {
	c   *Conn
	ref NodeDeviceRef
}

// Name returns the device's name.
func (n *NodeDevice) Name() string { return n.ref.Name }

// Ref returns the device's name and parent.
func (n *NodeDevice) Ref() NodeDeviceRef { return n.ref }

// NodeDeviceFromRef makes a handle without a lookup.
func (c *Conn) NodeDeviceFromRef(ref NodeDeviceRef) *NodeDevice { return &NodeDevice{c: c, ref: ref} }

// ListAllNodeDevices lists the host devices that pass the filters.
func (c *Conn) ListAllNodeDevices(ctx context.Context, flags ListNodeDevicesFlags) ([]*NodeDevice, error) {
	d, err := family[NodeDeviceDriver](c, FromNodeDev, "virConnectListAllNodeDevices")
	if err != nil {
		return nil, err
	}
	refs, err := d.ListNodeDevices(ctx, flags)
	if err != nil {
		return nil, err
	}
	out := make([]*NodeDevice, len(refs))
	for i, r := range refs {
		out[i] = c.NodeDeviceFromRef(r)
	}
	return out, nil
}

// LookupNodeDeviceByName finds a host device by name.
func (c *Conn) LookupNodeDeviceByName(ctx context.Context, name string) (*NodeDevice, error) {
	d, err := family[NodeDeviceDriver](c, FromNodeDev, "virNodeDeviceLookupByName")
	if err != nil {
		return nil, err
	}
	r, err := d.LookupNodeDevice(ctx, name)
	if err != nil {
		return nil, err
	}
	return c.NodeDeviceFromRef(r), nil
}

// LookupSCSIHostByWWN finds a SCSI host by its FC node and port names.
func (c *Conn) LookupSCSIHostByWWN(ctx context.Context, wwnn, wwpn string, flags uint32) (*NodeDevice, error) {
	d, err := family[NodeDeviceSCSILookup](c, FromNodeDev, "virNodeDeviceLookupSCSIHostByWWN")
	if err != nil {
		return nil, err
	}
	r, err := d.LookupSCSIHostByWWN(ctx, wwnn, wwpn, flags)
	if err != nil {
		return nil, err
	}
	return c.NodeDeviceFromRef(r), nil
}

// CreateNodeDevice creates a transient host device from XML.
func (c *Conn) CreateNodeDevice(ctx context.Context, xml string, flags uint32) (*NodeDevice, error) {
	d, err := writeFamily[NodeDeviceDriver](c, FromNodeDev, "virNodeDeviceCreateXML")
	if err != nil {
		return nil, err
	}
	r, err := d.CreateNodeDevice(ctx, xml, flags)
	if err != nil {
		return nil, err
	}
	return c.NodeDeviceFromRef(r), nil
}

// DefineNodeDevice defines a persistent host device from XML.
func (c *Conn) DefineNodeDevice(ctx context.Context, xml string, flags uint32) (*NodeDevice, error) {
	d, err := writeFamily[NodeDeviceManager](c, FromNodeDev, "virNodeDeviceDefineXML")
	if err != nil {
		return nil, err
	}
	r, err := d.DefineNodeDevice(ctx, xml, flags)
	if err != nil {
		return nil, err
	}
	return c.NodeDeviceFromRef(r), nil
}

// NodeDeviceEvents delivers host device events until ctx is done.
func (c *Conn) NodeDeviceEvents(ctx context.Context) (<-chan NodeDeviceEvent, error) {
	e, err := family[NodeDeviceEvents](c, FromNodeDev, "virConnectNodeDeviceEventRegisterAny")
	if err != nil {
		return nil, err
	}
	return e.NodeDeviceEvents(ctx)
}

// XML returns the device's XML description.
func (n *NodeDevice) XML(ctx context.Context, flags uint32) (string, error) {
	d, err := family[NodeDeviceDriver](n.c, FromNodeDev, "virNodeDeviceGetXMLDesc")
	if err != nil {
		return "", err
	}
	return d.NodeDeviceXML(ctx, n.ref.Name, flags)
}

// Caps lists the device's capability names.
func (n *NodeDevice) Caps(ctx context.Context) ([]string, error) {
	d, err := family[NodeDeviceDriver](n.c, FromNodeDev, "virNodeDeviceListCaps")
	if err != nil {
		return nil, err
	}
	return d.NodeDeviceCaps(ctx, n.ref.Name)
}

// Destroy removes a transient device (or stops a persistent one).
func (n *NodeDevice) Destroy(ctx context.Context) error {
	d, err := writeFamily[NodeDeviceDriver](n.c, FromNodeDev, "virNodeDeviceDestroy")
	if err != nil {
		return err
	}
	return d.DestroyNodeDevice(ctx, n.ref.Name)
}

// Undefine removes the device's persistent definition.
func (n *NodeDevice) Undefine(ctx context.Context, flags uint32) error {
	d, err := writeFamily[NodeDeviceManager](n.c, FromNodeDev, "virNodeDeviceUndefine")
	if err != nil {
		return err
	}
	return d.UndefineNodeDevice(ctx, n.ref.Name, flags)
}

// Start starts a defined device.
func (n *NodeDevice) Start(ctx context.Context, flags uint32) error {
	d, err := writeFamily[NodeDeviceManager](n.c, FromNodeDev, "virNodeDeviceCreate")
	if err != nil {
		return err
	}
	return d.StartNodeDevice(ctx, n.ref.Name, flags)
}

// SetAutostart sets whether the device starts with the host.
func (n *NodeDevice) SetAutostart(ctx context.Context, on bool) error {
	d, err := writeFamily[NodeDeviceManager](n.c, FromNodeDev, "virNodeDeviceSetAutostart")
	if err != nil {
		return err
	}
	return d.SetNodeDeviceAutostart(ctx, n.ref.Name, on)
}

// State reports whether the device is active, persistent and autostarted.
func (n *NodeDevice) State(ctx context.Context) (active, persistent, autostart bool, err error) {
	d, err := family[NodeDeviceManager](n.c, FromNodeDev, "virNodeDeviceIsActive")
	if err != nil {
		return false, false, false, err
	}
	return d.NodeDeviceState(ctx, n.ref.Name)
}

// Detach detaches the device from its host driver for assignment.
func (n *NodeDevice) Detach(ctx context.Context, driverName string, flags uint32) error {
	api := "virNodeDeviceDettach"
	if driverName != "" || flags != 0 {
		api = "virNodeDeviceDetachFlags"
	}
	d, err := writeFamily[NodeDeviceManager](n.c, FromNodeDev, api)
	if err != nil {
		return err
	}
	return d.DetachNodeDevice(ctx, n.ref.Name, driverName, flags)
}

// Reattach gives the device back to its host driver.
func (n *NodeDevice) Reattach(ctx context.Context) error {
	d, err := writeFamily[NodeDeviceManager](n.c, FromNodeDev, "virNodeDeviceReAttach")
	if err != nil {
		return err
	}
	return d.ReattachNodeDevice(ctx, n.ref.Name)
}

// Reset resets the device.
func (n *NodeDevice) Reset(ctx context.Context) error {
	d, err := writeFamily[NodeDeviceManager](n.c, FromNodeDev, "virNodeDeviceReset")
	if err != nil {
		return err
	}
	return d.ResetNodeDevice(ctx, n.ref.Name)
}
