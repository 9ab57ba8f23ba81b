package proto

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/govirt/govirt/internal/rpc/xdr"
)

// FuzzDecode feeds arbitrary bytes to the decoder of every message type.
// Decoding must never panic or allocate beyond what the data can hold,
// and whatever decodes must encode back to the bytes it consumed and
// decode again to the same value.
func FuzzDecode(f *testing.F) {
	seeds := [][]byte{
		{},
		{0, 0, 0, 7, 'l', 'v', 'p', 't', 'e', 's', 't', 0},
		{0, 0, 0, 1, 0, 0, 0, 3, 'a', 'b', 'c', 0, 0, 0, 0, 0},
		{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0},
		{0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 1, 'x', 0, 0, 0},
		bytes.Repeat([]byte{0, 0, 0, 1}, 40),
	}
	for _, s := range seeds {
		for i := range allTypes {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		newMsg := allTypes[int(which)%len(allTypes)]
		v := newMsg()
		d := xdr.NewDecoder(data)
		v.DecodeXDR(d)
		if d.Err() != nil {
			return
		}
		used := data[:len(data)-d.Remaining()]
		e := xdr.NewEncoder(nil)
		v.EncodeXDR(e)
		// Padding and optional markers are canonical on output, so the
		// encoding may differ from non-canonical input; it must decode to
		// the same value and be no longer than what was read.
		if len(e.Bytes()) > len(used) {
			t.Fatalf("%T: re-encoded %d bytes from %d", v, len(e.Bytes()), len(used))
		}
		w := newMsg()
		d2 := xdr.NewDecoder(e.Bytes())
		w.DecodeXDR(d2)
		if d2.Err() != nil || d2.Remaining() != 0 {
			t.Fatalf("%T: re-decoding failed: %v (%d left)", v, d2.Err(), d2.Remaining())
		}
		if !reflect.DeepEqual(v, w) {
			t.Fatalf("%T: round trip changed the value:\n%#v\n%#v", v, v, w)
		}
	})
}

func TestProcNames(t *testing.T) {
	tests := []struct {
		p      Proc
		name   string
		api    string
		writes bool
	}{
		{ProcConnectOpen, "CONNECT_OPEN", "virConnectOpen", false},
		{ProcDomainGetXMLDesc, "DOMAIN_GET_XML_DESC", "virDomainGetXMLDesc", false},
		{ProcDomainLookupByUUID, "DOMAIN_LOOKUP_BY_UUID", "virDomainLookupByUUID", false},
		{ProcDomainDefineXML, "DOMAIN_DEFINE_XML", "virDomainDefineXML", true},
		{ProcConnectListAllDomains, "CONNECT_LIST_ALL_DOMAINS", "virConnectListAllDomains", false},
		{ProcDomainScreenshot, "DOMAIN_SCREENSHOT", "virDomainScreenshot", true},
		{ProcConnectDomainEventCallbackRegisterAny, "CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY", "virConnectDomainEventCallbackRegisterAny", false},
		{ProcDomainFDAssociate, "DOMAIN_FD_ASSOCIATE", "virDomainFDAssociate", true},
		{Proc(444), "proc 444", "proc 444", false},
		{Proc(-3), "proc -3", "proc -3", false},
	}
	for _, tc := range tests {
		if tc.p.String() != tc.name || tc.p.API() != tc.api || tc.p.Writes() != tc.writes {
			t.Errorf("%d: got %s %s %v, want %s %s %v", tc.p, tc.p.String(), tc.p.API(), tc.p.Writes(), tc.name, tc.api, tc.writes)
		}
	}
	if ProcLast != 443 {
		t.Errorf("got ProcLast %d, want 443 (libvirt 9.0.0)", ProcLast)
	}
}
