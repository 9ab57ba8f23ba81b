package xdr

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

func TestEncode(t *testing.T) {
	s := "lvptest"
	tests := []struct {
		name string
		enc  func(e *Encoder)
		want string
	}{
		{"uint32", func(e *Encoder) { e.Uint32(0x20008086) }, "20008086"},
		{"int32 negative", func(e *Encoder) { e.Int32(-1) }, "ffffffff"},
		{"uint64", func(e *Encoder) { e.Uint64(490000000) }, "000000001d34ce80"},
		{"bool", func(e *Encoder) { e.Bool(true); e.Bool(false) }, "0000000100000000"},
		{"string padded", func(e *Encoder) { e.String(s) }, "000000076c76707465737400"},
		{"string aligned", func(e *Encoder) { e.String("abcd") }, "0000000461626364"},
		{"empty string", func(e *Encoder) { e.String("") }, "00000000"},
		{"nil optional", func(e *Encoder) { e.OptString(nil) }, "00000000"},
		{"optional", func(e *Encoder) { e.OptString(&s) }, "00000001000000076c76707465737400"},
		{"fixed opaque", func(e *Encoder) { e.FixedOpaque([]byte{1, 2, 3}) }, "01020300"},
		{"opaque", func(e *Encoder) { e.Opaque([]byte{1, 2, 3, 4, 5}) }, "000000050102030405000000"},
		{"chars", func(e *Encoder) { e.Chars([]byte("no\x00")) }, "000000030000006e0000006f00000000"},
		{"fixed chars", func(e *Encoder) { e.FixedChars("ab", 3) }, "000000610000006200000000"},
		{"double", func(e *Encoder) { e.Float64(1.5) }, "3ff8000000000000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEncoder(nil)
			tc.enc(e)
			if got := hex.EncodeToString(e.Bytes()); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	e := NewEncoder(nil)
	opt := "x"
	e.Uint32(7)
	e.Int64(-5)
	e.String("héllo")
	e.OptString(&opt)
	e.OptString(nil)
	e.Opaque([]byte("abc"))
	e.Chars([]byte("model\x00"))
	e.FixedChars("QEMU", 32)
	e.Float64(-2.25)
	var uuid [16]byte
	copy(uuid[:], "0123456789abcdef")
	e.FixedOpaque(uuid[:])

	d := NewDecoder(e.Bytes())
	if got := d.Uint32(); got != 7 {
		t.Errorf("uint32: got %d, want 7", got)
	}
	if got := d.Int64(); got != -5 {
		t.Errorf("int64: got %d, want -5", got)
	}
	if got := d.String(100); got != "héllo" {
		t.Errorf("string: got %q", got)
	}
	if got := d.OptString(100); got == nil || *got != "x" {
		t.Errorf("optional: got %v", got)
	}
	if got := d.OptString(100); got != nil {
		t.Errorf("nil optional: got %q", *got)
	}
	if got := d.Opaque(10); string(got) != "abc" {
		t.Errorf("opaque: got %q", got)
	}
	if got := d.Chars(10); string(got) != "model\x00" {
		t.Errorf("chars: got %q", got)
	}
	if got := d.FixedChars(32); got != "QEMU" {
		t.Errorf("fixed chars: got %q", got)
	}
	if got := d.Float64(); got != -2.25 {
		t.Errorf("double: got %v", got)
	}
	var u [16]byte
	d.FixedOpaque(u[:])
	if u != uuid {
		t.Errorf("uuid: got %x", u)
	}
	if d.Err() != nil || d.Remaining() != 0 {
		t.Errorf("got err %v and %d bytes left, want none", d.Err(), d.Remaining())
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		dec  func(d *Decoder)
		want error
	}{
		{"truncated int", "0000", func(d *Decoder) { d.Uint32() }, ErrShort},
		{"truncated hyper", "00000000", func(d *Decoder) { d.Uint64() }, ErrShort},
		{"string longer than data", "00000010616263", func(d *Decoder) { d.String(100) }, ErrShort},
		{"string over limit", "0000000561626364650000", func(d *Decoder) { d.String(4) }, nil},
		{"huge count", "ffffffff", func(d *Decoder) { d.Count(1<<30, 4) }, nil},
		{"count beyond data", "00000100", func(d *Decoder) { d.Count(1000, 4) }, ErrShort},
		{"bad optional marker", "00000002", func(d *Decoder) { d.OptString(10) }, nil},
		{"chars beyond data", "0000000300000061", func(d *Decoder) { d.Chars(10) }, ErrShort},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, _ := hex.DecodeString(tc.in)
			d := NewDecoder(b)
			tc.dec(d)
			if d.Err() == nil {
				t.Fatalf("got no error")
			}
			if tc.want != nil && !errors.Is(d.Err(), tc.want) {
				t.Errorf("got %v, want %v", d.Err(), tc.want)
			}
			// The error is sticky: later reads return zero values.
			if v := d.Uint32(); v != 0 {
				t.Errorf("read after error: got %d, want 0", v)
			}
		})
	}
}

func TestEncoderReuse(t *testing.T) {
	buf := make([]byte, 0, 64)
	e := NewEncoder(buf)
	e.String("abc")
	first := bytes.Clone(e.Bytes())
	e.Reset(buf)
	e.String("abc")
	if !bytes.Equal(first, e.Bytes()) {
		t.Errorf("got %x after reset, want %x", e.Bytes(), first)
	}
}
