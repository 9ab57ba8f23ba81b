// Package qemu is govirt's QEMU driver: real guests run as qemu-system
// processes, supervised over QMP, that outlive the process managing them.
//
// # Connections and state
//
// qemu:///system keeps its state under /etc/govirt, /var/lib/govirt,
// /run/govirt, /var/cache/govirt and /var/log/govirt; qemu:///session
// under the XDG folders of the user ($XDG_CONFIG_HOME/govirt, ...).
// qemu:///embed?root=DIR (libvirt's embedded driver URI) and the
// environment variable GOVIRT_ROOT=DIR put all of it under DIR instead,
// with the system layout (DIR/etc/govirt, DIR/run/govirt, ...): tests use
// that. Every file is written atomically (temporary file, fsync, rename).
//
// One process at a time manages a state root: it holds an exclusive lock
// on the run folder's driver.lock while any connection to the root is open
// (and, with Options.Supervise, until Driver.Close); another process waits
// for it. A daemon sets Supervise, opens its connection at start-up (which
// re-adopts the guests that run) and calls AutostartDomains once; the CLI
// opens and closes a connection per command, and guests run on unwatched
// in between.
//
// # Guests
//
// A guest's command line is a pure function of its definition (argv.go),
// golden-tested. QEMU starts paused (-S) and detached in its own session,
// with a pidfile and the domain's UUID on its command line; the driver
// talks to it over a QMP socket it binds itself and hands to QEMU, then
// resumes it. QMP events drive the domain's state and its on_poweroff,
// on_reboot and on_crash actions; QEMU always runs with -no-shutdown so
// that a guest power-off is seen (SHUTDOWN) and acted on by the driver.
//
// A guest's power-off is seen as QEMU's SHUTDOWN event and acted on at
// once (on_poweroff); the domain is reported shut off when QEMU's monitor
// reaches its end and the process is gone (a few milliseconds), never by
// periodic polling.
//
// When the managing process dies, guests keep running. The next process
// to open the root rescans the status files (recovery.go): a guest whose
// pid is alive, whose start time matches and whose /proc/PID/cmdline names
// its UUID is re-adopted over QMP; any other is reported shut off (reason
// crashed when QEMU was killed hard, destroyed when it was terminated, shut
// down when it exited cleanly) and its leftovers are removed.
//
// # Networks and storage pools
//
// Virtual networks (network.go, netrun.go) keep their definitions in
// CONFIG/networks and, while they run, their status in RUN/networks; the
// host side (bridge, dnsmasq, nftables chains in table inet govirt, tap
// devices) is internal/network's. A running network outlives the managing
// process like a guest does: the next one re-adopts it when its bridge is
// there and its dnsmasq provably runs with its configuration (else
// dnsmasq is started again), and supervises dnsmasq while the node is
// open. Guests' type='network' interfaces get a tap device the driver
// creates and hands to QEMU as a descriptor. Storage pools (pool.go,
// volume.go) keep their definitions in CONFIG/storage and mark running
// pools in RUN/storage; the work is internal/storage's.
package qemu
