package virt

import "context"

// BlockJobInfo is a block job's progress (virDomainBlockJobInfo).
type BlockJobInfo struct {
	Type      int32
	Bandwidth uint64
	Cur, End  uint64
}

// DomainBlockJobs is implemented by drivers that run block jobs and
// resize disks (virDomainBlockCommit and relatives).
type DomainBlockJobs interface {
	BlockCommit(ctx context.Context, d DomainRef, disk, base, top string, bandwidth uint64, flags uint32) error
	BlockPull(ctx context.Context, d DomainRef, disk string, bandwidth uint64, flags uint32) error
	BlockRebase(ctx context.Context, d DomainRef, disk, base string, bandwidth uint64, flags uint32) error
	BlockCopy(ctx context.Context, d DomainRef, disk, destXML string, params []TypedParam, flags uint32) error
	// BlockJobInfo reports the disk's job; ok is false when there is none.
	BlockJobInfo(ctx context.Context, d DomainRef, disk string, flags uint32) (info BlockJobInfo, ok bool, err error)
	BlockJobAbort(ctx context.Context, d DomainRef, disk string, flags uint32) error
	BlockJobSetSpeed(ctx context.Context, d DomainRef, disk string, bandwidth uint64, flags uint32) error
	BlockResize(ctx context.Context, d DomainRef, disk string, size uint64, flags uint32) error
	SetBlockThreshold(ctx context.Context, d DomainRef, dev string, threshold uint64, flags uint32) error
}

// DomainMigration is implemented by drivers that migrate domains.
type DomainMigration interface {
	// Migrate moves the domain to destURI (virDomainMigrate3 when dest is
	// an open connection's URI, virDomainMigrateToURI3 for peer-to-peer).
	Migrate(ctx context.Context, d DomainRef, destURI string, params []TypedParam, flags uint32) error
	MigrateSetMaxDowntime(ctx context.Context, d DomainRef, ms uint64, flags uint32) error
	MigrateGetMaxDowntime(ctx context.Context, d DomainRef, flags uint32) (uint64, error)
	MigrateSetCompressionCache(ctx context.Context, d DomainRef, size uint64, flags uint32) error
	MigrateGetCompressionCache(ctx context.Context, d DomainRef, flags uint32) (uint64, error)
	MigrateSetMaxSpeed(ctx context.Context, d DomainRef, bandwidth uint64, flags uint32) error
	MigrateGetMaxSpeed(ctx context.Context, d DomainRef, flags uint32) (uint64, error)
	MigrateStartPostCopy(ctx context.Context, d DomainRef, flags uint32) error
}

// DomainPowerManager is implemented by drivers that suspend guests to
// memory or disk through their agent.
type DomainPowerManager interface {
	PMSuspend(ctx context.Context, d DomainRef, target uint32, duration uint64, flags uint32) error
	PMWakeup(ctx context.Context, d DomainRef, flags uint32) error
}

// DomainQemu is implemented by QEMU drivers: raw monitor and agent
// commands.
type DomainQemu interface {
	QemuMonitorCommand(ctx context.Context, d DomainRef, cmd string, flags uint32) (string, error)
	QemuAgentCommand(ctx context.Context, d DomainRef, cmd string, timeout int, flags uint32) (string, error)
}

// QemuMonitorEvent is a QEMU monitor event.
type QemuMonitorEvent struct {
	Domain  DomainRef
	Event   string
	Seconds int64
	Micros  uint32
	Details string
}

// ConnQemu is implemented by QEMU drivers: attaching to a QEMU process
// and monitor events.
type ConnQemu interface {
	QemuAttach(ctx context.Context, pid uint32, flags uint32) (DomainRef, error)
	QemuMonitorEvents(ctx context.Context, event string, flags uint32) (<-chan QemuMonitorEvent, error)
}

// DomainBackups is implemented by drivers that run backup jobs.
type DomainBackups interface {
	BackupBegin(ctx context.Context, d DomainRef, backupXML, checkpointXML string, flags uint32) error
	BackupXML(ctx context.Context, d DomainRef, flags uint32) (string, error)
}

// DomainNamespaces is implemented by container drivers
// (virDomainLxcOpenNamespace) and drivers that accept file descriptors
// for a domain (virDomainFDAssociate).
type DomainNamespaces interface {
	LxcOpenNamespace(ctx context.Context, d DomainRef, flags uint32) ([]int, error)
	FDAssociate(ctx context.Context, d DomainRef, name string, fds []int, flags uint32) error
}

// BlockJobs returns the domain's block job implementation, or libvirt's
// "not supported" error naming api.
func (d *Domain) BlockJobs(api string) (DomainBlockJobs, error) {
	return writeFamily[DomainBlockJobs](d.c, FromDomain, api)
}

// Migration returns the migration implementation, or the error naming
// api.
func (d *Domain) Migration(api string) (DomainMigration, error) {
	return writeFamily[DomainMigration](d.c, FromDomain, api)
}

// PowerManager returns the power management implementation, or the error
// naming api.
func (d *Domain) PowerManager(api string) (DomainPowerManager, error) {
	return writeFamily[DomainPowerManager](d.c, FromDomain, api)
}

// Qemu returns the QEMU command implementation, or the error naming api.
func (d *Domain) Qemu(api string) (DomainQemu, error) {
	return writeFamily[DomainQemu](d.c, FromDomain, api)
}

// Backups returns the backup implementation, or the error naming api.
func (d *Domain) Backups(api string) (DomainBackups, error) {
	return writeFamily[DomainBackups](d.c, FromDomain, api)
}

// Namespaces returns the namespace implementation, or the error naming
// api.
func (d *Domain) Namespaces(api string) (DomainNamespaces, error) {
	return writeFamily[DomainNamespaces](d.c, FromDomain, api)
}

// Qemu returns the connection's QEMU implementation, or the error naming
// api.
func (c *Conn) Qemu(api string) (ConnQemu, error) {
	return writeFamily[ConnQemu](c, FromDomain, api)
}
