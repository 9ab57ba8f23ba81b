// Package xdr encodes and decodes RFC 4506 XDR the way libvirt's RPC
// protocol uses it: big-endian 4-byte units, strings and variable opaques
// with a length word and zero padding, optional values as a 0/1 word, and
// rpcgen's widening of char and short to 4 bytes.
//
// The Encoder appends to a byte slice and never fails. The Decoder reads a
// byte slice with a sticky error: after the first malformed item every read
// returns a zero value and Err reports what went wrong, so that decoding
// code stays straight-line. Every variable-length item is checked against
// its declared bound and against the bytes actually left, so a hostile
// length can neither allocate nor read beyond the message.
package xdr

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Encoder appends XDR items to a buffer.
type Encoder struct {
	buf []byte
}

// NewEncoder returns an encoder that appends to buf (which may be nil).
func NewEncoder(buf []byte) *Encoder { return &Encoder{buf: buf} }

// Bytes returns the encoded bytes.
func (e *Encoder) Bytes() []byte { return e.buf }

// Len returns the number of bytes encoded so far.
func (e *Encoder) Len() int { return len(e.buf) }

// Reset makes the encoder append to buf[:0].
func (e *Encoder) Reset(buf []byte) { e.buf = buf[:0] }

// Uint32 appends an unsigned int.
func (e *Encoder) Uint32(v uint32) { e.buf = binary.BigEndian.AppendUint32(e.buf, v) }

// Int32 appends an int (also enums, char and short, which rpcgen widens).
func (e *Encoder) Int32(v int32) { e.Uint32(uint32(v)) }

// Uint64 appends an unsigned hyper.
func (e *Encoder) Uint64(v uint64) { e.buf = binary.BigEndian.AppendUint64(e.buf, v) }

// Int64 appends a hyper.
func (e *Encoder) Int64(v int64) { e.Uint64(uint64(v)) }

// Float64 appends a double.
func (e *Encoder) Float64(v float64) { e.Uint64(math.Float64bits(v)) }

// Bool appends a bool as 0 or 1.
func (e *Encoder) Bool(v bool) {
	if v {
		e.Uint32(1)
	} else {
		e.Uint32(0)
	}
}

func (e *Encoder) pad(n int) {
	if r := n & 3; r != 0 {
		e.buf = append(e.buf, zeros[:4-r]...)
	}
}

var zeros [4]byte

// String appends a string: length, bytes, zero padding.
func (e *Encoder) String(s string) {
	e.Uint32(uint32(len(s)))
	e.buf = append(e.buf, s...)
	e.pad(len(s))
}

// OptString appends an optional string: 0, or 1 and the string.
func (e *Encoder) OptString(s *string) {
	if s == nil {
		e.Uint32(0)
		return
	}
	e.Uint32(1)
	e.String(*s)
}

// Opaque appends variable-length opaque data: length, bytes, padding.
func (e *Encoder) Opaque(b []byte) {
	e.Uint32(uint32(len(b)))
	e.buf = append(e.buf, b...)
	e.pad(len(b))
}

// FixedOpaque appends fixed-length opaque data: the bytes and padding.
func (e *Encoder) FixedOpaque(b []byte) {
	e.buf = append(e.buf, b...)
	e.pad(len(b))
}

// Chars appends a variable-length char array (char x<N>): a count, then one
// 4-byte word per byte, as rpcgen encodes char.
func (e *Encoder) Chars(b []byte) {
	e.Uint32(uint32(len(b)))
	for _, c := range b {
		e.Int32(int32(int8(c)))
	}
}

// FixedChars appends a fixed char array (char x[n]) holding s, NUL-filled:
// n words, one per byte. s is cut to n bytes.
func (e *Encoder) FixedChars(s string, n int) {
	for i := 0; i < n; i++ {
		var c byte
		if i < len(s) {
			c = s[i]
		}
		e.Int32(int32(int8(c)))
	}
}

// Raw appends bytes as they are (stream payloads, pre-encoded items).
func (e *Encoder) Raw(b []byte) { e.buf = append(e.buf, b...) }

// ErrShort means the data ended inside an item.
var ErrShort = errors.New("xdr: data truncated")

// Decoder reads XDR items from a byte slice.
type Decoder struct {
	buf []byte
	off int
	err error
}

// NewDecoder returns a decoder reading b.
func NewDecoder(b []byte) *Decoder { return &Decoder{buf: b} }

