package test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// saveMagic starts the save images and core dumps libvirt's test driver
// writes (the C string with its terminating NUL).
const saveMagic = "TestGuestMagic\x00"

// sysError is libvirt's virReportSystemError: the message, then the C
// library's text for the error number ("Success" for none).
func sysError(err error, format string, args ...any) error {
	return virt.Errorf(virt.ErrSystem, virt.FromTest, "%s: %s", fmt.Sprintf(format, args...), strerror(err))
}

// strerror returns the C library's text for the errno inside err.
func strerror(err error) string {
	if err == nil {
		return "Success"
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		msg := errno.Error()
		if msg != "" {
			return strings.ToUpper(msg[:1]) + msg[1:]
		}
	}
	return err.Error()
}

// writeSaveImage writes def's XML to path in the test driver's save image
// format: the magic, the XML length (native int) and the XML.
func writeSaveImage(path, name, xml string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return sysError(err, "saving domain '%s' to '%s': open failed", name, path)
	}
	var buf []byte
	buf = append(buf, saveMagic...)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(xml)))
	buf = append(buf, xml...)
	if _, err := f.Write(buf); err != nil {
		f.Close()
		os.Remove(path)
		return sysError(err, "saving domain '%s' to '%s': write failed", name, path)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return sysError(err, "saving domain '%s' to '%s': write failed", name, path)
	}
	return nil
}

// readSaveImage reads the domain definition kept in a save image.
func readSaveImage(path string) (*virtxml.Domain, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, sysError(err, "cannot read domain image '%s'", path)
	}
	defer f.Close()
	magic := make([]byte, len(saveMagic))
	if n, err := io.ReadFull(f, magic); n != len(magic) {
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			err = nil
		}
		return nil, sysError(err, "incomplete save header in '%s'", path)
	}
	if string(magic) != saveMagic {
		return nil, virt.Errorf(virt.ErrInternal, virt.FromTest, "mismatched header magic")
	}
	var lenBuf [4]byte
	if n, err := io.ReadFull(f, lenBuf[:]); n != 4 {
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			err = nil
		}
		return nil, sysError(err, "failed to read metadata length in '%s'", path)
	}
	n := int32(binary.LittleEndian.Uint32(lenBuf[:]))
	if n < 1 || n > 8192 {
		return nil, virt.Errorf(virt.ErrInternal, virt.FromTest, "length of metadata out of range")
	}
	xml := make([]byte, n)
	if got, err := io.ReadFull(f, xml); got != int(n) {
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			err = nil
		}
		return nil, sysError(err, "incomplete metadata in '%s'", path)
	}
	def, err := parseDomain(string(xml))
	if err != nil {
		return nil, err
	}
	def.ID = nil
	return def, nil
}

// SaveDomain implements virt.DomainFileSaver: the domain stops into an
// image holding its definition.
func (c *conn) SaveDomain(ctx context.Context, ref virt.DomainRef, path, dxml string, flags uint32) error {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testDomainSaveFlags"); err != nil {
		return err
	}
	if dxml != "" {
		return virt.Errorf(virt.ErrArgumentUnsupported, virt.FromTest, "xml modification unsupported")
	}
	d, err := c.activeDomain(ref)
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	xml, err := d.format(virt.XMLSecure)
	if err != nil {
		return err
	}
	if err := writeSaveImage(path, d.name, xml); err != nil {
		return err
	}
	c.stopped(d, virt.ShutoffSaved, virt.DetailStoppedSaved)
	return nil
}

// RestoreDomain implements virt.DomainFileSaver: the saved domain runs
// again, as the defined domain of that name if there is one.
func (c *conn) RestoreDomain(ctx context.Context, path, dxml string, flags uint32) error {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testDomainRestoreFlags"); err != nil {
		return err
	}
	if dxml != "" {
		return virt.Errorf(virt.ErrArgumentUnsupported, virt.FromTest, "xml modification unsupported")
	}
	def, err := readSaveImage(path)
	if err != nil {
		return err
	}
	generateIfnames(def)
	for {
		d, fresh, err := c.node.addOrFind(def)
		if err != nil {
			return err
		}
		if d == nil {
			continue
		}
		if !fresh {
			if d.active() {
				d.mu.Unlock()
				return virt.Errorf(virt.ErrOperationInvalid, virt.FromDomain, "domain '%s' is already active", d.name)
			}
			if d.persistent {
				d.newDef = d.def
			}
			d.def = def
		}
		c.startState(d, virt.RunningRestored)
		c.emit(d, virt.EventStarted, virt.DetailStartedRestored)
		d.mu.Unlock()
		return nil
	}
}

