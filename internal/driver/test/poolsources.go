package test

import (
	"context"
	"fmt"

	"github.com/govirt/govirt/internal/driver"
	"github.com/govirt/govirt/internal/xmldoc"
	"github.com/govirt/govirt/virt"
)

// poolSourcesLogical is what source discovery finds for logical pools.
const poolSourcesLogical = `<sources>
  <source>
    <device path='/dev/sda20'/>
    <name>testvg1</name>
    <format type='lvm2'/>
  </source>
  <source>
    <device path='/dev/sda21'/>
    <name>testvg2</name>
    <format type='lvm2'/>
  </source>
</sources>
`

// poolTypes are the storage pool types libvirt knows.
var poolTypes = map[string]bool{"dir": true, "fs": true, "netfs": true, "logical": true, "disk": true,
	"iscsi": true, "iscsi-direct": true, "scsi": true, "mpath": true, "rbd": true, "sheepdog": true,
	"gluster": true, "zfs": true, "vstorage": true}

// FindPoolSources implements virt.PoolSourceFinder with the test
// driver's made-up sources.
func (c *conn) FindPoolSources(ctx context.Context, typ, spec string, flags uint32) (string, error) {
	if err := driver.CheckFlags(virt.FromTest, flags, 0, "testConnectFindStoragePoolSources"); err != nil {
		return "", err
	}
	if !poolTypes[typ] || typ == "dir" {
		if typ == "dir" {
			return "", virt.Errorf(virt.ErrInternal, virt.FromTest, "unknown storage pool type %s", typ)
		}
		return "", virt.Errorf(virt.ErrNoSupport, virt.FromTest, "pool type '%s' does not support source discovery", typ)
	}
	host := ""
	if spec != "" {
		root, err := xmldoc.Parse([]byte(spec))
		if err != nil {
			return "", virt.Errorf(virt.ErrXML, virt.FromStorage, "(storage_source_specification):%s", err)
		}
		if h := root.Child("host"); h != nil {
			host, _ = h.Attr("name")
		}
	}
	switch typ {
	case "logical":
		return poolSourcesLogical, nil
	case "netfs":
		if host == "" {
			return "", virt.Errorf(virt.ErrInvalidArg, virt.FromTest, "hostname must be specified for netfs sources")
		}
		return fmt.Sprintf("<sources>\n  <source>\n    <host name='%s'/>\n    <dir path='/testshare'/>\n    <format type='nfs'/>\n  </source>\n</sources>\n", escapeXML(host)), nil
	}
	return "", virt.Errorf(virt.ErrNoSupport, virt.FromTest, "pool type '%s' does not support source discovery", typ)
}
