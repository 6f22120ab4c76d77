# SPDX-License-Identifier: GPL-2.0-only
"""Helpers of the Python selftests: result lines, vGPUs, images.

A program sets harness.PROG, runs its tests with run_test() and exits with
harness.exit_status(). The result lines are those of the C selftests.
"""
import os
import sys
import threading
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "qemu-glue"))
from ivgpu_qemu import read_ppm, xrgb_to_rgb  # noqa: E402,F401  (for the tests)

PROG = "?"
failures = 0


class Failed(Exception):
    """A check failed; the message says which."""


class Skip(Exception):
    """The test cannot run here; the message says why."""


def log(msg):
    for line in str(msg).splitlines():
        print("# " + line, flush=True)


def result(name, ok, skip=None):
    global failures
    if not ok:
        failures += 1
        print(f"not ok - {PROG}: {name}", flush=True)
    elif skip:
        print(f"ok - {PROG}: {name} # SKIP {skip}", flush=True)
    else:
        print(f"ok - {PROG}: {name}", flush=True)


def check(cond, msg):
    if not cond:
        raise Failed(msg)


def run_test(name, fn, *args):
    """Run fn; one result line. fn's value (True for None), or None if it failed."""
    try:
        value = fn(*args)
    except Skip as e:
        result(name, True, skip=str(e))
        return True
    except Exception as e:      # whatever went wrong is the test's result
        log(f"{name}: {e}")
        result(name, False)
        return None
    result(name, True)
    return True if value is None else value


def skip_all(names, why):
    for name in names:
        result(name, True, skip=why)


def exit_status():
    return 1 if failures else 0


# ---- vGPUs ----

def find_parent(vgpu_type):
    base = "/sys/class/mdev_bus"
    for parent in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        if os.path.isdir(f"{base}/{parent}/mdev_supported_types/{vgpu_type}"):
            return parent
    raise Failed(f"no parent offers {vgpu_type}")


def create_vgpu(vgpu_type):
    parent = find_parent(vgpu_type)
    with open("/proc/sys/kernel/random/uuid") as f:
        uuid = f.read().strip()
    with open(f"/sys/class/mdev_bus/{parent}/mdev_supported_types/{vgpu_type}/create",
              "w") as f:
        f.write(uuid)
    log(f"{vgpu_type} {uuid} on {parent}")
    return uuid


def start_remove(uuid):
    """Write remove on a thread (it blocks while a user holds the device);
    the thread and the list its error lands in."""
    err = []

    def remove():
        try:
            with open(f"/sys/bus/mdev/devices/{uuid}/remove", "w") as f:
                f.write("1")
        except OSError as e:
            err.append(e)

    t = threading.Thread(target=remove, daemon=True)
    t.start()
    return t, err


def finish_remove(uuid, t, err, timeout):
    t.join(timeout)
    check(not t.is_alive(), f"remove still blocked after {timeout} s")
    if err:
        raise err[0]
    check(not os.path.exists(f"/sys/bus/mdev/devices/{uuid}"), "the vGPU is still there")


def remove_vgpu(uuid, timeout=15):
    t, err = start_remove(uuid)
    finish_remove(uuid, t, err, timeout)


def set_gfx_plane(uuid, value):
    with open(f"/sys/bus/mdev/devices/{uuid}/ivgpu/gfx_plane", "w") as f:
        f.write(value)


# ---- images ----

def read_png(path):
    """(width, height, channels, bytes) of an 8-bit RGB or RGBA PNG, checking
    the signature, every chunk's CRC and the filter bytes."""
    with open(path, "rb") as f:
        data = f.read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: no PNG signature")
    pos, chunks = 8, []
    while pos < len(data):
        check(pos + 12 <= len(data), f"{path}: truncated chunk at {pos}")
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        crc = int.from_bytes(data[pos + 8 + length:pos + 12 + length], "big")
        check(len(body) == length, f"{path}: truncated {kind!r} chunk")
        check(zlib.crc32(kind + body) == crc, f"{path}: bad CRC in {kind!r}")
        chunks.append((kind, body))
        pos += 12 + length
    check(chunks and chunks[0][0] == b"IHDR", f"{path}: IHDR is not first")
    check(chunks[-1][0] == b"IEND", f"{path}: IEND is not last")
    ihdr = chunks[0][1]
    width, height = int.from_bytes(ihdr[0:4], "big"), int.from_bytes(ihdr[4:8], "big")
    depth, ctype, comp, filt, interlace = ihdr[8:13]
    check(depth == 8 and ctype in (2, 6) and comp == 0 and filt == 0 and interlace == 0,
          f"{path}: depth {depth} color type {ctype} compression {comp} filter {filt} "
          f"interlace {interlace}")
    channels = 3 if ctype == 2 else 4
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    line = width * channels
    check(len(raw) == height * (line + 1),
          f"{path}: {len(raw)} bytes of image data for {width}x{height}x{channels}")
    rows = []
    for y in range(height):
        start = y * (line + 1)
        check(raw[start] == 0, f"{path}: row {y} uses filter {raw[start]}")
        rows.append(raw[start + 1:start + 1 + line])
    return width, height, channels, b"".join(rows)


def first_difference(got, want, width, channels):
    """'x,y: got .. want ..' for the first pixel that differs, or None."""
    if got == want:
        return None
    n = min(len(got), len(want))
    for i in range(0, n, 4096):
        if got[i:i + 4096] != want[i:i + 4096]:
            for j in range(i, min(i + 4096, n)):
                if got[j] != want[j]:
                    p = j // channels
                    s = p * channels
                    return (f"first difference at {p % width},{p // width}: got "
                            f"{got[s:s + channels].hex()}, expected {want[s:s + channels].hex()}")
    return f"{len(got)} bytes, expected {len(want)}"
