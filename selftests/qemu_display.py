#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Nested QEMU display test: QEMU's vfio-pci display=on shows the vGPU's plane.

Creates a vGPU and starts a q35 machine with the vGPU at 00:05.0 and
display=on, stopped (-S): no guest code runs, this program plays the guest
driver over QEMU's qtest socket (PCI config through ports
0xcf8/0xcfc, BAR0 MMIO, guest RAM). It writes images into guest RAM, maps
them through the GGTT, programs pipe A's primary plane and compares QMP
screendump output with the images, pixel for pixel. No OpenGL: with the
default gfx_plane=region QEMU uses region planes.
"""

import os
import random
import shutil
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu-glue"))
import harness  # noqa: E402
import ivgpu_qemu  # noqa: E402
from harness import Failed, check, log, run_test  # noqa: E402

harness.PROG = "qemu_display"
TYPE = "ivgpu-V5_1024x768"
SLOT = 5

# Where this program puts the vGPU's BARs in the q35 32-bit PCI hole.
BAR0_GPA = 0xe0000000           # 16 MiB, 64-bit
BAR2_GPA = 0xd0000000           # 64 MiB aperture, 64-bit prefetchable
PAGE = 4096

# Display registers (pipe A) and values; see docs/display.md.
TRANSCONF_A = 0x70008
PIPESRC_A = 0x6001c
PLANE_CTL_A = 0x70180
PLANE_STRIDE_A = 0x70188
PLANE_SIZE_A = 0x70190
PLANE_SURF_A = 0x7019c
PLANE_OFFSET_A = 0x701a4
PLANE_CTL_ENABLE = 1 << 31
PLANE_CTL_XRGB8888 = 4 << 24
VGT_MAGIC = 0x4776544776544776

# The images: (guest-physical address, graphics-memory address, size).
IMAGE1 = (0x1000000, 0x000000, 1024, 768)
IMAGE2 = (0x1400000, 0x400000, 1024, 768)
IMAGE3 = (0x1800000, 0x800000, 640, 480)

SCREENDUMP_WAIT = 10            # seconds a screendump may lag the guest


def image_bytes(seed, width, height):
    """A random XRGB8888 image, the X byte random too (nothing may show it)."""
    return random.Random(seed).randbytes(width * height * 4)


def screendump(qemu, path):
    qemu.execute("screendump", filename=path)
    return harness.read_ppm(path)


def wait_screen(qemu, tmp, width, height, rgb, what):
    """Screendumps until one shows width x height pixels equal to rgb."""
    path = os.path.join(tmp, "screen.ppm")
    deadline = time.monotonic() + SCREENDUMP_WAIT
    while True:
        w, h, pixels = screendump(qemu, path)
        diff = (f"{w}x{h}, expected {width}x{height}" if (w, h) != (width, height)
                else harness.first_difference(pixels, rgb, width, 3))
        if not diff:
            return
        if time.monotonic() >= deadline:
            raise Failed(f"{what}: after {SCREENDUMP_WAIT} s the screendump shows {diff}")
        time.sleep(0.25)


# ---- tests ----

def setup_pci(guest):
    """What firmware and the driver do: place the BARs, enable decoding."""
    magic = guest.setup_pci()
    check(magic == VGT_MAGIC, f"PV magic through BAR0 reads {magic:#x}")


def placeholder(qemu, tmp):
    """Before the guest shows anything QEMU shows its own text surface."""
    w, h, _ = screendump(qemu, os.path.join(tmp, "placeholder.ppm"))
    log(f"screendump before any plane: {w}x{h}")
    check((w, h) == (640, 480), f"{w}x{h}, expected QEMU's 640x480 placeholder")


def load_image(guest, image, seed):
    gpa, gm, width, height = image
    data = image_bytes(seed, width, height)
    guest.write_ram(gpa, data)
    guest.map_gm(gm, gpa, len(data))
    return data


def show(guest, image):
    """Pipe A on, the primary plane XRGB8888 linear at image's address."""
    _, gm, width, height = image
    guest.write_regs([
        (TRANSCONF_A, 1 << 31),
        (PIPESRC_A, (width - 1) << 16 | (height - 1)),
        (PLANE_STRIDE_A, width * 4 // 64),
        (PLANE_SIZE_A, (height - 1) << 16 | (width - 1)),
        (PLANE_OFFSET_A, 0),
        (PLANE_CTL_A, PLANE_CTL_ENABLE | PLANE_CTL_XRGB8888),
        (PLANE_SURF_A, gm),        # last: the flip
    ])


def first_image(qemu, guest, tmp):
    data = load_image(guest, IMAGE1, 1)
    show(guest, IMAGE1)
    wait_screen(qemu, tmp, IMAGE1[2], IMAGE1[3], harness.xrgb_to_rgb(data), "image 1")
    return data


def flip(qemu, guest, tmp):
    data = load_image(guest, IMAGE2, 2)
    guest.write_regs([(PLANE_SURF_A, IMAGE2[1])])
    wait_screen(qemu, tmp, IMAGE2[2], IMAGE2[3], harness.xrgb_to_rgb(data), "image 2")
    # And back: the first image is still in place.
    data1 = image_bytes(1, IMAGE1[2], IMAGE1[3])
    guest.write_regs([(PLANE_SURF_A, IMAGE1[1])])
    wait_screen(qemu, tmp, IMAGE1[2], IMAGE1[3], harness.xrgb_to_rgb(data1),
                "back to image 1")


def mode_change(qemu, guest, tmp):
    data = load_image(guest, IMAGE3, 3)
    show(guest, IMAGE3)
    wait_screen(qemu, tmp, IMAGE3[2], IMAGE3[3], harness.xrgb_to_rgb(data), "640x480")


def ggtt_rewrite(qemu, guest, tmp):
    """Point the shown surface's first page at another page of guest RAM:
    the plane region follows the GGTT, so does the screen."""
    image1 = image_bytes(1, IMAGE1[2], IMAGE1[3])
    image3 = image_bytes(3, IMAGE3[2], IMAGE3[3])
    guest.map_gm(IMAGE3[1], IMAGE1[0], PAGE)
    want = harness.xrgb_to_rgb(image1[:PAGE] + image3[PAGE:])
    wait_screen(qemu, tmp, IMAGE3[2], IMAGE3[3], want, "first page remapped")
    guest.map_gm(IMAGE3[1], IMAGE3[0], PAGE)
    wait_screen(qemu, tmp, IMAGE3[2], IMAGE3[3], harness.xrgb_to_rgb(image3),
                "first page mapped back")


def disable(qemu, guest, tmp):
    """QEMU 7.2 without ramfb keeps the surface of the last plane when the
    plane goes away, and the plane region of a disabled plane reads zeros:
    the screen keeps its size and turns black."""
    guest.write_regs([(PLANE_CTL_A, 0)])
    wait_screen(qemu, tmp, IMAGE3[2], IMAGE3[3], bytes(IMAGE3[2] * IMAGE3[3] * 3),
                "plane disabled")
    qemu.exited()


def reenable(qemu, guest, tmp):
    show(guest, IMAGE3)
    wait_screen(qemu, tmp, IMAGE3[2], IMAGE3[3],
                harness.xrgb_to_rgb(image_bytes(3, IMAGE3[2], IMAGE3[3])), "plane back on")


def main():
    if "--module-params" in sys.argv[1:]:
        print("")
        return 0

    names = ["qemu starts with display=on (no OpenGL)",
             "no plane yet: screendump shows QEMU's placeholder",
             "guest places the BARs: PV magic through BAR0",
             "screendump equals the guest image",
             "flip to a second image: screendump follows",
             "mode change to 640x480: screendump follows",
             "GGTT rewrite under the shown plane: screendump follows",
             "plane disabled: screendump keeps its size, all black",
             "plane enabled again: screendump shows it",
             "quit releases the vGPU"]
    if not shutil.which("qemu-system-x86_64"):
        harness.skip_all(names, "no qemu-system-x86_64")
        return 0

    uuid = run_test("create a vGPU", harness.create_vgpu, TYPE)
    if not uuid:
        return 1
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        qemu = ivgpu_qemu.Qemu(uuid, tmp, slot=SLOT, log=log)
        guest = ivgpu_qemu.GuestDriver(qemu, bar0=BAR0_GPA, bar2=BAR2_GPA)
        steps = [(qemu.connect,), (placeholder, qemu, tmp), (setup_pci, guest),
                 (first_image, qemu, guest, tmp), (flip, qemu, guest, tmp),
                 (mode_change, qemu, guest, tmp), (ggtt_rewrite, qemu, guest, tmp),
                 (disable, qemu, guest, tmp), (reenable, qemu, guest, tmp)]
        try:
            failed = None
            for name, (fn, *args) in zip(names, steps):
                if failed:
                    harness.result(name, True, skip=f"'{failed}' failed")
                elif not run_test(name, fn, *args):
                    failed = name
            status = qemu.quit()
            log(f"QEMU exited with status {status}")
        finally:
            qemu.close()
        if harness.failures:
            log(qemu.stderr_tail())
    run_test(names[-1], harness.remove_vgpu, uuid, 15)
    log(f"{time.monotonic() - start:.1f} s")
    return harness.exit_status()


if __name__ == "__main__":
    sys.exit(main())
