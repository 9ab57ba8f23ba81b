package rpc

import (
	"fmt"

	"github.com/govirt/govirt/internal/rpc/proto"
	"github.com/govirt/govirt/internal/rpc/xdr"
	"github.com/govirt/govirt/virt"
)

// EncodeError appends err as a remote_error: code, domain, message, level,
// and libvirt's str1 (the message template) and str2 (its argument), with
// int1 and int2 at -1 as libvirtd sends them.
func EncodeError(e *xdr.Encoder, err error) {
	ve := virt.AsError(err)
	msg := ve.Message
	pe := proto.Error{
		Code:    int32(ve.Code),
		Domain:  int32(ve.Domain),
		Message: &msg,
		Level:   int32(ve.Level),
		Int1:    -1,
		Int2:    -1,
	}
	if pe.Level == 0 {
		pe.Level = int32(virt.LevelError)
	}
	if ve.Format != "" {
		f := ve.Format
		pe.Str1 = &f
	}
	if ve.Detail != "" || ve.Format != "" {
		d := ve.Detail
		pe.Str2 = &d
	}
	pe.EncodeXDR(e)
}

// DecodeError reads a remote_error payload into a *virt.Error.
func DecodeError(payload []byte) *virt.Error {
	var pe proto.Error
	d := xdr.NewDecoder(payload)
	pe.DecodeXDR(d)
	if d.Err() != nil {
		return virt.Errorf(virt.ErrRPC, virt.FromRPC, "Unable to decode error payload: %v", d.Err())
	}
	return ErrorFromProto(&pe)
}

// ErrorFromProto converts a decoded remote_error.
func ErrorFromProto(pe *proto.Error) *virt.Error {
	ve := &virt.Error{
		Code:   virt.ErrorNumber(pe.Code),
		Domain: virt.ErrorDomain(pe.Domain),
		Level:  virt.ErrorLevel(pe.Level),
	}
	if pe.Message != nil {
		ve.Message = *pe.Message
	} else {
		ve.Message = fmt.Sprintf("unknown error (code %d)", pe.Code)
	}
	if pe.Str1 != nil {
		ve.Format = *pe.Str1
	}
	if pe.Str2 != nil {
		ve.Detail = *pe.Str2
	}
	return ve
}

// RPCError is a VIR_ERR_RPC error from VIR_FROM_RPC with message msg, the
// kind libvirtd answers protocol misuse with.
func RPCError(format string, args ...any) *virt.Error {
	return virt.Errorf(virt.ErrRPC, virt.FromRPC, "%s", fmt.Sprintf(format, args...))
}

// InternalError is libvirt's "internal error: ..." from VIR_FROM_RPC.
func InternalError(detail string) *virt.Error {
	return virt.Errorf(virt.ErrInternal, virt.FromRPC, "%s", detail)
}
