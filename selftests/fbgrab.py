#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""qemu-glue/ivgpu-fbgrab against a vGPU that this program drives.

Opens a vGPU's VFIO device (with the VFIO helpers of ivgpu-fbgrab itself),
maps guest memory, writes images into it, maps them through the GGTT and
programs pipe A's planes by writes to BAR0. Then runs ivgpu-fbgrab with the
open device fd (--fd) on each path (region, fb, dmabuf) and compares the
PNG it writes with the image, pixel for pixel: linear and X-tiled planes,
every format, a padded stride, the cursor, a disabled plane.
"""

import ctypes
import importlib.machinery
import importlib.util
import mmap
import os
import random
import struct
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))
import harness  # noqa: E402
from harness import Failed, check, log, run_test  # noqa: E402

harness.PROG = "fbgrab"
TYPE = "ivgpu-V5_1024x768"
FBGRAB = os.path.join(HERE, "..", "qemu-glue", "ivgpu-fbgrab")

PAGE = 4096
GGTT = 0x800000
IOVA = 1 << 32                  # where guest memory goes
GUEST_SIZE = 16 << 20           # mapped 1:1 into graphics memory from 0

# Graphics-memory (= guest memory) offsets of the images.
LINEAR = 0x000000               # 1024x768 XRGB8888, linear
TILED = 0x400000                # the same image, X-tiled
SMALL = 0x800000                # 256x64 images of each format, padded stride
CURSOR = 0x900000               # 64x64 ARGB8888
WIDTH, HEIGHT = 1024, 768
SMALL_W, SMALL_H = 256, 64

TRANSCONF_A = 0x70008
PIPESRC_A = 0x6001c
CURCNTR_A = 0x70080
CURBASE_A = 0x70084
CURPOS_A = 0x70088
PLANE_CTL_A = 0x70180
PLANE_STRIDE_A = 0x70188
PLANE_SIZE_A = 0x70190
PLANE_SURF_A = 0x7019c
PLANE_OFFSET_A = 0x701a4
PLANE_CTL_ENABLE = 1 << 31
PLANE_CTL_RGBX = 1 << 20
PLANE_CTL_ALPHA = 2 << 4        # software premultiplied
PLANE_CTL_TILED_X = 1 << 10

# fourcc: (PLANE_CTL bits, bytes per pixel)
FORMATS = {
    "XR24": (4 << 24, 4),
    "AR24": (4 << 24 | PLANE_CTL_ALPHA, 4),
    "XB24": (4 << 24 | PLANE_CTL_RGBX, 4),
    "AB24": (4 << 24 | PLANE_CTL_RGBX | PLANE_CTL_ALPHA, 4),
    "RG16": (14 << 24, 2),
    "XR30": (2 << 24, 4),
    "XB30": (2 << 24 | PLANE_CTL_RGBX, 4),
}


def load_fbgrab():
    loader = importlib.machinery.SourceFileLoader("ivgpu_fbgrab", FBGRAB)
    spec = importlib.util.spec_from_loader("ivgpu_fbgrab", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


fbgrab = load_fbgrab()


# ---- expected pixels, computed per pixel from the format's definition ----

def expand(v, bits):
    """An n-bit channel to 8 bits: bit replication up, truncation down."""
    if bits >= 8:
        return v >> (bits - 8)
    return (v << (8 - bits)) | (v >> (2 * bits - 8))


def expected(fourcc, data, width, height, stride):
    """(channels, bytes) of what the PNG must hold."""
    cpp = FORMATS[fourcc][1]
    alpha = fourcc in ("AR24", "AB24")
    out = bytearray()
    for y in range(height):
        for x in range(width):
            v = int.from_bytes(data[y * stride + x * cpp:y * stride + (x + 1) * cpp], "little")
            if fourcc in ("XR24", "AR24"):
                px = [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff]
            elif fourcc in ("XB24", "AB24"):
                px = [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff]
            elif fourcc == "RG16":
                px = [expand(v >> 11, 5), expand((v >> 5) & 0x3f, 6), expand(v & 0x1f, 5)]
            elif fourcc == "XR30":
                px = [expand((v >> 20) & 0x3ff, 10), expand((v >> 10) & 0x3ff, 10),
                      expand(v & 0x3ff, 10)]
            else:
                px = [expand(v & 0x3ff, 10), expand((v >> 10) & 0x3ff, 10),
                      expand((v >> 20) & 0x3ff, 10)]
            if alpha:
                px.append(v >> 24)
            out += bytes(px)
    return (4 if alpha else 3), bytes(out)


def x_tile(linear, stride, height):
    """Lay out linear lines (stride bytes each) as X tiles: 512 bytes x 8
    rows per 4 KiB tile, stride / 512 tiles per tile row."""
    out = bytearray(len(linear))
    tiles = stride // 512
    for y in range(height):
        for tx in range(tiles):
            dst = ((y // 8) * tiles + tx) * 4096 + (y % 8) * 512
            out[dst:dst + 512] = linear[y * stride + tx * 512:y * stride + tx * 512 + 512]
    return bytes(out)


# ---- the vGPU, driven through its VFIO device ----

class Vgpu:
    def __init__(self, uuid):
        self.dev = fbgrab.Vfio(uuid=uuid)
        _, self.bar0_size, self.bar0 = self.dev.region_info(0)
        self.mem = mmap.mmap(-1, GUEST_SIZE)
        self.mem_ptr = ctypes.c_char.from_buffer(self.mem)
        self.dev.map_dma(ctypes.addressof(self.mem_ptr), IOVA, GUEST_SIZE)
        # Graphics memory [0, GUEST_SIZE) -> guest memory, page by page.
        for i in range(GUEST_SIZE // PAGE):
            self.write64(GGTT + 8 * i, (IOVA + i * PAGE) | 1)

    def close(self):
        if self.dev.fd is not None:
            self.dev.close()
        del self.mem_ptr
        self.mem.close()

    def write32(self, off, val):
        self.dev.pwrite(self.bar0 + off, struct.pack("<I", val), f"BAR0 {off:#x}")

    def write64(self, off, val):
        self.dev.pwrite(self.bar0 + off, struct.pack("<Q", val), f"BAR0 {off:#x}")

    def fill(self, gm, data):
        self.mem[gm:gm + len(data)] = data

    def show(self, gm, width, height, stride, ctl, x=0, y=0):
        """Pipe A on, its primary plane at gm from pixel (x, y); PLANE_SURF
        written last."""
        tiled = ctl & PLANE_CTL_TILED_X
        for off, val in ((TRANSCONF_A, 1 << 31),
                         (PIPESRC_A, (width - 1) << 16 | (height - 1)),
                         (PLANE_STRIDE_A, stride // (512 if tiled else 64)),
                         (PLANE_SIZE_A, (height - 1) << 16 | (width - 1)),
                         (PLANE_OFFSET_A, y << 16 | x),
                         (PLANE_CTL_A, PLANE_CTL_ENABLE | ctl),
                         (PLANE_SURF_A, gm)):
            self.write32(off, val)


def grab(tmp, path, fd=None, uuid="-", plane="primary"):
    """Run ivgpu-fbgrab; (exit status, stderr, PNG path)."""
    out = os.path.join(tmp, f"{path}-{plane}.png")
    if os.path.exists(out):
        os.unlink(out)
    cmd = [FBGRAB, "--path", path, "--plane", plane]
    if fd is not None:
        cmd += ["--fd", str(fd)]
    cmd += [uuid, out]
    start = time.monotonic()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, pass_fds=(fd,) if fd is not None else (),
                       timeout=120, check=False)
    log(f"{' '.join(cmd[1:-2])}: status {p.returncode} in {time.monotonic() - start:.1f} s"
        + (f": {p.stderr.decode().strip()}" if p.stderr else ""))
    return p.returncode, p.stderr.decode(), out


def grab_ok(tmp, path, fd, plane="primary"):
    status, err, out = grab(tmp, path, fd=fd, plane=plane)
    check(status == 0, f"ivgpu-fbgrab --path {path} exited with {status}: {err.strip()}")
    return fbgrab_png(out)


def fbgrab_png(out):
    width, height, channels, pixels = harness.read_png(out)
    return width, height, channels, pixels


def expect_png(png, width, height, channels, pixels, what):
    w, h, c, got = png
    check((w, h, c) == (width, height, channels),
          f"{what}: {w}x{h} with {c} channels, expected {width}x{height} with {channels}")
    diff = harness.first_difference(got, pixels, width, channels)
    check(not diff, f"{what}: {diff}")


def expect_disabled(tmp, path, fd=None, uuid="-"):
    status, err, out = grab(tmp, path, fd=fd, uuid=uuid)
    check(status == 3, f"--path {path}: exit status {status}, expected 3")
    check("plane disabled" in err, f"--path {path}: stderr '{err.strip()}'")
    check(not os.path.exists(out), f"--path {path}: wrote {out} for a disabled plane")


# ---- tests ----

class State:
    vgpu = None
    linear = None               # the 1024x768 XRGB8888 image


def fresh_vgpu_has_no_plane(tmp, uuid):
    """By UUID, the tool opens (and so resets) the device itself."""
    expect_disabled(tmp, "region", uuid=uuid)
    expect_disabled(tmp, "fb", uuid=uuid)


def open_and_map(uuid):
    State.vgpu = Vgpu(uuid)
    State.linear = random.Random(1).randbytes(WIDTH * HEIGHT * 4)
    State.vgpu.fill(LINEAR, State.linear)
    State.vgpu.fill(TILED, x_tile(State.linear, WIDTH * 4, HEIGHT))


def linear_image(tmp, path):
    v = State.vgpu
    v.show(LINEAR, WIDTH, HEIGHT, WIDTH * 4, FORMATS["XR24"][0])
    png = grab_ok(tmp, path, v.dev.fd)
    expect_png(png, WIDTH, HEIGHT, 3, harness.xrgb_to_rgb(State.linear), path)


def linear_images(tmp, paths):
    for path in paths:
        linear_image(tmp, path)


def tiled_image(tmp, paths):
    v = State.vgpu
    v.show(TILED, WIDTH, HEIGHT, WIDTH * 4, FORMATS["XR24"][0] | PLANE_CTL_TILED_X)
    rgb = harness.xrgb_to_rgb(State.linear)
    for path in paths:
        expect_png(grab_ok(tmp, path, v.dev.fd), WIDTH, HEIGHT, 3, rgb, f"X-tiled, {path}")


def every_format(tmp, paths):
    """Each format at 256x64 with 256 bytes of padding after every line."""
    v = State.vgpu
    bad = []
    for n, (name, (ctl, cpp)) in enumerate(FORMATS.items()):
        stride = SMALL_W * cpp + 256
        data = random.Random(100 + n).randbytes(stride * SMALL_H)
        v.fill(SMALL, data)
        v.show(SMALL, SMALL_W, SMALL_H, stride, ctl)
        channels, want = expected(name, data, SMALL_W, SMALL_H, stride)
        for path in paths:
            try:
                expect_png(grab_ok(tmp, path, v.dev.fd), SMALL_W, SMALL_H, channels, want,
                           f"{name}, {path}")
            except Failed as e:
                log(e)
                bad.append(f"{name}/{path}")
    check(not bad, "wrong: " + ", ".join(bad))


def disabled_plane(tmp):
    v = State.vgpu
    v.write32(PLANE_CTL_A, 0)
    v.write32(PLANE_SURF_A, 0)
    for path in ("region", "fb"):
        expect_disabled(tmp, path, fd=v.dev.fd)


def dmabuf_refused(tmp):
    v = State.vgpu
    v.show(LINEAR, WIDTH, HEIGHT, WIDTH * 4, FORMATS["XR24"][0])
    status, err, _ = grab(tmp, "dmabuf", fd=v.dev.fd)
    check(status == 1, f"exit status {status}, expected 1")
    check("no dma-buf planes" in err, f"stderr '{err.strip()}'")


def busy(tmp, uuid):
    """This program holds the device: opening it by UUID fails, saying why."""
    status, err, _ = grab(tmp, "region", uuid=uuid)
    check(status == 1, f"exit status {status}, expected 1")
    check("in use" in err, f"stderr '{err.strip()}'")


def reopen_with_both(uuid):
    State.vgpu.close()
    State.vgpu = None
    harness.set_gfx_plane(uuid, "both")
    open_and_map(uuid)


def panned(tmp):
    """A 640x480 window at (3, 5) of the 1024x768 image: its first pixel is
    off a page, so region and fb copy it; a dma-buf can't describe it."""
    v = State.vgpu
    x, y, w, h = 3, 5, 640, 480
    v.show(LINEAR, w, h, WIDTH * 4, FORMATS["XR24"][0], x, y)
    window = b"".join(State.linear[(y + i) * WIDTH * 4 + x * 4:(y + i) * WIDTH * 4 + (x + w) * 4]
                      for i in range(h))
    for path in ("region", "fb"):
        expect_png(grab_ok(tmp, path, v.dev.fd), w, h, 3, harness.xrgb_to_rgb(window),
                   f"panned, {path}")
    expect_disabled(tmp, "dmabuf", fd=v.dev.fd)


