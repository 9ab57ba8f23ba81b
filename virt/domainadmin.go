package virt

import "context"

// Metadata kinds (virDomainMetadataType).
const (
	MetadataDescription = 0
	MetadataTitle       = 1
	MetadataElement     = 2
)

// Lifecycle events and actions of SetLifecycleAction (virDomainLifecycle,
// virDomainLifecycleAction).
const (
	LifecyclePoweroff = 0
	LifecycleReboot   = 1
	LifecycleCrash    = 2

	ActionDestroy         = 0
	ActionRestart         = 1
	ActionRestartRename   = 2
	ActionPreserve        = 3
	ActionCoredumpDestroy = 4
	ActionCoredumpRestart = 5
)

// DomainAdmin is implemented by drivers that rename domains, keep their
// metadata and act on them in small ways.
type DomainAdmin interface {
	// RenameDomain gives an inactive domain a new name.
	RenameDomain(ctx context.Context, d DomainRef, name string, flags uint32) (DomainRef, error)
	// DomainMetadata returns the description, the title or the metadata
	// element in namespace uri.
	DomainMetadata(ctx context.Context, d DomainRef, kind int, uri string, flags ModifyFlags) (string, error)
	// SetDomainMetadata sets (or, with text "", removes) the description,
	// the title or the metadata element of namespace uri with prefix key.
	SetDomainMetadata(ctx context.Context, d DomainRef, kind int, text, key, uri string, flags ModifyFlags) error
	SetDomainLifecycleAction(ctx context.Context, d DomainRef, event, action uint32, flags ModifyFlags) error
	InjectDomainNMI(ctx context.Context, d DomainRef, flags uint32) error
	SendDomainKey(ctx context.Context, d DomainRef, codeset, holdtime uint32, keys []uint32, flags uint32) error
	SendDomainProcessSignal(ctx context.Context, d DomainRef, pid int64, signum uint32, flags uint32) error
	// DomainScreenshot returns the MIME type of the image of screen and a
	// stream that reads it.
	DomainScreenshot(ctx context.Context, d DomainRef, screen uint32, flags uint32) (string, Stream, error)
}

// Rename gives the (inactive) domain a new name.
func (d *Domain) Rename(ctx context.Context, name string, flags uint32) error {
	a, err := writeFamily[DomainAdmin](d.c, FromDomain, "virDomainRename")
	if err != nil {
		return err
	}
	r, err := a.RenameDomain(ctx, d.Ref(), name, flags)
	if err != nil {
		return err
	}
	d.setRef(r)
	return nil
}

// Metadata returns the domain's description, title or metadata element.
func (d *Domain) Metadata(ctx context.Context, kind int, uri string, flags ModifyFlags) (string, error) {
	a, err := family[DomainAdmin](d.c, FromDomain, "virDomainGetMetadata")
	if err != nil {
		return "", err
	}
	return a.DomainMetadata(ctx, d.Ref(), kind, uri, flags)
}

// SetMetadata sets the domain's description, title or metadata element.
func (d *Domain) SetMetadata(ctx context.Context, kind int, text, key, uri string, flags ModifyFlags) error {
	a, err := writeFamily[DomainAdmin](d.c, FromDomain, "virDomainSetMetadata")
	if err != nil {
		return err
	}
	return a.SetDomainMetadata(ctx, d.Ref(), kind, text, key, uri, flags)
}

// SetLifecycleAction chooses what happens when the guest powers off,
// reboots or crashes.
func (d *Domain) SetLifecycleAction(ctx context.Context, event, action uint32, flags ModifyFlags) error {
	a, err := writeFamily[DomainAdmin](d.c, FromDomain, "virDomainSetLifecycleAction")
	if err != nil {
		return err
	}
	return a.SetDomainLifecycleAction(ctx, d.Ref(), event, action, flags)
}

// InjectNMI sends a non-maskable interrupt to the guest.
func (d *Domain) InjectNMI(ctx context.Context, flags uint32) error {
	a, err := writeFamily[DomainAdmin](d.c, FromDomain, "virDomainInjectNMI")
	if err != nil {
		return err
	}
	return a.InjectDomainNMI(ctx, d.Ref(), flags)
}

// SendKey presses keys (codes of codeset) for holdtime milliseconds.
func (d *Domain) SendKey(ctx context.Context, codeset, holdtime uint32, keys []uint32, flags uint32) error {
	a, err := writeFamily[DomainAdmin](d.c, FromDomain, "virDomainSendKey")
	if err != nil {
		return err
	}
	return a.SendDomainKey(ctx, d.Ref(), codeset, holdtime, keys, flags)
}

