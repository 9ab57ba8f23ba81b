package virt

import "context"

// Snapshot creation flags (virDomainSnapshotCreateFlags).
const (
	SnapshotCreateRedefine   uint32 = 1 << 0
	SnapshotCreateCurrent    uint32 = 1 << 1
	SnapshotCreateNoMetadata uint32 = 1 << 2
	SnapshotCreateHalt       uint32 = 1 << 3
	SnapshotCreateDiskOnly   uint32 = 1 << 4
	SnapshotCreateReuseExt   uint32 = 1 << 5
	SnapshotCreateQuiesce    uint32 = 1 << 6
	SnapshotCreateAtomic     uint32 = 1 << 7
	SnapshotCreateLive       uint32 = 1 << 8
	SnapshotCreateValidate   uint32 = 1 << 9
)

// Snapshot listing flags (virDomainSnapshotListFlags). Roots applies to a
// domain's list, Descendants (the same bit) to a snapshot's children.
const (
	SnapshotListRoots       uint32 = 1 << 0
	SnapshotListDescendants uint32 = 1 << 0
	SnapshotListMetadata    uint32 = 1 << 1
	SnapshotListLeaves      uint32 = 1 << 2
	SnapshotListNoLeaves    uint32 = 1 << 3
	SnapshotListNoMetadata  uint32 = 1 << 4
	SnapshotListInactive    uint32 = 1 << 5
	SnapshotListActive      uint32 = 1 << 6
	SnapshotListDiskOnly    uint32 = 1 << 7
	SnapshotListInternal    uint32 = 1 << 8
	SnapshotListExternal    uint32 = 1 << 9
	SnapshotListTopological uint32 = 1 << 10
)

// Snapshot revert and delete flags.
const (
	SnapshotRevertRunning    uint32 = 1 << 0
	SnapshotRevertPaused     uint32 = 1 << 1
	SnapshotRevertForce      uint32 = 1 << 2
	SnapshotRevertResetNvram uint32 = 1 << 3

	SnapshotDeleteChildren     uint32 = 1 << 0
	SnapshotDeleteMetadataOnly uint32 = 1 << 1
	SnapshotDeleteChildrenOnly uint32 = 1 << 2
)

// SnapshotXMLSecure is VIR_DOMAIN_SNAPSHOT_XML_SECURE.
const SnapshotXMLSecure uint32 = 1 << 0

// DomainSnapshotDriver is implemented by drivers that keep domain
// snapshots. Snapshots are named by their domain and their name.
type DomainSnapshotDriver interface {
	// CreateDomainSnapshot takes (or with SnapshotCreateRedefine records)
	// a snapshot described by xml and returns its name.
	CreateDomainSnapshot(ctx context.Context, d DomainRef, xml string, flags uint32) (string, error)
	// ListDomainSnapshots lists the names of the domain's snapshots that
	// pass the filters, or with parent != "" the children (descendants
	// with SnapshotListDescendants) of that snapshot.
	ListDomainSnapshots(ctx context.Context, d DomainRef, parent string, flags uint32) ([]string, error)
	LookupDomainSnapshot(ctx context.Context, d DomainRef, name string, flags uint32) (string, error)
	DomainSnapshotXML(ctx context.Context, d DomainRef, name string, flags uint32) (string, error)
	DomainSnapshotParent(ctx context.Context, d DomainRef, name string, flags uint32) (string, error)
	// CurrentDomainSnapshot returns the name of the current snapshot.
	CurrentDomainSnapshot(ctx context.Context, d DomainRef, flags uint32) (string, error)
	DomainSnapshotIsCurrent(ctx context.Context, d DomainRef, name string, flags uint32) (bool, error)
	DomainSnapshotHasMetadata(ctx context.Context, d DomainRef, name string, flags uint32) (bool, error)
	RevertDomainSnapshot(ctx context.Context, d DomainRef, name string, flags uint32) error
	DeleteDomainSnapshot(ctx context.Context, d DomainRef, name string, flags uint32) error
}

// DomainSnapshot is a handle on one snapshot of a domain
// (virDomainSnapshotPtr).
type DomainSnapshot struct {
	d    *Domain
	name string
}

// Name returns the snapshot's name.
func (s *DomainSnapshot) Name() string { return s.name }

