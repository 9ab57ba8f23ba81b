package remote

import (
	"context"

	"github.com/govirt/govirt/internal/rpc/proto"
	"github.com/govirt/govirt/virt"
)

func wireDom(r virt.DomainRef) proto.Domain {
	return proto.Domain{Name: r.Name, UUID: proto.UUID(r.UUID), ID: r.ID}
}

func domRef(d proto.Domain) virt.DomainRef {
	return virt.DomainRef{Name: d.Name, UUID: virt.UUID(d.UUID), ID: d.ID}
}

func (c *conn) domRet(ctx context.Context, p proto.Proc, args proto.Encoder) (virt.DomainRef, error) {
	var r proto.DomainRet
	if err := c.call(ctx, p, args, &r); err != nil {
		return virt.DomainRef{}, err
	}
	return domRef(r.Dom), nil
}

func (c *conn) intRet(ctx context.Context, p proto.Proc, args proto.Encoder) (int32, error) {
	var r proto.IntRet
	err := c.call(ctx, p, args, &r)
	return r.Value, err
}

// LookupDomainByName implements virt.DomainStore.
func (c *conn) LookupDomainByName(ctx context.Context, name string) (virt.DomainRef, error) {
	return c.domRet(ctx, proto.ProcDomainLookupByName, &proto.NameArgs{Name: name})
}

// LookupDomainByUUID implements virt.DomainStore.
func (c *conn) LookupDomainByUUID(ctx context.Context, u virt.UUID) (virt.DomainRef, error) {
	return c.domRet(ctx, proto.ProcDomainLookupByUUID, &proto.UUIDArgs{UUID: proto.UUID(u)})
}

// LookupDomainByID implements virt.DomainStore.
func (c *conn) LookupDomainByID(ctx context.Context, id int32) (virt.DomainRef, error) {
	return c.domRet(ctx, proto.ProcDomainLookupByID, &proto.IntArgs{Value: id})
}

// ListDomains implements virt.DomainStore.
func (c *conn) ListDomains(ctx context.Context, flags virt.ListDomainsFlags) ([]virt.DomainRef, error) {
	var r proto.DomainListRet
	if err := c.call(ctx, proto.ProcConnectListAllDomains, &proto.ListAllArgs{NeedResults: 1, Flags: uint32(flags)}, &r); err != nil {
		return nil, err
	}
	out := make([]virt.DomainRef, len(r.Domains))
	for i, d := range r.Domains {
		out[i] = domRef(d)
	}
	return out, nil
}

// DefineDomain implements virt.DomainStore.
func (c *conn) DefineDomain(ctx context.Context, xml string, flags virt.DefineFlags) (virt.DomainRef, error) {
	if flags == 0 {
		return c.domRet(ctx, proto.ProcDomainDefineXML, &proto.NameArgs{Name: xml})
	}
	return c.domRet(ctx, proto.ProcDomainDefineXMLFlags, &proto.StringFlagsArgs{Str: xml, Flags: uint32(flags)})
}

// UndefineDomain implements virt.DomainStore.
func (c *conn) UndefineDomain(ctx context.Context, d virt.DomainRef, flags virt.UndefineFlags) error {
	return c.call(ctx, proto.ProcDomainUndefineFlags, &proto.DomainFlagsArgs{Dom: wireDom(d), Flags: uint32(flags)}, nil)
}

// DomainXML implements virt.DomainStore.
func (c *conn) DomainXML(ctx context.Context, d virt.DomainRef, flags virt.DomainXMLFlags) (string, error) {
	var r proto.StringRet
	err := c.call(ctx, proto.ProcDomainGetXMLDesc, &proto.DomainFlagsArgs{Dom: wireDom(d), Flags: uint32(flags)}, &r)
	return r.Str, err
}

// DomainInfo implements virt.DomainStore.
func (c *conn) DomainInfo(ctx context.Context, d virt.DomainRef) (virt.DomainInfo, error) {
	var r proto.DomainGetInfoRet
	if err := c.call(ctx, proto.ProcDomainGetInfo, &proto.DomainArgs{Dom: wireDom(d)}, &r); err != nil {
		return virt.DomainInfo{}, err
	}
	return virt.DomainInfo{State: virt.DomainState(r.State), MaxMem: r.MaxMem, Memory: r.Memory, NrVirtCPU: uint16(r.NrVirtCPU), CPUTime: r.CPUTime}, nil
}

