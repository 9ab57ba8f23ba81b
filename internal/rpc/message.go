// Package rpc is libvirt's RPC protocol as govirt speaks it: message
// framing and headers, the error payload, keepalive, and the pieces the
// server (internal/rpc/server) and the client (internal/rpc/client) share.
// The XDR codec is in internal/rpc/xdr and the REMOTE program's procedures
// and types in internal/rpc/proto.
//
// A message on the wire is a big-endian uint32 length (counting itself),
// a 24-byte header (program, version, procedure, type, serial, status) and
// an XDR payload.
package rpc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Program numbers.
const (
	ProgRemote    uint32 = 0x20008086
	ProgQEMU      uint32 = 0x20008087
	ProgLXC       uint32 = 0x00068000
	ProgAdmin     uint32 = 0x06900690
	ProgKeepalive uint32 = 0x6b656570
)

// ProtocolVersion is the version of every program.
const ProtocolVersion uint32 = 1

// Keepalive procedures.
const (
	KeepalivePing int32 = 1
	KeepalivePong int32 = 2
)

// Type is a message type.
type Type int32

// Message types.
const (
	Call         Type = 0
	Reply        Type = 1
	Message      Type = 2
	Stream       Type = 3
	CallWithFDs  Type = 4
	ReplyWithFDs Type = 5
	StreamHole   Type = 6
)

// Status is a message status.
type Status int32

// Message statuses.
const (
	OK       Status = 0
	Error    Status = 1
	Continue Status = 2
)

// Size limits.
const (
	// HeaderSize is the size of the header after the length word.
	HeaderSize = 24
	// MaxMessage is the largest header+payload libvirt accepts
	// (VIR_NET_MESSAGE_MAX); the length word may be 4 more.
	MaxMessage = 33554432
	// MaxPayload is the largest payload.
	MaxPayload = MaxMessage - HeaderSize
	// StreamChunk is the most stream data libvirt puts in one packet.
	StreamChunk = 262120
)

// Header is the fixed part of every message.
type Header struct {
	Prog   uint32
	Vers   uint32
	Proc   int32
	Type   Type
	Serial uint32
	Status Status
}

// String describes the header for logs.
func (h Header) String() string {
	return fmt.Sprintf("prog=%#x vers=%d proc=%d type=%d serial=%d status=%d", h.Prog, h.Vers, h.Proc, h.Type, h.Serial, h.Status)
}

// AppendHeader appends a length placeholder and h to buf; Finish fills the
// length in once the payload is appended.
func AppendHeader(buf []byte, h Header) []byte {
	buf = append(buf, 0, 0, 0, 0)
	buf = binary.BigEndian.AppendUint32(buf, h.Prog)
	buf = binary.BigEndian.AppendUint32(buf, h.Vers)
	buf = binary.BigEndian.AppendUint32(buf, uint32(h.Proc))
	buf = binary.BigEndian.AppendUint32(buf, uint32(h.Type))
	buf = binary.BigEndian.AppendUint32(buf, h.Serial)
	buf = binary.BigEndian.AppendUint32(buf, uint32(h.Status))
	return buf
}

// Finish writes the length word of the message that starts at msg[0].
func Finish(msg []byte) []byte {
	binary.BigEndian.PutUint32(msg, uint32(len(msg)))
	return msg
}

// ParseHeader decodes the header at the start of body (the message without
// its length word).
func ParseHeader(body []byte) (Header, error) {
	if len(body) < HeaderSize {
		return Header{}, ErrShortMessage
	}
	be := binary.BigEndian
	return Header{
		Prog:   be.Uint32(body[0:]),
		Vers:   be.Uint32(body[4:]),
		Proc:   int32(be.Uint32(body[8:])),
		Type:   Type(be.Uint32(body[12:])),
		Serial: be.Uint32(body[16:]),
		Status: Status(be.Uint32(body[20:])),
	}, nil
}

// Errors of the framing layer.
var (
	ErrShortMessage = errors.New("rpc: message shorter than its header")
	ErrBadLength    = errors.New("rpc: bad message length")
)

// ReadMessage reads one message from r. It returns the message without its
// length word, in buf when it fits. A length below the header size or above
// max+4 is ErrBadLength: the stream is out of step and must be closed.
func ReadMessage(r io.Reader, buf []byte, max int) ([]byte, error) {
	var lw [4]byte
	if _, err := io.ReadFull(r, lw[:]); err != nil {
		return nil, err
	}
	n := int64(binary.BigEndian.Uint32(lw[:]))
	if n < 4+HeaderSize || n > int64(max)+4 {
		return nil, fmt.Errorf("%w: %d", ErrBadLength, n)
	}
	n -= 4
	if int64(cap(buf)) >= n {
		buf = buf[:n]
	} else {
		buf = make([]byte, n)
	}
	if _, err := io.ReadFull(r, buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return buf, nil
}
