package driver

import (
	"fmt"

	"github.com/govirt/govirt/virt"
)

// RawError builds an error whose message is exactly the formatted text,
// without the code's usual prefix. libvirt raises some argument checks that
// way ("Flags 'VIR_DOMAIN_AFFECT_LIVE' and 'VIR_DOMAIN_AFFECT_CONFIG' are
// mutually exclusive", "nvcpus in virDomainSetVcpus must not be zero").
func RawError(kind *virt.Error, from virt.ErrorDomain, format string, args ...any) *virt.Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &virt.Error{Code: kind.Code, Domain: from, Level: virt.LevelError, Message: msg, Format: "%s", Detail: msg}
}

// UnsupportedFlags is libvirt's answer to flags a driver function does not
// know: "unsupported flags (0x4) in function testDomainGetXMLDesc".
func UnsupportedFlags(from virt.ErrorDomain, flags uint32, fn string) *virt.Error {
	return RawError(virt.ErrInvalidArg, from, "unsupported flags (0x%x) in function %s", flags, fn)
}

// CheckFlags returns UnsupportedFlags when flags has bits outside allowed.
func CheckFlags(from virt.ErrorDomain, flags, allowed uint32, fn string) error {
	if extra := flags &^ allowed; extra != 0 {
		return UnsupportedFlags(from, extra, fn)
	}
	return nil
}
