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

import base64
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import harness  # noqa: E402
from harness import Failed, check, log, run_test  # noqa: E402

harness.PROG = "qemu_display"
TYPE = "ivgpu-V5_1024x768"
SLOT = 5

# Where this program puts the vGPU's BARs in the q35 32-bit PCI hole.
BAR0_GPA = 0xe0000000           # 16 MiB, 64-bit
BAR2_GPA = 0xd0000000           # 64 MiB aperture, 64-bit prefetchable
GGTT = 0x800000                 # PTEs in BAR0
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
PV_MAGIC = 0x78000
VGT_MAGIC = 0x4776544776544776

# The images: (guest-physical address, graphics-memory address, size).
IMAGE1 = (0x1000000, 0x000000, 1024, 768)
IMAGE2 = (0x1400000, 0x400000, 1024, 768)
IMAGE3 = (0x1800000, 0x800000, 640, 480)

SCREENDUMP_WAIT = 10            # seconds a screendump may lag the guest


# ---- QEMU, its qtest socket and QMP ----

class Qemu:
    def __init__(self, uuid, tmp):
        self.tmp = tmp
        self.qmp_path = os.path.join(tmp, "qmp.sock")
        self.qtest_path = os.path.join(tmp, "qtest.sock")
        self.err_path = os.path.join(tmp, "qemu.err")
        # QEMU connects to the qtest socket as a client: listen first.
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.qtest_path)
        self.listener.listen(1)
        # Debian's QEMU has no qtest accelerator; -qtest works with a
        # stopped TCG machine just as well.
        cmd = ["qemu-system-x86_64", "-accel", "tcg", "-M", "q35", "-m", "256",
               "-nodefaults", "-vga", "none", "-display", "none", "-S",
               "-qtest", f"unix:{self.qtest_path}", "-qtest-log", "/dev/null",
               "-qmp", f"unix:{self.qmp_path},server=on,wait=off",
               "-device", f"vfio-pci,sysfsdev=/sys/bus/mdev/devices/{uuid},"
                          f"addr={SLOT:02x}.0,display=on"]
        log(" ".join(cmd))
        self.err = open(self.err_path, "w")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=self.err, stderr=self.err)
        self.qmp = self.qtest = None
        self.qmp_buf = self.qtest_buf = b""

    def stderr_tail(self):
        with open(self.err_path) as f:
            return f.read()[-2000:]

    def exited(self):
        if self.proc.poll() is not None:
            raise Failed(f"QEMU exited with status {self.proc.returncode}:\n"
                         + self.stderr_tail())

    def connect(self, timeout=60):
        deadline = time.monotonic() + timeout
        self.listener.settimeout(0.2)
        while not self.qtest:
            self.exited()
            check(time.monotonic() < deadline, f"no qtest connection after {timeout} s")
            try:
                self.qtest, _ = self.listener.accept()
            except socket.timeout:
                pass
        self.qtest.settimeout(60)
        while not self.qmp:
            self.exited()
            check(time.monotonic() < deadline, f"no QMP socket after {timeout} s")
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.qmp_path)
                s.settimeout(60)
                self.qmp = s
            except OSError:
                s.close()
                time.sleep(0.2)
        greeting = self.qmp_recv()
        check("QMP" in greeting, f"unexpected greeting {greeting}")
        self.execute("qmp_capabilities")

    # QMP

    def qmp_recv(self):
        while b"\n" not in self.qmp_buf:
            data = self.qmp.recv(65536)
            if not data:
                raise Failed("QMP connection closed")
            self.qmp_buf += data
        line, self.qmp_buf = self.qmp_buf.split(b"\n", 1)
        return json.loads(line)

    def execute(self, command, **arguments):
        req = {"execute": command}
        if arguments:
            req["arguments"] = arguments
        self.qmp.sendall(json.dumps(req).encode() + b"\n")
        while True:
            msg = self.qmp_recv()
            if "event" in msg:
                continue
            if "error" in msg:
                raise Failed(f"{command}: {msg['error']}")
            return msg["return"]

    # qtest: one line out, one "OK [value]" line back, in order

    def qtest_line(self):
        while True:
            while b"\n" not in self.qtest_buf:
                data = self.qtest.recv(65536)
                if not data:
                    raise Failed("qtest connection closed:\n" + self.stderr_tail())
                self.qtest_buf += data
            line, self.qtest_buf = self.qtest_buf.split(b"\n", 1)
            line = line.decode()
            if not line.startswith("IRQ"):
                return line

    def qtest_batch(self, commands):
        """Send the commands at once; their values (None for plain OK)."""
        self.qtest.sendall("".join(c + "\n" for c in commands).encode())
        values = []
        for c in commands:
            reply = self.qtest_line()
            check(reply.startswith("OK"), f"qtest '{c[:60]}': {reply}")
            values.append(int(reply.split()[1], 0) if len(reply.split()) > 1 else None)
        return values

    def qtest_cmd(self, command):
        return self.qtest_batch([command])[0]

    def quit(self, timeout=30):
        """Quit QEMU; its exit status."""
        if self.qmp:
            try:
                self.execute("quit")
            except (Failed, OSError):
                pass        # QEMU may close the socket before answering
        try:
            return self.proc.wait(timeout)
        finally:
            self.close()

    def close(self):
        for s in (self.qmp, self.qtest, self.listener):
            if s:
                s.close()
        self.qmp = self.qtest = self.listener = None
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.err.close()


