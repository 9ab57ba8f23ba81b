package network

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync/atomic"
	"syscall"
)

// The few rtnetlink messages govirt needs (create and delete a bridge, set
// a link up, give it an address, a MAC and a master) are written here
// rather than through a netlink library: they are short, and the project
// keeps its third-party modules few.

const (
	iflaInfoKind     = 1
	iflaInfoData     = 2
	iflaBrFwdDelay   = 1
	iflaBrSTPState   = 5
	nlaFNested       = 0x8000
	ifinfomsgLen     = 16
	ifaddrmsgLen     = 8
	nlmsgErrorHeader = syscall.SizeofNlMsghdr
)

var nlSeq atomic.Uint32

// attrs builds a list of rtattrs.
type attrs []byte

func (a *attrs) add(typ uint16, data []byte) {
	l := 4 + len(data)
	b := make([]byte, (l+3)&^3)
	binary.NativeEndian.PutUint16(b[0:], uint16(l))
	binary.NativeEndian.PutUint16(b[2:], typ)
	copy(b[4:], data)
	*a = append(*a, b...)
}

func (a *attrs) str(typ uint16, s string) { a.add(typ, append([]byte(s), 0)) }

func (a *attrs) u32(typ uint16, v uint32) {
	b := make([]byte, 4)
	binary.NativeEndian.PutUint32(b, v)
	a.add(typ, b)
}

// request sends one rtnetlink request and waits for its acknowledgement.
func request(typ uint16, flags uint16, body []byte) error {
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_RAW|syscall.SOCK_CLOEXEC, syscall.NETLINK_ROUTE)
	if err != nil {
		return os.NewSyscallError("socket", err)
	}
	defer syscall.Close(fd)
	if err := syscall.Bind(fd, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		return os.NewSyscallError("bind", err)
	}
	seq := nlSeq.Add(1)
	msg := make([]byte, syscall.SizeofNlMsghdr+len(body))
	binary.NativeEndian.PutUint32(msg[0:], uint32(len(msg)))
	binary.NativeEndian.PutUint16(msg[4:], typ)
	binary.NativeEndian.PutUint16(msg[6:], flags|syscall.NLM_F_REQUEST|syscall.NLM_F_ACK)
	binary.NativeEndian.PutUint32(msg[8:], seq)
	copy(msg[syscall.SizeofNlMsghdr:], body)
	if err := syscall.Sendto(fd, msg, 0, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		return os.NewSyscallError("sendto", err)
	}
	buf := make([]byte, 8192)
	for {
		n, _, err := syscall.Recvfrom(fd, buf, 0)
		if err != nil {
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			return os.NewSyscallError("recvfrom", err)
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			return err
		}
		for _, m := range msgs {
			if m.Header.Seq != seq || m.Header.Type != syscall.NLMSG_ERROR {
				continue
			}
			if len(m.Data) < 4 {
				return errors.New("short netlink error message")
			}
			if e := int32(binary.NativeEndian.Uint32(m.Data)); e != 0 {
				return syscall.Errno(-e)
			}
			return nil
		}
	}
}

// ifinfo is an ifinfomsg followed by attributes.
func ifinfo(index int32, flags, change uint32, a attrs) []byte {
	b := make([]byte, ifinfomsgLen, ifinfomsgLen+len(a))
	b[0] = syscall.AF_UNSPEC
	binary.NativeEndian.PutUint32(b[4:], uint32(index))
	binary.NativeEndian.PutUint32(b[8:], flags)
	binary.NativeEndian.PutUint32(b[12:], change)
	return append(b, a...)
}

// linkIndex returns the index of the link named name.
func linkIndex(name string) (int32, error) {
	ifc, err := net.InterfaceByName(name)
	if err != nil {
		return 0, fmt.Errorf("link %s: %w", name, err)
	}
	return int32(ifc.Index), nil
}

// LinkExists reports whether a network link named name exists.
func LinkExists(name string) bool {
	_, err := net.InterfaceByName(name)
	return err == nil
}

// BridgeOptions are the settings of a new bridge.
type BridgeOptions struct {
	MAC net.HardwareAddr // nil: the kernel's choice
	MTU int              // 0: the default
	STP bool
	// Delay is the forward delay in seconds.
	Delay uint64
}

