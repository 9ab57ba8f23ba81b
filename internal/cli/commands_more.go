package cli

import (
	"sort"
	"strings"
)

// This file adds to the command table every virsh command beyond the core
// set of commands.go, each with its options in the spec notation
// (spec.go), and puts every group in virsh's order.

// moreCommands are the added commands by group keyword.
func moreCommands() map[string][]*cmdDef {
	return map[string][]*cmdDef{
		"domain": {
			{name: "attach-device", help: "attach device from an XML file", opts: spec("domain file --persistent --config --live --current", nil), run: cmdAttachDevice},
			{name: "attach-disk", help: "attach disk device", opts: spec("domain source target --targetbus=S --driver=S --subdriver=S --iothread=S --cache=S --io=S --type=S --mode=S --sourcetype=S --serial=S --wwn=S --alias=S --rawio --address=S --multifunction --print-xml --source-protocol=S --source-host-name=S --source-host-transport=S --source-host-socket=S --persistent --config --live --current", nil), run: cmdAttachDisk},
			{name: "attach-interface", help: "attach network interface", opts: spec("domain type source --target=S --mac=S --script=S --model=S --alias=S --inbound=S --outbound=S --persistent --config --live --current --print-xml --managed --source-mode=S", nil), run: cmdAttachInterface},
			{name: "blkdeviotune", help: "Set or query a block device I/O tuning parameters.", opts: spec("domain device --total_bytes_sec->total-bytes-sec --total-bytes-sec=N --read_bytes_sec->read-bytes-sec --read-bytes-sec=N --write_bytes_sec->write-bytes-sec --write-bytes-sec=N --total_iops_sec->total-iops-sec --total-iops-sec=N --read_iops_sec->read-iops-sec --read-iops-sec=N --write_iops_sec->write-iops-sec --write-iops-sec=N --total_bytes_sec_max->total-bytes-sec-max --total-bytes-sec-max=N --read_bytes_sec_max->read-bytes-sec-max --read-bytes-sec-max=N --write_bytes_sec_max->write-bytes-sec-max --write-bytes-sec-max=N --total_iops_sec_max->total-iops-sec-max --total-iops-sec-max=N --read_iops_sec_max->read-iops-sec-max --read-iops-sec-max=N --write_iops_sec_max->write-iops-sec-max --write-iops-sec-max=N --size_iops_sec->size-iops-sec --size-iops-sec=N --group_name->group-name --group-name=S --total_bytes_sec_max_length->total-bytes-sec-max-length --total-bytes-sec-max-length=N --read_bytes_sec_max_length->read-bytes-sec-max-length --read-bytes-sec-max-length=N --write_bytes_sec_max_length->write-bytes-sec-max-length --write-bytes-sec-max-length=N --total_iops_sec_max_length->total-iops-sec-max-length --total-iops-sec-max-length=N --read_iops_sec_max_length->read-iops-sec-max-length --read-iops-sec-max-length=N --write_iops_sec_max_length->write-iops-sec-max-length --write-iops-sec-max-length=N --config --live --current", nil), run: cmdBlkdeviotune},
			{name: "blkiotune", help: "Get or set blkio parameters", opts: spec("domain --weight=N --device-weights=S --device-read-iops-sec=S --device-write-iops-sec=S --device-read-bytes-sec=S --device-write-bytes-sec=S --config --live --current", nil), run: cmdBlkiotune},
			{name: "blockcommit", help: "Start a block commit operation.", opts: spec("domain path --bandwidth=N --base=S --shallow --top=S --active --delete --wait --verbose --timeout=N --pivot --keep-overlay --async --keep-relative --bytes", nil), run: cmdBlockcommit},
			{name: "blockcopy", help: "Start a block copy operation.", opts: spec("domain path --dest=S --bandwidth=N --shallow --reuse-external --blockdev --wait --verbose --timeout=N --pivot --finish --async --xml=S --format=S --granularity=N --buf-size=N --bytes --transient-job --synchronous-writes --print-xml", nil), run: cmdBlockcopy},
			{name: "blockjob", help: "Manage active block operations", opts: spec("domain path --abort --async --pivot --info --bytes --raw --bandwidth=N", nil), run: cmdBlockjob},
			{name: "blockpull", help: "Populate a disk from its backing image.", opts: spec("domain path --bandwidth=N --base=S --wait --verbose --timeout=N --async --keep-relative --bytes", nil), run: cmdBlockpull},
			{name: "blockresize", help: "Resize block device of domain.", opts: spec("domain path size=N", nil), run: cmdBlockresize},
			{name: "change-media", help: "Change media of CD or floppy drive", opts: spec("domain path --source=S --eject --insert --update --current --live --config --force --print-xml --block", nil), run: cmdChangeMedia},
			{name: "console", help: "connect to the guest console", opts: spec("domain --devname=S --force --safe", nil), run: cmdConsole},
			{name: "cpu-stats", help: "show domain cpu statistics", opts: spec("domain --total --start=N --count=N", nil), run: cmdCpuStats},
			{name: "detach-device", help: "detach device from an XML file", opts: spec("domain file --persistent --config --live --current", nil), run: cmdDetachDevice},
			{name: "detach-device-alias", help: "detach device from an alias", opts: spec("domain alias --config --live --current", nil), run: cmdDetachDeviceAlias},
			{name: "detach-disk", help: "detach disk device", opts: spec("domain target --persistent --config --live --current --print-xml", nil), run: cmdDetachDisk},
			{name: "detach-interface", help: "detach network interface", opts: spec("domain type --mac=S --persistent --config --live --current --print-xml", nil), run: cmdDetachInterface},
			{name: "domdisplay", help: "domain display connection URI", opts: spec("domain --include-password --type=S --all", nil), run: cmdDomdisplay},
			{name: "domfsfreeze", help: "Freeze domain's mounted filesystems.", opts: spec("domain [mountpoint...]", nil), run: cmdDomfsfreeze},
			{name: "domfsthaw", help: "Thaw domain's mounted filesystems.", opts: spec("domain [mountpoint...]", nil), run: cmdDomfsthaw},
			{name: "domfsinfo", help: "Get information of domain's mounted filesystems.", opts: spec("domain", nil), run: cmdDomfsinfo},
			{name: "domfstrim", help: "Invoke fstrim on domain's mounted filesystems.", opts: spec("domain --minimum=N --mountpoint=S", nil), run: cmdDomfstrim},
			{name: "domhostname", help: "print the domain's hostname", opts: spec("domain --source=S", nil), run: cmdDomhostname},
			{name: "domif-setlink", help: "set link state of a virtual interface", opts: spec("domain interface state --config --print-xml", nil), run: cmdDomifSetlink},
			{name: "domiftune", help: "get/set parameters of a virtual interface", opts: spec("domain interface --inbound=S --outbound=S --config --live --current", nil), run: cmdDomiftune},
			{name: "domjobabort", help: "abort active domain job", opts: spec("domain --postcopy", nil), run: cmdDomjobabort},
			{name: "domjobinfo", help: "domain job information", opts: spec("domain --completed --keep-completed --anystats --rawstats", nil), run: cmdDomjobinfo},
			{name: "domlaunchsecinfo", help: "Get domain launch security info", opts: spec("domain", nil), run: cmdDomlaunchsecinfo},
			{name: "domsetlaunchsecstate", help: "Set domain launch security state", opts: spec("domain --secrethdr=S --secret=S --set-address=N", nil), run: cmdDomsetlaunchsecstate},
			{name: "domrename", help: "rename a domain", opts: spec("domain new-name", nil), run: cmdDomrename},
			{name: "dompmsuspend", help: "suspend a domain gracefully using power management functions", opts: spec("domain target --duration=N", nil), run: cmdDompmsuspend},
			{name: "dompmwakeup", help: "wakeup a domain from pmsuspended state", opts: spec("domain", nil), run: cmdDompmwakeup},
			{name: "domxml-from-native", help: "Convert native config to domain XML", opts: spec("format config", nil), run: cmdDomxmlFromNative},
			{name: "domxml-to-native", help: "Convert domain XML to native config", opts: spec("format --domain=S --xml=S", nil), run: cmdDomxmlToNative},
			{name: "dump", help: "dump the core of a domain to a file for analysis", opts: spec("domain file --live --crash --bypass-cache --reset --verbose --memory-only --format=S", nil), run: cmdDump},
			{name: "edit", help: "edit XML configuration for a domain", opts: spec("domain --skip-validate", nil), run: cmdEdit},
			{name: "get-user-sshkeys", help: "list authorized SSH keys for given user (via agent)", opts: spec("domain user", nil), run: cmdGetUserSshkeys},
			{name: "inject-nmi", help: "Inject NMI to the guest", opts: spec("domain", nil), run: cmdInjectNmi},
			{name: "iothreadinfo", help: "view domain IOThreads", opts: spec("domain --config --live --current", nil), run: cmdIothreadinfo},
			{name: "iothreadpin", help: "control domain IOThread affinity", opts: spec("domain iothread=N cpulist --config --live --current", nil), run: cmdIothreadpin},
			{name: "iothreadadd", help: "add an IOThread to the guest domain", opts: spec("domain id=N --config --live --current", nil), run: cmdIothreadadd},
			{name: "iothreadset", help: "modifies an existing IOThread of the guest domain", opts: spec("domain id=N --poll-max-ns=N --poll-grow=N --poll-shrink=N --thread-pool-min=N --thread-pool-max=N --config --live --current", nil), run: cmdIothreadset},
			{name: "iothreaddel", help: "delete an IOThread from the guest domain", opts: spec("domain id=N --config --live --current", nil), run: cmdIothreaddel},
			{name: "send-key", help: "Send keycodes to the guest", opts: spec("domain !--codeset=S !--holdtime=N keycode...", nil), run: cmdSendKey},
			{name: "send-process-signal", help: "Send signals to processes", opts: spec("domain pid signame", nil), run: cmdSendProcessSignal},
			{name: "lxc-enter-namespace", help: "LXC Guest Enter Namespace", opts: spec("domain --noseclabel cmd...", nil), run: cmdLxcEnterNamespace},
			{name: "managedsave-edit", help: "edit XML for a domain's managed save state file", opts: spec("domain --running --paused", nil), run: cmdManagedsaveEdit},
			{name: "managedsave-dumpxml", help: "Domain information of managed save state file in XML", opts: spec("domain --security-info --xpath=S --wrap", nil), run: cmdManagedsaveDumpxml},
			{name: "managedsave-define", help: "redefine the XML for a domain's managed save state file", opts: spec("domain xml --running --paused", nil), run: cmdManagedsaveDefine},
			{name: "memtune", help: "Get or set memory parameters", opts: spec("domain --hard-limit=N --soft-limit=N --swap-hard-limit=N --min-guarantee=N --config --live --current", nil), run: cmdMemtune},
			{name: "perf", help: "Get or set perf event", opts: spec("domain --enable=S --disable=S --config --live --current", nil), run: cmdPerf},
			{name: "metadata", help: "show or set domain's custom XML metadata", opts: spec("domain uri --live --config --current --edit --key=S --set=S --remove", nil), run: cmdMetadata},
			{name: "migrate", help: "migrate domain to another host", opts: spec("domain desturi --live --offline --p2p --direct --tunnelled --persistent --undefinesource --suspend --copy-storage-all --copy-storage-inc --copy-storage-synchronous-writes --change-protection --unsafe --verbose --compressed --auto-converge --rdma-pin-all --abort-on-error --postcopy --postcopy-after-precopy --postcopy-resume --zerocopy --migrateuri=S --graphicsuri=S --listen-address=S --dname=S --timeout=N --timeout-suspend --timeout-postcopy --xml=S --migrate-disks=S --disks-port=N --disks-uri=S --comp-methods=S --comp-mt-level=N --comp-mt-threads=N --comp-mt-dthreads=N --comp-xbzrle-cache=N --auto-converge-initial=N --auto-converge-increment=N --persistent-xml=S --tls --postcopy-bandwidth=N --parallel --parallel-connections=N --bandwidth=N --tls-destination=S", nil), run: cmdMigrate},
			{name: "migrate-setmaxdowntime", help: "set maximum tolerable downtime", opts: spec("domain downtime=N", nil), run: cmdMigrateSetmaxdowntime},
			{name: "migrate-getmaxdowntime", help: "get maximum tolerable downtime", opts: spec("domain", nil), run: cmdMigrateGetmaxdowntime},
			{name: "migrate-compcache", help: "get/set compression cache size", opts: spec("domain --size=N", nil), run: cmdMigrateCompcache},
			{name: "migrate-setspeed", help: "Set the maximum migration bandwidth", opts: spec("domain bandwidth=N --postcopy", nil), run: cmdMigrateSetspeed},
			{name: "migrate-getspeed", help: "Get the maximum migration bandwidth", opts: spec("domain --postcopy", nil), run: cmdMigrateGetspeed},
			{name: "migrate-postcopy", help: "Switch running migration from pre-copy to post-copy", opts: spec("domain", nil), run: cmdMigratePostcopy},
			{name: "numatune", help: "Get or set numa parameters", opts: spec("domain --mode=S --nodeset=S --config --live --current", nil), run: cmdNumatune},
			{name: "qemu-attach", help: "QEMU Attach", opts: spec("pid", nil), run: cmdQemuAttach},
			{name: "qemu-monitor-command", help: "QEMU Monitor Command", opts: spec("domain --hmp --pretty --return-value !--pass-fds=S cmd...", nil), run: cmdQemuMonitorCommand},
			{name: "qemu-monitor-event", help: "QEMU Monitor Events", opts: spec("--domain=S --event=S --pretty --loop --timeout=N --regex --no-case --timestamp", nil), run: cmdQemuMonitorEvent},
			{name: "qemu-agent-command", help: "QEMU Guest Agent Command", opts: spec("domain !--timeout=N --async --block --pretty cmd...", nil), run: cmdQemuAgentCommand},
			{name: "guest-agent-timeout", help: "Set the guest agent timeout", opts: spec("domain --timeout=N", nil), run: cmdGuestAgentTimeout},
			{name: "restore", help: "restore a domain from a saved state in a file", opts: spec("file --bypass-cache --xml=S --running --paused --reset-nvram", nil), run: cmdRestore},
			{name: "save", help: "save a domain state to a file", opts: spec("domain file --bypass-cache --xml=S --running --paused --verbose", nil), run: cmdSave},
			{name: "save-image-define", help: "redefine the XML for a domain's saved state file", opts: spec("file xml --running --paused", nil), run: cmdSaveImageDefine},
			{name: "save-image-dumpxml", help: "saved state domain information in XML", opts: spec("file --security-info --xpath=S --wrap", nil), run: cmdSaveImageDumpxml},
			{name: "save-image-edit", help: "edit XML for a domain's saved state file", opts: spec("file --running --paused", nil), run: cmdSaveImageEdit},
			{name: "screenshot", help: "take a screenshot of a current domain console and store it into a file", opts: spec("domain --file=S --screen=N", nil), run: cmdScreenshot},
			{name: "set-lifecycle-action", help: "change lifecycle actions", opts: spec("domain type action --config --live --current", nil), run: cmdSetLifecycleAction},
			{name: "set-user-sshkeys", help: "manipulate authorized SSH keys file for given user (via agent)", opts: spec("domain user --file=S --reset --remove", nil), run: cmdSetUserSshkeys},
			{name: "set-user-password", help: "set the user password inside the domain", opts: spec("domain user password --encrypted", nil), run: cmdSetUserPassword},
			{name: "ttyconsole", help: "tty console", opts: spec("domain", nil), run: cmdTtyconsole},
			{name: "update-device", help: "update device from an XML file", opts: spec("domain file --persistent --config --live --current --force", nil), run: cmdUpdateDevice},
			{name: "update-memory-device", help: "update memory device of a domain", opts: spec("domain --config --live --current --print-xml --alias=S --node=N --requested-size=N", nil), run: cmdUpdateMemoryDevice},
			{name: "vcpupin", help: "control or query domain vcpu affinity", opts: spec("domain --vcpu=N --cpulist=S --config --live --current", nil), run: cmdVcpupin},
			{name: "emulatorpin", help: "control or query domain emulator affinity", opts: spec("domain --cpulist=S --config --live --current", nil), run: cmdEmulatorpin},
			{name: "vncdisplay", help: "vnc display", opts: spec("domain", nil), run: cmdVncdisplay},
			{name: "guestvcpus", help: "query or modify state of vcpu in the guest (via agent)", opts: spec("domain --cpulist=S --enable --disable", nil), run: cmdGuestvcpus},
			{name: "setvcpu", help: "attach/detach vcpu or groups of threads", opts: spec("domain vcpulist --enable --disable --config --live --current", nil), run: cmdSetvcpu},
			{name: "domblkthreshold", help: "set the threshold for block-threshold event for a given block device or it's backing chain element", opts: spec("domain dev threshold=N", nil), run: cmdDomblkthreshold},
			{name: "guestinfo", help: "query information about the guest (via agent)", opts: spec("domain --user --os --timezone --hostname --filesystem --disk --interface", nil), run: cmdGuestinfo},
			{name: "domdirtyrate-calc", help: "Calculate a vm's memory dirty rate", opts: spec("domain --seconds=N --mode=S", nil), run: cmdDomdirtyrateCalc},
			{name: "dom-fd-associate", help: "associate a FD with a domain", opts: spec("domain name pass-fds --seclabel-writable --seclabel-restore", nil), run: cmdDomFdAssociate},
		},
		"monitor": {
			{name: "domblkerror", help: "Show errors on block devices", opts: spec("domain", nil), run: cmdDomblkerror},
			{name: "domblkinfo", help: "domain block device size information", opts: spec("domain --device=S --human --all", nil), run: cmdDomblkinfo},
			{name: "domblkstat", help: "get device block stats for a domain", opts: spec("domain --device=S --human", nil), run: cmdDomblkstat},
			{name: "domcontrol", help: "domain control interface state", opts: spec("domain", nil), run: cmdDomcontrol},
			{name: "domifaddr", help: "Get network interfaces' addresses for a running domain", opts: spec("domain --interface=S --full --source=S", nil), run: cmdDomifaddr},
			{name: "domifstat", help: "get network interface stats for a domain", opts: spec("domain interface", nil), run: cmdDomifstat},
			{name: "dommemstat", help: "get memory statistics for a domain", opts: spec("domain --period=N --config --live --current", nil), run: cmdDommemstat},
			{name: "domstats", help: "get statistics about one or multiple domains", opts: spec("--state --cpu-total --balloon --vcpu --interface --block --perf --iothread --memory --dirtyrate --vm --list-active --list-inactive --list-persistent --list-transient --list-running --list-paused --list-shutoff --list-other --raw --enforce --backing --nowait [domain...]", nil), run: cmdDomstats},
			{name: "domtime", help: "domain time", opts: spec("domain --now --pretty --sync --time=N", nil), run: cmdDomtime},
		},
		"host": {
			{name: "allocpages", help: "Manipulate pages pool size", opts: spec("pagesize=N pagecount=N --cellno=N --add --all", nil), run: cmdAllocpages},
			{name: "cpu-baseline", help: "compute baseline CPU", opts: spec("file --features --migratable", nil), run: cmdCpuBaseline},
			{name: "cpu-compare", help: "compare host CPU with a CPU described by an XML file", opts: spec("file --error --validate", nil), run: cmdCpuCompare},
			{name: "cpu-models", help: "CPU models", opts: spec("arch", nil), run: cmdCpuModels},
			{name: "domcapabilities", help: "domain capabilities", opts: spec("--virttype=S --emulatorbin=S --arch=S --machine=S", nil), run: cmdDomcapabilities},
			{name: "freecell", help: "NUMA free memory", opts: spec("--cellno=N --all", nil), run: cmdFreecell},
			{name: "freepages", help: "NUMA free pages", opts: spec("--cellno=N --pagesize=N --all", nil), run: cmdFreepages},
			{name: "hypervisor-cpu-baseline", help: "compute baseline CPU usable by a specific hypervisor", opts: spec("--file=S --virttype=S --emulator=S --arch=S --machine=S --features --migratable --model=S", nil), run: cmdHypervisorCpuBaseline},
			{name: "hypervisor-cpu-compare", help: "compare a CPU with the CPU created by a hypervisor on the host", opts: spec("file --virttype=S --emulator=S --arch=S --machine=S --error --validate", nil), run: cmdHypervisorCpuCompare},
			{name: "maxvcpus", help: "connection vcpu maximum", opts: spec("--type=S", nil), run: cmdMaxvcpus},
			{name: "node-memory-tune", help: "Get or set node memory parameters", opts: spec("--shm-pages-to-scan=N --shm-sleep-millisecs=N --shm-merge-across-nodes=N", nil), run: cmdNodeMemoryTune},
			{name: "nodecpustats", help: "Prints cpu stats of the node.", opts: spec("--cpu=N --percent", nil), run: cmdNodecpustats},
			{name: "nodememstats", help: "Prints memory stats of the node.", opts: spec("--cell=N", nil), run: cmdNodememstats},
			{name: "nodesevinfo", help: "node SEV information", opts: spec("", nil), run: cmdNodesevinfo},
			{name: "nodesuspend", help: "suspend the host node for a given time duration", opts: spec("target duration=N", nil), run: cmdNodesuspend},
			{name: "sysinfo", help: "print the hypervisor sysinfo", opts: spec("", nil), run: cmdSysinfo},
		},
		"checkpoint": {
			{name: "checkpoint-create", help: "Create a checkpoint from XML", opts: spec("domain --xmlfile=S --redefine --redefine-validate --quiesce", nil), run: cmdCheckpointCreate},
			{name: "checkpoint-create-as", help: "Create a checkpoint from a set of args", opts: spec("domain --name=S --description=S --print-xml --quiesce [diskspec...]", nil), run: cmdCheckpointCreateAs},
			{name: "checkpoint-delete", help: "Delete a domain checkpoint", opts: spec("domain --checkpointname=S --children --children-only --metadata", nil), run: cmdCheckpointDelete},
			{name: "checkpoint-dumpxml", help: "Dump XML for a domain checkpoint", opts: spec("domain --checkpointname=S --security-info --no-domain --size --xpath=S --wrap", nil), run: cmdCheckpointDumpxml},
			{name: "checkpoint-edit", help: "edit XML for a checkpoint", opts: spec("domain --checkpointname=S", nil), run: cmdCheckpointEdit},
			{name: "checkpoint-info", help: "checkpoint information", opts: spec("domain --checkpointname=S", nil), run: cmdCheckpointInfo},
			{name: "checkpoint-list", help: "List checkpoints for a domain", opts: spec("domain --parent --roots --leaves --no-leaves --tree --from=S --descendants --name --topological", nil), run: cmdCheckpointList},
			{name: "checkpoint-parent", help: "Get the name of the parent of a checkpoint", opts: spec("domain --checkpointname=S", nil), run: cmdCheckpointParent},
		},
		"interface": {
			{name: "iface-begin", help: "create a snapshot of current interfaces settings, which can be later committed (iface-commit) or restored (iface-rollback)", opts: spec("", nil), run: cmdIfaceBegin},
			{name: "iface-bridge", help: "create a bridge device and attach an existing network device to it", opts: spec("interface bridge --no-stp --delay=N --no-start", nil), run: cmdIfaceBridge},
			{name: "iface-commit", help: "commit changes made since iface-begin and free restore point", opts: spec("", nil), run: cmdIfaceCommit},
			{name: "iface-define", help: "define an inactive persistent physical host interface or modify an existing persistent one from an XML file", opts: spec("file --validate", nil), run: cmdIfaceDefine},
			{name: "iface-destroy", help: "destroy a physical host interface (disable it / \"if-down\")", opts: spec("interface", nil), run: cmdIfaceDestroy},
			{name: "iface-edit", help: "edit XML configuration for a physical host interface", opts: spec("interface", nil), run: cmdIfaceEdit},
			{name: "iface-rollback", help: "rollback to previous saved configuration created via iface-begin", opts: spec("", nil), run: cmdIfaceRollback},
			{name: "iface-start", help: "start a physical host interface (enable it / \"if-up\")", opts: spec("interface", nil), run: cmdIfaceStart},
			{name: "iface-unbridge", help: "undefine a bridge device after detaching its device(s)", opts: spec("bridge --no-start", nil), run: cmdIfaceUnbridge},
			{name: "iface-undefine", help: "undefine a physical host interface (remove it from configuration)", opts: spec("interface", nil), run: cmdIfaceUndefine},
		},
		"filter": {
			{name: "nwfilter-define", help: "define or update a network filter from an XML file", opts: spec("file --validate", nil), run: cmdNwfilterDefine},
			{name: "nwfilter-dumpxml", help: "network filter information in XML", opts: spec("nwfilter --xpath=S --wrap", nil), run: cmdNwfilterDumpxml},
			{name: "nwfilter-edit", help: "edit XML configuration for a network filter", opts: spec("nwfilter", nil), run: cmdNwfilterEdit},
			{name: "nwfilter-list", help: "list network filters", opts: spec("", nil), run: cmdNwfilterList},
			{name: "nwfilter-undefine", help: "undefine a network filter", opts: spec("nwfilter", nil), run: cmdNwfilterUndefine},
			{name: "nwfilter-binding-create", help: "create a network filter binding from an XML file", opts: spec("file --validate", nil), run: cmdNwfilterBindingCreate},
			{name: "nwfilter-binding-delete", help: "delete a network filter binding", opts: spec("binding", nil), run: cmdNwfilterBindingDelete},
			{name: "nwfilter-binding-dumpxml", help: "network filter information in XML", opts: spec("binding --xpath=S --wrap", nil), run: cmdNwfilterBindingDumpxml},
			{name: "nwfilter-binding-list", help: "list network filter bindings", opts: spec("", nil), run: cmdNwfilterBindingList},
		},
		"network": {
			{name: "net-dhcp-leases", help: "print lease info for a given network", opts: spec("network --mac=S", nil), run: cmdNetDhcpLeases},
			{name: "net-edit", help: "edit XML configuration for a network", opts: spec("network", nil), run: cmdNetEdit},
			{name: "net-event", help: "Network Events", opts: spec("--network=S --event=S --loop --timeout=N --list --timestamp", nil), run: cmdNetEvent},
			{name: "net-update", help: "update parts of an existing network's configuration", opts: spec("network command section xml --parent-index=N --config --live --current", nil), run: cmdNetUpdate},
			{name: "net-port-list", help: "list network ports", opts: spec("network --uuid --table", nil), run: cmdNetPortList},
			{name: "net-port-create", help: "create a network port from an XML file", opts: spec("network file --validate", nil), run: cmdNetPortCreate},
			{name: "net-port-dumpxml", help: "network port information in XML", opts: spec("network port --xpath=S --wrap", nil), run: cmdNetPortDumpxml},
			{name: "net-port-delete", help: "delete the specified network port", opts: spec("network port", nil), run: cmdNetPortDelete},
		},
		"nodedev": {
			{name: "nodedev-create", help: "create a device defined by an XML file on the node", opts: spec("file --validate", nil), run: cmdNodedevCreate},
			{name: "nodedev-destroy", help: "destroy (stop) a device on the node", opts: spec("device", nil), run: cmdNodedevDestroy},
			{name: "nodedev-detach", help: "detach node device from its device driver", opts: spec("device --driver=S", nil), run: cmdNodedevDetach},
			{name: "nodedev-dumpxml", help: "node device details in XML", opts: spec("device --xpath=S --wrap", nil), run: cmdNodedevDumpxml},
			{name: "nodedev-list", help: "enumerate devices on this host", opts: spec("--tree --cap=S --inactive --all", nil), run: cmdNodedevList},
			{name: "nodedev-reattach", help: "reattach node device to its device driver", opts: spec("device", nil), run: cmdNodedevReattach},
			{name: "nodedev-reset", help: "reset node device", opts: spec("device", nil), run: cmdNodedevReset},
			{name: "nodedev-event", help: "Node Device Events", opts: spec("--device=S --event=S --loop --timeout=N --list --timestamp", nil), run: cmdNodedevEvent},
			{name: "nodedev-define", help: "Define a device by an xml file on a node", opts: spec("file --validate", nil), run: cmdNodedevDefine},
			{name: "nodedev-undefine", help: "Undefine an inactive node device", opts: spec("device", nil), run: cmdNodedevUndefine},
			{name: "nodedev-start", help: "Start an inactive node device", opts: spec("device", nil), run: cmdNodedevStart},
			{name: "nodedev-autostart", help: "autostart a defined node device", opts: spec("device --disable", nil), run: cmdNodedevAutostart},
			{name: "nodedev-info", help: "node device information", opts: spec("device", nil), run: cmdNodedevInfo},
		},
		"secret": {
			{name: "secret-define", help: "define or modify a secret from an XML file", opts: spec("file --validate", nil), run: cmdSecretDefine},
			{name: "secret-dumpxml", help: "secret attributes in XML", opts: spec("secret --xpath=S --wrap", nil), run: cmdSecretDumpxml},
			{name: "secret-event", help: "Secret Events", opts: spec("--secret=S --event=S --loop --timeout=N --list --timestamp", nil), run: cmdSecretEvent},
			{name: "secret-get-value", help: "Output a secret value", opts: spec("secret --plain", nil), run: cmdSecretGetValue},
			{name: "secret-list", help: "list secrets", opts: spec("--ephemeral --no-ephemeral --private --no-private", nil), run: cmdSecretList},
			{name: "secret-set-value", help: "set a secret value", opts: spec("secret --file=S --plain --interactive --base64=S", nil), run: cmdSecretSetValue},
			{name: "secret-undefine", help: "undefine a secret", opts: spec("secret", nil), run: cmdSecretUndefine},
		},
		"snapshot": {
			{name: "snapshot-create", help: "Create a snapshot from XML", opts: spec("domain --xmlfile=S --redefine --current --no-metadata --halt --disk-only --reuse-external --quiesce --atomic --live --validate", nil), run: cmdSnapshotCreate},
			{name: "snapshot-create-as", help: "Create a snapshot from a set of args", opts: spec("domain --name=S --description=S --print-xml --no-metadata --halt --disk-only --reuse-external --quiesce --atomic --live --validate !--memspec=S [diskspec...]", nil), run: cmdSnapshotCreateAs},
			{name: "snapshot-current", help: "Get or set the current snapshot", opts: spec("domain --name --security-info --snapshotname=S", nil), run: cmdSnapshotCurrent},
			{name: "snapshot-delete", help: "Delete a domain snapshot", opts: spec("domain --snapshotname=S --current --children --children-only --metadata", nil), run: cmdSnapshotDelete},
			{name: "snapshot-dumpxml", help: "Dump XML for a domain snapshot", opts: spec("domain snapshotname --security-info --xpath=S --wrap", nil), run: cmdSnapshotDumpxml},
			{name: "snapshot-edit", help: "edit XML for a snapshot", opts: spec("domain --snapshotname=S --current --rename --clone", nil), run: cmdSnapshotEdit},
			{name: "snapshot-info", help: "snapshot information", opts: spec("domain --snapshotname=S --current", nil), run: cmdSnapshotInfo},
			{name: "snapshot-list", help: "List snapshots for a domain", opts: spec("domain --parent --roots --leaves --no-leaves --metadata --no-metadata --inactive --active --disk-only --internal --external --tree --from=S --current --descendants --name --topological", nil), run: cmdSnapshotList},
			{name: "snapshot-parent", help: "Get the name of the parent of a snapshot", opts: spec("domain --snapshotname=S --current", nil), run: cmdSnapshotParent},
			{name: "snapshot-revert", help: "Revert a domain to a snapshot", opts: spec("domain --snapshotname=S --current --running --paused --force --reset-nvram", nil), run: cmdSnapshotRevert},
		},
		"backup": {
			{name: "backup-begin", help: "Start a disk backup of a live domain", opts: spec("domain --backupxml=S --checkpointxml=S --reuse-external", nil), run: cmdBackupBegin},
			{name: "backup-dumpxml", help: "Dump XML for an ongoing domain block backup job", opts: spec("domain --xpath=S --wrap", nil), run: cmdBackupDumpxml},
		},
		"pool": {
			{name: "find-storage-pool-sources-as", help: "find potential storage pool sources", opts: spec("type --host=S --port=S --initiator=S", nil), run: cmdFindStoragePoolSourcesAs},
			{name: "find-storage-pool-sources", help: "discover potential storage pool sources", opts: spec("type --srcSpec=S", nil), run: cmdFindStoragePoolSources},
			{name: "pool-create-as", help: "create a pool from a set of args", opts: spec("name type --print-xml --source-host=S --source-path=S --source-dev=S --source-name=S --target=S --source-format=S --auth-type=S --auth-username=S --secret-usage=S --secret-uuid=S --adapter-name=S --adapter-wwnn=S --adapter-wwpn=S --adapter-parent=S --adapter-parent-wwnn=S --adapter-parent-wwpn=S --adapter-parent-fabric-wwn=S --source-protocol-ver=S --source-initiator=S --build --no-overwrite --overwrite", nil), run: cmdPoolCreateAs},
			{name: "pool-define-as", help: "define a pool from a set of args", opts: spec("name type --print-xml --source-host=S --source-path=S --source-dev=S --source-name=S --target=S --source-format=S --auth-type=S --auth-username=S --secret-usage=S --secret-uuid=S --adapter-name=S --adapter-wwnn=S --adapter-wwpn=S --adapter-parent=S --adapter-parent-wwnn=S --adapter-parent-wwpn=S --adapter-parent-fabric-wwn=S --source-protocol-ver=S --source-initiator=S", nil), run: cmdPoolDefineAs},
			{name: "pool-edit", help: "edit XML configuration for a storage pool", opts: spec("pool", nil), run: cmdPoolEdit},
			{name: "pool-event", help: "Storage Pool Events", opts: spec("--pool=S --event=S --loop --timeout=N --list --timestamp", nil), run: cmdPoolEvent},
			{name: "pool-capabilities", help: "storage pool capabilities", opts: spec("", nil), run: cmdPoolCapabilities},
		},
		"volume": {
			{name: "vol-clone", help: "clone a volume.", opts: spec("vol newname --pool=S --prealloc-metadata --reflink --print-xml", nil), run: cmdVolClone},
			{name: "vol-create-from", help: "create a vol, using another volume as input", opts: spec("pool file vol --inputpool=S --prealloc-metadata --reflink --validate", nil), run: cmdVolCreateFrom},
			{name: "vol-download", help: "download volume contents to a file", opts: spec("vol file --pool=S --offset=N --length=N --sparse", nil), run: cmdVolDownload},
			{name: "vol-resize", help: "resize a vol", opts: spec("vol capacity --pool=S --allocate --delta --shrink", nil), run: cmdVolResize},
			{name: "vol-upload", help: "upload file contents to a volume", opts: spec("vol file --pool=S --offset=N --length=N --sparse", nil), run: cmdVolUpload},
			{name: "vol-wipe", help: "wipe a vol", opts: spec("vol --pool=S --algorithm=S", nil), run: cmdVolWipe},
		},
	}
}