// Domain returns the domain the snapshot belongs to.
func (s *DomainSnapshot) Domain() *Domain { return s.d }

// SnapshotFromName makes a handle for the snapshot named name without a
// lookup.
func (d *Domain) SnapshotFromName(name string) *DomainSnapshot {
	return &DomainSnapshot{d: d, name: name}
}

func (d *Domain) snapshots(api string, write bool) (DomainSnapshotDriver, error) {
	if write {
		return writeFamily[DomainSnapshotDriver](d.c, FromDomainSnapshot, api)
	}
	return family[DomainSnapshotDriver](d.c, FromDomainSnapshot, api)
}

// CreateSnapshot takes a snapshot described by xml.
func (d *Domain) CreateSnapshot(ctx context.Context, xml string, flags uint32) (*DomainSnapshot, error) {
	s, err := d.snapshots("virDomainSnapshotCreateXML", true)
	if err != nil {
		return nil, err
	}
	name, err := s.CreateDomainSnapshot(ctx, d.Ref(), xml, flags)
	if err != nil {
		return nil, err
	}
	return d.SnapshotFromName(name), nil
}

// ListSnapshots lists the domain's snapshots that pass the filters.
func (d *Domain) ListSnapshots(ctx context.Context, flags uint32) ([]*DomainSnapshot, error) {
	s, err := d.snapshots("virDomainListAllSnapshots", false)
	if err != nil {
		return nil, err
	}
	names, err := s.ListDomainSnapshots(ctx, d.Ref(), "", flags)
	if err != nil {
		return nil, err
	}
	out := make([]*DomainSnapshot, len(names))
	for i, n := range names {
		out[i] = d.SnapshotFromName(n)
	}
	return out, nil
}

// LookupSnapshot finds a snapshot by name.
func (d *Domain) LookupSnapshot(ctx context.Context, name string, flags uint32) (*DomainSnapshot, error) {
	s, err := d.snapshots("virDomainSnapshotLookupByName", false)
	if err != nil {
		return nil, err
	}
	n, err := s.LookupDomainSnapshot(ctx, d.Ref(), name, flags)
	if err != nil {
		return nil, err
	}
	return d.SnapshotFromName(n), nil
}

// CurrentSnapshot returns the domain's current snapshot.
func (d *Domain) CurrentSnapshot(ctx context.Context, flags uint32) (*DomainSnapshot, error) {
	s, err := d.snapshots("virDomainSnapshotCurrent", false)
	if err != nil {
		return nil, err
	}
	n, err := s.CurrentDomainSnapshot(ctx, d.Ref(), flags)
	if err != nil {
		return nil, err
	}
	return d.SnapshotFromName(n), nil
}

// XML returns the snapshot's XML description.
func (s *DomainSnapshot) XML(ctx context.Context, flags uint32) (string, error) {
	api := "virDomainSnapshotGetXMLDesc"
	if flags&SnapshotXMLSecure != 0 && s.d.c.readOnly {
		return "", Errorf(ErrOperationDenied, FromDomainSnapshot, "%s with secure flag", api)
	}
	drv, err := s.d.snapshots(api, false)
	if err != nil {
		return "", err
	}
	return drv.DomainSnapshotXML(ctx, s.d.Ref(), s.name, flags)
}

// Parent returns the snapshot's parent.
func (s *DomainSnapshot) Parent(ctx context.Context, flags uint32) (*DomainSnapshot, error) {
	drv, err := s.d.snapshots("virDomainSnapshotGetParent", false)
	if err != nil {
		return nil, err
	}
	n, err := drv.DomainSnapshotParent(ctx, s.d.Ref(), s.name, flags)
	if err != nil {
		return nil, err
	}
	return s.d.SnapshotFromName(n), nil
}

// IsCurrent reports whether the snapshot is the domain's current one.
func (s *DomainSnapshot) IsCurrent(ctx context.Context, flags uint32) (bool, error) {
	drv, err := s.d.snapshots("virDomainSnapshotIsCurrent", false)
	if err != nil {
		return false, err
	}
	return drv.DomainSnapshotIsCurrent(ctx, s.d.Ref(), s.name, flags)
}

