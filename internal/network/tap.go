package network

import (
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"unsafe"
)

const (
	tunSetIff  = 0x400454ca
	iffTap     = 0x0002
	iffNoPI    = 0x1000
	iffVnetHdr = 0x4000
)

// Tap is a tap device opened for a guest. The device lives as long as a
// descriptor of it is open: once QEMU (which gets a copy) and the driver
// have closed theirs, the kernel removes it, so a guest that dies leaves
// no device behind.
type Tap struct {
	Name string
	File *os.File
}

// OpenTap creates a tap device named after pattern (vnet%d: the kernel
// picks the number), with a virtio-net header when vnetHdr is set, gives
// it the MAC mac, plugs it into bridge (when not "") and brings it up.
func OpenTap(pattern string, vnetHdr bool, mac net.HardwareAddr, bridge string, mtu int) (*Tap, error) {
	f, err := os.OpenFile("/dev/net/tun", os.O_RDWR|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open /dev/net/tun: %w", err)
	}
	var req struct {
		name  [16]byte
		flags uint16
		_     [22]byte
	}
	copy(req.name[:15], pattern)
	req.flags = iffTap | iffNoPI
	if vnetHdr {
		req.flags |= iffVnetHdr
	}
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), tunSetIff, uintptr(unsafe.Pointer(&req))); e != 0 {
		f.Close()
		return nil, fmt.Errorf("create tap device %s: %w", pattern, e)
	}
	name := strings.TrimRight(string(req.name[:]), "\x00")
	t := &Tap{Name: name, File: f}
	if err := t.setup(mac, bridge, mtu); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

func (t *Tap) setup(mac net.HardwareAddr, bridge string, mtu int) error {
	if mac != nil {
		if err := SetLinkMAC(t.Name, mac); err != nil {
			return err
		}
	}
	if mtu > 0 {
		if err := SetLinkMTU(t.Name, mtu); err != nil {
			return err
		}
	}
	if bridge != "" {
		if err := SetMaster(t.Name, bridge); err != nil {
			return err
		}
	}
	return SetLinkUp(t.Name)
}

// Close closes the driver's descriptor of the device.
func (t *Tap) Close() error { return t.File.Close() }

// TapMAC is the MAC address a guest's tap device gets: the guest's with a
// first byte of 0xfe, so that the bridge never takes it for its own.
func TapMAC(guest net.HardwareAddr) net.HardwareAddr {
	m := append(net.HardwareAddr(nil), guest...)
	if len(m) > 0 {
		m[0] = 0xfe
	}
	return m
}
