package cli

import (
	"errors"
	"io"
	"math"
	"os"
	"strings"

	"github.com/govirt/govirt/internal/xmldoc"
	"github.com/govirt/govirt/virt"
)

// poolXMLFromArgs builds the pool XML of pool-define-as and
// pool-create-as from their options, as virsh does.
func poolXMLFromArgs(c *call) (name, xml string, err error) {
	get := func(opt string) string {
		v, _, e := c.str(opt)
		if e != nil && err == nil {
			err = e
		}
		return v
	}
	name, typ := get("name"), get("type")
	host, path, dev := get("source-host"), get("source-path"), get("source-dev")
	srcName, target, format := get("source-name"), get("target"), get("source-format")
	authType, authUser := get("auth-type"), get("auth-username")
	secretUsage, secretUUID := get("secret-usage"), get("secret-uuid")
	adName, adWWNN, adWWPN := get("adapter-name"), get("adapter-wwnn"), get("adapter-wwpn")
	adParent, adParentWWNN, adParentWWPN := get("adapter-parent"), get("adapter-parent-wwnn"), get("adapter-parent-wwpn")
	adFabric, protoVer, initiator := get("adapter-parent-fabric-wwn"), get("source-protocol-ver"), get("source-initiator")
	if err != nil {
		return "", "", err
	}
	e := xmlEscape
	var b strings.Builder
	b.WriteString("<pool type='" + e(typ) + "'>\n")
	b.WriteString("  <name>" + e(name) + "</name>\n")
	if host != "" || path != "" || dev != "" || initiator != "" || format != "" || srcName != "" ||
		(adWWNN != "" && adWWPN != "") || adName != "" || protoVer != "" {
		b.WriteString("  <source>\n")
		if host != "" {
			b.WriteString("    <host name='" + e(host) + "'/>\n")
		}
		if path != "" {
			b.WriteString("    <dir path='" + e(path) + "'/>\n")
		}
		if dev != "" {
			b.WriteString("    <device path='" + e(dev) + "'/>\n")
		}
		if initiator != "" {
			b.WriteString("    <initiator>\n      <iqn name='" + e(initiator) + "'/>\n    </initiator>\n")
		}
		switch {
		case adWWNN != "" && adWWPN != "":
			b.WriteString("    <adapter type='fc_host'")
			switch {
			case adParent != "":
				b.WriteString(" parent='" + e(adParent) + "'")
			case adParentWWNN != "" && adParentWWPN != "":
				b.WriteString(" parent_wwnn='" + e(adParentWWNN) + "' parent_wwpn='" + e(adParentWWPN) + "'")
			case adFabric != "":
				b.WriteString(" parent_fabric_wwn='" + e(adFabric) + "'")
			}
			b.WriteString(" wwnn='" + e(adWWNN) + "' wwpn='" + e(adWWPN) + "'/>\n")
		case adName != "":
			b.WriteString("    <adapter type='scsi_host' name='" + e(adName) + "'/>\n")
		}
		if authType != "" && authUser != "" && (secretUsage != "" || secretUUID != "") {
			b.WriteString("    <auth type='" + e(authType) + "' username='" + e(authUser) + "'>\n")
			if secretUsage != "" {
				b.WriteString("      <secret usage='" + e(secretUsage) + "'/>\n")
			} else {
				b.WriteString("      <secret uuid='" + e(secretUUID) + "'/>\n")
			}
			b.WriteString("    </auth>\n")
		}
		if format != "" {
			b.WriteString("    <format type='" + e(format) + "'/>\n")
		}
		if srcName != "" {
			b.WriteString("    <name>" + e(srcName) + "</name>\n")
		}
		if protoVer != "" {
			b.WriteString("    <protocol ver='" + e(protoVer) + "'/>\n")
		}
		b.WriteString("  </source>\n")
	}
	if target != "" {
		b.WriteString("  <target>\n    <path>" + e(target) + "</path>\n  </target>\n")
	}
	b.WriteString("</pool>\n")
	return name, b.String(), nil
}

func cmdPoolDefineAs(s *session, c *call) error {
	name, xml, err := poolXMLFromArgs(c)
	if err != nil {
		return err
	}
	if c.has("print-xml") {
		s.print(xml)
		return nil
	}
	if _, err := s.conn.DefineStoragePool(s.ctx, xml); err != nil {
		return fail(err, "Failed to define pool %s", name)
	}
	s.extraf("Pool %s defined\n", name)
	return nil
}

