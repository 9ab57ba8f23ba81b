package daemon

import "encoding/pem"

// pemDecode returns the bytes of the first PEM block in b, or nil.
func pemDecode(b []byte) ([]byte, []byte) {
	blk, rest := pem.Decode(b)
	if blk == nil {
		return nil, b
	}
	return blk.Bytes, rest
}