// HasMetadata reports whether libvirt keeps metadata for the snapshot.
func (s *DomainSnapshot) HasMetadata(ctx context.Context, flags uint32) (bool, error) {
	drv, err := s.d.snapshots("virDomainSnapshotHasMetadata", false)
	if err != nil {
		return false, err
	}
	return drv.DomainSnapshotHasMetadata(ctx, s.d.Ref(), s.name, flags)
}

// ListChildren lists the snapshot's children (or, with
// SnapshotListDescendants, all its descendants) that pass the filters.
func (s *DomainSnapshot) ListChildren(ctx context.Context, flags uint32) ([]*DomainSnapshot, error) {
	drv, err := s.d.snapshots("virDomainSnapshotListAllChildren", false)
	if err != nil {
		return nil, err
	}
	names, err := drv.ListDomainSnapshots(ctx, s.d.Ref(), s.name, flags)
	if err != nil {
		return nil, err
	}
	out := make([]*DomainSnapshot, len(names))
	for i, n := range names {
		out[i] = s.d.SnapshotFromName(n)
	}
	return out, nil
}

// Revert brings the domain back to the snapshot.
func (s *DomainSnapshot) Revert(ctx context.Context, flags uint32) error {
	drv, err := s.d.snapshots("virDomainRevertToSnapshot", true)
	if err != nil {
		return err
	}
	if err := drv.RevertDomainSnapshot(ctx, s.d.Ref(), s.name, flags); err != nil {
		return err
	}
	// The domain may have started or stopped: refresh the handle's ID.
	if st, ok := s.d.c.drv.(DomainStore); ok {
		if r, err := st.LookupDomainByUUID(ctx, s.d.UUID()); err == nil {
			s.d.setRef(r)
		}
	}
	return nil
}

// Delete removes the snapshot (and, by flags, its children).
func (s *DomainSnapshot) Delete(ctx context.Context, flags uint32) error {
	drv, err := s.d.snapshots("virDomainSnapshotDelete", true)
	if err != nil {
		return err
	}
	return drv.DeleteDomainSnapshot(ctx, s.d.Ref(), s.name, flags)
}

// Checkpoint flags (virDomainCheckpointCreateFlags, ListFlags, XMLFlags,
// DeleteFlags).
const (
	CheckpointCreateRedefine         uint32 = 1 << 0
	CheckpointCreateQuiesce          uint32 = 1 << 1
	CheckpointCreateRedefineValidate uint32 = 1 << 2

	CheckpointListRoots       uint32 = 1 << 0
	CheckpointListDescendants uint32 = 1 << 0
	CheckpointListTopological uint32 = 1 << 1
	CheckpointListLeaves      uint32 = 1 << 2
	CheckpointListNoLeaves    uint32 = 1 << 3

	CheckpointXMLSecure   uint32 = 1 << 0
	CheckpointXMLNoDomain uint32 = 1 << 1
	CheckpointXMLSize     uint32 = 1 << 2

	CheckpointDeleteChildren     uint32 = 1 << 0
	CheckpointDeleteMetadataOnly uint32 = 1 << 1
	CheckpointDeleteChildrenOnly uint32 = 1 << 2
)

// DomainCheckpointDriver is implemented by drivers that keep domain
// checkpoints (points from which incremental backups start).
type DomainCheckpointDriver interface {
	CreateDomainCheckpoint(ctx context.Context, d DomainRef, xml string, flags uint32) (string, error)
	// ListDomainCheckpoints lists the domain's checkpoints, or with
	// parent != "" the children (or descendants) of that one.
	ListDomainCheckpoints(ctx context.Context, d DomainRef, parent string, flags uint32) ([]string, error)
	LookupDomainCheckpoint(ctx context.Context, d DomainRef, name string, flags uint32) (string, error)
	DomainCheckpointXML(ctx context.Context, d DomainRef, name string, flags uint32) (string, error)
	DomainCheckpointParent(ctx context.Context, d DomainRef, name string, flags uint32) (string, error)
	DeleteDomainCheckpoint(ctx context.Context, d DomainRef, name string, flags uint32) error
}

// DomainCheckpoint is a handle on one checkpoint of a domain.
type DomainCheckpoint struct {
	d    *Domain
	name string
}