// Reset makes the decoder read b from the start with no error.
func (d *Decoder) Reset(b []byte) { d.buf, d.off, d.err = b, 0, nil }

// Err returns the first decoding error, or nil.
func (d *Decoder) Err() error { return d.err }

// Remaining returns the number of unread bytes.
func (d *Decoder) Remaining() int { return len(d.buf) - d.off }

// Fail records err as the decoding error unless one is already recorded.
// Hand-written decoders use it for values they reject.
func (d *Decoder) Fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *Decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.buf)-d.off {
		d.err = ErrShort
		return nil
	}
	b := d.buf[d.off : d.off+n]
	d.off += n
	return b
}

// Uint32 reads an unsigned int.
func (d *Decoder) Uint32() uint32 {
	b := d.take(4)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint32(b)
}

// Int32 reads an int.
func (d *Decoder) Int32() int32 { return int32(d.Uint32()) }

// Uint64 reads an unsigned hyper.
func (d *Decoder) Uint64() uint64 {
	b := d.take(8)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// Int64 reads a hyper.
func (d *Decoder) Int64() int64 { return int64(d.Uint64()) }

// Float64 reads a double.
func (d *Decoder) Float64() float64 { return math.Float64frombits(d.Uint64()) }

// Bool reads a bool; any non-zero word is true.
func (d *Decoder) Bool() bool { return d.Uint32() != 0 }

func padded(n int) int { return (n + 3) &^ 3 }

// length reads a length word and checks it against max and the data left
// (each unit taking at least unit bytes).
func (d *Decoder) length(max, unit int) int {
	n := d.Uint32()
	if d.err != nil {
		return 0
	}
	if uint64(n) > uint64(max) {
		d.err = fmt.Errorf("xdr: length %d exceeds limit %d", n, max)
		return 0
	}
	if uint64(n)*uint64(unit) > uint64(d.Remaining()) {
		d.err = ErrShort
		return 0
	}
	return int(n)
}

// String reads a string of at most max bytes.
func (d *Decoder) String(max int) string {
	n := d.length(max, 1)
	b := d.take(padded(n))
	if b == nil {
		return ""
	}
	return string(b[:n])
}

// OptString reads an optional string of at most max bytes.
func (d *Decoder) OptString(max int) *string {
	if !d.present() {
		return nil
	}
	s := d.String(max)
	if d.err != nil {
		return nil
	}
	return &s
}

// Present reads the 0/1 word that precedes an optional value.
func (d *Decoder) Present() bool { return d.present() }

func (d *Decoder) present() bool {
	switch v := d.Uint32(); v {
	case 0:
		return false
	case 1:
		return true
	default:
		d.Fail(fmt.Errorf("xdr: bad optional-value marker %d", v))
		return false
	}
}

// Opaque reads variable-length opaque data of at most max bytes. The result
// is a copy.
func (d *Decoder) Opaque(max int) []byte {
	n := d.length(max, 1)
	b := d.take(padded(n))
	if b == nil {
		return nil
	}
	out := make([]byte, n)
	copy(out, b)
	return out
}

// FixedOpaque reads len(dst) bytes of fixed opaque data (and padding) into dst.
func (d *Decoder) FixedOpaque(dst []byte) {
	b := d.take(padded(len(dst)))
	if b != nil {
		copy(dst, b)
	}
}

// Chars reads a variable char array of at most max chars (4 bytes each).
func (d *Decoder) Chars(max int) []byte {
	n := d.length(max, 4)
	if d.err != nil {
		return nil
	}
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(d.Int32())
	}
	return out
}

// FixedChars reads a fixed char array of n chars and returns it up to the
// first NUL.
func (d *Decoder) FixedChars(n int) string {
	b := d.take(4 * n)
	if b == nil {
		return ""
	}
	out := make([]byte, 0, n)
	for i := 0; i < n; i++ {
		c := b[4*i+3]
		if c == 0 {
			break
		}
		out = append(out, c)
	}
	return string(out)
}

// Count reads the element count of a variable-length array of at most max
// elements, each taking at least minSize bytes on the wire.
func (d *Decoder) Count(max, minSize int) int {
	if minSize < 1 {
		minSize = 1
	}
	return d.length(max, minSize)
}

// Rest returns the unread bytes (stream payloads) and consumes them.
func (d *Decoder) Rest() []byte {
	b := d.buf[d.off:]
	d.off = len(d.buf)
	return b
}
