// This file mirrors the numbering of libvirt's virterror.h; the numbers go on the wire.
package virt

// Sentinel errors, one per libvirt error number. Build a real error with
// Errorf(ErrNoDomain, FromDomain, ...) and match one with errors.Is.
var (
	// ErrOk is VIR_ERR_OK (0).
	ErrOk = sentinel(0)
	// ErrInternal is VIR_ERR_INTERNAL_ERROR (1).
	ErrInternal = sentinel(1)
	// ErrNoMemory is VIR_ERR_NO_MEMORY (2).
	ErrNoMemory = sentinel(2)
	// ErrNoSupport is VIR_ERR_NO_SUPPORT (3).
	ErrNoSupport = sentinel(3)
	// ErrUnknownHost is VIR_ERR_UNKNOWN_HOST (4).
	ErrUnknownHost = sentinel(4)
	// ErrNoConnect is VIR_ERR_NO_CONNECT (5).
	ErrNoConnect = sentinel(5)
	// ErrInvalidConn is VIR_ERR_INVALID_CONN (6).
	ErrInvalidConn = sentinel(6)
	// ErrInvalidDomain is VIR_ERR_INVALID_DOMAIN (7).
	ErrInvalidDomain = sentinel(7)
	// ErrInvalidArg is VIR_ERR_INVALID_ARG (8).
	ErrInvalidArg = sentinel(8)
	// ErrOperationFailed is VIR_ERR_OPERATION_FAILED (9).
	ErrOperationFailed = sentinel(9)
	// ErrGetFailed is VIR_ERR_GET_FAILED (10).
	ErrGetFailed = sentinel(10)
	// ErrPostFailed is VIR_ERR_POST_FAILED (11).
	ErrPostFailed = sentinel(11)
	// ErrHTTPError is VIR_ERR_HTTP_ERROR (12).
	ErrHTTPError = sentinel(12)
	// ErrSexprSerial is VIR_ERR_SEXPR_SERIAL (13).
	ErrSexprSerial = sentinel(13)
	// ErrNoXen is VIR_ERR_NO_XEN (14).
	ErrNoXen = sentinel(14)
	// ErrXenCall is VIR_ERR_XEN_CALL (15).
	ErrXenCall = sentinel(15)
	// ErrOSType is VIR_ERR_OS_TYPE (16).
	ErrOSType = sentinel(16)
	// ErrNoKernel is VIR_ERR_NO_KERNEL (17).
	ErrNoKernel = sentinel(17)
	// ErrNoRoot is VIR_ERR_NO_ROOT (18).
	ErrNoRoot = sentinel(18)
	// ErrNoSource is VIR_ERR_NO_SOURCE (19).
	ErrNoSource = sentinel(19)
	// ErrNoTarget is VIR_ERR_NO_TARGET (20).
	ErrNoTarget = sentinel(20)
	// ErrNoName is VIR_ERR_NO_NAME (21).
	ErrNoName = sentinel(21)
	// ErrNoOS is VIR_ERR_NO_OS (22).
	ErrNoOS = sentinel(22)
	// ErrNoDevice is VIR_ERR_NO_DEVICE (23).
	ErrNoDevice = sentinel(23)
	// ErrNoXenstore is VIR_ERR_NO_XENSTORE (24).
	ErrNoXenstore = sentinel(24)
	// ErrDriverFull is VIR_ERR_DRIVER_FULL (25).
	ErrDriverFull = sentinel(25)
	// ErrCallFailed is VIR_ERR_CALL_FAILED (26).
	ErrCallFailed = sentinel(26)
	// ErrXML is VIR_ERR_XML_ERROR (27).
	ErrXML = sentinel(27)
	// ErrDomainExists is VIR_ERR_DOM_EXIST (28).
	ErrDomainExists = sentinel(28)
	// ErrOperationDenied is VIR_ERR_OPERATION_DENIED (29).
	ErrOperationDenied = sentinel(29)
	// ErrOpenFailed is VIR_ERR_OPEN_FAILED (30).
	ErrOpenFailed = sentinel(30)
	// ErrReadFailed is VIR_ERR_READ_FAILED (31).
	ErrReadFailed = sentinel(31)
	// ErrParseFailed is VIR_ERR_PARSE_FAILED (32).
	ErrParseFailed = sentinel(32)
	// ErrConfSyntax is VIR_ERR_CONF_SYNTAX (33).
	ErrConfSyntax = sentinel(33)
	// ErrWriteFailed is VIR_ERR_WRITE_FAILED (34).
	ErrWriteFailed = sentinel(34)
	// ErrXMLDetail is VIR_ERR_XML_DETAIL (35).
	ErrXMLDetail = sentinel(35)
	// ErrInvalidNetwork is VIR_ERR_INVALID_NETWORK (36).
	ErrInvalidNetwork = sentinel(36)
	// ErrNetworkExists is VIR_ERR_NETWORK_EXIST (37).
	ErrNetworkExists = sentinel(37)
	// ErrSystem is VIR_ERR_SYSTEM_ERROR (38).
	ErrSystem = sentinel(38)
	// ErrRPC is VIR_ERR_RPC (39).
	ErrRPC = sentinel(39)
	// ErrGnuTLS is VIR_ERR_GNUTLS_ERROR (40).
	ErrGnuTLS = sentinel(40)
	// ErrWarnNoNetwork is VIR_ERR_WAR_NO_NETWORK (41).
	ErrWarnNoNetwork = sentinel(41)
	// ErrNoDomain is VIR_ERR_NO_DOMAIN (42).
	ErrNoDomain = sentinel(42)
	// ErrNoNetwork is VIR_ERR_NO_NETWORK (43).
	ErrNoNetwork = sentinel(43)
	// ErrInvalidMAC is VIR_ERR_INVALID_MAC (44).
	ErrInvalidMAC = sentinel(44)
	// ErrAuthFailed is VIR_ERR_AUTH_FAILED (45).
	ErrAuthFailed = sentinel(45)
	// ErrInvalidStoragePool is VIR_ERR_INVALID_STORAGE_POOL (46).
	ErrInvalidStoragePool = sentinel(46)
	// ErrInvalidStorageVol is VIR_ERR_INVALID_STORAGE_VOL (47).
	ErrInvalidStorageVol = sentinel(47)
	// ErrWarnNoStorage is VIR_ERR_WAR_NO_STORAGE (48).
	ErrWarnNoStorage = sentinel(48)
	// ErrNoStoragePool is VIR_ERR_NO_STORAGE_POOL (49).
	ErrNoStoragePool = sentinel(49)
	// ErrNoStorageVol is VIR_ERR_NO_STORAGE_VOL (50).
	ErrNoStorageVol = sentinel(50)
	// ErrWarnNoNode is VIR_ERR_WAR_NO_NODE (51).
	ErrWarnNoNode = sentinel(51)
	// ErrInvalidNodeDevice is VIR_ERR_INVALID_NODE_DEVICE (52).
	ErrInvalidNodeDevice = sentinel(52)
	// ErrNoNodeDevice is VIR_ERR_NO_NODE_DEVICE (53).
	ErrNoNodeDevice = sentinel(53)
	// ErrNoSecurityModel is VIR_ERR_NO_SECURITY_MODEL (54).
	ErrNoSecurityModel = sentinel(54)
	// ErrOperationInvalid is VIR_ERR_OPERATION_INVALID (55).
	ErrOperationInvalid = sentinel(55)
	// ErrWarnNoInterface is VIR_ERR_WAR_NO_INTERFACE (56).
	ErrWarnNoInterface = sentinel(56)
	// ErrNoInterface is VIR_ERR_NO_INTERFACE (57).
	ErrNoInterface = sentinel(57)
	// ErrInvalidInterface is VIR_ERR_INVALID_INTERFACE (58).
	ErrInvalidInterface = sentinel(58)
	// ErrMultipleInterfaces is VIR_ERR_MULTIPLE_INTERFACES (59).
	ErrMultipleInterfaces = sentinel(59)
	// ErrWarnNoNWFilter is VIR_ERR_WAR_NO_NWFILTER (60).
	ErrWarnNoNWFilter = sentinel(60)
	// ErrInvalidNWFilter is VIR_ERR_INVALID_NWFILTER (61).
	ErrInvalidNWFilter = sentinel(61)
	// ErrNoNWFilter is VIR_ERR_NO_NWFILTER (62).
	ErrNoNWFilter = sentinel(62)
	// ErrBuildFirewall is VIR_ERR_BUILD_FIREWALL (63).
	ErrBuildFirewall = sentinel(63)
	// ErrWarnNoSecret is VIR_ERR_WAR_NO_SECRET (64).
	ErrWarnNoSecret = sentinel(64)
	// ErrInvalidSecret is VIR_ERR_INVALID_SECRET (65).
	ErrInvalidSecret = sentinel(65)
	// ErrNoSecret is VIR_ERR_NO_SECRET (66).
	ErrNoSecret = sentinel(66)
	// ErrConfigUnsupported is VIR_ERR_CONFIG_UNSUPPORTED (67).
	ErrConfigUnsupported = sentinel(67)
	// ErrOperationTimeout is VIR_ERR_OPERATION_TIMEOUT (68).
	ErrOperationTimeout = sentinel(68)
	// ErrMigratePersistFailed is VIR_ERR_MIGRATE_PERSIST_FAILED (69).
	ErrMigratePersistFailed = sentinel(69)
	// ErrHookScriptFailed is VIR_ERR_HOOK_SCRIPT_FAILED (70).
	ErrHookScriptFailed = sentinel(70)
	// ErrInvalidDomainSnapshot is VIR_ERR_INVALID_DOMAIN_SNAPSHOT (71).
	ErrInvalidDomainSnapshot = sentinel(71)
	// ErrNoDomainSnapshot is VIR_ERR_NO_DOMAIN_SNAPSHOT (72).
	ErrNoDomainSnapshot = sentinel(72)
	// ErrInvalidStream is VIR_ERR_INVALID_STREAM (73).
	ErrInvalidStream = sentinel(73)
	// ErrArgumentUnsupported is VIR_ERR_ARGUMENT_UNSUPPORTED (74).
	ErrArgumentUnsupported = sentinel(74)
	// ErrStorageProbeFailed is VIR_ERR_STORAGE_PROBE_FAILED (75).
	ErrStorageProbeFailed = sentinel(75)
	// ErrStoragePoolBuilt is VIR_ERR_STORAGE_POOL_BUILT (76).
	ErrStoragePoolBuilt = sentinel(76)
	// ErrSnapshotRevertRisky is VIR_ERR_SNAPSHOT_REVERT_RISKY (77).
	ErrSnapshotRevertRisky = sentinel(77)
	// ErrOperationAborted is VIR_ERR_OPERATION_ABORTED (78).
	ErrOperationAborted = sentinel(78)
	// ErrAuthCancelled is VIR_ERR_AUTH_CANCELLED (79).
	ErrAuthCancelled = sentinel(79)
	// ErrNoDomainMetadata is VIR_ERR_NO_DOMAIN_METADATA (80).
	ErrNoDomainMetadata = sentinel(80)
	// ErrMigrateUnsafe is VIR_ERR_MIGRATE_UNSAFE (81).
	ErrMigrateUnsafe = sentinel(81)
	// ErrOverflow is VIR_ERR_OVERFLOW (82).
	ErrOverflow = sentinel(82)
	// ErrBlockCopyActive is VIR_ERR_BLOCK_COPY_ACTIVE (83).
	ErrBlockCopyActive = sentinel(83)
	// ErrOperationUnsupported is VIR_ERR_OPERATION_UNSUPPORTED (84).
	ErrOperationUnsupported = sentinel(84)
	// ErrSSH is VIR_ERR_SSH (85).
	ErrSSH = sentinel(85)
	// ErrAgentUnresponsive is VIR_ERR_AGENT_UNRESPONSIVE (86).
	ErrAgentUnresponsive = sentinel(86)
	// ErrResourceBusy is VIR_ERR_RESOURCE_BUSY (87).
	ErrResourceBusy = sentinel(87)
	// ErrAccessDenied is VIR_ERR_ACCESS_DENIED (88).
	ErrAccessDenied = sentinel(88)
	// ErrDBusService is VIR_ERR_DBUS_SERVICE (89).
	ErrDBusService = sentinel(89)
	// ErrStorageVolExists is VIR_ERR_STORAGE_VOL_EXIST (90).
	ErrStorageVolExists = sentinel(90)
	// ErrCPUIncompatible is VIR_ERR_CPU_INCOMPATIBLE (91).
	ErrCPUIncompatible = sentinel(91)
	// ErrXMLInvalidSchema is VIR_ERR_XML_INVALID_SCHEMA (92).
	ErrXMLInvalidSchema = sentinel(92)
	// ErrMigrateFinishOK is VIR_ERR_MIGRATE_FINISH_OK (93).
	ErrMigrateFinishOK = sentinel(93)
	// ErrAuthUnavailable is VIR_ERR_AUTH_UNAVAILABLE (94).
	ErrAuthUnavailable = sentinel(94)
	// ErrNoServer is VIR_ERR_NO_SERVER (95).
	ErrNoServer = sentinel(95)
	// ErrNoClient is VIR_ERR_NO_CLIENT (96).
	ErrNoClient = sentinel(96)
	// ErrAgentUnsynced is VIR_ERR_AGENT_UNSYNCED (97).
	ErrAgentUnsynced = sentinel(97)
	// ErrLibSSH is VIR_ERR_LIBSSH (98).
	ErrLibSSH = sentinel(98)
	// ErrDeviceMissing is VIR_ERR_DEVICE_MISSING (99).
	ErrDeviceMissing = sentinel(99)
	// ErrInvalidNWFilterBinding is VIR_ERR_INVALID_NWFILTER_BINDING (100).
	ErrInvalidNWFilterBinding = sentinel(100)
	// ErrNoNWFilterBinding is VIR_ERR_NO_NWFILTER_BINDING (101).
	ErrNoNWFilterBinding = sentinel(101)
	// ErrInvalidDomainCheckpoint is VIR_ERR_INVALID_DOMAIN_CHECKPOINT (102).
	ErrInvalidDomainCheckpoint = sentinel(102)
	// ErrNoDomainCheckpoint is VIR_ERR_NO_DOMAIN_CHECKPOINT (103).
	ErrNoDomainCheckpoint = sentinel(103)
	// ErrNoDomainBackup is VIR_ERR_NO_DOMAIN_BACKUP (104).
	ErrNoDomainBackup = sentinel(104)
	// ErrInvalidNetworkPort is VIR_ERR_INVALID_NETWORK_PORT (105).
	ErrInvalidNetworkPort = sentinel(105)
	// ErrNetworkPortExists is VIR_ERR_NETWORK_PORT_EXIST (106).
	ErrNetworkPortExists = sentinel(106)
	// ErrNoNetworkPort is VIR_ERR_NO_NETWORK_PORT (107).
	ErrNoNetworkPort = sentinel(107)
	// ErrNoHostname is VIR_ERR_NO_HOSTNAME (108).
	ErrNoHostname = sentinel(108)
	// ErrCheckpointInconsistent is VIR_ERR_CHECKPOINT_INCONSISTENT (109).
	ErrCheckpointInconsistent = sentinel(109)
	// ErrMultipleDomains is VIR_ERR_MULTIPLE_DOMAINS (110).
	ErrMultipleDomains = sentinel(110)
)

