package cli

import (
	"errors"
	"fmt"

	"github.com/govirt/govirt/virt"
)

// cmdError is a failure as virsh reports it: its own message, then the
// error that caused it (usually libvirt's), each on an "error: " line.
type cmdError struct {
	msg   string
	cause error
}

func (e *cmdError) Error() string { return e.msg }
func (e *cmdError) Unwrap() error { return e.cause }

// fail returns a cmdError with the formatted message and cause (may be nil).
func fail(cause error, format string, args ...any) error {
	return &cmdError{msg: fmt.Sprintf(format, args...), cause: cause}
}

// errReported is returned by commands that already printed their error.
var errReported = errors.New("error already reported")

// errNoCause marks a failure that libvirt itself does not report, so only
// virsh's own message is printed.
var errNoCause = errors.New("no further detail")

// errorLines returns the lines virsh prints for err, without the "error: "
// prefix: the chain of cmdError messages, then the libvirt message.
func errorLines(err error) []string {
	var lines []string
	for err != nil && err != errReported && err != errNoCause {
		var ce *cmdError
		if errors.As(err, &ce) {
			lines = append(lines, ce.msg)
			err = ce.cause
			continue
		}
		var ve *virt.Error
		if errors.As(err, &ve) {
			lines = append(lines, ve.Message)
		} else {
			lines = append(lines, err.Error())
		}
		break
	}
	return lines
}
