#!/usr/bin/python3
"""Regenerates golden answers from the real libvirt 9.0 test driver.

The shared corpus' network/ and storagepool/ answers are empty (the test
driver refuses net-dumpxml/pool-dumpxml --inactive), so virtxml's
conformance tests compare against answers produced here instead: each input
is defined on a fresh test:///default connection whose own 'default'
network and 'default-pool' pool were removed first (so name clashes with
them do not hide the XML handling), and dumped with flags 0.

usage: oracle.py KIND INPUT_DIR OUTPUT_DIR   (KIND: network | pool | vol)
For each INPUT_DIR/NAME.xml (not NAME.libvirt.xml) it writes
OUTPUT_DIR/NAME.out (the dumped XML) or OUTPUT_DIR/NAME.err (the message).
"""
import os
import sys

import libvirt

libvirt.registerErrorHandler(lambda ctx, err: None, None)


def fresh():
    conn = libvirt.open("test:///default")
    net = conn.networkLookupByName("default")
    net.destroy()
    net.undefine()
    pool = conn.storagePoolLookupByName("default-pool")
    pool.destroy()
    pool.undefine()
    return conn


def answer(kind, doc):
    conn = fresh()
    try:
        if kind == "network":
            return conn.networkDefineXML(doc).XMLDesc(0), None
        if kind == "pool":
            return conn.storagePoolDefineXML(doc).XMLDesc(0), None
        if kind == "vol":
            pool = conn.storagePoolDefineXML(
                "<pool type='dir'><name>p</name><target><path>/p</path></target></pool>")
            pool.create()
            return pool.createXML(doc).XMLDesc(0), None
        raise SystemExit("unknown kind " + kind)
    except libvirt.libvirtError as e:
        return None, e.get_error_message()
    finally:
        conn.close()


def main():
    kind, src, dst = sys.argv[1:4]
    os.makedirs(dst, exist_ok=True)
    for name in sorted(os.listdir(src)):
        if not name.endswith(".xml") or name.endswith(".libvirt.xml"):
            continue
        base = name[:-4]
        with open(os.path.join(src, name)) as f:
            doc = f.read()
        out, err = answer(kind, doc)
        for ext in (".out", ".err"):
            p = os.path.join(dst, base + ext)
            if os.path.exists(p):
                os.remove(p)
        if err is not None:
            with open(os.path.join(dst, base + ".err"), "w") as f:
                f.write(err + "\n")
        else:
            with open(os.path.join(dst, base + ".out"), "w") as f:
                f.write(out)


main()
