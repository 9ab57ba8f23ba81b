# Peer side of bench/start: libvirt 9.0's QEMU driver, embedded in this
# process (qemu:///embed?root=ROOT) through python3-libvirt, on the same
# domain XML as govirt. Prints one JSON object with the start-call
# latencies and the power-off-to-shut-off delays, in seconds.
#
# Usage: python3 peer.py ROOT START_XML N POWEROFF_XML M
import json
import sys
import threading
import time

import libvirt

root, start_xml, n, poweroff_xml, m = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])

libvirt.virEventRegisterDefaultImpl()


def loop():
    while True:
        libvirt.virEventRunDefaultImpl()


threading.Thread(target=loop, daemon=True).start()
conn = libvirt.open("qemu:///embed?root=" + root)
events = []
cond = threading.Condition()


def on_event(c, dom, event, detail, opaque):
    with cond:
        events.append((time.monotonic(), dom.name(), event, detail))
        cond.notify_all()


conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, on_event, None)

d = conn.defineXML(open(start_xml).read())
d.create()  # warm-up: capabilities, caches
d.destroy()
starts = []
for _ in range(n):
    t = time.monotonic()
    d.create()
    starts.append(time.monotonic() - t)
    d.destroy()
d.undefine()

p = conn.defineXML(open(poweroff_xml).read())
offs = []
for _ in range(m):
    with cond:
        events.clear()
    p.create()
    deadline = time.monotonic() + 180
    shutdown = stopped = None
    with cond:
        while stopped is None and time.monotonic() < deadline:
            for (t, name, ev, detail) in events:
                if name != p.name():
                    continue
                if ev == libvirt.VIR_DOMAIN_EVENT_SHUTDOWN and shutdown is None:
                    shutdown = t
                if ev == libvirt.VIR_DOMAIN_EVENT_STOPPED and shutdown is not None:
                    stopped = t
            if stopped is None:
                cond.wait(1)
    if stopped is None:
        print(json.dumps({"error": "no shutdown/stopped events within 180s"}))
        sys.exit(1)
    offs.append(stopped - shutdown)
p.undefine()
print(json.dumps({"start": starts, "poweroff": offs}))
