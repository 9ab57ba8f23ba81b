package virt

import "context"

// ParamKind selects a family of a domain's typed-parameter tunables.
type ParamKind int

// Tunable families, each a pair of libvirt APIs.
const (
	// ParamsMemory: memory limits (virDomainGetMemoryParameters).
	ParamsMemory ParamKind = iota
	// ParamsNUMA: NUMA memory policy (virDomainGetNumaParameters).
	ParamsNUMA
	// ParamsBlkio: block I/O weights and limits (virDomainGetBlkioParameters).
	ParamsBlkio
	// ParamsInterface: bandwidth of one interface (virDomainGetInterfaceParameters).
	ParamsInterface
	// ParamsBlockIOTune: I/O throttling of one disk (virDomainGetBlockIoTune).
	ParamsBlockIOTune
	// ParamsPerf: perf event switches (virDomainGetPerfEvents).
	ParamsPerf
	// ParamsLaunchSecurity: launch security measurements
	// (virDomainGetLaunchSecurityInfo, virDomainSetLaunchSecurityState).
	ParamsLaunchSecurity
)

// TypedParamStringOkay is VIR_TYPED_PARAM_STRING_OKAY: the caller
// accepts string parameters. Clients pass it with the modify flags.
const TypedParamStringOkay uint32 = 1 << 2

// paramAPIs names the libvirt getter and setter of each family.
var paramAPIs = map[ParamKind][2]string{
	ParamsMemory:         {"virDomainGetMemoryParameters", "virDomainSetMemoryParameters"},
	ParamsNUMA:           {"virDomainGetNumaParameters", "virDomainSetNumaParameters"},
	ParamsBlkio:          {"virDomainGetBlkioParameters", "virDomainSetBlkioParameters"},
	ParamsInterface:      {"virDomainGetInterfaceParameters", "virDomainSetInterfaceParameters"},
	ParamsBlockIOTune:    {"virDomainGetBlockIoTune", "virDomainSetBlockIoTune"},
	ParamsPerf:           {"virDomainGetPerfEvents", "virDomainSetPerfEvents"},
	ParamsLaunchSecurity: {"virDomainGetLaunchSecurityInfo", "virDomainSetLaunchSecurityState"},
}

// DomainParams is implemented by drivers that tune domains through typed
// parameters. device names the interface or disk for the families that
// need one and is "" otherwise; flags are ModifyFlags bits together with
// TypedParamStringOkay.
type DomainParams interface {
	DomainParams(ctx context.Context, d DomainRef, kind ParamKind, device string, flags uint32) ([]TypedParam, error)
	SetDomainParams(ctx context.Context, d DomainRef, kind ParamKind, device string, params []TypedParam, flags uint32) error
}

// Params returns the domain's tunables of one family. Like libvirt, it
// tells the driver that string parameters are welcome.
func (d *Domain) Params(ctx context.Context, kind ParamKind, device string, flags uint32) ([]TypedParam, error) {
	p, err := family[DomainParams](d.c, FromDomain, paramAPIs[kind][0])
	if err != nil {
		return nil, err
	}
	// libvirt adds this for drivers that handle string parameters, which
	// govirt's all do.
	return p.DomainParams(ctx, d.Ref(), kind, device, flags|TypedParamStringOkay)
}

// SetParams changes some of the domain's tunables of one family.
func (d *Domain) SetParams(ctx context.Context, kind ParamKind, device string, params []TypedParam, flags uint32) error {
	p, err := writeFamily[DomainParams](d.c, FromDomain, paramAPIs[kind][1])
	if err != nil {
		return err
	}
	return p.SetDomainParams(ctx, d.Ref(), kind, device, params, flags)
}

// IOThreadInfo is one IOThread of a domain and the host CPUs it may use
// (virDomainIOThreadInfo).
type IOThreadInfo struct {
	ID     uint32
	CPUMap []bool
}

// DomainPinning is implemented by drivers that pin vCPUs and emulator
// threads to host CPUs.
type DomainPinning interface {
	// PinDomainVcpu sets the host CPUs vCPU vcpu may run on.
	PinDomainVcpu(ctx context.Context, d DomainRef, vcpu uint32, cpumap []bool, flags ModifyFlags) error
	PinDomainEmulator(ctx context.Context, d DomainRef, cpumap []bool, flags ModifyFlags) error
	DomainEmulatorPinInfo(ctx context.Context, d DomainRef, flags ModifyFlags) ([]bool, error)
}