// DomainState implements virt.DomainStore.
func (c *conn) DomainState(ctx context.Context, d virt.DomainRef) (virt.DomainState, int, error) {
	var r proto.DomainGetStateRet
	if err := c.call(ctx, proto.ProcDomainGetState, &proto.DomainFlagsArgs{Dom: wireDom(d)}, &r); err != nil {
		return 0, 0, err
	}
	return virt.DomainState(r.State), int(r.Reason), nil
}

// DomainFlags implements virt.DomainStore with four calls, pipelined.
func (c *conn) DomainFlags(ctx context.Context, d virt.DomainRef) (virt.DomainFlagSet, error) {
	dom := &proto.DomainArgs{Dom: wireDom(d)}
	pers := c.c.Go(proto.ProcDomainIsPersistent, dom)
	auto := c.c.Go(proto.ProcDomainGetAutostart, dom)
	save := c.c.Go(proto.ProcDomainHasManagedSaveImage, &proto.DomainFlagsArgs{Dom: dom.Dom})
	ostype := c.c.Go(proto.ProcDomainGetOSType, dom)
	var p, a, s proto.IntRet
	var t proto.StringRet
	errs := []error{pers.Wait(ctx, &p), auto.Wait(ctx, &a), save.Wait(ctx, &s), ostype.Wait(ctx, &t)}
	for _, err := range errs {
		if err != nil {
			return virt.DomainFlagSet{}, err
		}
	}
	return virt.DomainFlagSet{Persistent: p.Value != 0, Autostart: a.Value != 0, ManagedSave: s.Value != 0, OSType: t.Str}, nil
}

// SetDomainAutostart implements virt.DomainStore.
func (c *conn) SetDomainAutostart(ctx context.Context, d virt.DomainRef, on bool) error {
	v := int32(0)
	if on {
		v = 1
	}
	return c.call(ctx, proto.ProcDomainSetAutostart, &proto.DomainIntArgs{Dom: wireDom(d), Value: v}, nil)
}

// DomainMessages implements virt.DomainMessenger.
func (c *conn) DomainMessages(ctx context.Context, d virt.DomainRef, flags uint32) ([]string, error) {
	var r proto.DomainGetMessagesRet
	err := c.call(ctx, proto.ProcDomainGetMessages, &proto.DomainFlagsArgs{Dom: wireDom(d), Flags: flags}, &r)
	return r.Msgs, err
}

// DomainSnapshotCount implements virt.DomainSnapshotCounter.
func (c *conn) DomainSnapshotCount(ctx context.Context, d virt.DomainRef, flags uint32) (int, error) {
	n, err := c.intRet(ctx, proto.ProcDomainSnapshotNum, &proto.DomainFlagsArgs{Dom: wireDom(d), Flags: flags})
	return int(n), err
}

// CreateDomain implements virt.DomainLifecycle.
func (c *conn) CreateDomain(ctx context.Context, xml string, flags virt.CreateFlags) (virt.DomainRef, error) {
	return c.domRet(ctx, proto.ProcDomainCreateXML, &proto.StringFlagsArgs{Str: xml, Flags: uint32(flags)})
}

// StartDomain implements virt.DomainLifecycle: CREATE_WITH_FLAGS returns
// the domain with its new id.
func (c *conn) StartDomain(ctx context.Context, d virt.DomainRef, flags virt.CreateFlags) (virt.DomainRef, error) {
	return c.domRet(ctx, proto.ProcDomainCreateWithFlags, &proto.DomainFlagsArgs{Dom: wireDom(d), Flags: uint32(flags)})
}

func (c *conn) domFlagsCall(ctx context.Context, p proto.Proc, d virt.DomainRef, flags uint32) error {
	return c.call(ctx, p, &proto.DomainFlagsArgs{Dom: wireDom(d), Flags: flags}, nil)
}

func (c *conn) domCall(ctx context.Context, p proto.Proc, d virt.DomainRef) error {
	return c.call(ctx, p, &proto.DomainArgs{Dom: wireDom(d)}, nil)
}

// ShutdownDomain implements virt.DomainLifecycle.
func (c *conn) ShutdownDomain(ctx context.Context, d virt.DomainRef, flags uint32) error {
	if flags == 0 {
		return c.domCall(ctx, proto.ProcDomainShutdown, d)
	}
	return c.domFlagsCall(ctx, proto.ProcDomainShutdownFlags, d, flags)
}

