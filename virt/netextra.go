package virt

import "context"

// Network update commands and sections (virNetworkUpdateCommand,
// virNetworkUpdateSection), and the update flags.
const (
	NetUpdateModify   uint32 = 1
	NetUpdateDelete   uint32 = 2
	NetUpdateAddLast  uint32 = 3
	NetUpdateAddFirst uint32 = 4

	NetSectionBridge           uint32 = 1
	NetSectionDomain           uint32 = 2
	NetSectionIP               uint32 = 3
	NetSectionIPDHCPHost       uint32 = 4
	NetSectionIPDHCPRange      uint32 = 5
	NetSectionForward          uint32 = 6
	NetSectionForwardInterface uint32 = 7
	NetSectionForwardPF        uint32 = 8
	NetSectionPortgroup        uint32 = 9
	NetSectionDNSHost          uint32 = 10
	NetSectionDNSTxt           uint32 = 11
	NetSectionDNSSrv           uint32 = 12

	NetUpdateAffectLive   uint32 = 1 << 0
	NetUpdateAffectConfig uint32 = 1 << 1
)

// NetworkUpdater is implemented by drivers that change parts of a
// network's definition in place (virNetworkUpdate).
type NetworkUpdater interface {
	UpdateNetwork(ctx context.Context, n NetworkRef, command, section uint32, parentIndex int, xml string, flags uint32) error
}

// Update changes one section of the network's definition.
func (n *Network) Update(ctx context.Context, command, section uint32, parentIndex int, xml string, flags uint32) error {
	u, err := writeFamily[NetworkUpdater](n.c, FromNetwork, "virNetworkUpdate")
	if err != nil {
		return err
	}
	return u.UpdateNetwork(ctx, n.ref, command, section, parentIndex, xml, flags)
}

// DHCPLease is one lease of a network's DHCP server
// (virNetworkDHCPLease).
type DHCPLease struct {
	Iface      string
	ExpiryTime int64
	Type       int32
	MAC        string
	IAID       string
	IPAddr     string
	Prefix     uint32
	Hostname   string
	ClientID   string
}

// NetworkPortRef names a port of a network.
type NetworkPortRef struct {
	Network NetworkRef
	UUID    UUID
}

// NetworkPorts is implemented by drivers that manage network ports and
// DHCP leases (virNetworkListAllPorts, virNetworkGetDHCPLeases, ...).
type NetworkPorts interface {
	NetworkDHCPLeases(ctx context.Context, n NetworkRef, mac string, flags uint32) ([]DHCPLease, error)
	ListNetworkPorts(ctx context.Context, n NetworkRef, flags uint32) ([]NetworkPortRef, error)
	LookupNetworkPort(ctx context.Context, n NetworkRef, uuid UUID) (NetworkPortRef, error)
	CreateNetworkPort(ctx context.Context, n NetworkRef, xml string, flags uint32) (NetworkPortRef, error)
	NetworkPortXML(ctx context.Context, p NetworkPortRef, flags uint32) (string, error)
	DeleteNetworkPort(ctx context.Context, p NetworkPortRef, flags uint32) error
}

// DHCPLeases returns the leases of the network's DHCP server (of one MAC
// address when mac is not "").
func (n *Network) DHCPLeases(ctx context.Context, mac string, flags uint32) ([]DHCPLease, error) {
	p, err := family[NetworkPorts](n.c, FromNetwork, "virNetworkGetDHCPLeases")
	if err != nil {
		return nil, err
	}
	return p.NetworkDHCPLeases(ctx, n.ref, mac, flags)
}

// ListPorts lists the network's ports.
func (n *Network) ListPorts(ctx context.Context, flags uint32) ([]NetworkPortRef, error) {
	p, err := family[NetworkPorts](n.c, FromNetwork, "virNetworkListAllPorts")
	if err != nil {
		return nil, err
	}
	return p.ListNetworkPorts(ctx, n.ref, flags)
}

// LookupPort finds a port of the network by UUID.
func (n *Network) LookupPort(ctx context.Context, uuid UUID) (NetworkPortRef, error) {
	p, err := family[NetworkPorts](n.c, FromNetwork, "virNetworkPortLookupByUUID")
	if err != nil {
		return NetworkPortRef{}, err
	}
	return p.LookupNetworkPort(ctx, n.ref, uuid)
}

