package cli

import (
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/govirt/govirt/virt"
	"github.com/govirt/govirt/virtxml"
)

// uuidLen is the length of a UUID in its canonical text form; virsh only
// tries a UUID lookup for arguments of exactly this length.
const uuidLen = 36

// domainArg returns the domain named by option opt (usually "domain") and
// the text the user gave. Like virsh it tries an ID if the text is a
// non-negative number, then a UUID, then a name, and reports only its own
// message when nothing matches.
func (s *session) domainArg(c *call, opt string) (*virt.Domain, string, error) {
	name, _, err := c.str(opt)
	if err != nil {
		return nil, "", err
	}
	d, err := s.lookupDomainBy(name, byAny)
	return d, name, err
}

// networkArg returns the network named by option opt: a UUID, then a name.
func (s *session) networkArg(c *call, opt string) (*virt.Network, string, error) {
	name, _, err := c.str(opt)
	if err != nil {
		return nil, "", err
	}
	n, err := s.lookupNetworkBy(name, byUUID|byName)
	return n, name, err
}

// poolArg returns the pool named by option opt: a UUID, then a name.
func (s *session) poolArg(c *call, opt string) (*virt.StoragePool, string, error) {
	name, _, err := c.str(opt)
	if err != nil {
		return nil, "", err
	}
	p, err := s.lookupPool(name)
	return p, name, err
}

func (s *session) lookupPool(name string) (*virt.StoragePool, error) {
	if len(name) == uuidLen {
		if u, err := virtxml.ParseUUID(name); err == nil {
			if p, err := s.conn.LookupStoragePoolByUUID(s.ctx, u); err == nil {
				return p, nil
			}
		}
	}
	p, err := s.conn.LookupStoragePoolByName(s.ctx, name)
	if err != nil {
		return nil, fail(err, "failed to get pool '%s'", name)
	}
	return p, nil
}

// volArg returns the volume named by option "vol", looked up in the pool of
// option poolOpt when given (by name), else by key, then by path.
func (s *session) volArg(c *call, poolOpt string) (*virt.StorageVol, string, error) {
	name, _, err := c.str("vol")
	if err != nil {
		return nil, "", err
	}
	var pool *virt.StoragePool
	if poolOpt != "" {
		pname, ok, err := c.str(poolOpt)
		if err != nil {
			return nil, name, err
		}
		if ok {
			if pool, err = s.lookupPool(pname); err != nil {
				return nil, name, err
			}
			info, err := pool.Info(s.ctx)
			if err != nil || info.State == virt.PoolInactive {
				return nil, name, fail(errNoCause, "pool '%s' is not active", pname)
			}
		}
	}
	var (
		v    *virt.StorageVol
		lerr error
	)
	if pool != nil {
		v, lerr = pool.LookupVolByName(s.ctx, name)
	}
	if v == nil {
		v, lerr = s.conn.LookupStorageVolByKey(s.ctx, name)
	}
	if v == nil {
		v, lerr = s.conn.LookupStorageVolByPath(s.ctx, name)
	}
	if v == nil {
		if pool != nil || poolOpt == "" {
			return nil, name, fail(lerr, "failed to get vol '%s'", name)
		}
		return nil, name, fail(lerr, "failed to get vol '%s', specifying --%s might help", name, poolOpt)
	}
	if pool != nil && v.PoolName() != pool.Name() {
		return nil, name, fail(errNoCause, "Requested volume '%s' is not in pool '%s'", name, pool.Name())
	}
	return v, name, nil
}

// fileArg returns the file named by option "file" as the user gave it and
// what it holds: the XML of the *-define and *-create commands.
func (s *session) fileArg(c *call) (string, string, error) {
	file, _, err := c.str("file")
	if err != nil {
		return "", "", err
	}
	doc, err := s.readFile(file)
	return file, doc, err
}

// readFile reads the file an XML-taking command names (relative to the
// session's directory), with libvirt's messages for the ways that fails.
func (s *session) readFile(path string) (string, error) {
	f, err := os.Open(s.path(path))
	if err != nil {
		return "", fail(errNoCause, "Failed to open file '%s': %s", path, strerror(err))
	}
	defer f.Close()
	const max = 10 << 20 // virsh's VSH_MAX_XML_FILE
	buf, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return "", fail(errNoCause, "Failed to read file '%s': %s", path, strerror(err))
	}
	if len(buf) > max {
		return "", fail(errNoCause, "File '%s' is too large", path)
	}
	return string(buf), nil
}

// strerror returns the C library's text for the errno inside err ("No such
// file or directory"), or err's own text.
func strerror(err error) string {
	var errno syscall.Errno
	if pe, ok := err.(*os.PathError); ok {
		err = pe.Err
	}
	if e, ok := err.(syscall.Errno); ok {
		errno = e
		msg := errno.Error()
		if msg != "" {
			return strings.ToUpper(msg[:1]) + msg[1:]
		}
	}
	return err.Error()
}
