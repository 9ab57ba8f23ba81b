// Package guestinit is the init (PID 1) of govirt appliances, and the
// wire format it speaks with the host over a virtio-serial port.
//
// It is built as a static binary (CGO_ENABLED=0) and therefore imports
// nothing but the standard library: internal/appliance embeds these
// sources and compiles them on demand, and cmd/govirt-init builds the same
// binary for packagers.
//
// At boot it mounts /proc, /sys and /dev, loads the kernel modules listed
// in /etc/govirt/modules, and, when the kernel command line names a root
// (govirt.root=/dev/vda), waits for it, mounts it read-only under a
// writable overlay held in RAM (plain read-only when overlayfs is
// missing), loads the root's own module list and chroots into it. Then it
// looks for the virtio-serial port named PortName, reads one Request,
// runs it (feeding it the host's standard input frames when asked),
// streams its output and exit status back as frames, waits for the host's
// acknowledgement and powers the machine off. Started by the kernel as its
// modprobe helper, the same program loads the module asked for.
package guestinit

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
)

// PortName is the name of the virtio-serial port the host talks through.
const PortName = "org.govirt.appliance.0"

// Request is what the host asks the appliance to run. It is sent as one
// line of JSON.
type Request struct {
	Argv []string `json:"argv"`
	Env  []string `json:"env,omitempty"`
	Dir  string   `json:"dir,omitempty"`
	// Stdin: the host sends the command's standard input as FrameStdin
	// frames ended by FrameStdinEOF; otherwise it reads /dev/null.
	Stdin bool `json:"stdin,omitempty"`
}

// Frame kinds sent by the guest.
const (
	FrameStdout = 'o' // payload: bytes the command wrote to its standard output
	FrameStderr = 'e' // payload: bytes the command wrote to its standard error
	FrameExit   = 'x' // payload: the exit status as 4 bytes, big-endian
	FrameError  = '!' // payload: why the command could not run
	FrameReady  = 'r' // payload: the guest's boot time in milliseconds, as text
)

// Frame kinds sent by the host after the request line.
const (
	FrameStdin    = 'i' // payload: bytes for the command's standard input
	FrameStdinEOF = 'c' // the command's standard input ends
	// FrameAck says the host has read the exit frame; the guest powers off
	// when it gets it (or after a short wait).
	FrameAck = 'k'
)

// maxFrame bounds a frame's payload.
const maxFrame = 1 << 20

// WriteFrame writes one frame: kind, 4-byte big-endian length, payload.
func WriteFrame(w io.Writer, kind byte, p []byte) error {
	var h [5]byte
	h[0] = kind
	binary.BigEndian.PutUint32(h[1:], uint32(len(p)))
	buf := make([]byte, 0, 5+len(p))
	buf = append(buf, h[:]...)
	buf = append(buf, p...)
	_, err := w.Write(buf)
	return err
}

// ReadFrame reads one frame.
func ReadFrame(r io.Reader) (kind byte, p []byte, err error) {
	var h [5]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(h[1:])
	if n > maxFrame {
		return 0, nil, fmt.Errorf("frame of %d bytes is too large", n)
	}
	p = make([]byte, n)
	if _, err := io.ReadFull(r, p); err != nil {
		return 0, nil, err
	}
	return h[0], p, nil
}

// EncodeRequest returns the request as the line the guest reads.
func EncodeRequest(r *Request) ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func decodeRequest(line []byte, r *Request) error {
	if err := json.Unmarshal(line, r); err != nil {
		return fmt.Errorf("bad request: %w", err)
	}
	return nil
}
