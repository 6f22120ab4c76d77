# SPDX-License-Identifier: GPL-2.0-only
"""QEMU with an ivgpu vGPU, and a guest driver played over qtest.

The pieces the qemu-glue tools, the demo and the tests share:

  device_args()   the -device arguments for a vGPU (vfio-pci, display=on...)
  Qmp             a QMP connection
  Qemu            a QEMU process with a QMP socket and, optionally, a qtest
                  socket through which this process acts as the guest
  GuestDriver     what a guest display driver does over qtest: place the
                  BARs, write pixels into guest RAM, point GGTT entries at
                  them and program a pipe's primary plane
  test_card()     a recognisable XRGB8888 picture
  read_ppm(), write_png()  QEMU's screendump format in, PNG out

Nothing here needs more than the Python standard library.
"""
import base64
import json
import os
import socket
import subprocess
import time
import zlib

PAGE = 4096

# BAR0 layout and registers (uapi/linux/ivgpu.h, docs/display.md).
GGTT_OFFSET = 0x800000
PV_MAGIC = 0x78000
VGT_MAGIC = 0x4776544776544776
PIPE_STRIDE = 0x1000
TRANSCONF = 0x70008
PIPESRC = 0x6001c
PLANE_CTL = 0x70180
PLANE_STRIDE = 0x70188
PLANE_SIZE = 0x70190
PLANE_SURF = 0x7019c
PLANE_OFFSET = 0x701a4
PLANE_CTL_ENABLE = 1 << 31
PLANE_CTL_XRGB8888 = 4 << 24
PCI_ID = 0x19128086


class Error(Exception):
    """Something QEMU or the vGPU did not do; the message says what."""


def device_args(uuid, display=True, nohotplug=False, ramfb=False, xres=None,
                yres=None, addr=None, opregion=True):
    """The -device option (as two argv words) that gives QEMU the vGPU.

    ramfb (a boot display before the guest driver runs) needs the
    vfio-pci-nohotplug device; xres/yres choose the mode QEMU puts in the
    monitor's EDID (up to the type's maximum); opregion (x-igd-opregion=on)
    hands the vGPU's OpRegion, whose VBT lists its one DisplayPort output,
    to the guest firmware (not for a hot-plugged device: QEMU refuses it).
    """
    if ramfb:
        nohotplug = True
    opts = [f"sysfsdev=/sys/bus/mdev/devices/{uuid}"]
    if addr is not None:
        opts.append(f"addr={addr:02x}.0")
    opts.append("display=" + ("on" if display else "off"))
    if opregion:
        opts.append("x-igd-opregion=on")
    if ramfb:
        opts.append("ramfb=on")
    if xres:
        opts.append(f"xres={xres}")
    if yres:
        opts.append(f"yres={yres}")
    model = "vfio-pci-nohotplug" if nohotplug else "vfio-pci"
    return ["-device", model + "," + ",".join(opts)]


def connect_unix(path, timeout, alive=None, what="socket"):
    """A stream socket connected to @path, retrying for @timeout seconds (the
    server creates it as it starts); @alive() raises if the server is gone."""
    deadline = time.monotonic() + timeout
    while True:
        if alive:
            alive()
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() >= deadline:
                raise Error(f"no {what} at {path} after {timeout:.0f} s")
            time.sleep(0.1)


