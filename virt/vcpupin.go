package virt

import (
	"context"

	"github.com/govirt/govirt/virtxml"
)

// DomainVcpuPinner is implemented by drivers that report vCPU pinning
// themselves (virDomainGetVcpuPinInfo). Drivers without it get the answer
// VcpuPinInfo derives from their other calls.
type DomainVcpuPinner interface {
	DomainVcpuPinInfo(ctx context.Context, d DomainRef, flags ModifyFlags) ([][]bool, error)
}

// VcpuPinInfo returns, for each vCPU, the host CPUs it may run on: of the
// running guest (AffectLive, or AffectCurrent on an active domain) or of
// the definition (AffectConfig, or AffectCurrent on an inactive one), for
// every vCPU up to the maximum.
func (d *Domain) VcpuPinInfo(ctx context.Context, flags ModifyFlags) ([][]bool, error) {
	if p, ok := d.c.drv.(DomainVcpuPinner); ok {
		return p.DomainVcpuPinInfo(ctx, d.Ref(), flags)
	}
	if _, err := family[DomainStore](d.c, FromDomain, "virDomainGetVcpuPinInfo"); err != nil {
		return nil, err
	}
	active, err := d.IsActive(ctx)
	if err != nil {
		return nil, err
	}
	live := flags&AffectLive != 0 || (flags&(AffectLive|AffectConfig) == 0 && active)
	if live {
		if !active {
			return nil, Errorf(ErrOperationInvalid, FromDomain, "domain is not running")
		}
		vcpus, err := d.Vcpus(ctx)
		if err != nil {
			return nil, err
		}
		out := make([][]bool, len(vcpus))
		for i, v := range vcpus {
			out[i] = v.Affinity
		}
		return out, nil
	}
	ncpu := 0
	if m, err := d.c.NodeCPUMap(ctx); err == nil {
		ncpu = len(m)
	} else if ni, err := d.c.NodeInfo(ctx); err == nil {
		ncpu = int(ni.CPUs)
	}
	doc, err := d.XML(ctx, XMLInactive)
	if err != nil {
		return nil, err
	}
	def, err := virtxml.ParseDomain([]byte(doc))
	if err != nil {
		return nil, FromXMLError(err, FromDomain)
	}
	n, set := 1, ""
	if def.VCPU != nil {
		n, set = int(def.VCPU.Value), def.VCPU.CPUSet
	}
	allowed := make([]bool, ncpu)
	if cpus, ok := virtxml.ParseBitmap(set); ok {
		for _, c := range cpus {
			if int(c) < ncpu {
				allowed[c] = true
			}
		}
	} else {
		for i := range allowed {
			allowed[i] = true
		}
	}
	out := make([][]bool, n)
	for i := range out {
		out[i] = allowed
	}
	return out, nil
}
