package server

import (
	"context"

	"github.com/govirt/govirt/internal/rpc/proto"
	"github.com/govirt/govirt/internal/rpc/xdr"
	"github.com/govirt/govirt/virt"
)

func domainTuneHandlers(r registry) {
	setMem := func(fixed virt.ModifyFlags, useFlags bool) procFunc {
		return func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
			var a proto.DomainUint64FlagsArgs
			if useFlags {
				if err := args(d, &a); err != nil {
					return nil, err
				}
			} else {
				var b proto.DomainUint64Args
				if err := args(d, &b); err != nil {
					return nil, err
				}
				a.Dom, a.Value = b.Dom, b.Value
			}
			return nil, conn.DomainFromRef(domRef(a.Dom)).SetMemory(ctx, a.Value, fixed|virt.ModifyFlags(a.Flags))
		}
	}
	r.add(proto.ProcDomainSetMemory, setMem(virt.AffectLive, false))
	r.add(proto.ProcDomainSetMaxMemory, setMem(virt.MemMaximum, false))
	r.add(proto.ProcDomainSetMemoryFlags, setMem(0, true))

	r.add(proto.ProcDomainSetVcpus, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.DomainUint32Args
		if err := args(d, &a); err != nil {
			return nil, err
		}
		return nil, conn.DomainFromRef(domRef(a.Dom)).SetVcpus(ctx, a.Value, virt.AffectLive)
	})
	r.add(proto.ProcDomainSetVcpusFlags, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.DomainUint32FlagsArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		return nil, conn.DomainFromRef(domRef(a.Dom)).SetVcpus(ctx, a.Value, virt.ModifyFlags(a.Flags))
	})
	r.add(proto.ProcDomainGetVcpusFlags, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		dom, flags, err := domainFlags(conn, d)
		if err != nil {
			return nil, err
		}
		n, err := dom.VcpuCount(ctx, virt.ModifyFlags(flags))
		if err != nil {
			return nil, err
		}
		return &proto.IntRet{Value: n}, nil
	})
	r.add(proto.ProcDomainGetMaxVcpus, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		dom, err := domain(conn, d)
		if err != nil {
			return nil, err
		}
		n, err := dom.VcpuCount(ctx, virt.AffectLive|virt.VcpuMaximum)
		if err != nil {
			return nil, err
		}
		return &proto.IntRet{Value: n}, nil
	})
	r.add(proto.ProcDomainGetVcpus, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.DomainGetVcpusArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		if a.Maxinfo < 0 || a.Maplen < 0 {
			return nil, virt.Errorf(virt.ErrInvalidArg, virt.FromRPC, "maxinfo and maplen must not be negative")
		}
		if a.Maxinfo > proto.VcpuInfoMax {
			return nil, virt.Errorf(virt.ErrRPC, virt.FromRPC, "maxinfo > REMOTE_VCPUINFO_MAX")
		}
		if int64(a.Maxinfo)*int64(a.Maplen) > proto.CpumapsMax {
			return nil, virt.Errorf(virt.ErrRPC, virt.FromRPC, "maxinfo * maplen > REMOTE_CPUMAPS_MAX")
		}
		vcpus, err := conn.DomainFromRef(domRef(a.Dom)).Vcpus(ctx)
		if err != nil {
			return nil, err
		}
		n := min(len(vcpus), int(a.Maxinfo))
		ret := &proto.DomainGetVcpusRet{Info: make([]proto.VcpuInfo, n), Cpumaps: make([]byte, int(a.Maxinfo)*int(a.Maplen))}
		for i, v := range vcpus[:n] {
			ret.Info[i] = proto.VcpuInfo{Number: v.Number, State: v.State, CPUTime: v.CPUTime, CPU: v.CPU}
			copy(ret.Cpumaps[i*int(a.Maplen):(i+1)*int(a.Maplen)], bitmap(v.Affinity, int(a.Maplen)))
		}
		return ret, nil
	})
	r.add(proto.ProcDomainGetVcpuPinInfo, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.DomainGetVcpuPinInfoArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		if a.Ncpumaps < 0 || a.Maplen < 0 || int64(a.Ncpumaps)*int64(a.Maplen) > proto.CpumapsMax {
			return nil, virt.Errorf(virt.ErrRPC, virt.FromRPC, "ncpumaps * maplen > REMOTE_CPUMAPS_MAX")
		}
		maps, err := conn.DomainFromRef(domRef(a.Dom)).VcpuPinInfo(ctx, virt.ModifyFlags(a.Flags))
		if err != nil {
			return nil, err
		}
		n := min(len(maps), int(a.Ncpumaps))
		ret := &proto.DomainGetVcpuPinInfoRet{Cpumaps: make([]byte, int(a.Ncpumaps)*int(a.Maplen)), Num: int32(n)}
		for i, m := range maps[:n] {
			copy(ret.Cpumaps[i*int(a.Maplen):], bitmap(m, int(a.Maplen)))
		}
		return ret, nil
	})
	r.add(proto.ProcDomainGetSecurityLabel, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		dom, err := domain(conn, d)
		if err != nil {
			return nil, err
		}
		l, err := dom.SecurityLabel(ctx)
		if err != nil {
			return nil, err
		}
		ret := &proto.DomainGetSecurityLabelRet{Label: cString(l.Label)}
		if l.Enforcing {
			ret.Enforcing = 1
		}
		return ret, nil
	})

	// Scheduler parameters.
	r.add(proto.ProcDomainGetSchedulerType, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		dom, err := domain(conn, d)
		if err != nil {
			return nil, err
		}
		typ, params, err := dom.Scheduler(ctx, 0)
		if err != nil {
			return nil, err
		}
		return &proto.DomainGetSchedulerTypeRet{Type: typ, Nparams: int32(len(params))}, nil
	})
	getSched := func(withFlags bool) procFunc {
		return func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
			var a proto.DomainGetSchedulerParametersArgs
			if withFlags {
				if err := args(d, &a); err != nil {
					return nil, err
				}
			} else {
				var b proto.DomainIntArgs
				if err := args(d, &b); err != nil {
					return nil, err
				}
				a.Dom, a.Nparams = b.Dom, b.Value
			}
			if a.Nparams < 0 || a.Nparams > proto.SchedulerParamsMax {
				return nil, virt.Errorf(virt.ErrRPC, virt.FromRPC, "nparams too large")
			}
			_, params, err := conn.DomainFromRef(domRef(a.Dom)).Scheduler(ctx, virt.ModifyFlags(a.Flags))
			if err != nil {
				return nil, err
			}
			if len(params) > int(a.Nparams) {
				params = params[:a.Nparams]
			}
			return typedParams(params)
		}
	}
	r.add(proto.ProcDomainGetSchedulerParameters, getSched(false))
	r.add(proto.ProcDomainGetSchedulerParametersFlags, getSched(true))
	r.add(proto.ProcDomainSetSchedulerParameters, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.DomainSetSchedulerParametersArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		return nil, conn.DomainFromRef(domRef(a.Dom)).SetScheduler(ctx, schedParams(a.Params), 0)
	})
	r.add(proto.ProcDomainSetSchedulerParametersFlags, func(c *client, ctx context.Context, conn *virt.Conn, d *xdr.Decoder) (proto.Encoder, error) {
		var a proto.DomainSetSchedulerParametersFlagsArgs
		if err := args(d, &a); err != nil {
			return nil, err
		}
		return nil, conn.DomainFromRef(domRef(a.Dom)).SetScheduler(ctx, schedParams(a.Params), virt.ModifyFlags(a.Flags))
	})
}

func typedParams(params []virt.SchedParam) (*proto.TypedParamsRet, error) {
	ret := &proto.TypedParamsRet{Params: make([]proto.TypedParam, len(params))}
	for i, p := range params {
		v, err := proto.ParamValue(p.Value)
		if err != nil {
			return nil, virt.Errorf(virt.ErrInternal, virt.FromRPC, "%v", err)
		}
		ret.Params[i] = proto.TypedParam{Field: p.Field, Value: v}
	}
	return ret, nil
}

func schedParams(ps []proto.TypedParam) []virt.SchedParam {
	out := make([]virt.SchedParam, len(ps))
	for i, p := range ps {
		out[i] = virt.SchedParam{Field: p.Field, Value: p.Value.Value}
	}
	return out
}