// DomainIOThreads is implemented by drivers that manage IOThreads.
type DomainIOThreads interface {
	DomainIOThreads(ctx context.Context, d DomainRef, flags ModifyFlags) ([]IOThreadInfo, error)
	AddDomainIOThread(ctx context.Context, d DomainRef, id uint32, flags ModifyFlags) error
	DelDomainIOThread(ctx context.Context, d DomainRef, id uint32, flags ModifyFlags) error
	PinDomainIOThread(ctx context.Context, d DomainRef, id uint32, cpumap []bool, flags ModifyFlags) error
	SetDomainIOThreadParams(ctx context.Context, d DomainRef, id uint32, params []TypedParam, flags ModifyFlags) error
}

// PinVcpu restricts vCPU vcpu to the host CPUs set in cpumap. Like
// virDomainPinVcpuFlags, flags 0 affects the domain's current state.
func (d *Domain) PinVcpu(ctx context.Context, vcpu uint32, cpumap []bool, flags ModifyFlags) error {
	p, err := writeFamily[DomainPinning](d.c, FromDomain, "virDomainPinVcpuFlags")
	if err != nil {
		return err
	}
	return p.PinDomainVcpu(ctx, d.Ref(), vcpu, cpumap, flags)
}

// PinEmulator restricts the emulator threads to the host CPUs in cpumap.
func (d *Domain) PinEmulator(ctx context.Context, cpumap []bool, flags ModifyFlags) error {
	p, err := writeFamily[DomainPinning](d.c, FromDomain, "virDomainPinEmulator")
	if err != nil {
		return err
	}
	return p.PinDomainEmulator(ctx, d.Ref(), cpumap, flags)
}

// EmulatorPinInfo returns the host CPUs the emulator threads may use.
func (d *Domain) EmulatorPinInfo(ctx context.Context, flags ModifyFlags) ([]bool, error) {
	p, err := family[DomainPinning](d.c, FromDomain, "virDomainGetEmulatorPinInfo")
	if err != nil {
		return nil, err
	}
	return p.DomainEmulatorPinInfo(ctx, d.Ref(), flags)
}

// IOThreads returns the domain's IOThreads.
func (d *Domain) IOThreads(ctx context.Context, flags ModifyFlags) ([]IOThreadInfo, error) {
	t, err := family[DomainIOThreads](d.c, FromDomain, "virDomainGetIOThreadInfo")
	if err != nil {
		return nil, err
	}
	return t.DomainIOThreads(ctx, d.Ref(), flags)
}

// AddIOThread adds IOThread id.
func (d *Domain) AddIOThread(ctx context.Context, id uint32, flags ModifyFlags) error {
	t, err := writeFamily[DomainIOThreads](d.c, FromDomain, "virDomainAddIOThread")
	if err != nil {
		return err
	}
	return t.AddDomainIOThread(ctx, d.Ref(), id, flags)
}

// DelIOThread removes IOThread id.
func (d *Domain) DelIOThread(ctx context.Context, id uint32, flags ModifyFlags) error {
	t, err := writeFamily[DomainIOThreads](d.c, FromDomain, "virDomainDelIOThread")
	if err != nil {
		return err
	}
	return t.DelDomainIOThread(ctx, d.Ref(), id, flags)
}

// PinIOThread restricts IOThread id to the host CPUs in cpumap.
func (d *Domain) PinIOThread(ctx context.Context, id uint32, cpumap []bool, flags ModifyFlags) error {
	t, err := writeFamily[DomainIOThreads](d.c, FromDomain, "virDomainPinIOThread")
	if err != nil {
		return err
	}
	return t.PinDomainIOThread(ctx, d.Ref(), id, cpumap, flags)
}

// SetIOThreadParams tunes IOThread id (polling, thread pool sizes).
func (d *Domain) SetIOThreadParams(ctx context.Context, id uint32, params []TypedParam, flags ModifyFlags) error {
	t, err := writeFamily[DomainIOThreads](d.c, FromDomain, "virDomainSetIOThreadParams")
	if err != nil {
		return err
	}
	return t.SetDomainIOThreadParams(ctx, d.Ref(), id, params, flags)
}