class Qmp:
    """A QMP connection, capabilities negotiated; asynchronous events are
    kept in .events as they arrive."""

    def __init__(self, path, timeout=60, alive=None):
        """Connect to QEMU's socket at @path, retrying for @timeout seconds
        (QEMU creates it as it starts); @alive() raises if QEMU is gone."""
        s = connect_unix(path, timeout, alive, "QMP socket")
        s.settimeout(120)
        self.sock = s
        self.buf = b""
        self.events = []
        greeting = self.recv()
        if "QMP" not in greeting:
            raise Error(f"unexpected QMP greeting {greeting}")
        self.call("qmp_capabilities")

    def recv(self):
        """The next message that is not an event."""
        while True:
            while b"\n" not in self.buf:
                data = self.sock.recv(65536)
                if not data:
                    raise Error("QMP connection closed")
                self.buf += data
            line, self.buf = self.buf.split(b"\n", 1)
            msg = json.loads(line)
            if "event" not in msg:
                return msg
            self.events.append(msg)

    def reply(self, command, arguments=None):
        """The whole reply to a command: {"return": ...} or {"error": ...}."""
        req = {"execute": command}
        if arguments:
            req["arguments"] = arguments
        self.sock.sendall(json.dumps(req).encode() + b"\n")
        return self.recv()

    def call(self, command, arguments=None):
        """The command's return value; Error on an error reply."""
        msg = self.reply(command, arguments)
        if "error" in msg:
            raise Error(f"{command}: {msg['error']}")
        return msg["return"]

    def close(self):
        self.sock.close()


class Qemu:
    """A q35 machine holding the vGPU, stopped (-S) unless asked otherwise
    (stopped=False runs the firmware, SeaBIOS, with no disk to boot).

    With qtest=True nothing runs in the guest: this process plays the guest
    through the qtest socket (Debian's QEMU 7.2 has no qtest accelerator;
    -qtest with a stopped TCG machine does the same).
    """

    def __init__(self, uuid, tmpdir, qtest=True, slot=5, extra=(), log=None,
                 stopped=True, **device):
        self.qmp_path = os.path.join(tmpdir, "qmp.sock")
        self.qtest_path = os.path.join(tmpdir, "qtest.sock")
        self.err_path = os.path.join(tmpdir, "qemu.err")
        self.slot = slot
        self.listener = None
        self.cmd = ["qemu-system-x86_64", "-accel", "tcg", "-M", "q35", "-m", "256",
                    "-nodefaults", "-vga", "none", "-display", "none",
                    "-qmp", f"unix:{self.qmp_path},server=on,wait=off"]
        if stopped:
            self.cmd.append("-S")
        if qtest:
            # QEMU connects to the qtest socket as a client: listen first.
            self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.listener.bind(self.qtest_path)
            self.listener.listen(1)
            self.cmd += ["-qtest", f"unix:{self.qtest_path}", "-qtest-log", "/dev/null"]
        self.cmd += device_args(uuid, addr=slot, **device) + list(extra)
        if log:
            log(" ".join(self.cmd))
        self.err = open(self.err_path, "w")
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL,
                                     stdout=self.err, stderr=self.err)
        self.qmp = self.qtest = None
        self.qtest_buf = b""

    def stderr_tail(self):
        with open(self.err_path) as f:
            return f.read()[-2000:]

    def exited(self):
        if self.proc.poll() is not None:
            raise Error(f"QEMU exited with status {self.proc.returncode}:\n"
                        + self.stderr_tail())

    def connect(self, timeout=60):
        deadline = time.monotonic() + timeout
        if self.listener:
            self.listener.settimeout(0.2)
        while self.listener and not self.qtest:
            self.exited()
            if time.monotonic() >= deadline:
                raise Error(f"no qtest connection after {timeout} s")
            try:
                self.qtest, _ = self.listener.accept()
            except socket.timeout:
                pass
        if self.qtest:
            self.qtest.settimeout(60)
        self.qmp = Qmp(self.qmp_path, max(deadline - time.monotonic(), 1), self.exited)

    def execute(self, command, **arguments):
        return self.qmp.call(command, arguments)

    def screendump(self, path):
        """QMP screendump (a PPM); (width, height, RGB bytes)."""
        self.execute("screendump", filename=path)
        return read_ppm(path)

    # qtest: one line out, one "OK [value]" line back, in order

    def qtest_line(self):
        while True:
            while b"\n" not in self.qtest_buf:
                data = self.qtest.recv(65536)
                if not data:
                    raise Error("qtest connection closed:\n" + self.stderr_tail())
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
            if not reply.startswith("OK"):
                raise Error(f"qtest '{c[:60]}': {reply}")
            words = reply.split()
            values.append(int(words[1], 0) if len(words) > 1 else None)
        return values

    def qtest_cmd(self, command):
        return self.qtest_batch([command])[0]

    def quit(self, timeout=30):
        """Quit QEMU; its exit status."""
        if self.qmp:
            try:
                self.execute("quit")
            except (Error, OSError):
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