// SendProcessSignal sends signal signum to guest process pid.
func (d *Domain) SendProcessSignal(ctx context.Context, pid int64, signum uint32, flags uint32) error {
	a, err := writeFamily[DomainAdmin](d.c, FromDomain, "virDomainSendProcessSignal")
	if err != nil {
		return err
	}
	return a.SendDomainProcessSignal(ctx, d.Ref(), pid, signum, flags)
}

// Screenshot takes an image of screen; it returns the MIME type and a
// stream of the image.
func (d *Domain) Screenshot(ctx context.Context, screen uint32, flags uint32) (string, Stream, error) {
	a, err := family[DomainAdmin](d.c, FromDomain, "virDomainScreenshot")
	if err != nil {
		return "", nil, err
	}
	return a.DomainScreenshot(ctx, d.Ref(), screen, flags)
}

// DomainFileSaver is implemented by drivers that save running domains to
// a file and restore them (virDomainSaveFlags, virDomainRestoreFlags,
// virDomainSaveImageGetXMLDesc).
type DomainFileSaver interface {
	// SaveDomain stops the domain into a save image at path; dxml, when
	// not "", replaces the domain XML kept in the image.
	SaveDomain(ctx context.Context, d DomainRef, path, dxml string, flags uint32) error
	// RestoreDomain runs the domain saved at path again.
	RestoreDomain(ctx context.Context, path, dxml string, flags uint32) error
	// SaveImageXML returns the domain XML kept in the save image at path.
	SaveImageXML(ctx context.Context, path string, flags uint32) (string, error)
}

// DomainSaveImageDefiner is implemented by drivers that can replace the
// domain XML kept in a save image (virDomainSaveImageDefineXML).
type DomainSaveImageDefiner interface {
	DefineSaveImageXML(ctx context.Context, path, dxml string, flags uint32) error
}

// DomainCoreDumper is implemented by drivers that dump a guest's memory
// (virDomainCoreDumpWithFormat).
type DomainCoreDumper interface {
	CoreDumpDomain(ctx context.Context, d DomainRef, path string, format uint32, flags uint32) error
}

// DomainManagedSaveXML is implemented by drivers that show and edit the
// domain XML of managed save images (virDomainManagedSaveGetXMLDesc,
// virDomainManagedSaveDefineXML).
type DomainManagedSaveXML interface {
	ManagedSaveXML(ctx context.Context, d DomainRef, flags uint32) (string, error)
	DefineManagedSaveXML(ctx context.Context, d DomainRef, dxml string, flags uint32) error
}

// Save and restore flags (virDomainSaveRestoreFlags).
const (
	SaveBypassCache uint32 = 1 << 0
	SaveRunning     uint32 = 1 << 1
	SavePaused      uint32 = 1 << 2
	SaveResetNvram  uint32 = 1 << 3
)

// Core dump flags (virDomainCoreDumpFlags).
const (
	DumpCrash       uint32 = 1 << 0
	DumpLive        uint32 = 1 << 1
	DumpBypassCache uint32 = 1 << 2
	DumpReset       uint32 = 1 << 3
	DumpMemoryOnly  uint32 = 1 << 4
)

// Save stops the domain into a save image at path.
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