// Error domains (virErrorDomain).
const (
	// FromNone is VIR_FROM_NONE.
	FromNone ErrorDomain = 0
	// FromXen is VIR_FROM_XEN.
	FromXen ErrorDomain = 1
	// FromXend is VIR_FROM_XEND.
	FromXend ErrorDomain = 2
	// FromXenStore is VIR_FROM_XENSTORE.
	FromXenStore ErrorDomain = 3
	// FromSexpr is VIR_FROM_SEXPR.
	FromSexpr ErrorDomain = 4
	// FromXML is VIR_FROM_XML.
	FromXML ErrorDomain = 5
	// FromDom is VIR_FROM_DOM.
	FromDom ErrorDomain = 6
	// FromRPC is VIR_FROM_RPC.
	FromRPC ErrorDomain = 7
	// FromProxy is VIR_FROM_PROXY.
	FromProxy ErrorDomain = 8
	// FromConf is VIR_FROM_CONF.
	FromConf ErrorDomain = 9
	// FromQEMU is VIR_FROM_QEMU.
	FromQEMU ErrorDomain = 10
	// FromNet is VIR_FROM_NET.
	FromNet ErrorDomain = 11
	// FromTest is VIR_FROM_TEST.
	FromTest ErrorDomain = 12
	// FromRemote is VIR_FROM_REMOTE.
	FromRemote ErrorDomain = 13
	// FromOpenVZ is VIR_FROM_OPENVZ.
	FromOpenVZ ErrorDomain = 14
	// FromXenXM is VIR_FROM_XENXM.
	FromXenXM ErrorDomain = 15
	// FromStatsLinux is VIR_FROM_STATS_LINUX.
	FromStatsLinux ErrorDomain = 16
	// FromLXC is VIR_FROM_LXC.
	FromLXC ErrorDomain = 17
	// FromStorage is VIR_FROM_STORAGE.
	FromStorage ErrorDomain = 18
	// FromNetwork is VIR_FROM_NETWORK.
	FromNetwork ErrorDomain = 19
	// FromDomain is VIR_FROM_DOMAIN.
	FromDomain ErrorDomain = 20
	// FromUML is VIR_FROM_UML.
	FromUML ErrorDomain = 21
	// FromNodeDev is VIR_FROM_NODEDEV.
	FromNodeDev ErrorDomain = 22
	// FromXenInotify is VIR_FROM_XEN_INOTIFY.
	FromXenInotify ErrorDomain = 23
	// FromSecurity is VIR_FROM_SECURITY.
	FromSecurity ErrorDomain = 24
	// FromVBox is VIR_FROM_VBOX.
	FromVBox ErrorDomain = 25
	// FromInterface is VIR_FROM_INTERFACE.
	FromInterface ErrorDomain = 26
	// FromOne is VIR_FROM_ONE.
	FromOne ErrorDomain = 27
	// FromESX is VIR_FROM_ESX.
	FromESX ErrorDomain = 28
	// FromPHyp is VIR_FROM_PHYP.
	FromPHyp ErrorDomain = 29
	// FromSecret is VIR_FROM_SECRET.
	FromSecret ErrorDomain = 30
	// FromCPU is VIR_FROM_CPU.
	FromCPU ErrorDomain = 31
	// FromXenAPI is VIR_FROM_XENAPI.
	FromXenAPI ErrorDomain = 32
	// FromNWFilter is VIR_FROM_NWFILTER.
	FromNWFilter ErrorDomain = 33
	// FromHook is VIR_FROM_HOOK.
	FromHook ErrorDomain = 34
	// FromDomainSnapshot is VIR_FROM_DOMAIN_SNAPSHOT.
	FromDomainSnapshot ErrorDomain = 35
	// FromAudit is VIR_FROM_AUDIT.
	FromAudit ErrorDomain = 36
	// FromSysinfo is VIR_FROM_SYSINFO.
	FromSysinfo ErrorDomain = 37
	// FromStreams is VIR_FROM_STREAMS.
	FromStreams ErrorDomain = 38
	// FromVmware is VIR_FROM_VMWARE.
	FromVmware ErrorDomain = 39
	// FromEvent is VIR_FROM_EVENT.
	FromEvent ErrorDomain = 40
	// FromLibXL is VIR_FROM_LIBXL.
	FromLibXL ErrorDomain = 41
	// FromLocking is VIR_FROM_LOCKING.
	FromLocking ErrorDomain = 42
	// FromHyperV is VIR_FROM_HYPERV.
	FromHyperV ErrorDomain = 43
	// FromCapabilities is VIR_FROM_CAPABILITIES.
	FromCapabilities ErrorDomain = 44
	// FromURI is VIR_FROM_URI.
	FromURI ErrorDomain = 45
	// FromAuth is VIR_FROM_AUTH.
	FromAuth ErrorDomain = 46
	// FromDBus is VIR_FROM_DBUS.
	FromDBus ErrorDomain = 47
	// FromParallels is VIR_FROM_PARALLELS.
	FromParallels ErrorDomain = 48
	// FromDevice is VIR_FROM_DEVICE.
	FromDevice ErrorDomain = 49
	// FromSSH is VIR_FROM_SSH.
	FromSSH ErrorDomain = 50
	// FromLockspace is VIR_FROM_LOCKSPACE.
	FromLockspace ErrorDomain = 51
	// FromInitctl is VIR_FROM_INITCTL.
	FromInitctl ErrorDomain = 52
	// FromIdentity is VIR_FROM_IDENTITY.
	FromIdentity ErrorDomain = 53
	// FromCGroup is VIR_FROM_CGROUP.
	FromCGroup ErrorDomain = 54
	// FromAccess is VIR_FROM_ACCESS.
	FromAccess ErrorDomain = 55
	// FromSystemd is VIR_FROM_SYSTEMD.
	FromSystemd ErrorDomain = 56
	// FromBhyve is VIR_FROM_BHYVE.
	FromBhyve ErrorDomain = 57
	// FromCrypto is VIR_FROM_CRYPTO.
	FromCrypto ErrorDomain = 58
	// FromFirewall is VIR_FROM_FIREWALL.
	FromFirewall ErrorDomain = 59
	// FromPolkit is VIR_FROM_POLKIT.
	FromPolkit ErrorDomain = 60
	// FromThread is VIR_FROM_THREAD.
	FromThread ErrorDomain = 61
	// FromAdmin is VIR_FROM_ADMIN.
	FromAdmin ErrorDomain = 62
	// FromLogging is VIR_FROM_LOGGING.
	FromLogging ErrorDomain = 63
	// FromXenXL is VIR_FROM_XENXL.
	FromXenXL ErrorDomain = 64
	// FromPerf is VIR_FROM_PERF.
	FromPerf ErrorDomain = 65
	// FromLibSSH is VIR_FROM_LIBSSH.
	FromLibSSH ErrorDomain = 66
	// FromResctrl is VIR_FROM_RESCTRL.
	FromResctrl ErrorDomain = 67
	// FromFirewalld is VIR_FROM_FIREWALLD.
	FromFirewalld ErrorDomain = 68
	// FromDomainCheckpoint is VIR_FROM_DOMAIN_CHECKPOINT.
	FromDomainCheckpoint ErrorDomain = 69
	// FromTPM is VIR_FROM_TPM.
	FromTPM ErrorDomain = 70
	// FromBPF is VIR_FROM_BPF.
	FromBPF ErrorDomain = 71
	// FromCH is VIR_FROM_CH.
	FromCH ErrorDomain = 72
)

