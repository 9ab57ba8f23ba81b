package virtxml

// Features lists the hypervisor features turned on or off.
type Features struct {
	ACPI         bool                 `xml:"acpi"`
	APIC         *FeatureAPIC         `xml:"apic"`
	PAE          bool                 `xml:"pae"`
	HAP          *FeatureState        `xml:"hap"`
	Viridian     bool                 `xml:"viridian"`
	PrivNet      bool                 `xml:"privnet"`
	HyperV       *FeatureHyperV       `xml:"hyperv"`
	KVM          *FeatureKVM          `xml:"kvm"`
	PVSpinlock   *FeatureState        `xml:"pvspinlock"`
	Capabilities *FeatureCapabilities `xml:"capabilities"`
	PMU          *FeatureState        `xml:"pmu"`
	VMPort       *FeatureState        `xml:"vmport"`
	GIC          *FeatureGIC          `xml:"gic"`
	SMM          *FeatureSMM          `xml:"smm"`
	IOAPIC       *FeatureIOAPIC       `xml:"ioapic"`
	HPT          *FeatureHPT          `xml:"hpt"`
	VMCoreInfo   *FeatureState        `xml:"vmcoreinfo"`
	HTM          *FeatureState        `xml:"htm"`
	NestedHV     *FeatureState        `xml:"nested-hv"`
	MSRS         *FeatureMSRS         `xml:"msrs"`
	CCFAssist    *FeatureState        `xml:"ccf-assist"`
	Xen          *FeatureXen          `xml:"xen"`
	CFPC         *FeatureValue        `xml:"cfpc"`
	SBBC         *FeatureValue        `xml:"sbbc"`
	IBS          *FeatureValue        `xml:"ibs"`
	TCG          *FeatureTCG          `xml:"tcg"`
	Extra        []*Node              `xml:",any"`
}

// FeatureState is a feature switched with state='on|off'.
type FeatureState struct {
	State string `xml:"state,attr,omitempty"`
}

// FeatureValue is a feature with a value='...' setting.
type FeatureValue struct {
	Value string `xml:"value,attr"`
}

// FeatureAPIC is the APIC feature with its EOI setting.
type FeatureAPIC struct {
	EOI string `xml:"eoi,attr,omitempty"`
}

// FeatureGIC is the ARM GIC version.
type FeatureGIC struct {
	Version string `xml:"version,attr,omitempty"`
}

// FeatureIOAPIC selects the IOAPIC driver.
type FeatureIOAPIC struct {
	Driver string `xml:"driver,attr,omitempty"`
}

// FeatureMSRS says how unknown MSRs are handled.
type FeatureMSRS struct {
	Unknown string `xml:"unknown,attr"`
}

// FeatureSMM is System Management Mode with its TSEG size.
type FeatureSMM struct {
	State string       `xml:"state,attr,omitempty"`
	TSeg  *ScaledValue `xml:"tseg"`
}

// ScaledValue is a size written with a unit.
type ScaledValue struct {
	Unit  string `xml:"unit,attr,omitempty"`
	Value uint64 `xml:",chardata"`
}

// FeatureHPT is the PowerPC hashed page table setting.
type FeatureHPT struct {
	Resizing    string       `xml:"resizing,attr,omitempty"`
	MaxPageSize *ScaledValue `xml:"maxpagesize"`
}

// FeatureTCG tunes the TCG accelerator.
type FeatureTCG struct {
	TBCache *ScaledValue `xml:"tb-cache"`
}

// FeatureCapabilities adjusts container capabilities.
type FeatureCapabilities struct {
	Policy string
	Caps   []FeatureCapability
}

// FeatureXen holds Xen-specific features.
type FeatureXen struct {
	E820Host    *FeatureState          `xml:"e820_host"`
	Passthrough *FeatureXenPassthrough `xml:"passthrough"`
}

