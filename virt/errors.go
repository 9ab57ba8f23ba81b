package virt

import (
	"errors"
	"fmt"

	"github.com/govirt/govirt/virtxml"
)

// ErrorNumber is libvirt's virErrorNumber: what went wrong.
type ErrorNumber int32

// ErrorDomain is libvirt's virErrorDomain: which part raised the error.
type ErrorDomain int32

// ErrorLevel is libvirt's virErrorLevel.
type ErrorLevel int32

// Error levels.
const (
	LevelNone    ErrorLevel = 0
	LevelWarning ErrorLevel = 1
	LevelError   ErrorLevel = 2
)

// Error is a libvirt-style error. Its numbers are libvirt's, so it travels
// on the wire unchanged; Message is the full text a user sees (virsh prints
// "error: " followed by it).
//
// Match errors by code with errors.Is and the sentinels below:
//
//	if errors.Is(err, virt.ErrNoDomain) { ... }
type Error struct {
	Code    ErrorNumber
	Domain  ErrorDomain
	Level   ErrorLevel
	Message string
	// Format and Detail are what libvirt sends as str1 and str2: the message
	// template ("Domain not found: %s") and its argument.
	Format string
	Detail string
}

// Error returns the full message.
func (e *Error) Error() string { return e.Message }

// Is reports whether target is an *Error with the same code. A sentinel
// (an Error with only Code set) matches any error of that code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Errorf builds an error of kind (one of the sentinels) whose message is
// libvirt's template for that code filled with the formatted detail, e.g.
// Errorf(ErrNoDomain, FromDomain, "no domain with matching name '%s'", name)
// gives "Domain not found: no domain with matching name 'x'".
func Errorf(kind *Error, domain ErrorDomain, format string, args ...any) *Error {
	code := kind.Code
	detail := format
	if len(args) > 0 {
		detail = fmt.Sprintf(format, args...)
	}
	tmpl := code.template(detail != "")
	msg := tmpl
	if detail != "" {
		msg = fmt.Sprintf(tmpl, detail)
	}
	return &Error{Code: code, Domain: domain, Level: LevelError, Message: msg, Format: tmpl, Detail: detail}
}

// AsError returns the *Error inside err, or an internal error wrapping err's
// text when err carries none.
func AsError(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Errorf(ErrInternal, FromNone, "%s", err.Error())
}

// Code returns the ErrorNumber carried by err: 0 for nil, and
// VIR_ERR_INTERNAL_ERROR for errors that carry none.
func Code(err error) ErrorNumber {
	if err == nil {
		return 0
	}
	return AsError(err).Code
}

func sentinel(code ErrorNumber) *Error { return &Error{Code: code, Level: LevelError} }

// template returns libvirt's message template for the code: with a "%s"
// for the detail when hasDetail is true.
func (n ErrorNumber) template(hasDetail bool) string {
	t, ok := templates[n]
	if !ok {
		if hasDetail {
			return "%s"
		}
		return "unknown error"
	}
	if hasDetail {
		return t[1]
	}
	return t[0]
}

// String returns the libvirt constant name of the code, e.g. "VIR_ERR_NO_DOMAIN".
func (n ErrorNumber) String() string {
	if s, ok := codeNames[n]; ok {
		return s
	}
	return fmt.Sprintf("VIR_ERR_%d", int32(n))
}

// FromXMLError turns an XML parsing or validation error from virtxml into
// a *Error raised by domain from (FromDomain for domain XML, FromNetwork,
// FromStorage, ...). Other errors pass through unchanged.
func FromXMLError(err error, from ErrorDomain) error {
	var xe *virtxml.Error
	if !errors.As(err, &xe) {
		return err
	}
	return Errorf(&Error{Code: ErrorNumber(xe.Code)}, from, "%s", xe.Msg)
}

// rawError builds an error whose message is msg alone, without the code's
// usual prefix, as libvirt raises some argument checks.
func rawError(kind *Error, from ErrorDomain, msg string) *Error {
	return &Error{Code: kind.Code, Domain: from, Level: LevelError, Message: msg, Format: "%s", Detail: msg}
}