var codeNames = map[ErrorNumber]string{
	0:   "VIR_ERR_OK",
	1:   "VIR_ERR_INTERNAL_ERROR",
	2:   "VIR_ERR_NO_MEMORY",
	3:   "VIR_ERR_NO_SUPPORT",
	4:   "VIR_ERR_UNKNOWN_HOST",
	5:   "VIR_ERR_NO_CONNECT",
	6:   "VIR_ERR_INVALID_CONN",
	7:   "VIR_ERR_INVALID_DOMAIN",
	8:   "VIR_ERR_INVALID_ARG",
	9:   "VIR_ERR_OPERATION_FAILED",
	10:  "VIR_ERR_GET_FAILED",
	11:  "VIR_ERR_POST_FAILED",
	12:  "VIR_ERR_HTTP_ERROR",
	13:  "VIR_ERR_SEXPR_SERIAL",
	14:  "VIR_ERR_NO_XEN",
	15:  "VIR_ERR_XEN_CALL",
	16:  "VIR_ERR_OS_TYPE",
	17:  "VIR_ERR_NO_KERNEL",
	18:  "VIR_ERR_NO_ROOT",
	19:  "VIR_ERR_NO_SOURCE",
	20:  "VIR_ERR_NO_TARGET",
	21:  "VIR_ERR_NO_NAME",
	22:  "VIR_ERR_NO_OS",
	23:  "VIR_ERR_NO_DEVICE",
	24:  "VIR_ERR_NO_XENSTORE",
	25:  "VIR_ERR_DRIVER_FULL",
	26:  "VIR_ERR_CALL_FAILED",
	27:  "VIR_ERR_XML_ERROR",
	28:  "VIR_ERR_DOM_EXIST",
	29:  "VIR_ERR_OPERATION_DENIED",
	30:  "VIR_ERR_OPEN_FAILED",
	31:  "VIR_ERR_READ_FAILED",
	32:  "VIR_ERR_PARSE_FAILED",
	33:  "VIR_ERR_CONF_SYNTAX",
	34:  "VIR_ERR_WRITE_FAILED",
	35:  "VIR_ERR_XML_DETAIL",
	36:  "VIR_ERR_INVALID_NETWORK",
	37:  "VIR_ERR_NETWORK_EXIST",
	38:  "VIR_ERR_SYSTEM_ERROR",
	39:  "VIR_ERR_RPC",
	40:  "VIR_ERR_GNUTLS_ERROR",
	41:  "VIR_ERR_WAR_NO_NETWORK",
	42:  "VIR_ERR_NO_DOMAIN",
	43:  "VIR_ERR_NO_NETWORK",
	44:  "VIR_ERR_INVALID_MAC",
	45:  "VIR_ERR_AUTH_FAILED",
	46:  "VIR_ERR_INVALID_STORAGE_POOL",
	47:  "VIR_ERR_INVALID_STORAGE_VOL",
	48:  "VIR_ERR_WAR_NO_STORAGE",
	49:  "VIR_ERR_NO_STORAGE_POOL",
	50:  "VIR_ERR_NO_STORAGE_VOL",
	51:  "VIR_ERR_WAR_NO_NODE",
	52:  "VIR_ERR_INVALID_NODE_DEVICE",
	53:  "VIR_ERR_NO_NODE_DEVICE",
	54:  "VIR_ERR_NO_SECURITY_MODEL",
	55:  "VIR_ERR_OPERATION_INVALID",
	56:  "VIR_ERR_WAR_NO_INTERFACE",
	57:  "VIR_ERR_NO_INTERFACE",
	58:  "VIR_ERR_INVALID_INTERFACE",
	59:  "VIR_ERR_MULTIPLE_INTERFACES",
	60:  "VIR_ERR_WAR_NO_NWFILTER",
	61:  "VIR_ERR_INVALID_NWFILTER",
	62:  "VIR_ERR_NO_NWFILTER",
	63:  "VIR_ERR_BUILD_FIREWALL",
	64:  "VIR_ERR_WAR_NO_SECRET",
	65:  "VIR_ERR_INVALID_SECRET",
	66:  "VIR_ERR_NO_SECRET",
	67:  "VIR_ERR_CONFIG_UNSUPPORTED",
	68:  "VIR_ERR_OPERATION_TIMEOUT",
	69:  "VIR_ERR_MIGRATE_PERSIST_FAILED",
	70:  "VIR_ERR_HOOK_SCRIPT_FAILED",
	71:  "VIR_ERR_INVALID_DOMAIN_SNAPSHOT",
	72:  "VIR_ERR_NO_DOMAIN_SNAPSHOT",
	73:  "VIR_ERR_INVALID_STREAM",
	74:  "VIR_ERR_ARGUMENT_UNSUPPORTED",
	75:  "VIR_ERR_STORAGE_PROBE_FAILED",
	76:  "VIR_ERR_STORAGE_POOL_BUILT",
	77:  "VIR_ERR_SNAPSHOT_REVERT_RISKY",
	78:  "VIR_ERR_OPERATION_ABORTED",
	79:  "VIR_ERR_AUTH_CANCELLED",
	80:  "VIR_ERR_NO_DOMAIN_METADATA",
	81:  "VIR_ERR_MIGRATE_UNSAFE",
	82:  "VIR_ERR_OVERFLOW",
	83:  "VIR_ERR_BLOCK_COPY_ACTIVE",
	84:  "VIR_ERR_OPERATION_UNSUPPORTED",
	85:  "VIR_ERR_SSH",
	86:  "VIR_ERR_AGENT_UNRESPONSIVE",
	87:  "VIR_ERR_RESOURCE_BUSY",
	88:  "VIR_ERR_ACCESS_DENIED",
	89:  "VIR_ERR_DBUS_SERVICE",
	90:  "VIR_ERR_STORAGE_VOL_EXIST",
	91:  "VIR_ERR_CPU_INCOMPATIBLE",
	92:  "VIR_ERR_XML_INVALID_SCHEMA",
	93:  "VIR_ERR_MIGRATE_FINISH_OK",
	94:  "VIR_ERR_AUTH_UNAVAILABLE",
	95:  "VIR_ERR_NO_SERVER",
	96:  "VIR_ERR_NO_CLIENT",
	97:  "VIR_ERR_AGENT_UNSYNCED",
	98:  "VIR_ERR_LIBSSH",
	99:  "VIR_ERR_DEVICE_MISSING",
	100: "VIR_ERR_INVALID_NWFILTER_BINDING",
	101: "VIR_ERR_NO_NWFILTER_BINDING",
	102: "VIR_ERR_INVALID_DOMAIN_CHECKPOINT",
	103: "VIR_ERR_NO_DOMAIN_CHECKPOINT",
	104: "VIR_ERR_NO_DOMAIN_BACKUP",
	105: "VIR_ERR_INVALID_NETWORK_PORT",
	106: "VIR_ERR_NETWORK_PORT_EXIST",
	107: "VIR_ERR_NO_NETWORK_PORT",
	108: "VIR_ERR_NO_HOSTNAME",
	109: "VIR_ERR_CHECKPOINT_INCONSISTENT",
	110: "VIR_ERR_MULTIPLE_DOMAINS",
}