// DestroyDomain implements virt.DomainLifecycle.
func (c *conn) DestroyDomain(ctx context.Context, d virt.DomainRef, flags uint32) error {
	if flags == 0 {
		return c.domCall(ctx, proto.ProcDomainDestroy, d)
	}
	return c.domFlagsCall(ctx, proto.ProcDomainDestroyFlags, d, flags)
}

// RebootDomain implements virt.DomainLifecycle.
func (c *conn) RebootDomain(ctx context.Context, d virt.DomainRef, flags uint32) error {
	return c.domFlagsCall(ctx, proto.ProcDomainReboot, d, flags)
}

// ResetDomain implements virt.DomainLifecycle.
func (c *conn) ResetDomain(ctx context.Context, d virt.DomainRef) error {
	return c.domFlagsCall(ctx, proto.ProcDomainReset, d, 0)
}

// SuspendDomain implements virt.DomainLifecycle.
func (c *conn) SuspendDomain(ctx context.Context, d virt.DomainRef) error {
	return c.domCall(ctx, proto.ProcDomainSuspend, d)
}

// ResumeDomain implements virt.DomainLifecycle.
func (c *conn) ResumeDomain(ctx context.Context, d virt.DomainRef) error {
	return c.domCall(ctx, proto.ProcDomainResume, d)
}

// ManagedSaveDomain implements virt.DomainSaver.
func (c *conn) ManagedSaveDomain(ctx context.Context, d virt.DomainRef, flags uint32) error {
	return c.domFlagsCall(ctx, proto.ProcDomainManagedSave, d, flags)
}

// ManagedSaveRemove implements virt.DomainSaver.
func (c *conn) ManagedSaveRemove(ctx context.Context, d virt.DomainRef, flags uint32) error {
	return c.domFlagsCall(ctx, proto.ProcDomainManagedSaveRemove, d, flags)
}

// SetDomainMemory implements virt.DomainTuner.
func (c *conn) SetDomainMemory(ctx context.Context, d virt.DomainRef, kib uint64, flags virt.ModifyFlags) error {
	return c.call(ctx, proto.ProcDomainSetMemoryFlags, &proto.DomainUint64FlagsArgs{Dom: wireDom(d), Value: kib, Flags: uint32(flags)}, nil)
}

// SetDomainVcpus implements virt.DomainTuner.
func (c *conn) SetDomainVcpus(ctx context.Context, d virt.DomainRef, n uint32, flags virt.ModifyFlags) error {
	return c.call(ctx, proto.ProcDomainSetVcpusFlags, &proto.DomainUint32FlagsArgs{Dom: wireDom(d), Value: n, Flags: uint32(flags)}, nil)
}

// DomainVcpuCount implements virt.DomainTuner.
func (c *conn) DomainVcpuCount(ctx context.Context, d virt.DomainRef, flags virt.ModifyFlags) (int32, error) {
	return c.intRet(ctx, proto.ProcDomainGetVcpusFlags, &proto.DomainFlagsArgs{Dom: wireDom(d), Flags: uint32(flags)})
}

// DomainVcpus implements virt.DomainTuner: it asks for as many entries as
// the domain has vCPUs, with maps as wide as the host's CPU map.
func (c *conn) DomainVcpus(ctx context.Context, d virt.DomainRef) ([]virt.VcpuInfo, error) {
	in, err := c.DomainInfo(ctx, d)
	if err != nil {
		return nil, err
	}
	// The node's CPU map sets the width, as libvirt's clients do.
	ncpu := 0
	if m, err := c.NodeCPUMap(ctx); err == nil {
		ncpu = len(m)
	} else {
		ncpu = c.hostCPUs(ctx)
	}
	maplen := (ncpu + 7) / 8
	var r proto.DomainGetVcpusRet
	if err := c.call(ctx, proto.ProcDomainGetVcpus, &proto.DomainGetVcpusArgs{Dom: wireDom(d), Maxinfo: int32(in.NrVirtCPU), Maplen: int32(maplen)}, &r); err != nil {
		return nil, err
	}
	out := make([]virt.VcpuInfo, len(r.Info))
	for i, v := range r.Info {
		out[i] = virt.VcpuInfo{Number: v.Number, State: v.State, CPUTime: v.CPUTime, CPU: v.CPU}
		if (i+1)*maplen <= len(r.Cpumaps) {
			out[i].Affinity = unpackMap(r.Cpumaps[i*maplen:(i+1)*maplen], ncpu)
		}
	}
	return out, nil
}