// CreatePort creates a port of the network from XML.
func (n *Network) CreatePort(ctx context.Context, xml string, flags uint32) (NetworkPortRef, error) {
	p, err := writeFamily[NetworkPorts](n.c, FromNetwork, "virNetworkPortCreateXML")
	if err != nil {
		return NetworkPortRef{}, err
	}
	return p.CreateNetworkPort(ctx, n.ref, xml, flags)
}

// PortXML returns a port's XML description.
func (n *Network) PortXML(ctx context.Context, port NetworkPortRef, flags uint32) (string, error) {
	p, err := family[NetworkPorts](n.c, FromNetwork, "virNetworkPortGetXMLDesc")
	if err != nil {
		return "", err
	}
	return p.NetworkPortXML(ctx, port, flags)
}

// DeletePort deletes a port of the network.
func (n *Network) DeletePort(ctx context.Context, port NetworkPortRef, flags uint32) error {
	p, err := writeFamily[NetworkPorts](n.c, FromNetwork, "virNetworkPortDelete")
	if err != nil {
		return err
	}
	return p.DeleteNetworkPort(ctx, port, flags)
}

// InterfaceManager is implemented by drivers that define, start and stop
// host interfaces and run configuration transactions.
type InterfaceManager interface {
	DefineInterface(ctx context.Context, xml string, flags uint32) (InterfaceRef, error)
	UndefineInterface(ctx context.Context, i InterfaceRef) error
	StartInterface(ctx context.Context, i InterfaceRef, flags uint32) error
	StopInterface(ctx context.Context, i InterfaceRef, flags uint32) error
	// ChangeBegin, ChangeCommit and ChangeRollback run a transaction over
	// the host's interface configuration.
	InterfaceChangeBegin(ctx context.Context, flags uint32) error
	InterfaceChangeCommit(ctx context.Context, flags uint32) error
	InterfaceChangeRollback(ctx context.Context, flags uint32) error
}

// DefineInterface defines (or redefines) a host interface from XML.
func (c *Conn) DefineInterface(ctx context.Context, xml string, flags uint32) (*Interface, error) {
	m, err := writeFamily[InterfaceManager](c, FromInterface, "virInterfaceDefineXML")
	if err != nil {
		return nil, err
	}
	r, err := m.DefineInterface(ctx, xml, flags)
	if err != nil {
		return nil, err
	}
	return c.InterfaceFromRef(r), nil
}

// InterfaceChangeBegin starts a configuration transaction.
func (c *Conn) InterfaceChangeBegin(ctx context.Context, flags uint32) error {
	m, err := writeFamily[InterfaceManager](c, FromInterface, "virInterfaceChangeBegin")
	if err != nil {
		return err
	}
	return m.InterfaceChangeBegin(ctx, flags)
}

// InterfaceChangeCommit commits the configuration transaction.
func (c *Conn) InterfaceChangeCommit(ctx context.Context, flags uint32) error {
	m, err := writeFamily[InterfaceManager](c, FromInterface, "virInterfaceChangeCommit")
	if err != nil {
		return err
	}
	return m.InterfaceChangeCommit(ctx, flags)
}

// InterfaceChangeRollback restores the configuration the transaction
// started from.
func (c *Conn) InterfaceChangeRollback(ctx context.Context, flags uint32) error {
	m, err := writeFamily[InterfaceManager](c, FromInterface, "virInterfaceChangeRollback")
	if err != nil {
		return err
	}
	return m.InterfaceChangeRollback(ctx, flags)
}

// Undefine removes the interface's definition.
func (i *Interface) Undefine(ctx context.Context) error {
	m, err := writeFamily[InterfaceManager](i.c, FromInterface, "virInterfaceUndefine")
	if err != nil {
		return err
	}
	return m.UndefineInterface(ctx, i.ref)
}

// Start brings the interface up.
func (i *Interface) Start(ctx context.Context, flags uint32) error {
	m, err := writeFamily[InterfaceManager](i.c, FromInterface, "virInterfaceCreate")
	if err != nil {
		return err
	}
	return m.StartInterface(ctx, i.ref, flags)
}

