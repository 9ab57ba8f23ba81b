package virtxml

import (
	"errors"
	"fmt"

	"github.com/govirt/govirt/internal/xmldoc"
)

// ErrorCode is the libvirt error number (virErrorNumber) an XML problem
// maps to; virt turns an *Error into a *virt.Error with the same number.
type ErrorCode int32

// The error numbers XML handling produces.
const (
	CodeInternal          ErrorCode = 1  // VIR_ERR_INTERNAL_ERROR
	CodeInvalidArg        ErrorCode = 8  // VIR_ERR_INVALID_ARG
	CodeOperationFailed   ErrorCode = 9  // VIR_ERR_OPERATION_FAILED
	CodeXML               ErrorCode = 27 // VIR_ERR_XML_ERROR
	CodeXMLDetail         ErrorCode = 35 // VIR_ERR_XML_DETAIL (not well-formed)
	CodeConfigUnsupported ErrorCode = 67 // VIR_ERR_CONFIG_UNSUPPORTED
	CodeOverflow          ErrorCode = 82 // VIR_ERR_OVERFLOW
	CodeInvalidSchema     ErrorCode = 92 // VIR_ERR_XML_INVALID_SCHEMA
)

// Error is a problem with an XML document: its libvirt class, the message
// detail (without libvirt's "XML error: " style prefix, which the code
// implies) and the line, when known.
type Error struct {
	Code ErrorCode
	Msg  string
	Line int
}

func (e *Error) Error() string { return e.Msg }

// errorf returns an *Error of class code.
func errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// xmlErrorf returns an XML_ERROR ("XML error: ...").
func xmlErrorf(format string, args ...any) *Error { return errorf(CodeXML, format, args...) }

// unsupportedf returns a CONFIG_UNSUPPORTED ("unsupported configuration: ...").
func unsupportedf(format string, args ...any) *Error {
	return errorf(CodeConfigUnsupported, format, args...)
}

// parseRoot parses data and checks that its root element is want. what
// names the document in syntax errors, as libvirt does ("domain_definition").
func parseRoot(data []byte, want, what string) (*xmldoc.Node, error) {
	root, err := xmldoc.Parse(data)
	if err != nil {
		var se *xmldoc.SyntaxError
		if errors.As(err, &se) {
			return nil, &Error{Code: CodeXMLDetail, Line: se.Line, Msg: fmt.Sprintf("(%s):%d: %s", what, se.Line, se.Msg)}
		}
		return nil, errorf(CodeXMLDetail, "(%s): %v", what, err)
	}
	if root.Name != want {
		return nil, errorf(CodeXML, "expecting root element of '%s', not '%s'", want, root.Name)
	}
	return root, nil
}

// bindError turns a binder error into an XML_ERROR.
func bindError(err error) error {
	var be *xmldoc.Error
	if errors.As(err, &be) {
		return &Error{Code: CodeXML, Line: be.Line, Msg: be.Msg}
	}
	return err
}
