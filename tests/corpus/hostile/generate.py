#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
#
# Writes the committed hostile configurations into this directory: every one
# must be refused (exit 1, one line naming the file and, where there is one,
# the line) within a second. Deterministic: the same files every time. The
# huge and the special ones (10 MB, 100,000 lines, a directory, a FIFO, a
# symlink loop, an unreadable file) are made by run.sh at test time instead.
# Run it again only to change the set; commit its output.
import os
import random

here = os.path.dirname(os.path.abspath(__file__))
rnd = random.Random(20261128)
K1 = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="
K2 = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
good = ("[Interface]\nPrivateKey = %s\nListenPort = 51820\nAddress = 10.0.0.2/32\nDNS = 10.0.0.1\n\n"
        "[Peer]\nPublicKey = %s\nPresharedKey = %s\nEndpoint = 192.0.2.1:51820\n"
        "AllowedIPs = 0.0.0.0/0, ::/0\nPersistentKeepalive = 25\n" % (K1, K2, K1)).encode()
files = {}

def add(name, data):
    assert len(name) <= 15 and name not in files, name
    files[name] = data if isinstance(data, bytes) else data.encode()

# Truncated: cut inside a key, a value, a section header, a key.
cuts = [("tr-key", "PrivateKey = yAnz5TF"), ("tr-psk", "PresharedKey = yAnz5TF+lXXJte14t"),
        ("tr-section", "[Pe"), ("tr-sect2", "[Peer"), ("tr-ep", "Endpoint = 192.0.2.1:"),
        ("tr-ep2", "Endpoint = [2001:db8::1"), ("tr-aip", "AllowedIPs = 0.0.0.0/"),
        ("tr-port", "ListenPort"), ("tr-addr", "Address = 10.0.0.2/"), ("tr-keyname", "Persist"),
        ("tr-pub", "PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8D"), ("tr-privkey-eq", "PrivateKey ="),
        ("tr-keepal", "PersistentKeepalive = "), ("tr-iface", "[Interfa"), ("tr-aip6", "AllowedIPs = 0.0.0.0/0, ::/")]
for name, prefix in cuts:
    text = good.decode()
    base = prefix.split(" =")[0].split("[")[-1]
    i = text.find(base if not prefix.startswith("[") else prefix[:2])
    add(name, text[:i] + prefix)
add("tr-nopeerkey", "[Interface]\nPrivateKey = %s\n[Peer]\nEndpoint = 192.0.2.1:1\n" % K1)
add("tr-peer-only", "[Peer]\n")

# Binary noise, and binary noise after a good header.
for i in range(15):
    n = rnd.choice([1, 7, 64, 512, 4096])
    noise = bytes(rnd.randrange(256) for _ in range(n))
    if i % 3 == 0:
        noise = b"\x00" + noise  # starts with a NUL
    add("bin-%02d" % i, (b"[Interface]\n" + noise) if i % 2 else (noise + b"\n=\n"))

# NUL bytes where wg(8) would stop reading a C string.
for i, (k, v) in enumerate([("PrivateKey", K1), ("ListenPort", "51820"), ("Address", "10.0.0.2/32"),
                            ("DNS", "10.0.0.1"), ("MTU", "1420"), ("Table", "off"), ("FwMark", "0x10")]):
    add("nul-val-%d" % i, "[Interface]\n%s = %s\0garbage\n" % (k, v[:3]))
    add("nul-key-%d" % i, "[Interface]\n%s\0x = %s\n" % (k[:4], v))
add("nul-section", "[Inter\0face]\nPrivateKey = %s\n" % K1)
add("nul-only", "\0\0\0\0")

# Invalid UTF-8 in keys and values (wg reads bytes: these are errors by content).
bad_utf8 = [b"\xff", b"\xc3\x28", b"\xe2\x82", b"\xf0\x28\x8c\x28", b"\xed\xa0\x80", b"\xc0\xaf"]
for i, seq in enumerate(bad_utf8):
    add("utf8-val-%d" % i, b"[Interface]\nListenPort = 518" + seq + b"\n")
    add("utf8-key-%d" % i, b"[Interface]\nListen" + seq + b"Port = 51820\n")
