#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""A QEMU killed with SIGKILL while it holds a vGPU with display=on.

QEMU (stopped, -S) gets the vGPU at 00:05.0 with display=on; this program
plays the guest driver over qtest (BARs, an image in guest RAM mapped
through the GGTT, the primary plane) until QMP screendump shows the image:
guest pages are pinned, QEMU maps the plane region and the vblank clock
runs. Then QEMU is killed with SIGKILL. The vGPU must come back with no
pins and no clock, open again in its power-on state and be removable. A
second QEMU shows the display again and is killed while a remove of the
vGPU waits for it: the remove completes.
"""

import fcntl
import os
import shutil
import signal
import struct
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu-glue"))
import harness  # noqa: E402
import ivgpu_qemu  # noqa: E402
from harness import Failed, check, log, run_test  # noqa: E402

harness.PROG = "faults_qemu"
TYPE = "ivgpu-V5_1024x768"
SLOT = 5
BAR0_GPA = 0xe0000000
BAR2_GPA = 0xd0000000
WIDTH, HEIGHT = 320, 240
IMAGE_GPA = 0x1000000
IMAGE_GM = 0x100000
SCREENDUMP_WAIT = 20

PV_MAGIC = 0x78000
VGT_MAGIC = 0x4776544776544776
GGTT_OFFSET = 0x800000
TRANSCONF_A = 0x70008

# VFIO ioctls (linux/vfio.h: _IO(';', 100 + n)).
VFIO_SET_IOMMU = 0x3b66
VFIO_GROUP_GET_STATUS = 0x3b67
VFIO_GROUP_SET_CONTAINER = 0x3b68
VFIO_GROUP_GET_DEVICE_FD = 0x3b6a
VFIO_TYPE1v2_IOMMU = 3
VFIO_GROUP_FLAGS_VIABLE = 1


def stats(uuid):
    """The vGPU's debugfs counters as a dict."""
    with open(f"/sys/kernel/debug/ivgpu/{uuid}/stats") as f:
        return {k: int(v) for k, v in (line.split() for line in f)}


class VfioDevice:
    """The vGPU's device fd through the legacy container API, as QEMU opens it."""

    def __init__(self, uuid):
        group = os.path.basename(os.readlink(f"/sys/bus/mdev/devices/{uuid}/iommu_group"))
        self.container = os.open("/dev/vfio/vfio", os.O_RDWR | os.O_CLOEXEC)
        self.group = os.open(f"/dev/vfio/{group}", os.O_RDWR | os.O_CLOEXEC)
        self.fd = -1
        status = bytearray(struct.pack("II", 8, 0))
        fcntl.ioctl(self.group, VFIO_GROUP_GET_STATUS, status)
        check(struct.unpack("II", status)[1] & VFIO_GROUP_FLAGS_VIABLE, "group not viable")
        fcntl.ioctl(self.group, VFIO_GROUP_SET_CONTAINER, struct.pack("i", self.container))
        fcntl.ioctl(self.container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)
        self.fd = fcntl.ioctl(self.group, VFIO_GROUP_GET_DEVICE_FD,
                              bytearray(uuid.encode() + b"\0"))

    def read64(self, region, off):
        return struct.unpack("<Q", os.pread(self.fd, 8, region << 40 | off))[0]

    def close(self):
        for fd in (self.fd, self.group, self.container):
            if fd >= 0:
                os.close(fd)
        self.fd = self.group = self.container = -1


def wait_screen(qemu, tmp, rgb, what):
    path = os.path.join(tmp, "screen.ppm")
    deadline = time.monotonic() + SCREENDUMP_WAIT
    while True:
        w, h, pixels = qemu.screendump(path)
        diff = (f"{w}x{h}" if (w, h) != (WIDTH, HEIGHT)
                else harness.first_difference(pixels, rgb, WIDTH, 3))
        if not diff:
            return
        if time.monotonic() >= deadline:
            raise Failed(f"{what}: the screendump shows {diff}")
        time.sleep(0.25)