// DomainVcpuPinInfo implements virt.DomainVcpuPinner.
func (c *conn) DomainVcpuPinInfo(ctx context.Context, d virt.DomainRef, flags virt.ModifyFlags) ([][]bool, error) {
	max, err := c.DomainVcpuCount(ctx, d, flags|virt.VcpuMaximum)
	if err != nil {
		return nil, err
	}
	ncpu := c.hostCPUs(ctx)
	maplen := (ncpu + 7) / 8
	var r proto.DomainGetVcpuPinInfoRet
	if err := c.call(ctx, proto.ProcDomainGetVcpuPinInfo, &proto.DomainGetVcpuPinInfoArgs{Dom: wireDom(d), Ncpumaps: max, Maplen: int32(maplen), Flags: uint32(flags)}, &r); err != nil {
		return nil, err
	}
	out := make([][]bool, 0, r.Num)
	for i := 0; i < int(r.Num) && (i+1)*maplen <= len(r.Cpumaps); i++ {
		out = append(out, unpackMap(r.Cpumaps[i*maplen:(i+1)*maplen], ncpu))
	}
	return out, nil
}

// DomainScheduler implements virt.DomainTuner.
func (c *conn) DomainScheduler(ctx context.Context, d virt.DomainRef, flags virt.ModifyFlags) (string, []virt.SchedParam, error) {
	var t proto.DomainGetSchedulerTypeRet
	if err := c.call(ctx, proto.ProcDomainGetSchedulerType, &proto.DomainArgs{Dom: wireDom(d)}, &t); err != nil {
		return "", nil, err
	}
	if t.Nparams == 0 {
		return t.Type, nil, nil
	}
	var r proto.TypedParamsRet
	if err := c.call(ctx, proto.ProcDomainGetSchedulerParametersFlags, &proto.DomainGetSchedulerParametersArgs{Dom: wireDom(d), Nparams: t.Nparams, Flags: uint32(flags)}, &r); err != nil {
		return "", nil, err
	}
	out := make([]virt.SchedParam, len(r.Params))
	for i, p := range r.Params {
		out[i] = virt.SchedParam{Field: p.Field, Value: p.Value.Value}
	}
	return t.Type, out, nil
}

// SetDomainScheduler implements virt.DomainTuner.
func (c *conn) SetDomainScheduler(ctx context.Context, d virt.DomainRef, params []virt.SchedParam, flags virt.ModifyFlags) error {
	ps := make([]proto.TypedParam, len(params))
	for i, p := range params {
		v, err := proto.ParamValue(p.Value)
		if err != nil {
			return virt.Errorf(virt.ErrInvalidArg, virt.FromRemote, "%v", err)
		}
		ps[i] = proto.TypedParam{Field: p.Field, Value: v}
	}
	return c.call(ctx, proto.ProcDomainSetSchedulerParametersFlags, &proto.DomainSetSchedulerParametersFlagsArgs{Dom: wireDom(d), Params: ps, Flags: uint32(flags)}, nil)
}

// DomainSecurityLabel implements virt.DomainSecurity.
func (c *conn) DomainSecurityLabel(ctx context.Context, d virt.DomainRef) (virt.SecurityLabel, error) {
	var r proto.DomainGetSecurityLabelRet
	if err := c.call(ctx, proto.ProcDomainGetSecurityLabel, &proto.DomainArgs{Dom: wireDom(d)}, &r); err != nil {
		return virt.SecurityLabel{}, err
	}
	return virt.SecurityLabel{Label: goString(r.Label), Enforcing: r.Enforcing != 0}, nil
}

// OpenDomainConsole implements virt.DomainConsole.
func (c *conn) OpenDomainConsole(ctx context.Context, d virt.DomainRef, dev string, flags uint32) (virt.Stream, error) {
	a := &proto.DomainOpenConsoleArgs{Dom: wireDom(d), Flags: flags}
	if dev != "" {
		a.DevName = &dev
	}
	return c.c.OpenStream(ctx, proto.ProcDomainOpenConsole, a)
}

// hostCPUs is the width of the CPU maps asked for: enough for every CPU
// the node reports, in its CPU map or its node info.
func (c *conn) hostCPUs(ctx context.Context) int {
	n := 0
	if m, err := c.NodeCPUMap(ctx); err == nil {
		n = len(m)
	}
	if ni, err := c.NodeInfo(ctx); err == nil && int(ni.CPUs) > n {
		n = int(ni.CPUs)
	}
	return n
}