def cursor(tmp):
    v = State.vgpu
    v.show(LINEAR, WIDTH, HEIGHT, WIDTH * 4, FORMATS["XR24"][0])
    image = random.Random(7).randbytes(64 * 64 * 4)
    v.fill(CURSOR, image)
    v.write32(CURBASE_A, CURSOR)
    v.write32(CURPOS_A, 100 << 16 | 200)
    v.write32(CURCNTR_A, 0x27)
    channels, want = expected("AR24", image, 64, 64, 256)
    expect_png(grab_ok(tmp, "dmabuf", v.dev.fd, plane="cursor"), 64, 64, channels, want,
               "cursor")


def main():
    if "--module-params" in sys.argv[1:]:
        print("")
        return 0

    names = ["open by UUID: a fresh vGPU shows no plane (status 3)",
             "open the device, map guest memory and the GGTT",
             "region path: 1024x768 XRGB8888",
             "fb path: 1024x768 XRGB8888",
             "X-tiled plane: region and fb paths",
             "every format, padded stride: region and fb paths",
             "plane disabled: status 3 on region and fb paths",
             "gfx_plane=region: dmabuf path refused (status 1)",
             "open by UUID while the device is held: status 1",
             "gfx_plane=both: reopen",
             "dmabuf path: 1024x768 XRGB8888",
             "dmabuf path: X-tiled plane",
             "dmabuf path: every format, padded stride",
             "dmabuf path: cursor",
             "panned plane: region and fb show it, dmabuf disabled",
             "gfx_plane=both: region and fb paths still work",
             "remove the vGPU"]

    uuid = run_test("create a vGPU", harness.create_vgpu, TYPE)
    if not uuid:
        return 1
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        steps = [(fresh_vgpu_has_no_plane, tmp, uuid), (open_and_map, uuid),
                 (linear_image, tmp, "region"), (linear_image, tmp, "fb"),
                 (tiled_image, tmp, ("region", "fb")),
                 (every_format, tmp, ("region", "fb")), (disabled_plane, tmp),
                 (dmabuf_refused, tmp), (busy, tmp, uuid), (reopen_with_both, uuid),
                 (linear_image, tmp, "dmabuf"), (tiled_image, tmp, ("dmabuf",)),
                 (every_format, tmp, ("dmabuf",)), (cursor, tmp), (panned, tmp),
                 (linear_images, tmp, ("region", "fb"))]
        setup = ("open the device, map guest memory and the GGTT", "gfx_plane=both: reopen")
        broken = None
        try:
            for name, (fn, *args) in zip(names, steps):
                if broken:
                    harness.result(name, True, skip=f"'{broken}' failed")
                elif not run_test(name, fn, *args) and name in setup:
                    broken = name
        finally:
            if State.vgpu:
                State.vgpu.close()
    run_test(names[-1], harness.remove_vgpu, uuid, 15)
    log(f"{time.monotonic() - start:.1f} s")
    return harness.exit_status()


if __name__ == "__main__":
    sys.exit(main())