func cmdPoolCreateAs(s *session, c *call) error {
	flags, err := buildFlags(c)
	if err != nil {
		return err
	}
	name, xml, err := poolXMLFromArgs(c)
	if err != nil {
		return err
	}
	if c.has("print-xml") {
		s.print(xml)
		return nil
	}
	if _, err := s.conn.CreateStoragePool(s.ctx, xml, flags); err != nil {
		return fail(err, "Failed to create pool %s", name)
	}
	s.extraf("Pool %s created\n", name)
	return nil
}

func cmdFindStoragePoolSources(s *session, c *call) error {
	typ, _, err := c.str("type")
	if err != nil {
		return err
	}
	spec := ""
	if file, ok, err := c.str("srcSpec"); err != nil {
		return err
	} else if ok {
		if spec, err = s.readFile(file); err != nil {
			return err
		}
	}
	out, err := s.conn.FindStoragePoolSources(s.ctx, typ, spec, 0)
	if err != nil {
		return fail(err, "Failed to find any %s pool sources", typ)
	}
	s.print(out)
	return nil
}

func cmdFindStoragePoolSourcesAs(s *session, c *call) error {
	typ, _, err := c.str("type")
	if err != nil {
		return err
	}
	host, hasHost, err := c.str("host")
	if err != nil {
		return err
	}
	port, hasPort, err := c.str("port")
	if err != nil {
		return err
	}
	initiator, hasInit, err := c.str("initiator")
	if err != nil {
		return err
	}
	spec := ""
	if hasHost {
		var b strings.Builder
		b.WriteString("<source>\n  <host name='" + xmlEscape(host) + "'")
		if hasPort {
			b.WriteString(" port='" + xmlEscape(port) + "'")
		}
		b.WriteString("/>\n")
		if hasInit {
			b.WriteString("  <initiator>\n    <iqn name='" + xmlEscape(initiator) + "'/>\n  </initiator>\n")
		}
		b.WriteString("</source>\n")
		spec = b.String()
	}
	out, err := s.conn.FindStoragePoolSources(s.ctx, typ, spec, 0)
	if err != nil {
		return fail(err, "Failed to find any %s pool sources", typ)
	}
	s.print(out)
	return nil
}

// volCloneFlags reads --prealloc-metadata and --reflink.
func volCloneFlags(c *call) uint32 {
	var flags uint32
	if c.has("prealloc-metadata") {
		flags |= 1
	}
	if c.has("reflink") {
		flags |= 2
	}
	return flags
}

func cmdVolClone(s *session, c *call) error {
	orig, _, err := s.volArg(c, "pool")
	if err != nil {
		return err
	}
	newName, _, err := c.str("newname")
	if err != nil {
		return err
	}
	pool, err := s.lookupPool(orig.PoolName())
	if err != nil {
		return err
	}
	x, err := orig.XML(s.ctx)
	if err != nil {
		return err
	}
	root, err := xmldoc.Parse([]byte(x))
	if err != nil {
		return fail(errNoCause, "%s", err)
	}
	if n := root.Child("name"); n != nil {
		n.Text = newName
		n.Children = nil
	}
	var e xmldoc.Encoder
	e.Raw(root)
	doc := e.String()
	if c.has("print-xml") {
		s.print(strings.TrimSuffix(doc, "\n"))
		return nil
	}
	v, err := pool.CloneVol(s.ctx, doc, orig, volCloneFlags(c))
	if err != nil {
		return fail(err, "Failed to clone vol from %s", orig.Name())
	}
	s.extraf("Vol %s cloned from %s\n", v.Name(), orig.Name())
	return nil
}

func cmdVolCreateFrom(s *session, c *call) error {
	pool, _, err := s.poolArg(c, "pool")
	if err != nil {
		return err
	}
	file, _, err := c.str("file")
	if err != nil {
		return err
	}
	orig, _, err := s.volArg(c, "inputpool")
	if err != nil {
		return err
	}
	x, err := s.readFile(file)
	if err != nil {
		return err
	}
	flags := volCloneFlags(c)
	if c.has("validate") {
		flags |= 4
	}
	v, err := pool.CloneVol(s.ctx, x, orig, flags)
	if err != nil {
		return fail(err, "Failed to create vol from %s", file)
	}
	s.extraf("Vol %s created from input vol %s\n", v.Name(), orig.Name())
	return nil
}

