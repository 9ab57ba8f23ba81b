package virt

import "context"

// The methods in this file do what other Domain methods do, but name the
// libvirt API a client such as virsh actually calls, which is what
// read-only refusals report: virsh calls the flags variants even with no
// flags, and the flagless ones where libvirt has them.

// UndefineFlags is Undefine as libvirt's virDomainUndefineFlags, even when
// flags is 0.
func (d *Domain) UndefineFlags(ctx context.Context, flags UndefineFlags) error {
	s, err := writeFamily[DomainStore](d.c, FromDomain, "virDomainUndefineFlags")
	if err != nil {
		return err
	}
	return s.UndefineDomain(ctx, d.Ref(), flags)
}

// SetMemoryFlags is SetMemory as libvirt's virDomainSetMemoryFlags, also
// when flags hold MemMaximum.
func (d *Domain) SetMemoryFlags(ctx context.Context, kib uint64, flags ModifyFlags) error {
	t, err := writeFamily[DomainTuner](d.c, FromDomain, "virDomainSetMemoryFlags")
	if err != nil {
		return err
	}
	return t.SetDomainMemory(ctx, d.Ref(), kib, flags)
}

// SetVcpusLive changes the running guest's vCPU count: libvirt's flagless
// virDomainSetVcpus (SetVcpus with AffectLive).
func (d *Domain) SetVcpusLive(ctx context.Context, n uint32) error {
	t, err := writeFamily[DomainTuner](d.c, FromDomain, "virDomainSetVcpus")
	if err != nil {
		return err
	}
	return t.SetDomainVcpus(ctx, d.Ref(), n, AffectLive)
}