// RestoreDomain runs the domain saved at path again.
func (c *Conn) RestoreDomain(ctx context.Context, path, dxml string, flags uint32) error {
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

// SaveImageXML returns the domain XML kept in the save image at path.
func (c *Conn) SaveImageXML(ctx context.Context, path string, flags uint32) (string, error) {
	api := "virDomainSaveImageGetXMLDesc"
	if flags&1 != 0 && c.readOnly {
		return "", Errorf(ErrOperationDenied, FromDomain, "%s with secure flag", api)
	}
	s, err := family[DomainFileSaver](c, FromDomain, api)
	if err != nil {
		return "", err
	}
	return s.SaveImageXML(ctx, path, flags)
}

// DefineSaveImageXML replaces the domain XML kept in the save image.
func (c *Conn) DefineSaveImageXML(ctx context.Context, path, dxml string, flags uint32) error {
	s, err := writeFamily[DomainSaveImageDefiner](c, FromDomain, "virDomainSaveImageDefineXML")
	if err != nil {
		return err
	}
	return s.DefineSaveImageXML(ctx, path, dxml, flags)
}

// CoreDump writes the guest's memory to path in format (0 raw ELF, 1-3
// kdump, 4 win-dmp).
func (d *Domain) CoreDump(ctx context.Context, path string, format uint32, flags uint32) error {
	s, err := writeFamily[DomainCoreDumper](d.c, FromDomain, "virDomainCoreDumpWithFormat")
	if err != nil {
		return err
	}
	return s.CoreDumpDomain(ctx, d.Ref(), path, format, flags)
}

// ManagedSaveXML returns the domain XML kept in the managed save image.
func (d *Domain) ManagedSaveXML(ctx context.Context, flags uint32) (string, error) {
	s, err := family[DomainManagedSaveXML](d.c, FromDomain, "virDomainManagedSaveGetXMLDesc")
	if err != nil {
		return "", err
	}
	return s.ManagedSaveXML(ctx, d.Ref(), flags)
}

// DefineManagedSaveXML replaces the domain XML kept in the managed save
// image.
func (d *Domain) DefineManagedSaveXML(ctx context.Context, dxml string, flags uint32) error {
	s, err := writeFamily[DomainManagedSaveXML](d.c, FromDomain, "virDomainManagedSaveDefineXML")
	if err != nil {
		return err
	}
	return s.DefineManagedSaveXML(ctx, d.Ref(), dxml, flags)
}

// DomainDevices is implemented by drivers that add, remove and change
// devices of domains (virDomainAttachDeviceFlags and friends).
type DomainDevices interface {
	AttachDomainDevice(ctx context.Context, d DomainRef, xml string, flags ModifyFlags) error
	DetachDomainDevice(ctx context.Context, d DomainRef, xml string, flags ModifyFlags) error
	DetachDomainDeviceAlias(ctx context.Context, d DomainRef, alias string, flags ModifyFlags) error
	UpdateDomainDevice(ctx context.Context, d DomainRef, xml string, flags ModifyFlags) error
}

// AttachDevice adds the device described by xml.
func (d *Domain) AttachDevice(ctx context.Context, xml string, flags ModifyFlags) error {
	s, err := writeFamily[DomainDevices](d.c, FromDomain, "virDomainAttachDeviceFlags")
	if err != nil {
		return err
	}
	return s.AttachDomainDevice(ctx, d.Ref(), xml, flags)
}

// DetachDevice removes the device described by xml.
func (d *Domain) DetachDevice(ctx context.Context, xml string, flags ModifyFlags) error {
	s, err := writeFamily[DomainDevices](d.c, FromDomain, "virDomainDetachDeviceFlags")
	if err != nil {
		return err
	}
	return s.DetachDomainDevice(ctx, d.Ref(), xml, flags)
}

// DetachDeviceAlias removes the device with the given alias.
func (d *Domain) DetachDeviceAlias(ctx context.Context, alias string, flags ModifyFlags) error {
	s, err := writeFamily[DomainDevices](d.c, FromDomain, "virDomainDetachDeviceAlias")
	if err != nil {
		return err
	}
	return s.DetachDomainDeviceAlias(ctx, d.Ref(), alias, flags)
}

// UpdateDevice changes the device described by xml.
func (d *Domain) UpdateDevice(ctx context.Context, xml string, flags ModifyFlags) error {
	s, err := writeFamily[DomainDevices](d.c, FromDomain, "virDomainUpdateDeviceFlags")
	if err != nil {
		return err
	}
	return s.UpdateDomainDevice(ctx, d.Ref(), xml, flags)
}

// AttachDeviceLegacy is virDomainAttachDevice: AttachDevice on the live
// domain, under the older call's name.
func (d *Domain) AttachDeviceLegacy(ctx context.Context, xml string) error {
	s, err := writeFamily[DomainDevices](d.c, FromDomain, "virDomainAttachDevice")
	if err != nil {
		return err
	}
	return s.AttachDomainDevice(ctx, d.Ref(), xml, AffectLive)
}

// DetachDeviceLegacy is virDomainDetachDevice: DetachDevice on the live
// domain, under the older call's name.
func (d *Domain) DetachDeviceLegacy(ctx context.Context, xml string) error {
	s, err := writeFamily[DomainDevices](d.c, FromDomain, "virDomainDetachDevice")
	if err != nil {
		return err
	}
	return s.DetachDomainDevice(ctx, d.Ref(), xml, AffectLive)
}
