package virt

import "context"

// Stream is a byte stream between a client and a domain's console or a
// storage volume (libvirt's virStreamPtr). Streams travel over the wire
// protocol as STREAM messages; in-process they are whatever the driver
// returns.
type Stream interface {
	// Read reads data the other end sent; it returns io.EOF once the other
	// end has finished.
	Read(p []byte) (int, error)
	// Write sends data.
	Write(p []byte) (int, error)
	// Finish ends the stream normally: the sending direction is closed and,
	// for an upload, the data is committed (virStreamFinish). The stream
	// is released.
	Finish() error
	// Abort ends the stream at once, discarding what is in flight
	// (virStreamAbort). The stream is released.
	Abort() error
}

// DomainConsole is implemented by drivers that connect streams to a
// domain's consoles (virDomainOpenConsole).
type DomainConsole interface {
	// OpenDomainConsole connects to the console named dev (the first one
	// when dev is empty). Flag 1 (ConsoleForce) takes the console over from
	// another session.
	OpenDomainConsole(ctx context.Context, d DomainRef, dev string, flags uint32) (Stream, error)
}

// Console flags (virDomainConsoleFlags).
const (
	ConsoleForce     uint32 = 1 << 0
	ConsoleSafe      uint32 = 1 << 1
	ConsoleNoNesting uint32 = 1 << 2
)

// OpenConsole connects a stream to the domain's console dev ("" for the
// first one).
func (d *Domain) OpenConsole(ctx context.Context, dev string, flags uint32) (Stream, error) {
	c, err := writeFamily[DomainConsole](d.c, FromDomain, "virDomainOpenConsole")
	if err != nil {
		return nil, err
	}
	return c.OpenDomainConsole(ctx, d.Ref(), dev, flags)
}

// StorageVolStreams is implemented by drivers that upload data into volumes
// and download it from them (virStorageVolUpload, virStorageVolDownload).
type StorageVolStreams interface {
	// UploadVol returns a stream whose written bytes replace the volume's
	// content from offset on (length 0: to the end). Finish commits them.
	UploadVol(ctx context.Context, v StorageVolRef, offset, length uint64, flags uint32) (Stream, error)
	// DownloadVol returns a stream that reads the volume's content from
	// offset on (length 0: to the end).
	DownloadVol(ctx context.Context, v StorageVolRef, offset, length uint64, flags uint32) (Stream, error)
}

// Upload opens a stream that writes into the volume.
func (v *StorageVol) Upload(ctx context.Context, offset, length uint64, flags uint32) (Stream, error) {
	d, err := pools[StorageVolStreams](v.c, "virStorageVolUpload", true)
	if err != nil {
		return nil, err
	}
	return d.UploadVol(ctx, v.ref, offset, length, flags)
}

// Download opens a stream that reads the volume.
func (v *StorageVol) Download(ctx context.Context, offset, length uint64, flags uint32) (Stream, error) {
	d, err := pools[StorageVolStreams](v.c, "virStorageVolDownload", true)
	if err != nil {
		return nil, err
	}
	return d.DownloadVol(ctx, v.ref, offset, length, flags)
}