func cmdVolResize(s *session, c *call) error {
	v, name, err := s.volArg(c, "pool")
	if err != nil {
		return err
	}
	capStr, _, err := c.str("capacity")
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("allocate") {
		flags |= virt.VolResizeAllocate
	}
	if c.has("delta") {
		flags |= virt.VolResizeDelta
	}
	if c.has("shrink") {
		flags |= virt.VolResizeShrink
	}
	text := strings.TrimLeft(capStr, " ")
	if strings.HasPrefix(text, "-") {
		if flags&virt.VolResizeShrink == 0 {
			return fail(errNoCause, "negative size requires --shrink")
		}
		text = text[1:]
	}
	size, err := parseScaled(text, 1, math.MaxUint64)
	if err != nil {
		return fail(err, "Malformed size %s", capStr)
	}
	if err := v.Resize(s.ctx, size, flags); err != nil {
		return fail(err, "Failed to change size of volume '%s' to %s", name, capStr)
	}
	if flags&virt.VolResizeDelta != 0 {
		s.extraf("Size of volume '%s' successfully changed by %s\n", name, capStr)
	} else {
		s.extraf("Size of volume '%s' successfully changed to %s\n", name, capStr)
	}
	return nil
}

// wipeAlgorithms are the wipe patterns by number.
var wipeAlgorithms = []string{"zero", "nnsa", "dod", "bsi", "gutmann", "schneier", "pfitzner7", "pfitzner33", "random", "trim"}

func cmdVolWipe(s *session, c *call) error {
	v, name, err := s.volArg(c, "pool")
	if err != nil {
		return err
	}
	algo := 0
	if a, ok, err := c.str("algorithm"); err != nil {
		return err
	} else if ok {
		if algo = indexOf(wipeAlgorithms, a); algo < 0 {
			return fail(errNoCause, "Unsupported algorithm '%s'", a)
		}
	}
	if err := v.Wipe(s.ctx, uint32(algo), 0); err != nil {
		return fail(err, "Failed to wipe vol %s", name)
	}
	s.extraf("Vol %s wiped\n", name)
	return nil
}

func cmdVolUpload(s *session, c *call) error {
	v, name, err := s.volArg(c, "pool")
	if err != nil {
		return err
	}
	file, _, err := c.str("file")
	if err != nil {
		return err
	}
	offset, _, err := c.uint64("offset")
	if err != nil {
		return err
	}
	length, _, err := c.uint64("length")
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("sparse") {
		flags |= 1
	}
	f, err := os.Open(s.path(file))
	if err != nil {
		return fail(errNoCause, "cannot read %s", file)
	}
	defer f.Close()
	st, err := v.Upload(s.ctx, offset, length, flags)
	if err != nil {
		return fail(err, "cannot upload to volume %s", name)
	}
	if _, err := io.Copy(st, f); err != nil {
		st.Abort()
		return fail(err, "cannot send data to volume %s", name)
	}
	if err := st.Finish(); err != nil {
		return fail(err, "cannot close volume %s", name)
	}
	return nil
}

func cmdVolDownload(s *session, c *call) error {
	v, name, err := s.volArg(c, "pool")
	if err != nil {
		return err
	}
	file, _, err := c.str("file")
	if err != nil {
		return err
	}
	offset, _, err := c.uint64("offset")
	if err != nil {
		return err
	}
	length, _, err := c.uint64("length")
	if err != nil {
		return err
	}
	var flags uint32
	if c.has("sparse") {
		flags |= 1
	}
	path := s.path(file)
	created := true
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if errors.Is(err, os.ErrExist) {
		created = false
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0o666)
	}
	if err != nil {
		return fail(errNoCause, "cannot create %s", file)
	}
	cleanup := func() {
		f.Close()
		if created {
			os.Remove(path)
		}
	}
	st, err := v.Download(s.ctx, offset, length, flags)
	if err != nil {
		cleanup()
		return fail(err, "cannot download from volume %s", name)
	}
	if _, err := io.Copy(f, st); err != nil {
		st.Abort()
		cleanup()
		return fail(err, "cannot receive data from volume %s", name)
	}
	if err := st.Finish(); err != nil {
		cleanup()
		return fail(err, "cannot close volume %s", name)
	}
	if err := f.Close(); err != nil {
		return fail(errNoCause, "cannot close file %s", file)
	}
	return nil
}

func cmdPoolEdit(s *session, c *call) error {
	p, name, err := s.poolArg(c, "pool")
	if err != nil {
		return err
	}
	orig, err := p.XML(s.ctx, 0)
	if err != nil {
		return err
	}
	define := func(doc string) (*virt.StoragePool, error) { return s.conn.DefineStoragePool(s.ctx, doc) }
	return editDefinition(s, orig, define, (*virt.StoragePool).Name, "Pool %s", name)
}

func cmdNetEdit(s *session, c *call) error {
	n, name, err := s.networkArg(c, "network")
	if err != nil {
		return err
	}
	orig, err := n.XML(s.ctx, 0)
	if err != nil {
		return err
	}
	define := func(doc string) (*virt.Network, error) { return s.conn.DefineNetwork(s.ctx, doc) }
	return editDefinition(s, orig, define, (*virt.Network).Name, "Network %s", name)
}
