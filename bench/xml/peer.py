# Peer side of bench/xml: define + dumpxml --inactive + undefine of every
# domain document, through python3-libvirt against libvirt's own test driver.
# Usage: python3 peer.py SECONDS FILE...   Prints "ops SECONDS".
import sys, time
import libvirt

libvirt.registerErrorHandler(lambda ctx, err: None, None)
conn = libvirt.open("test:///default")
seconds = float(sys.argv[1])
docs = [open(p).read() for p in sys.argv[2:]]
ops = 0
start = time.perf_counter()
while True:
    for d in docs:
        try:
            dom = conn.defineXML(d)
            dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
            dom.undefine()
        except libvirt.libvirtError:
            pass
        ops += 1
    elapsed = time.perf_counter() - start
    if elapsed >= seconds:
        break
print(ops, elapsed)