// moreGroups are the groups commands.go does not have, with the group they
// follow in virsh's help.
var moreGroups = []struct {
	after, name, keyword string
}{
	{"host", "Checkpoint", "checkpoint"},
	{"interface", "Network Filter", "filter"},
	{"network", "Node Device", "nodedev"},
	{"nodedev", "Secret", "secret"},
	{"secret", "Snapshot", "snapshot"},
	{"snapshot", "Backup", "backup"},
}

// virshOrder lists virsh 9.0's commands in the order its help shows them.
var virshOrder = func() map[string]int {
	m := map[string]int{}
	for i, n := range strings.Fields(`attach-device attach-disk attach-interface autostart blkdeviotune blkiotune blockcommit
blockcopy blockjob blockpull blockresize change-media console cpu-stats create define desc
destroy detach-device detach-device-alias detach-disk detach-interface domdisplay domfsfreeze
domfsthaw domfsinfo domfstrim domhostname domid domif-setlink domiftune domjobabort domjobinfo
domlaunchsecinfo domsetlaunchsecstate domname domrename dompmsuspend dompmwakeup domuuid
domxml-from-native domxml-to-native dump dumpxml edit get-user-sshkeys inject-nmi iothreadinfo
iothreadpin iothreadadd iothreadset iothreaddel send-key send-process-signal
lxc-enter-namespace managedsave managedsave-remove managedsave-edit managedsave-dumpxml
managedsave-define memtune perf metadata migrate migrate-setmaxdowntime migrate-getmaxdowntime
migrate-compcache migrate-setspeed migrate-getspeed migrate-postcopy numatune qemu-attach
qemu-monitor-command qemu-monitor-event qemu-agent-command guest-agent-timeout reboot reset
restore resume save save-image-define save-image-dumpxml save-image-edit schedinfo screenshot
set-lifecycle-action set-user-sshkeys set-user-password setmaxmem setmem setvcpus shutdown
start suspend ttyconsole undefine update-device update-memory-device vcpucount vcpuinfo vcpupin
emulatorpin vncdisplay guestvcpus setvcpu domblkthreshold guestinfo domdirtyrate-calc
dom-fd-associate domblkerror domblkinfo domblklist domblkstat domcontrol domif-getlink
domifaddr domiflist domifstat dominfo dommemstat domstate domstats domtime list event
allocpages capabilities cpu-baseline cpu-compare cpu-models domcapabilities freecell freepages
hostname hypervisor-cpu-baseline hypervisor-cpu-compare maxvcpus node-memory-tune nodecpumap
nodecpustats nodeinfo nodememstats nodesevinfo nodesuspend sysinfo uri version
checkpoint-create checkpoint-create-as checkpoint-delete checkpoint-dumpxml checkpoint-edit
checkpoint-info checkpoint-list checkpoint-parent iface-begin iface-bridge iface-commit
iface-define iface-destroy iface-dumpxml iface-edit iface-list iface-mac iface-name
iface-rollback iface-start iface-unbridge iface-undefine nwfilter-define nwfilter-dumpxml
nwfilter-edit nwfilter-list nwfilter-undefine nwfilter-binding-create nwfilter-binding-delete
nwfilter-binding-dumpxml nwfilter-binding-list net-autostart net-create net-define net-destroy
net-dhcp-leases net-dumpxml net-edit net-event net-info net-list net-name net-start
net-undefine net-update net-uuid net-port-list net-port-create net-port-dumpxml net-port-delete
nodedev-create nodedev-destroy nodedev-detach nodedev-dumpxml nodedev-list nodedev-reattach
nodedev-reset nodedev-event nodedev-define nodedev-undefine nodedev-start nodedev-autostart
nodedev-info secret-define secret-dumpxml secret-event secret-get-value secret-list
secret-set-value secret-undefine snapshot-create snapshot-create-as snapshot-current
snapshot-delete snapshot-dumpxml snapshot-edit snapshot-info snapshot-list snapshot-parent
snapshot-revert backup-begin backup-dumpxml find-storage-pool-sources-as
find-storage-pool-sources pool-autostart pool-build pool-create-as pool-create pool-define-as
pool-define pool-delete pool-destroy pool-dumpxml pool-edit pool-info pool-list pool-name
pool-refresh pool-start pool-undefine pool-uuid pool-event pool-capabilities vol-clone
vol-create-as vol-create vol-create-from vol-delete vol-download vol-dumpxml vol-info vol-key
vol-list vol-name vol-path vol-pool vol-resize vol-upload vol-wipe cd echo exit help pwd quit
connect`) {
		m[n] = i
	}
	return m
}()

// withMoreCommands adds the groups and commands of this file to groups and
// sorts every group's commands in virsh's order.
func withMoreCommands(groups []*group) []*group {
	for _, g := range moreGroups {
		for i, old := range groups {
			if old.keyword == g.after {
				ng := &group{name: g.name, keyword: g.keyword}
				groups = append(groups[:i+1], append([]*group{ng}, groups[i+1:]...)...)
				break
			}
		}
	}
	more := moreCommands()
	for k, cmds := range validateCommands() {
		more[k] = append(more[k], cmds...)
	}
	for _, g := range groups {
		g.cmds = append(g.cmds, more[g.keyword]...)
		sort.SliceStable(g.cmds, func(i, j int) bool {
			a, aok := virshOrder[g.cmds[i].name]
			b, bok := virshOrder[g.cmds[j].name]
			if aok != bok {
				return aok
			}
			return a < b
		})
	}
	return groups
}
