// Package proto holds the REMOTE program of libvirt's RPC protocol as
// govirt speaks it: procedure numbers and names (procs_gen.go), and the
// argument, reply and event message types with their XDR codecs (types.go,
// types_xdr.go, typedparam.go). Both are generated from procs.txt and
// types.go by gen/.
package proto

//go:generate go run ./gen

import "github.com/govirt/govirt/internal/rpc/xdr"

// Proc is a procedure number of the REMOTE program.
type Proc int32

// String returns libvirt's name for the procedure ("DOMAIN_LOOKUP_BY_NAME"),
// or "proc N" for one libvirt 9.0 does not define.
func (p Proc) String() string {
	if p.Known() {
		return procNames[p]
	}
	return "proc " + itoa(int32(p))
}

// Known reports whether libvirt 9.0 defines the procedure.
func (p Proc) Known() bool { return p > 0 && int(p) < len(procNames) && procNames[p] != "" }

// API returns the name of the libvirt API function the procedure carries
// ("virDomainLookupByName"), the name no-support and read-only errors show.
func (p Proc) API() string {
	if p.Known() {
		return procAPIs[p]
	}
	return p.String()
}

// Writes reports whether libvirt refuses the procedure on a read-only
// connection.
func (p Proc) Writes() bool { return p.Known() && int(p) < len(procWrites) && procWrites[p] }

func itoa(v int32) string {
	var b [12]byte
	i := len(b)
	neg := v < 0
	u := int64(v)
	if neg {
		u = -u
	}
	for {
		i--
		b[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// Encoder is implemented by every message type: it appends itself in XDR.
type Encoder interface {
	EncodeXDR(e *xdr.Encoder)
}

// Decoder is implemented by pointers to every message type.
type Decoder interface {
	DecodeXDR(d *xdr.Decoder)
}

// message is what every generated type is.
type message interface {
	Encoder
	Decoder
}