def start_and_show(uuid, tmp, seed):
    """A QEMU holding the vGPU, its screen showing the guest's image."""
    qemu = ivgpu_qemu.Qemu(uuid, tmp, slot=SLOT, log=log)
    try:
        qemu.connect()
        guest = ivgpu_qemu.GuestDriver(qemu, bar0=BAR0_GPA, bar2=BAR2_GPA)
        check(guest.setup_pci() == VGT_MAGIC, "PV magic through BAR0")
        pixels = ivgpu_qemu.test_card(WIDTH, HEIGHT, caption="ivgpu" if seed else "vgpu")
        guest.draw(pixels, WIDTH, HEIGHT, gpa=IMAGE_GPA, gm=IMAGE_GM)
        wait_screen(qemu, tmp, ivgpu_qemu.xrgb_to_rgb(pixels), "the guest's image")
    except BaseException:
        log(qemu.stderr_tail())
        qemu.close()
        raise
    return qemu


def sigkill(qemu):
    """SIGKILL, and wait until the process (and its fds) are gone."""
    os.kill(qemu.proc.pid, signal.SIGKILL)
    status = qemu.proc.wait(30)
    qemu.close()
    check(status == -signal.SIGKILL, f"QEMU ended with {status}")


def check_in_use(uuid):
    s = stats(uuid)
    log(f"with QEMU: pages_pinned {s['pages_pinned']}, vblank_running "
        f"{s['vblank_running']}, plane_queries {s['plane_queries']}")
    pages = (WIDTH * HEIGHT * 4 + 4095) // 4096
    check(s["pages_pinned"] >= pages, f"{s['pages_pinned']} pages pinned, expected {pages}")
    check(s["vblank_running"] == 1, "the vblank clock does not run")
    check(s["plane_queries"] > 0, "QEMU never queried the plane")


def check_released(uuid):
    s = stats(uuid)
    check(s["pages_pinned"] == 0, f"{s['pages_pinned']} pages still pinned")
    check(s["vblank_running"] == 0, "the vblank clock still runs")


def kill_and_check(qemu, uuid):
    sigkill(qemu)
    check_released(uuid)


def check_reopen(uuid):
    dev = VfioDevice(uuid)
    try:
        magic = dev.read64(0, PV_MAGIC)
        check(magic == VGT_MAGIC, f"PV magic {magic:#x}")
        pte = dev.read64(0, GGTT_OFFSET + 8 * (IMAGE_GM >> 12))
        check(pte == 0, f"GGTT entry of the image reads {pte:#x}: not power-on state")
        conf = dev.read64(0, TRANSCONF_A) & 0xffffffff
        check(conf == 0, f"TRANSCONF A reads {conf:#x}")
    finally:
        dev.close()
    check_released(uuid)


def remove_while_held(uuid, tmp):
    """A remove waits for QEMU (which can't unplug a stopped guest's device);
    SIGKILL lets it complete."""
    qemu = start_and_show(uuid, tmp, 0)
    t, err = harness.start_remove(uuid)
    t.join(2)
    try:
        check(t.is_alive(), "the remove did not wait for QEMU")
    finally:
        sigkill(qemu)
    harness.finish_remove(uuid, t, err, 20)


def main():
    if "--module-params" in sys.argv[1:]:
        print("")
        return 0

    names = ["qemu with display=on shows the guest's image",
             "SIGKILL: no pins, no vblank clock",
             "the vGPU opens again in power-on state",
             "a second QEMU shows the image again",
             "SIGKILL while a remove waits: the remove completes"]
    if not shutil.which("qemu-system-x86_64"):
        harness.skip_all(names, "no qemu-system-x86_64")
        return 0

    uuid = run_test("create a vGPU", harness.create_vgpu, TYPE)
    if not uuid:
        return 1
    start = time.monotonic()
    removed = False
    with tempfile.TemporaryDirectory() as tmp:
        qemu = run_test(names[0], lambda: start_and_show(uuid, tmp, 1))
        if qemu and run_test("the vGPU is in use", check_in_use, uuid):
            run_test(names[1], kill_and_check, qemu, uuid)
        elif qemu:
            qemu.close()
        run_test(names[2], check_reopen, uuid)
    with tempfile.TemporaryDirectory() as tmp:
        qemu = run_test(names[3], lambda: start_and_show(uuid, tmp, 1))
        if qemu:
            sigkill(qemu)
    with tempfile.TemporaryDirectory() as tmp:
        removed = run_test(names[4], remove_while_held, uuid, tmp)
    if not removed:
        run_test("remove the vGPU", harness.remove_vgpu, uuid, 15)
    log(f"{time.monotonic() - start:.1f} s")
    return harness.exit_status()


if __name__ == "__main__":
    sys.exit(main())