// Stop takes the interface down.
func (i *Interface) Stop(ctx context.Context, flags uint32) error {
	m, err := writeFamily[InterfaceManager](i.c, FromInterface, "virInterfaceDestroy")
	if err != nil {
		return err
	}
	return m.StopInterface(ctx, i.ref, flags)
}

// PoolSourceFinder is implemented by drivers that discover storage pool
// sources (virConnectFindStoragePoolSources).
type PoolSourceFinder interface {
	FindPoolSources(ctx context.Context, typ, spec string, flags uint32) (string, error)
}

// FindStoragePoolSources returns an XML list of the sources a pool of
// type typ could use; spec, when not "", narrows the search.
func (c *Conn) FindStoragePoolSources(ctx context.Context, typ, spec string, flags uint32) (string, error) {
	f, err := pools[PoolSourceFinder](c, "virConnectFindStoragePoolSources", true)
	if err != nil {
		return "", err
	}
	return f.FindPoolSources(ctx, typ, spec, flags)
}

// StorageVolResizer is implemented by drivers that resize and wipe
// volumes (virStorageVolResize, virStorageVolWipePattern).
type StorageVolResizer interface {
	ResizeVol(ctx context.Context, v StorageVolRef, capacity uint64, flags uint32) error
	WipeVol(ctx context.Context, v StorageVolRef, algorithm uint32, flags uint32) error
}

// Volume resize flags (virStorageVolResizeFlags).
const (
	VolResizeAllocate uint32 = 1 << 0
	VolResizeDelta    uint32 = 1 << 1
	VolResizeShrink   uint32 = 1 << 2
)

// Resize changes the volume's capacity.
func (v *StorageVol) Resize(ctx context.Context, capacity uint64, flags uint32) error {
	r, err := pools[StorageVolResizer](v.c, "virStorageVolResize", true)
	if err != nil {
		return err
	}
	return r.ResizeVol(ctx, v.ref, capacity, flags)
}

// Wipe overwrites the volume's data with the algorithm's pattern (0
// zeroes).
func (v *StorageVol) Wipe(ctx context.Context, algorithm uint32, flags uint32) error {
	api := "virStorageVolWipe"
	if algorithm != 0 {
		api = "virStorageVolWipePattern"
	}
	r, err := pools[StorageVolResizer](v.c, api, true)
	if err != nil {
		return err
	}
	return r.WipeVol(ctx, v.ref, algorithm, flags)
}

// SecretRef names a secret: its UUID, usage type and usage ID.
type SecretRef struct {
	UUID      UUID
	UsageType int32
	UsageID   string
}

// SecretDriver is implemented by drivers that keep secrets.
type SecretDriver interface {
	ListSecrets(ctx context.Context, flags uint32) ([]SecretRef, error)
	LookupSecretByUUID(ctx context.Context, uuid UUID) (SecretRef, error)
	LookupSecretByUsage(ctx context.Context, usageType int32, usageID string) (SecretRef, error)
	DefineSecret(ctx context.Context, xml string, flags uint32) (SecretRef, error)
	UndefineSecret(ctx context.Context, s SecretRef) error
	SecretXML(ctx context.Context, s SecretRef, flags uint32) (string, error)
	SecretValue(ctx context.Context, s SecretRef, flags uint32) ([]byte, error)
	SetSecretValue(ctx context.Context, s SecretRef, value []byte, flags uint32) error
}

// Secret is a handle on a secret.
type Secret struct {
	c   *Conn
	ref SecretRef
}

// Ref returns the secret's UUID and usage.
func (s *Secret) Ref() SecretRef { return s.ref }

// SecretFromRef makes a handle without a lookup.
func (c *Conn) SecretFromRef(ref SecretRef) *Secret { return &Secret{c: c, ref: ref} }

// ListAllSecrets lists the secrets.
func (c *Conn) ListAllSecrets(ctx context.Context, flags uint32) ([]*Secret, error) {
	d, err := family[SecretDriver](c, FromSecret, "virConnectListAllSecrets")
	if err != nil {
		return nil, err
	}
	refs, err := d.ListSecrets(ctx, flags)
	if err != nil {
		return nil, err
	}
	out := make([]*Secret, len(refs))
	for i, r := range refs {
		out[i] = c.SecretFromRef(r)
	}
	return out, nil
}