class GuestDriver:
    """The guest's display driver, over qtest: what firmware and i915 do."""

    def __init__(self, qemu, bar0=0xe0000000, bar2=0xd0000000):
        self.q = qemu
        self.bar0 = bar0
        self.bar2 = bar2

    def cfg_addr(self, reg):
        return 0x80000000 | (self.q.slot << 11) | reg

    def cfg_read32(self, reg):
        return self.q.qtest_batch([f"outl 0xcf8 {self.cfg_addr(reg):#x}", "inl 0xcfc"])[1]

    def cfg_write32(self, reg, val):
        self.q.qtest_batch([f"outl 0xcf8 {self.cfg_addr(reg):#x}", f"outl 0xcfc {val:#x}"])

    def read32(self, off):
        return self.q.qtest_cmd(f"readl {self.bar0 + off:#x}")

    def read64(self, off):
        return self.q.qtest_cmd(f"readq {self.bar0 + off:#x}")

    def write_regs(self, regs):
        self.q.qtest_batch([f"writel {self.bar0 + off:#x} {val:#x}" for off, val in regs])

    def write_ram(self, gpa, data):
        step = 1 << 20
        for i in range(0, len(data), step):
            chunk = data[i:i + step]
            self.q.qtest_cmd(f"b64write {gpa + i:#x} {len(chunk):#x} "
                             + base64.b64encode(chunk).decode())

    def setup_pci(self):
        """Place the BARs in the 32-bit PCI hole and enable decoding; returns
        the PV magic read back through BAR0 (IVGPU: VGT_MAGIC)."""
        ident = self.cfg_read32(0x00)
        if ident != PCI_ID:
            raise Error(f"00:{self.q.slot:02x}.0 config reads {ident:#x}, "
                        f"expected {PCI_ID:#x}")
        self.cfg_write32(0x10, self.bar0)
        self.cfg_write32(0x14, 0)
        self.cfg_write32(0x18, self.bar2)
        self.cfg_write32(0x1c, 0)
        cmd = self.cfg_read32(0x04) & 0xffff
        self.cfg_write32(0x04, cmd | 0x6)      # memory space, bus master
        return self.read64(PV_MAGIC)

    def map_gm(self, gm, gpa, size):
        """GGTT PTEs: graphics memory [gm, gm + size) -> guest RAM at gpa.
        QEMU maps guest RAM for the device at IOVA = guest-physical address."""
        cmds = [f"writeq {self.bar0 + GGTT_OFFSET + 8 * ((gm >> 12) + i):#x} "
                f"{(gpa + i * PAGE) | 1:#x}"
                for i in range((size + PAGE - 1) // PAGE)]
        for i in range(0, len(cmds), 256):
            self.q.qtest_batch(cmds[i:i + 256])

    def show(self, gm, width, height, pipe=0):
        """The pipe on, its primary plane XRGB8888 linear at gm; the
        PLANE_SURF write, last, is the flip."""
        p = pipe * PIPE_STRIDE
        self.write_regs([
            (TRANSCONF + p, 1 << 31),
            (PIPESRC + p, (width - 1) << 16 | (height - 1)),
            (PLANE_STRIDE + p, width * 4 // 64),
            (PLANE_SIZE + p, (height - 1) << 16 | (width - 1)),
            (PLANE_OFFSET + p, 0),
            (PLANE_CTL + p, PLANE_CTL_ENABLE | PLANE_CTL_XRGB8888),
            (PLANE_SURF + p, gm),
        ])

    def draw(self, pixels, width, height, gpa=0x1000000, gm=0):
        """Put an XRGB8888 picture in guest RAM at gpa, map it at graphics
        address gm and show it on pipe A."""
        self.write_ram(gpa, pixels)
        self.map_gm(gm, gpa, len(pixels))
        self.show(gm, width, height)


# ---- pictures ----

# 5x7 glyphs for the card's caption, one string of 5 bits per row.
_GLYPHS = {
    "i": ["00100", "00000", "01100", "00100", "00100", "00100", "01110"],
    "v": ["00000", "00000", "10001", "10001", "10001", "01010", "00100"],
    "g": ["00000", "01111", "10001", "10001", "01111", "00001", "01110"],
    "p": ["00000", "11110", "10001", "10001", "11110", "10000", "10000"],
    "u": ["00000", "00000", "10001", "10001", "10001", "10011", "01101"],
    " ": ["00000"] * 7,
}
_BARS = [0xc0c0c0, 0xc0c000, 0x00c0c0, 0x00c000, 0xc000c0, 0xc00000, 0x0000c0]


def test_card(width, height, caption="ivgpu"):
    """XRGB8888 bytes: seven colour bars, a grey ramp, the caption in white
    on black, and a one-pixel white frame (so an off-by-one shows)."""
    px = bytearray(width * height * 4)

    def fill(x0, y0, x1, y1, rgb):
        row = (rgb & 0xffffff).to_bytes(4, "little") * (x1 - x0)
        for y in range(y0, y1):
            px[(y * width + x0) * 4:(y * width + x1) * 4] = row

    bars_h = height * 2 // 3
    for i, rgb in enumerate(_BARS):
        fill(width * i // 7, 0, width * (i + 1) // 7, bars_h, rgb)
    ramp_h = height // 12
    for x in range(width):
        v = x * 255 // max(width - 1, 1)
        fill(x, bars_h, x + 1, bars_h + ramp_h, v << 16 | v << 8 | v)
    scale = max(1, min(width // (6 * len(caption) + 2), (height - bars_h - ramp_h) // 9))
    x0 = (width - 6 * len(caption) * scale) // 2
    y0 = bars_h + ramp_h + scale
    for n, ch in enumerate(caption):
        for gy, bits in enumerate(_GLYPHS.get(ch, _GLYPHS[" "])):
            for gx, bit in enumerate(bits):
                if bit == "1":
                    x = x0 + (6 * n + gx) * scale
                    y = y0 + gy * scale
                    fill(x, y, x + scale, y + scale, 0xffffff)
    fill(0, 0, width, 1, 0xffffff)
    fill(0, height - 1, width, height, 0xffffff)
    fill(0, 0, 1, height, 0xffffff)
    fill(width - 1, 0, width, height, 0xffffff)
    return bytes(px)


def xrgb_to_rgb(data):
    """Little-endian XRGB8888 pixels (B, G, R, X in memory) to RGB bytes."""
    out = bytearray(len(data) // 4 * 3)
    out[0::3] = data[2::4]
    out[1::3] = data[1::4]
    out[2::3] = data[0::4]
    return bytes(out)


def read_ppm(path):
    """(width, height, RGB bytes) of a binary PPM (P6, maxval 255)."""
    with open(path, "rb") as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:
        while pos < len(data) and data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while end < len(data) and not data[end:end + 1].isspace():
            end += 1
        if end == pos:
            raise Error(f"{path}: short PPM header")
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P6" or int(fields[3]) != 255:
        raise Error(f"{path}: not an 8-bit P6 PPM")
    width, height = int(fields[1]), int(fields[2])
    pixels = data[pos + 1:]
    if len(pixels) != width * height * 3:
        raise Error(f"{path}: {len(pixels)} bytes of pixels for {width}x{height}")
    return width, height, pixels


def write_png(path, width, height, rgb):
    """An 8-bit RGB PNG of width x height pixels."""
    def chunk(kind, body):
        return (len(body).to_bytes(4, "big") + kind + body
                + zlib.crc32(kind + body).to_bytes(4, "big"))

    line = width * 3
    raw = b"".join(b"\0" + rgb[y * line:(y + 1) * line] for y in range(height))
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))