// SaveImageXML implements virt.DomainFileSaver.
func (c *conn) SaveImageXML(ctx context.Context, path string, flags uint32) (string, error) {
	if err := driver.CheckFlags(virt.FromTest, flags, 1, "testDomainSaveImageGetXMLDesc"); err != nil {
		return "", err
	}
	def, err := readSaveImage(path)
	if err != nil {
		return "", err
	}
	out, err := def.Format(virtxml.FormatSecure)
	if err != nil {
		return "", virt.Errorf(virt.ErrInternal, virt.FromTest, "format saved domain: %v", err)
	}
	return string(out), nil
}

// DefineSaveImageXML implements virt.DomainSaveImageDefiner.
func (c *conn) DefineSaveImageXML(ctx context.Context, path, dxml string, flags uint32) error {
	if err := driver.CheckFlags(virt.FromTest, flags, virt.SaveRunning|virt.SavePaused, "testDomainSaveImageDefineXML"); err != nil {
		return err
	}
	if _, err := readSaveImage(path); err != nil {
		return err
	}
	def, err := parseDomain(dxml)
	if err != nil {
		return err
	}
	def.ID = nil
	out, err := def.Format(virtxml.FormatSecure)
	if err != nil {
		return virt.Errorf(virt.ErrInternal, virt.FromTest, "format saved domain: %v", err)
	}
	return writeSaveImage(path, def.Name, string(out))
}

// CoreDumpDomain implements virt.DomainCoreDumper: the "dump" is the
// save image magic alone.
func (c *conn) CoreDumpDomain(ctx context.Context, ref virt.DomainRef, path string, format uint32, flags uint32) error {
	if err := driver.CheckFlags(virt.FromTest, flags, virt.DumpCrash, "testDomainCoreDumpWithFormat"); err != nil {
		return err
	}
	d, err := c.activeDomain(ref)
	if err != nil {
		return err
	}
	defer d.mu.Unlock()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return sysError(err, "domain '%s' coredump: failed to open %s", d.name, path)
	}
	if _, err := f.Write([]byte(saveMagic)); err != nil {
		f.Close()
		return sysError(err, "domain '%s' coredump: failed to write header to %s", d.name, path)
	}
	if err := f.Close(); err != nil {
		return sysError(err, "domain '%s' coredump: write failed: %s", d.name, path)
	}
	if format != 0 {
		return virt.Errorf(virt.ErrOperationUnsupported, virt.FromTest, "kdump-compressed format is not supported here")
	}
	if flags&virt.DumpCrash != 0 {
		c.stopped(d, virt.ShutoffCrashed, virt.DetailStoppedCrashed)
	}
	return nil
}

// screenshotFile is the image libvirt's test driver hands out as every
// guest's screen; it comes with libvirt's data files.
const screenshotFile = "/usr/share/libvirt/test-screenshot.png"

// fileStream reads a file as a virt.Stream.
type fileStream struct{ f *os.File }

func (s *fileStream) Read(p []byte) (int, error)  { return s.f.Read(p) }
func (s *fileStream) Write(p []byte) (int, error) { return 0, errors.New("stream is read-only") }
func (s *fileStream) Finish() error               { return s.f.Close() }
func (s *fileStream) Abort() error                { return s.f.Close() }

// DomainScreenshot implements virt.DomainAdmin.
func (c *conn) DomainScreenshot(ctx context.Context, ref virt.DomainRef, screen uint32, flags uint32) (string, virt.Stream, error) {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testDomainScreenshot"); err != nil {
		return "", nil, err
	}
	f, err := os.Open(screenshotFile)
	if err != nil {
		return "", nil, sysError(err, "Unable to open '%s'", screenshotFile)
	}
	return "image/png", &fileStream{f: f}, nil
}
