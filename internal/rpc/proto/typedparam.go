package proto

import (
	"fmt"

	"github.com/govirt/govirt/internal/rpc/xdr"
)

// Typed parameter types (virTypedParameterType), the union discriminant of
// remote_typed_param_value.
const (
	ParamInt     = 1
	ParamUint    = 2
	ParamLLong   = 3
	ParamULLong  = 4
	ParamDouble  = 5
	ParamBoolean = 6
	ParamString  = 7
)

// TypedParamValue is the union remote_typed_param_value. Value holds an
// int32, uint32, int64, uint64, float64, bool or string according to Type.
type TypedParamValue struct {
	Type  int32
	Value any
}

// EncodeXDR writes the discriminant and the arm.
func (v *TypedParamValue) EncodeXDR(e *xdr.Encoder) {
	e.Int32(v.Type)
	switch v.Type {
	case ParamInt:
		x, _ := v.Value.(int32)
		e.Int32(x)
	case ParamUint:
		x, _ := v.Value.(uint32)
		e.Uint32(x)
	case ParamLLong:
		x, _ := v.Value.(int64)
		e.Int64(x)
	case ParamULLong:
		x, _ := v.Value.(uint64)
		e.Uint64(x)
	case ParamDouble:
		x, _ := v.Value.(float64)
		e.Float64(x)
	case ParamBoolean:
		x, _ := v.Value.(bool)
		e.Bool(x)
	case ParamString:
		x, _ := v.Value.(string)
		e.String(x)
	}
}

// DecodeXDR reads the discriminant and the arm; an unknown type is an error.
func (v *TypedParamValue) DecodeXDR(d *xdr.Decoder) {
	v.Type = d.Int32()
	switch v.Type {
	case ParamInt:
		v.Value = d.Int32()
	case ParamUint:
		v.Value = d.Uint32()
	case ParamLLong:
		v.Value = d.Int64()
	case ParamULLong:
		v.Value = d.Uint64()
	case ParamDouble:
		v.Value = d.Float64()
	case ParamBoolean:
		v.Value = d.Int32() != 0
	case ParamString:
		v.Value = d.String(StringMax)
	default:
		d.Fail(fmt.Errorf("xdr: unknown typed parameter type %d", v.Type))
	}
}

// ParamValue builds the union for a Go value of one of the supported types.
func ParamValue(x any) (TypedParamValue, error) {
	switch x := x.(type) {
	case int32:
		return TypedParamValue{ParamInt, x}, nil
	case uint32:
		return TypedParamValue{ParamUint, x}, nil
	case int64:
		return TypedParamValue{ParamLLong, x}, nil
	case uint64:
		return TypedParamValue{ParamULLong, x}, nil
	case float64:
		return TypedParamValue{ParamDouble, x}, nil
	case bool:
		return TypedParamValue{ParamBoolean, x}, nil
	case string:
		return TypedParamValue{ParamString, x}, nil
	}
	return TypedParamValue{}, fmt.Errorf("typed parameter of unsupported Go type %T", x)
}