// templates holds libvirt's message without and with a detail.
var templates = map[ErrorNumber][2]string{
	1:   {"internal error", "internal error: %s"},
	2:   {"out of memory", "out of memory: %s"},
	3:   {"this function is not supported by the connection driver", "this function is not supported by the connection driver: %s"},
	4:   {"unknown host", "unknown host %s"},
	5:   {"no connection driver available", "no connection driver available for %s"},
	6:   {"invalid connection pointer in", "invalid connection pointer in %s"},
	7:   {"invalid domain pointer in", "invalid domain pointer in %s"},
	8:   {"invalid argument", "invalid argument: %s"},
	9:   {"operation failed", "operation failed: %s"},
	10:  {"GET operation failed", "GET operation failed: %s"},
	11:  {"POST operation failed", "POST operation failed: %s"},
	12:  {"got unknown HTTP error code", "got unknown HTTP error code %s"},
	13:  {"failed to serialize S-Expr", "failed to serialize S-Expr: %s"},
	14:  {"could not use Xen hypervisor entry", "could not use Xen hypervisor entry %s"},
	15:  {"failed Xen syscall", "failed Xen syscall %s"},
	16:  {"unknown OS type", "unknown OS type %s"},
	17:  {"missing kernel information", "missing kernel information for %s"},
	18:  {"missing root device information", "missing root device information in %s"},
	19:  {"missing source information for device", "missing source information for device %s"},
	20:  {"missing target information for device", "missing target information for device %s"},
	21:  {"missing name information", "missing name information in %s"},
	22:  {"missing operating system information", "missing operating system information for %s"},
	23:  {"missing devices information", "missing devices information for %s"},
	24:  {"could not connect to Xen Store", "could not connect to Xen Store %s"},
	25:  {"too many drivers registered", "too many drivers registered in %s"},
	26:  {"library call failed", "library call failed: %s"},
	27:  {"XML description is invalid or not well formed", "XML error: %s"},
	28:  {"this domain exists already", "domain %s exists already"},
	29:  {"operation forbidden for read only access", "operation forbidden: %s"},
	30:  {"failed to open configuration file", "failed to open configuration file %s"},
	31:  {"failed to read configuration file", "failed to read configuration file %s"},
	32:  {"failed to parse configuration file", "failed to parse configuration file %s"},
	33:  {"configuration file syntax error", "configuration file syntax error: %s"},
	34:  {"failed to write configuration file", "failed to write configuration file: %s"},
	35:  {"parser error", "%s"},
	36:  {"invalid network pointer in", "invalid network pointer in %s"},
	37:  {"this network exists already", "network %s exists already"},
	38:  {"system call error", "%s"},
	39:  {"RPC error", "%s"},
	40:  {"GNUTLS call error", "%s"},
	41:  {"Failed to find the network", "Failed to find the network: %s"},
	42:  {"Domain not found", "Domain not found: %s"},
	43:  {"Network not found", "Network not found: %s"},
	44:  {"invalid MAC address", "invalid MAC address: %s"},
	45:  {"authentication failed", "authentication failed: %s"},
	46:  {"invalid storage pool pointer in", "invalid storage pool pointer in %s"},
	47:  {"invalid storage volume pointer in", "invalid storage volume pointer in %s"},
	48:  {"Failed to find a storage driver", "Failed to find a storage driver: %s"},
	49:  {"Storage pool not found", "Storage pool not found: %s"},
	50:  {"Storage volume not found", "Storage volume not found: %s"},
	51:  {"Failed to find a node driver", "Failed to find a node driver: %s"},
	52:  {"invalid node device pointer", "invalid node device pointer in %s"},
	53:  {"Node device not found", "Node device not found: %s"},
	54:  {"Security model not found", "Security model not found: %s"},
	55:  {"Requested operation is not valid", "Requested operation is not valid: %s"},
	56:  {"Failed to find the interface", "Failed to find the interface: %s"},
	57:  {"Interface not found", "Interface not found: %s"},
	58:  {"invalid interface pointer in", "invalid interface pointer in %s"},
	59:  {"multiple matching interfaces found", "multiple matching interfaces found: %s"},
	60:  {"Failed to start the nwfilter driver", "Failed to start the nwfilter driver: %s"},
	61:  {"Invalid network filter", "Invalid network filter: %s"},
	62:  {"Network filter not found", "Network filter not found: %s"},
	63:  {"Error while building firewall", "Error while building firewall: %s"},
	64:  {"Failed to find a secret storage driver", "Failed to find a secret storage driver: %s"},
	65:  {"Invalid secret", "Invalid secret: %s"},
	66:  {"Secret not found", "Secret not found: %s"},
	67:  {"unsupported configuration", "unsupported configuration: %s"},
	68:  {"Timed out during operation", "Timed out during operation: %s"},
	69:  {"Failed to make domain persistent after migration", "Failed to make domain persistent after migration: %s"},
	70:  {"Hook script execution failed", "Hook script execution failed: %s"},
	71:  {"Invalid domain snapshot", "Invalid domain snapshot: %s"},
	72:  {"Domain snapshot not found", "Domain snapshot not found: %s"},
	73:  {"invalid stream pointer", "invalid stream pointer in %s"},
	74:  {"argument unsupported", "argument unsupported: %s"},
	75:  {"Storage pool probe failed", "Storage pool probe failed: %s"},
	76:  {"Storage pool already built", "Storage pool already built: %s"},
	77:  {"revert requires force", "revert requires force: %s"},
	78:  {"operation aborted", "operation aborted: %s"},
	79:  {"authentication cancelled", "authentication cancelled: %s"},
	80:  {"metadata not found", "metadata not found: %s"},
	81:  {"Unsafe migration", "Unsafe migration: %s"},
	82:  {"numerical overflow", "numerical overflow: %s"},
	83:  {"block copy still active", "block copy still active: %s"},
	84:  {"Operation not supported", "Operation not supported: %s"},
	85:  {"SSH transport error", "SSH transport error: %s"},
	86:  {"Guest agent is not responding", "Guest agent is not responding: %s"},
	87:  {"resource busy", "resource busy: %s"},
	88:  {"access denied", "access denied: %s"},
	89:  {"error from service", "error from service: %s"},
	90:  {"this storage volume exists already", "storage volume %s exists already"},
	91:  {"the CPU is incompatible with host CPU", "the CPU is incompatible with host CPU: %s"},
	92:  {"XML document failed to validate against schema", "XML document failed to validate against schema: %s"},
	93:  {"migration successfully aborted", "migration successfully aborted: %s"},
	94:  {"authentication unavailable", "authentication unavailable: %s"},
	95:  {"Server not found", "Server not found: %s"},
	96:  {"Client not found", "Client not found: %s"},
	97:  {"guest agent replied with wrong id to guest-sync", "guest agent replied with wrong id to guest-sync: %s"},
	98:  {"libssh transport error", "libssh transport error: %s"},
	99:  {"device not found", "device not found: %s"},
	100: {"Invalid network filter binding", "Invalid network filter binding: %s"},
	101: {"Network filter binding not found", "Network filter binding not found: %s"},
	102: {"Invalid domain checkpoint", "Invalid domain checkpoint: %s"},
	103: {"Domain checkpoint not found", "Domain checkpoint not found: %s"},
	104: {"Domain backup job id not found", "Domain backup job id not found: %s"},
	105: {"Invalid network port pointer", "Invalid network port pointer: %s"},
	106: {"this network port exists already", "network port %s exists already"},
	107: {"network port not found", "network port not found: %s"},
	108: {"no hostname found", "no hostname found: %s"},
	109: {"checkpoint inconsistent", "checkpoint inconsistent: %s"},
	110: {"multiple matching domains found", "multiple matching domains found: %s"},
}
