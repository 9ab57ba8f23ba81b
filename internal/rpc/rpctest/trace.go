// Package rpctest reads the recorded libvirt RPC sessions in
// ../shared/protocol/traces (format "libvirt-rpc-trace v1") for replay
// tests of the server and the client.
package rpctest

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/govirt/govirt/internal/rpc"
)

// Message is one recorded message.
type Message struct {
	// FromClient is true for "C>" lines.
	FromClient bool
	// Raw is the whole message including its length word.
	Raw []byte
	// Header is the decoded header.
	Header rpc.Header
	// Line is the line number in the trace file.
	Line int
}

// Payload returns the bytes after the header.
func (m Message) Payload() []byte { return m.Raw[4+rpc.HeaderSize:] }

// ReadTrace parses a trace file.
func ReadTrace(path string) ([]Message, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Message
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for line := 1; sc.Scan(); line++ {
		t := strings.TrimSpace(sc.Text())
		if t == "" || t[0] == '#' {
			continue
		}
		dir, hx, ok := strings.Cut(t, " ")
		if !ok || (dir != "C>" && dir != "S>") {
			return nil, fmt.Errorf("%s:%d: want 'C> HEX' or 'S> HEX'", path, line)
		}
		raw, err := hex.DecodeString(strings.TrimSpace(hx))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if len(raw) < 4+rpc.HeaderSize || int(binary.BigEndian.Uint32(raw)) != len(raw) {
			return nil, fmt.Errorf("%s:%d: length word does not match the message", path, line)
		}
		h, err := rpc.ParseHeader(raw[4:])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		out = append(out, Message{FromClient: dir == "C>", Raw: raw, Header: h, Line: line})
	}
	return out, sc.Err()
}