# ---- the guest driver ----

class Guest:
    def __init__(self, qemu):
        self.q = qemu

    @staticmethod
    def cfg_addr(reg):
        return 0x80000000 | (SLOT << 11) | reg

    def cfg_read32(self, reg):
        return self.q.qtest_batch([f"outl 0xcf8 {self.cfg_addr(reg):#x}", "inl 0xcfc"])[1]

    def cfg_write32(self, reg, val):
        self.q.qtest_batch([f"outl 0xcf8 {self.cfg_addr(reg):#x}", f"outl 0xcfc {val:#x}"])

    def read32(self, off):
        return self.q.qtest_cmd(f"readl {BAR0_GPA + off:#x}")

    def read64(self, off):
        return self.q.qtest_cmd(f"readq {BAR0_GPA + off:#x}")

    def write_regs(self, regs):
        self.q.qtest_batch([f"writel {BAR0_GPA + off:#x} {val:#x}" for off, val in regs])

    def write_ram(self, gpa, data):
        step = 1 << 20
        for i in range(0, len(data), step):
            chunk = data[i:i + step]
            self.q.qtest_cmd(f"b64write {gpa + i:#x} {len(chunk):#x} "
                             + base64.b64encode(chunk).decode())

    def map_gm(self, gm, gpa, size):
        """GGTT PTEs: graphics memory [gm, gm + size) -> guest RAM at gpa. QEMU
        maps guest RAM for the device at IOVA = guest-physical address."""
        cmds = [f"writeq {BAR0_GPA + GGTT + 8 * ((gm >> 12) + i):#x} {(gpa + i * PAGE) | 1:#x}"
                for i in range((size + PAGE - 1) // PAGE)]
        for i in range(0, len(cmds), 256):
            self.q.qtest_batch(cmds[i:i + 256])


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
    ident = guest.cfg_read32(0x00)
    check(ident == 0x19128086, f"00:{SLOT:02x}.0 config reads {ident:#x}, expected 0x19128086")
    guest.cfg_write32(0x10, BAR0_GPA)
    guest.cfg_write32(0x14, 0)
    guest.cfg_write32(0x18, BAR2_GPA)
    guest.cfg_write32(0x1c, 0)
    cmd = guest.cfg_read32(0x04) & 0xffff
    guest.cfg_write32(0x04, cmd | 0x6)      # memory space, bus master
    magic = guest.read64(PV_MAGIC)
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
        qemu = Qemu(uuid, tmp)
        guest = Guest(qemu)
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