// FeatureXenPassthrough is Xen's PCI passthrough mode.
type FeatureXenPassthrough struct {
	State string `xml:"state,attr,omitempty"`
	Mode  string `xml:"mode,attr,omitempty"`
}

// FeatureKVM holds KVM-specific features.
type FeatureKVM struct {
	Hidden        *FeatureState     `xml:"hidden"`
	HintDedicated *FeatureState     `xml:"hint-dedicated"`
	PollControl   *FeatureState     `xml:"poll-control"`
	PVIPI         *FeatureState     `xml:"pv-ipi"`
	DirtyRing     *FeatureDirtyRing `xml:"dirty-ring"`
}

// FeatureDirtyRing is KVM's dirty ring with its size.
type FeatureDirtyRing struct {
	State string `xml:"state,attr,omitempty"`
	Size  *uint  `xml:"size,attr"`
}

// FeatureHyperV holds the Hyper-V enlightenments.
type FeatureHyperV struct {
	Mode            string                 `xml:"mode,attr,omitempty"`
	Relaxed         *FeatureState          `xml:"relaxed"`
	VAPIC           *FeatureState          `xml:"vapic"`
	Spinlocks       *FeatureHyperVSpinlock `xml:"spinlocks"`
	VPIndex         *FeatureState          `xml:"vpindex"`
	Runtime         *FeatureState          `xml:"runtime"`
	Synic           *FeatureState          `xml:"synic"`
	STimer          *FeatureHyperVSTimer   `xml:"stimer"`
	Reset           *FeatureState          `xml:"reset"`
	VendorID        *FeatureHyperVVendor   `xml:"vendor_id"`
	Frequencies     *FeatureState          `xml:"frequencies"`
	Reenlightenment *FeatureState          `xml:"reenlightenment"`
	TLBFlush        *FeatureState          `xml:"tlbflush"`
	IPI             *FeatureState          `xml:"ipi"`
	EVMCS           *FeatureState          `xml:"evmcs"`
	AVIC            *FeatureState          `xml:"avic"`
}

// FeatureHyperVSpinlock is the spinlock enlightenment with its retries.
type FeatureHyperVSpinlock struct {
	State   string `xml:"state,attr,omitempty"`
	Retries *uint  `xml:"retries,attr"`
}

// FeatureHyperVSTimer is the synthetic timer, optionally direct.
type FeatureHyperVSTimer struct {
	State  string        `xml:"state,attr,omitempty"`
	Direct *FeatureState `xml:"direct"`
}

// FeatureHyperVVendor is the Hyper-V vendor ID.
type FeatureHyperVVendor struct {
	State string `xml:"state,attr,omitempty"`
	Value string `xml:"value,attr,omitempty"`
}

// Clock is the guest clock.
type Clock struct {
	Offset     string  `xml:"offset,attr,omitempty"`
	Adjustment string  `xml:"adjustment,attr,omitempty"`
	Basis      string  `xml:"basis,attr,omitempty"`
	Start      string  `xml:"start,attr,omitempty"`
	TimeZone   string  `xml:"timezone,attr,omitempty"`
	Attrs      []Attr  `xml:",any,attr"`
	Timers     []Timer `xml:"timer"`
	Extra      []*Node `xml:",any"`
}

// Timer is one guest timer device.
type Timer struct {
	Name       string        `xml:"name,attr"`
	Present    string        `xml:"present,attr,omitempty"`
	TickPolicy string        `xml:"tickpolicy,attr,omitempty"`
	Track      string        `xml:"track,attr,omitempty"`
	Frequency  *uint64       `xml:"frequency,attr"`
	Mode       string        `xml:"mode,attr,omitempty"`
	CatchUp    *TimerCatchUp `xml:"catchup"`
}

// TimerCatchUp tunes the catch-up tick policy.
type TimerCatchUp struct {
	Threshold *uint `xml:"threshold,attr"`
	Slew      *uint `xml:"slew,attr"`
	Limit     *uint `xml:"limit,attr"`
}