// Name returns the checkpoint's name.
func (c *DomainCheckpoint) Name() string { return c.name }

// Domain returns the checkpoint's domain.
func (c *DomainCheckpoint) Domain() *Domain { return c.d }

// CheckpointFromName makes a handle without a lookup.
func (d *Domain) CheckpointFromName(name string) *DomainCheckpoint {
	return &DomainCheckpoint{d: d, name: name}
}

func (d *Domain) checkpoints(api string, write bool) (DomainCheckpointDriver, error) {
	if write {
		return writeFamily[DomainCheckpointDriver](d.c, FromDomainCheckpoint, api)
	}
	return family[DomainCheckpointDriver](d.c, FromDomainCheckpoint, api)
}

// CreateCheckpoint creates a checkpoint described by xml.
func (d *Domain) CreateCheckpoint(ctx context.Context, xml string, flags uint32) (*DomainCheckpoint, error) {
	drv, err := d.checkpoints("virDomainCheckpointCreateXML", true)
	if err != nil {
		return nil, err
	}
	n, err := drv.CreateDomainCheckpoint(ctx, d.Ref(), xml, flags)
	if err != nil {
		return nil, err
	}
	return d.CheckpointFromName(n), nil
}

// ListCheckpoints lists the domain's checkpoints.
func (d *Domain) ListCheckpoints(ctx context.Context, flags uint32) ([]*DomainCheckpoint, error) {
	drv, err := d.checkpoints("virDomainListAllCheckpoints", false)
	if err != nil {
		return nil, err
	}
	names, err := drv.ListDomainCheckpoints(ctx, d.Ref(), "", flags)
	if err != nil {
		return nil, err
	}
	out := make([]*DomainCheckpoint, len(names))
	for i, n := range names {
		out[i] = d.CheckpointFromName(n)
	}
	return out, nil
}

// LookupCheckpoint finds a checkpoint by name.
func (d *Domain) LookupCheckpoint(ctx context.Context, name string, flags uint32) (*DomainCheckpoint, error) {
	drv, err := d.checkpoints("virDomainCheckpointLookupByName", false)
	if err != nil {
		return nil, err
	}
	n, err := drv.LookupDomainCheckpoint(ctx, d.Ref(), name, flags)
	if err != nil {
		return nil, err
	}
	return d.CheckpointFromName(n), nil
}

// XML returns the checkpoint's XML description.
func (c *DomainCheckpoint) XML(ctx context.Context, flags uint32) (string, error) {
	drv, err := c.d.checkpoints("virDomainCheckpointGetXMLDesc", false)
	if err != nil {
		return "", err
	}
	return drv.DomainCheckpointXML(ctx, c.d.Ref(), c.name, flags)
}

// Parent returns the checkpoint's parent.
func (c *DomainCheckpoint) Parent(ctx context.Context, flags uint32) (*DomainCheckpoint, error) {
	drv, err := c.d.checkpoints("virDomainCheckpointGetParent", false)
	if err != nil {
		return nil, err
	}
	n, err := drv.DomainCheckpointParent(ctx, c.d.Ref(), c.name, flags)
	if err != nil {
		return nil, err
	}
	return c.d.CheckpointFromName(n), nil
}

// ListChildren lists the checkpoint's children (or descendants).
func (c *DomainCheckpoint) ListChildren(ctx context.Context, flags uint32) ([]*DomainCheckpoint, error) {
	drv, err := c.d.checkpoints("virDomainCheckpointListAllChildren", false)
	if err != nil {
		return nil, err
	}
	names, err := drv.ListDomainCheckpoints(ctx, c.d.Ref(), c.name, flags)
	if err != nil {
		return nil, err
	}
	out := make([]*DomainCheckpoint, len(names))
	for i, n := range names {
		out[i] = c.d.CheckpointFromName(n)
	}
	return out, nil
}

// Delete removes the checkpoint (and, by flags, its children).
func (c *DomainCheckpoint) Delete(ctx context.Context, flags uint32) error {
	drv, err := c.d.checkpoints("virDomainCheckpointDelete", true)
	if err != nil {
		return err
	}
	return drv.DeleteDomainCheckpoint(ctx, c.d.Ref(), c.name, flags)
}