add("utf8-ep", b"[Interface]\n[Peer]\nPublicKey = " + K2.encode() + b"\nEndpoint = ex\xffample.com\n")
add("utf8-sect", b"[Int\xc3\x28erface]\n")

# Overlong keys and values.
add("long-key", "[Interface]\n" + "K" * 100000 + " = 1\n")
add("long-value", "[Interface]\nListenPort = " + "1" * 200000 + "\n")
add("long-key-b64", "[Interface]\nPrivateKey = " + "A" * 100000 + "=\n")
add("long-aip", "[Interface]\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.0.0/8%s\n" % (K2, "," * 50000 + "x"))
add("long-section", "[" + "P" * 100000 + "]\n")
add("long-ep", "[Interface]\n[Peer]\nPublicKey = %s\nEndpoint = %s\n" % (K2, "a" * 70000))
add("long-dns", "[Interface]\nDNS = " + "1." * 40000 + "\n")
add("long-comment", "[Interface]\n# " + "c" * 300000 + "\nListenPort = x\n")
add("long-mtu", "[Interface]\nMTU = " + "9" * 1000 + "\n")
add("long-table", "[Interface]\nTable = " + "1" * 1000 + "\n")

# Thousands of sections, with the error at the end.
add("many-iface", "[Interface]\n" * 5000 + "Bogus = 1\n")
add("many-peers", ("[Peer]\nPublicKey = %s\n" % K2) * 3000 + "[Peer]\nPublicKey = bad\n")
add("many-empty", "[Interface]\n" + "[Peer]\n" * 4000)

# Every key, with values wg(8) and wg-quick(8) refuse.
bad_values = {
    "ListenPort": ["65536", "-1", "0x10", "port", "1 2 3 4 5 6", "99999999999999999999"],
    "FwMark": ["0x100000000", "-5", "mark", "0x", "4294967296"],
    "PrivateKey": ["short", K1[:-1], K1 + "A", "!" * 43 + "=", K1.replace("=", "!")],
    "Address": ["10.0.0.256/32", "10.0.0.1/33", "fd00::1/129", "hello", "10.0.0.1/", "/24"],
    "MTU": ["0x", "mtu", "-1", "99999999999"],
    "Table": ["maybe", "-1", "4294967296x"],
    "SaveConfig": ["maybe", "2", "yesno"],
}
for key, values in bad_values.items():
    for i, v in enumerate(values):
        add("%s-%d" % (key.lower()[:10], i), "[Interface]\nPrivateKey = %s\n%s = %s\n" % (K1, key, v))
peer_bad = {
    "PublicKey": ["short", K2[:-2], "=" * 44],
    "PresharedKey": ["x", K1[:-3] + "==="],
    "Endpoint": ["192.0.2.1", "[::1]", "[::1:51820", "192.0.2.1:port", "192.0.2.1:65536", ":51820"],
    "AllowedIPs": ["10.0.0.0/33", "::/129", "10.0.0", "banana/8", "10.0.0.0/8/8", ",,"],
    "PersistentKeepalive": ["65536", "-1", "often", "0x"],
}
for key, values in peer_bad.items():
    for i, v in enumerate(values):
        add("p%s-%d" % (key.lower()[:10], i), "[Interface]\n[Peer]\nPublicKey = %s\n%s = %s\n" % (K2, key, v))
add("unknown-key", "[Interface]\nColour = blue\n")
add("unknown-sect", "[Tunnel]\nPrivateKey = %s\n" % K1)
add("key-outside", "PrivateKey = %s\n[Interface]\n" % K1)
add("no-equals", "[Interface]\nPrivateKey\n")
add("peer-no-pub", "[Interface]\n[Peer]\nAllowedIPs = 10.0.0.0/8\n")

for old in os.listdir(here):
    if old.endswith(".conf"):
        os.unlink(os.path.join(here, old))
for name, data in sorted(files.items()):
    with open(os.path.join(here, name + ".conf"), "wb") as f:
        f.write(data)
print(len(files), "files")
