package virt

import "context"

// DomainMessenger is implemented by drivers that keep messages about a
// domain: taint flags and deprecation warnings (virDomainGetMessages).
type DomainMessenger interface {
	DomainMessages(ctx context.Context, d DomainRef, flags uint32) ([]string, error)
}

// Messages returns the domain's messages (dominfo prints them).
func (d *Domain) Messages(ctx context.Context, flags uint32) ([]string, error) {
	m, err := family[DomainMessenger](d.c, FromDomain, "virDomainGetMessages")
	if err != nil {
		return nil, err
	}
	return m.DomainMessages(ctx, d.Ref(), flags)
}

// DomainSnapshotCounter is implemented by drivers that keep snapshots
// (virDomainSnapshotNum).
type DomainSnapshotCounter interface {
	DomainSnapshotCount(ctx context.Context, d DomainRef, flags uint32) (int, error)
}

// SnapshotCount returns the number of the domain's snapshots.
func (d *Domain) SnapshotCount(ctx context.Context, flags uint32) (int, error) {
	s, err := family[DomainSnapshotCounter](d.c, FromDomain, "virDomainSnapshotNum")
	if err != nil {
		return 0, err
	}
	return s.DomainSnapshotCount(ctx, d.Ref(), flags)
}