// CreateBridge creates the bridge name (which must not exist), down.
func CreateBridge(name string, o BridgeOptions) error {
	var data attrs
	stp := uint32(0)
	if o.STP {
		stp = 1
	}
	data.u32(iflaBrSTPState, stp)
	data.u32(iflaBrFwdDelay, uint32(o.Delay*100)) // in hundredths of a second
	var info attrs
	info.str(iflaInfoKind, "bridge")
	info.add(iflaInfoData|nlaFNested, data)
	var a attrs
	a.str(syscall.IFLA_IFNAME, name)
	if o.MAC != nil {
		a.add(syscall.IFLA_ADDRESS, o.MAC)
	}
	if o.MTU > 0 {
		a.u32(syscall.IFLA_MTU, uint32(o.MTU))
	}
	a.add(syscall.IFLA_LINKINFO|nlaFNested, info)
	if err := request(syscall.RTM_NEWLINK, syscall.NLM_F_CREATE|syscall.NLM_F_EXCL, ifinfo(0, 0, 0, a)); err != nil {
		return fmt.Errorf("create bridge %s: %w", name, err)
	}
	return nil
}

// DeleteLink deletes the link named name; a missing link is no error.
func DeleteLink(name string) error {
	idx, err := linkIndex(name)
	if err != nil {
		return nil
	}
	if err := request(syscall.RTM_DELLINK, 0, ifinfo(idx, 0, 0, nil)); err != nil && !errors.Is(err, syscall.ENODEV) {
		return fmt.Errorf("delete link %s: %w", name, err)
	}
	return nil
}

// SetLinkUp brings the link up.
func SetLinkUp(name string) error {
	idx, err := linkIndex(name)
	if err != nil {
		return err
	}
	if err := request(syscall.RTM_NEWLINK, 0, ifinfo(idx, syscall.IFF_UP, syscall.IFF_UP, nil)); err != nil {
		return fmt.Errorf("set %s up: %w", name, err)
	}
	return nil
}

// SetLinkMAC sets the link's MAC address.
func SetLinkMAC(name string, mac net.HardwareAddr) error {
	idx, err := linkIndex(name)
	if err != nil {
		return err
	}
	var a attrs
	a.add(syscall.IFLA_ADDRESS, mac)
	if err := request(syscall.RTM_NEWLINK, 0, ifinfo(idx, 0, 0, a)); err != nil {
		return fmt.Errorf("set MAC of %s: %w", name, err)
	}
	return nil
}

// SetLinkMTU sets the link's MTU.
func SetLinkMTU(name string, mtu int) error {
	idx, err := linkIndex(name)
	if err != nil {
		return err
	}
	var a attrs
	a.u32(syscall.IFLA_MTU, uint32(mtu))
	if err := request(syscall.RTM_NEWLINK, 0, ifinfo(idx, 0, 0, a)); err != nil {
		return fmt.Errorf("set MTU of %s: %w", name, err)
	}
	return nil
}

// SetMaster plugs the link into the bridge master.
func SetMaster(name, master string) error {
	idx, err := linkIndex(name)
	if err != nil {
		return err
	}
	midx, err := linkIndex(master)
	if err != nil {
		return err
	}
	var a attrs
	a.u32(syscall.IFLA_MASTER, uint32(midx))
	if err := request(syscall.RTM_NEWLINK, 0, ifinfo(idx, 0, 0, a)); err != nil {
		return fmt.Errorf("plug %s into %s: %w", name, master, err)
	}
	return nil
}

// AddAddr gives the link an address (with its prefix length); IPv4
// addresses get the prefix's broadcast address too.
func AddAddr(name string, p netip.Prefix) error {
	idx, err := linkIndex(name)
	if err != nil {
		return err
	}
	addr := p.Addr()
	b := make([]byte, ifaddrmsgLen)
	if addr.Is4() {
		b[0] = syscall.AF_INET
	} else {
		b[0] = syscall.AF_INET6
	}
	b[1] = byte(p.Bits())
	binary.NativeEndian.PutUint32(b[4:], uint32(idx))
	var a attrs
	raw := addr.AsSlice()
	a.add(syscall.IFA_LOCAL, raw)
	a.add(syscall.IFA_ADDRESS, raw)
	if addr.Is4() {
		a.add(syscall.IFA_BROADCAST, broadcast(p).AsSlice())
	}
	if err := request(syscall.RTM_NEWADDR, syscall.NLM_F_CREATE|syscall.NLM_F_EXCL, append(b, a...)); err != nil {
		return fmt.Errorf("add address %s to %s: %w", p, name, err)
	}
	return nil
}

// broadcast is the last address of an IPv4 prefix.
func broadcast(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := binary.BigEndian.Uint32(a[:]) | host
	binary.BigEndian.PutUint32(a[:], v)
	return netip.AddrFrom4(a)
}