// LookupSecretByUUID finds a secret.
func (c *Conn) LookupSecretByUUID(ctx context.Context, uuid UUID) (*Secret, error) {
	d, err := family[SecretDriver](c, FromSecret, "virSecretLookupByUUID")
	if err != nil {
		return nil, err
	}
	r, err := d.LookupSecretByUUID(ctx, uuid)
	if err != nil {
		return nil, err
	}
	return c.SecretFromRef(r), nil
}

// LookupSecretByUsage finds a secret by what it is used for.
func (c *Conn) LookupSecretByUsage(ctx context.Context, usageType int32, usageID string) (*Secret, error) {
	d, err := family[SecretDriver](c, FromSecret, "virSecretLookupByUsage")
	if err != nil {
		return nil, err
	}
	r, err := d.LookupSecretByUsage(ctx, usageType, usageID)
	if err != nil {
		return nil, err
	}
	return c.SecretFromRef(r), nil
}

// DefineSecret defines a secret from XML.
func (c *Conn) DefineSecret(ctx context.Context, xml string, flags uint32) (*Secret, error) {
	d, err := writeFamily[SecretDriver](c, FromSecret, "virSecretDefineXML")
	if err != nil {
		return nil, err
	}
	r, err := d.DefineSecret(ctx, xml, flags)
	if err != nil {
		return nil, err
	}
	return c.SecretFromRef(r), nil
}

// Undefine removes the secret.
func (s *Secret) Undefine(ctx context.Context) error {
	d, err := writeFamily[SecretDriver](s.c, FromSecret, "virSecretUndefine")
	if err != nil {
		return err
	}
	return d.UndefineSecret(ctx, s.ref)
}

// XML returns the secret's XML description.
func (s *Secret) XML(ctx context.Context, flags uint32) (string, error) {
	d, err := family[SecretDriver](s.c, FromSecret, "virSecretGetXMLDesc")
	if err != nil {
		return "", err
	}
	return d.SecretXML(ctx, s.ref, flags)
}

// Value returns the secret's value.
func (s *Secret) Value(ctx context.Context, flags uint32) ([]byte, error) {
	d, err := writeFamily[SecretDriver](s.c, FromSecret, "virSecretGetValue")
	if err != nil {
		return nil, err
	}
	return d.SecretValue(ctx, s.ref, flags)
}

// SetValue sets the secret's value.
func (s *Secret) SetValue(ctx context.Context, value []byte, flags uint32) error {
	d, err := writeFamily[SecretDriver](s.c, FromSecret, "virSecretSetValue")
	if err != nil {
		return err
	}
	return d.SetSecretValue(ctx, s.ref, value, flags)
}

// NWFilterRef names a network filter.
type NWFilterRef struct {
	Name string
	UUID UUID
}

// NWFilterBindingRef names a filter binding: the port device and filter.
type NWFilterBindingRef struct {
	PortDev    string
	FilterName string
}

// NWFilterDriver is implemented by drivers that keep network filters and
// their bindings to ports.
type NWFilterDriver interface {
	ListNWFilters(ctx context.Context, flags uint32) ([]NWFilterRef, error)
	LookupNWFilter(ctx context.Context, nameOrUUID string) (NWFilterRef, error)
	DefineNWFilter(ctx context.Context, xml string, flags uint32) (NWFilterRef, error)
	UndefineNWFilter(ctx context.Context, f NWFilterRef) error
	NWFilterXML(ctx context.Context, f NWFilterRef, flags uint32) (string, error)
	ListNWFilterBindings(ctx context.Context, flags uint32) ([]NWFilterBindingRef, error)
	LookupNWFilterBinding(ctx context.Context, portDev string) (NWFilterBindingRef, error)
	CreateNWFilterBinding(ctx context.Context, xml string, flags uint32) (NWFilterBindingRef, error)
	NWFilterBindingXML(ctx context.Context, b NWFilterBindingRef, flags uint32) (string, error)
	DeleteNWFilterBinding(ctx context.Context, b NWFilterBindingRef) error
}

// NWFilters returns the driver's network filter implementation, or the
// no-support error naming api (for callers that need several calls).
func (c *Conn) NWFilters(api string, write bool) (NWFilterDriver, error) {
	if write {
		return writeFamily[NWFilterDriver](c, FromNWFilter, api)
	}
	return family[NWFilterDriver](c, FromNWFilter, api)
}
