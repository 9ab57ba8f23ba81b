package virt

import "context"

// This file holds the optional interfaces of drivers that run real guests
// (the QEMU driver): save images, core dumps, device hot-plug and
// autostart.

// DomainFileSaver is implemented by drivers that stop domains into save
// images and resume them from there (virDomainSave, virDomainRestore).
type DomainFileSaver interface {
	// SaveDomain stops the domain into a save image at path. dxml, when not
	// empty, replaces the definition stored in the image.
	SaveDomain(ctx context.Context, d DomainRef, path, dxml string, flags uint32) error
	// RestoreDomain runs the domain saved at path again.
	RestoreDomain(ctx context.Context, path, dxml string, flags uint32) error
	// SaveImageXML returns the definition stored in a save image.
	SaveImageXML(ctx context.Context, path string, flags uint32) (string, error)
}

// Save and restore flags (virDomainSaveRestoreFlags).
const (
	SaveBypassCache uint32 = 1 << 0
	SaveRunning     uint32 = 1 << 1
	SavePaused      uint32 = 1 << 2
)

// Save stops the domain into a save image at path (virDomainSaveFlags).
func (d *Domain) Save(ctx context.Context, path, dxml string, flags uint32) error {
	api := "virDomainSave"
	if flags != 0 || dxml != "" {
		api = "virDomainSaveFlags"
	}
	s, err := writeFamily[DomainFileSaver](d.c, FromDomain, api)
	if err != nil {
		return err
	}
	if err := s.SaveDomain(ctx, d.Ref(), path, dxml, flags); err != nil {
		return err
	}
	r := d.Ref()
	r.ID = -1
	d.setRef(r)
	return nil
}

// Restore runs the domain saved at path again (virDomainRestoreFlags).
func (c *Conn) Restore(ctx context.Context, path, dxml string, flags uint32) error {
	api := "virDomainRestore"
	if flags != 0 || dxml != "" {
		api = "virDomainRestoreFlags"
	}
	s, err := writeFamily[DomainFileSaver](c, FromDomain, api)
	if err != nil {
		return err
	}
	return s.RestoreDomain(ctx, path, dxml, flags)
}

// SaveImageXML returns the definition stored in a save image
// (virDomainSaveImageGetXMLDesc).
func (c *Conn) SaveImageXML(ctx context.Context, path string, flags uint32) (string, error) {
	s, err := family[DomainFileSaver](c, FromDomain, "virDomainSaveImageGetXMLDesc")
	if err != nil {
		return "", err
	}
	return s.SaveImageXML(ctx, path, flags)
}

// DomainCoreDumper is implemented by drivers that dump a guest's memory
// (virDomainCoreDumpWithFormat).
type DomainCoreDumper interface {
	CoreDumpDomain(ctx context.Context, d DomainRef, path string, format, flags uint32) error
}

// Core dump flags (virDomainCoreDumpFlags) and formats
// (virDomainCoreDumpFormat).
const (
	DumpCrash       uint32 = 1 << 0
	DumpLive        uint32 = 1 << 1
	DumpBypassCache uint32 = 1 << 2
	DumpReset       uint32 = 1 << 3
	DumpMemoryOnly  uint32 = 1 << 4

	DumpFormatRaw         uint32 = 0
	DumpFormatKdumpZlib   uint32 = 1
	DumpFormatKdumpLzo    uint32 = 2
	DumpFormatKdumpSnappy uint32 = 3
	DumpFormatWinDmp      uint32 = 4
)

// CoreDump writes the guest's memory to path in format.
func (d *Domain) CoreDump(ctx context.Context, path string, format, flags uint32) error {
	s, err := writeFamily[DomainCoreDumper](d.c, FromDomain, "virDomainCoreDumpWithFormat")
	if err != nil {
		return err
	}
	return s.CoreDumpDomain(ctx, d.Ref(), path, format, flags)
}

// DomainDeviceAttacher is implemented by drivers that add devices to
// domains and remove them, running or not (virDomainAttachDeviceFlags).
type DomainDeviceAttacher interface {
	AttachDevice(ctx context.Context, d DomainRef, xml string, flags ModifyFlags) error
	DetachDevice(ctx context.Context, d DomainRef, xml string, flags ModifyFlags) error
}

// AttachDevice adds the device described by xml (a <disk>, <interface>,
// ...). AffectCurrent (0) changes the running guest when the domain is
// active and its definition otherwise.
func (d *Domain) AttachDevice(ctx context.Context, xml string, flags ModifyFlags) error {
	s, err := writeFamily[DomainDeviceAttacher](d.c, FromDomain, flagged("virDomainAttachDevice", "virDomainAttachDeviceFlags", uint32(flags)))
	if err != nil {
		return err
	}
	return s.AttachDevice(ctx, d.Ref(), xml, flags)
}

// DetachDevice removes the device described by xml.
func (d *Domain) DetachDevice(ctx context.Context, xml string, flags ModifyFlags) error {
	s, err := writeFamily[DomainDeviceAttacher](d.c, FromDomain, flagged("virDomainDetachDevice", "virDomainDetachDeviceFlags", uint32(flags)))
	if err != nil {
		return err
	}
	return s.DetachDevice(ctx, d.Ref(), xml, flags)
}

// DomainAutostarter is implemented by connections whose domains start
// with the host: the daemon calls AutostartDomains once at start-up.
type DomainAutostarter interface {
	// AutostartDomains starts every inactive domain marked autostart and
	// returns the first error (the others still start).
	AutostartDomains(ctx context.Context) error
}

// AutostartDomains starts the domains marked autostart that are not
// running.
func (c *Conn) AutostartDomains(ctx context.Context) error {
	s, err := writeFamily[DomainAutostarter](c, FromDomain, "virConnectAutostartDomains")
	if err != nil {
		return err
	}
	return s.AutostartDomains(ctx)
}
