#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""guest_display [--smoke] [--out DIR] [--ko KO] [--guest-kernel K] [B12 B13 B14]:
a real guest's display next to what users pick instead.

Runs as root in a test VM that can run KVM guests (scripts/vm --nested).
One stock Debian kernel (selftests/lib/guestvm.py, GUEST_KERNEL or
--guest-kernel, default 6.12) boots, one device after the other, on

  ivgpu    an ivgpu vGPU (vfio-pci, display=on; its own i915), plane region
  bochs    QEMU's bochs-display (bochs, "bochs-drm")
  virtio   QEMU's virtio-gpu-pci, 2D (virtio_gpu)
  dmabuf   the vGPU again with gfx_plane=dmabuf, which QEMU 7.2 shows only
           through OpenGL: -display egl-headless on vgem's render node
           (B13 only; not by default: see DMABUF_WHY)

all at 1024x768, with a VNC server on a unix socket, and measures

  B12  page flips between two dumb buffers (bench/build/kmsflip flip),
       each waiting for its event: flips per second, and the CPU time the
       test VM (the host of the guest) spent per flip: all its CPUs
       (/proc/stat), the guest's QEMU (/proc/PID/stat utime+stime) and of
       that the guest's own time in guest mode (guest_time), the guest's VM
       exits (KVM's debugfs) and the vGPU's trapped accesses (its debugfs
       counters; in full runs also per register, from kprobes)
  B13  frames drawn and delivered: kmsflip draw writes every pixel of the
       back buffer and flips, at 4 frames a second and then flat out,
       while a minimal RFB 3.8 client here asks QEMU's VNC server for
       incremental updates in a loop; frames the client saw (each frame's
       number is in its pixels) over frames drawn, and CPU time per frame
       seen
  B14  the driver's module loaded with autoprobe off (nothing autoloads
       it: the guest has no udev), then its device bound through sysfs:
       bind to /dev/fb0 and to the first frame QMP screendump shows, with
       the VM exits and, for the vGPU, the trapped accesses it took

kmsflip keeps its counts in a locked page of guest memory that this
program reads with QMP pmemsave at the start and end of each period, so
nothing but kmsflip runs in the guest while a period is timed.

and prints TAP ("ok - bench: B12"), the results as "# @..." lines and, in
DIR/guest-display.txt (default build/bench/<release>), the lines
bench/report renders. Every figure is also given as a ratio between the
devices of the same run.

  --smoke      one short period of each, results not written or judged
  --ko KO      load kvm, vfio and this ivgpu.ko first (and unload it at
               the end); without it ivgpu must be loaded
  --devices L  comma-separated, of ivgpu,bochs,virtio,dmabuf (default:
               the first three)
"""
import argparse
import json
import os
import re
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TOP, "selftests", "lib"))
import guestvm  # noqa: E402
import harness  # noqa: E402

KMSFLIP = os.path.join(HERE, "build", "kmsflip")
KMSFLIP_MAGIC = 0x70696c66736d6b
# B13's paced rate: frames a second, below what any of the three delivers
# in a TCG test VM, so that the CPU per frame is not that of a saturated
# machine.
FPS13 = 4
TYPE = "ivgpu-V5_1024x768"
WIDTH, HEIGHT = 1024, 768
MODE = f"{WIDTH}x{HEIGHT}"
BAD_LOG = re.compile(r"Oops|BUG:|WARNING:|Kernel panic|circular locking|recursive locking|"
                     r"inconsistent lock state|suspicious RCU usage|INFO: task|refcount_t:|"
                     r"UBSAN:|KASAN:|general protection fault|list_del corruption|"
                     r"list_add corruption|kernel BUG at|Bad page")
# The devices: QEMU display device (None: the vGPU), guest driver, gfx_plane.
DEVICES = {
    "ivgpu": dict(display=None, driver="i915", plane="region",
                  what="ivgpu vGPU, i915, region plane"),
    "bochs": dict(display="bochs-display", driver="bochs", what="bochs-display, bochs"),
    "virtio": dict(display="virtio-gpu-pci", driver="virtio_gpu",
                   what="virtio-gpu-pci 2D, virtio_gpu"),
    "dmabuf": dict(display=None, driver="i915", plane="dmabuf",
                   what="ivgpu vGPU, i915, dma-buf plane, egl-headless"),
}
# Why B13's dma-buf path is not measured here. QEMU 7.2 refuses a vGPU
# with dma-buf planes without OpenGL ("vfio-display-dmabuf: opengl not
# available"); with no GPU, the only OpenGL is Mesa's software renderer,
# which egl-headless gets on vgem's node. Mesa (22.3, kms_swrast) imports
# the dma-buf into vgem and maps it with DRM_IOCTL_MODE_MAP_DUMB, which
# the kernel refuses for an imported buffer (EACCES on the render node,
# EINVAL on the primary node: drm_gem_dumb_map_offset()); Mesa goes on
# with no mapping and llvmpipe reads the texture at NULL: QEMU dies with
# SIGSEGV at the first refresh.
DMABUF_WHY = ("QEMU 7.2 shows dma-buf planes only through OpenGL; without a GPU that is"
              " Mesa's llvmpipe on vgem (egl-headless), which cannot map an imported"
              " dma-buf (the kernel refuses DRM_IOCTL_MODE_MAP_DUMB of imported buffers)"
              " and QEMU dies with SIGSEGV at the first refresh")
CLK = os.sysconf("SC_CLK_TCK")
KVM_STATS = ("exits", "mmio_exits", "io_exits", "halt_exits")
VGPU_STATS = ("mmio_reads", "mmio_writes", "ggtt_writes", "irq_msi", "plane_queries",
              "plane_copies", "dmabuf_exports")


def log(msg):
    harness.log(msg)


# ---- what the test VM spent ----

def proc_stat_busy():
    """Seconds all CPUs of this machine were busy (user, nice, system, irq,
    softirq, steal; guest time is part of user)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / CLK


def task_times(path):
    """(utime + stime, guest_time) in seconds of /proc/.../stat."""
    with open(path) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state): utime 14, stime 15, guest_time 43.
    return (int(fields[11]) + int(fields[12])) / CLK, int(fields[40]) / CLK


class Probe:
    """Counters of one guest's QEMU: the process, its vCPU thread, its VM's
    KVM statistics, and the vGPU's debugfs counters if it has one."""

    def __init__(self, vm, uuid):
        threads = vm.qmp.call("query-cpus-fast")
        self.vcpu = threads[0]["thread-id"]
        with open(f"/proc/{self.vcpu}/status") as f:
            self.pid = int(re.search(r"^Tgid:\s+(\d+)", f.read(), re.M).group(1))
        base = "/sys/kernel/debug/kvm"
        dirs = [d for d in os.listdir(base) if d.startswith(f"{self.pid}-")] \
            if os.path.isdir(base) else []
        self.kvm = os.path.join(base, dirs[0]) if dirs else None
        self.uuid = uuid

    client = None       # the VNC client's thread id, while there is one

    def sample(self):
        s = {"t": time.monotonic(), "busy": proc_stat_busy()}
        if self.client:
            s["client"], _ = task_times(f"/proc/self/task/{self.client}/stat")
        s["qemu"], s["qemu_guest"] = task_times(f"/proc/{self.pid}/stat")
        with open(f"/proc/{self.pid}/stat") as f:
            # Field 10: minor page faults (all threads).
            s["qemu_faults"] = int(f.read().rsplit(")", 1)[1].split()[7])
        s["vcpu"], _ = task_times(f"/proc/{self.pid}/task/{self.vcpu}/stat")
        for name in KVM_STATS:
            try:
                with open(os.path.join(self.kvm, name)) as f:
                    s["kvm_" + name] = int(f.read())
            except (OSError, TypeError, ValueError):
                pass
        if self.uuid:
            with open(f"/sys/kernel/debug/ivgpu/{self.uuid}/stats") as f:
                for line in f:
                    k, v = line.split()
                    if k in VGPU_STATS:
                        s["vgpu_" + k] = int(v)
        return s


def delta(a, b):
    return {k: b[k] - a[k] for k in b if k in a}


# ---- a minimal RFB 3.8 client ----

class Vnc(threading.Thread):
    """Connects to QEMU's VNC server (no authentication), asks for 32-bit
    true colour in raw encoding and, after each update, for the next
    incremental one. Counts updates, updated pixels and the frame numbers
    the pixels carry (kmsflip: green and blue are the frame number)."""

    def __init__(self, path, timeout=60):
        super().__init__(daemon=True)
        self.sock = guestvm.ivgpu_qemu.connect_unix(path, timeout, what="VNC socket")
        self.sock.settimeout(None)
        self.lock = threading.Lock()
        self.error = None
        self.width = self.height = 0
        self.reset()
        self.handshake()

    def recv(self, n):
        buf = bytearray(n)
        view = memoryview(buf)
        got = 0
        while got < n:
            k = self.sock.recv_into(view[got:], n - got)
            if not k:
                raise EOFError("the VNC server closed the connection")
            got += k
        return buf

    def handshake(self):
        version = self.recv(12)
        if not version.startswith(b"RFB 003."):
            raise guestvm.Error(f"not an RFB server: {bytes(version)!r}")
        self.sock.sendall(b"RFB 003.008\n")
        n = self.recv(1)[0]
        types = self.recv(n) if n else b""
        if 1 not in types:
            raise guestvm.Error(f"the VNC server offers security types {list(types)}, not None")
        self.sock.sendall(b"\x01")
        if struct.unpack(">I", self.recv(4))[0]:
            raise guestvm.Error("VNC security handshake failed")
        self.sock.sendall(b"\x01")                      # ClientInit: shared
        self.width, self.height = struct.unpack(">HH", self.recv(4))
        self.recv(16)
        self.recv(struct.unpack(">I", self.recv(4))[0])
        # SetPixelFormat: 32 bpp, depth 24, little endian, true colour,
        # 255/255/255, shifts 16/8/0.
        self.sock.sendall(struct.pack(">B3xBBBBHHHBBB3x", 0, 32, 24, 0, 1, 255, 255, 255,
                                      16, 8, 0))
        # SetEncodings: raw, DesktopSize.
        self.sock.sendall(struct.pack(">BxHii", 2, 2, 0, -223))
        self.request(False)

    def request(self, incremental=True):
        self.sock.sendall(struct.pack(">BBHHHH", 3, int(incremental), 0, 0,
                                      self.width, self.height))

    def reset(self):
        """Counters to zero; the old ones."""
        with self.lock:
            old = getattr(self, "c", None)
            self.c = {"updates": 0, "pixels": 0, "torn": 0, "frames": set()}
        return old

    def run(self):
        try:
            while True:
                kind = self.recv(1)[0]
                if kind == 0:
                    self.update()
                    self.request()
                elif kind == 2:                         # bell
                    pass
                elif kind == 3:                         # cut text
                    self.recv(3)
                    self.recv(struct.unpack(">I", self.recv(4))[0])
                else:
                    raise guestvm.Error(f"VNC message type {kind}")
        except (OSError, EOFError, guestvm.Error) as e:
            self.error = e

    def update(self):
        n = struct.unpack(">xH", self.recv(3))[0]
        pixels, frames = 0, set()
        for _ in range(n):
            x, y, w, h, enc = struct.unpack(">HHHHi", self.recv(12))
            if enc == -223:                             # DesktopSize
                self.width, self.height = w, h
                continue
            if enc != 0:
                raise guestvm.Error(f"VNC encoding {enc}")
            data = self.recv(w * h * 4)
            pixels += w * h
            # The first pixel of every row: blue, green = the frame number.
            stride = w * 4
            frames |= set(zip(data[0::stride], data[1::stride]))
        with self.lock:
            if pixels:
                self.c["updates"] += 1
                self.c["pixels"] += pixels
                self.c["torn"] += len(frames) > 1
                self.c["frames"] |= {b | g << 8 for b, g in frames}

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


# ---- one guest ----

class Guest:
    def __init__(self, name, kernel, uuid, log_dir):
        self.name = name
        self.dev = DEVICES[name]
        self.uuid = uuid if self.dev["display"] is None else None
        self.vnc_path = None
        self.kernel = kernel
        self.log_dir = log_dir
        self.vm = None

    def start(self):
        d = self.dev
        extra = []
        if d["display"] is None:
            harness.set_gfx_plane(self.uuid, d["plane"])
        if self.name == "dmabuf":
            node = render_node()
            extra += ["-display", f"egl-headless,rendernode={node}"]
        # The VNC socket on a local file system (9p has no sockets).
        self.vnc_path = f"/run/guest-display-{os.getpid()}-{self.name}.vnc"
        extra += ["-vnc", f"unix:{self.vnc_path}"]
        # The vGPU's type has 1024x768 as its largest mode, its monitor's
        # preferred one (QEMU 7.2 takes xres/yres for a vGPU only with
        # dma-buf planes); QEMU's devices are told.
        res = {} if d["display"] is None else dict(xres=WIDTH, yres=HEIGHT)
        self.vm = guestvm.GuestVM(self.uuid, kernel=self.kernel, log_dir=self.log_dir,
                                  display=d["display"], extra=extra, **res)
        secs = self.vm.start()
        self.probe = Probe(self.vm, self.uuid)
        log(f"{self.name}: guest {self.vm.sh('uname -r').strip()} answered {secs:.1f} s after"
            f" QEMU started ({'KVM' if self.vm.kvm else 'TCG'}); QEMU pid {self.probe.pid},"
            f" KVM statistics {'in debugfs' if self.probe.kvm else 'not found'}")

    def stop(self):
        if not self.vm:
            return
        status = None
        try:
            if self.vm.agent:
                status = self.vm.stop()
        finally:
            if self.vm.proc and self.vm.proc.poll() is None:
                if self.vm.qmp:
                    self.vm.kill()
                else:
                    self.vm.close()
        try:
            os.unlink(self.vnc_path)
        except OSError:
            pass
        if status == 125:
            log(f"{self.name}: the guest kernel logged problems (scripts/vm: 125); see"
                f" {os.path.relpath(self.log_dir, TOP)}/dmesg.txt")
        if self.uuid:
            harness.set_gfx_plane(self.uuid, "region")

    # -- B14 --

    def probe_driver(self):
        """The driver's module loaded with its bus's autoprobe off (reading
        it and its dependencies over 9p is not the driver's doing), then
        its device bound through sysfs: bind to /dev/fb0 (guest clock) and
        to the first frame QMP screendump shows (this machine's clock): a
        1024x768 screen with the text put on tty1 before the driver came."""
        vm = self.vm
        vm.sh("printf '\\033[2J\\033[Hivgpu bench B14: the first frame of %s\\n' "
              f"'{self.dev['what']}' > /dev/tty1")
        # The display-class PCI function; for virtio-gpu its virtio device.
        out = vm.sh("for d in /sys/bus/pci/devices/*; do case $(cat $d/class) in 0x03*)"
                    " v=$(ls -d $d/virtio* 2>/dev/null | head -n 1);"
                    " if [ -n \"$v\" ]; then echo virtio ${v##*/}; else echo pci ${d##*/}; fi;"
                    " break;; esac; done")
        bus, dev = out.split()
        mod = self.dev["driver"]
        out = vm.sh(f"echo 0 > /sys/bus/{bus}/drivers_autoprobe; s=$(date +%s%N);"
                    f" modprobe {mod}; r=$?; m=$(date +%s%N);"
                    f" echo 1 > /sys/bus/{bus}/drivers_autoprobe; [ $r = 0 ] || exit $r;"
                    f" [ -e /sys/bus/{bus}/devices/{dev}/driver ] && echo bound;"
                    f" echo $((m - s)) $(ls /sys/module/{mod}/drivers | grep ^{bus}:)",
                    timeout=600)
        if "bound" in out:
            raise harness.Failed(f"{mod} bound {dev} while autoprobe was off")
        mod_ns, drvname = out.split()
        drvname = drvname.split(":", 1)[1]
        s0 = self.probe.sample()
        t0 = time.monotonic()
        out = vm.sh(f"s=$(date +%s%N); echo {dev} > /sys/bus/{bus}/drivers/{drvname}/bind;"
                    " b=$(date +%s%N);"
                    " for i in $(seq 1200); do [ -e /dev/fb0 ] && break; sleep 0.05; done;"
                    " f=$(date +%s%N); [ -e /dev/fb0 ] || { echo no /dev/fb0; exit 1; };"
                    " echo $((b - s)) $((f - s))", timeout=600)
        bind_ns, fb_ns = (int(x) for x in out.split())
        deadline = time.monotonic() + 120
        shots = 0
        while True:
            w, h, rgb = vm.screendump()
            shots += 1
            t = time.monotonic()
            lit = (w, h) == (WIDTH, HEIGHT) and rgb.count(0) < len(rgb) - 300
            if lit:
                break
            if t > deadline:
                raise harness.Failed(f"no {MODE} frame with text after 120 s (QEMU shows"
                                     f" {w}x{h})")
            time.sleep(0.1)
        s1 = self.probe.sample()
        d = delta(s0, s1)
        vm.sh("echo 0 > /sys/class/graphics/fbcon/cursor_blink || true")
        return dict(modprobe=int(mod_ns) / 1e9, bind=bind_ns / 1e9, fb0=fb_ns / 1e9,
                    frame=t - t0, shots=shots, driver=f"{bus}:{drvname}", d=d)

    # -- kmsflip periods --

    def counter(self, paddr):
        """kmsflip's counter page (QMP pmemsave of guest memory): (ops,
        number of the last frame shown, guest ns at the last operation)."""
        path = os.path.join("/run", f"guest-display-{os.getpid()}.counter")
        self.vm.qmp.call("pmemsave", {"val": paddr, "size": 40, "filename": path})
        with open(path, "rb") as f:
            magic, ops, frame, ns, draw_ns = struct.unpack("<5Q", f.read(40))
        os.unlink(path)
        if magic != KMSFLIP_MAGIC:
            raise harness.Failed(f"no kmsflip counter at {paddr:#x}")
        return ops, frame, ns, draw_ns

    def kmsflip(self, cmd, seconds, periods, vnc=None, fps=0, on_start=None, on_end=None):
        """Run kmsflip CMD in the guest and, once it runs, time @periods
        periods of @seconds back to back: this machine's counters and
        kmsflip's (read from guest memory) at each period's start and end;
        nothing else runs in the guest meanwhile. A list of per-period
        dicts."""
        vm = self.vm
        vm.sh(f"rm -f /tmp/kf.out; ({KMSFLIP} -c -m {MODE} -r {fps} {cmd}"
              f" {seconds * periods + 120}"
              " > /tmp/kf.out 2>&1 &) </dev/null >/dev/null 2>&1")
        deadline = time.monotonic() + 120
        while True:
            out = vm.sh("cat /tmp/kf.out")
            m = re.search(r"^ready .* counter (0x[0-9a-f]+)$", out, re.M)
            if m:
                break
            if time.monotonic() > deadline or vm.run("pgrep -x kmsflip")[0]:
                raise harness.Failed(f"kmsflip {cmd} did not start: {out}")
            time.sleep(0.5)
        paddr = int(m.group(1), 16)
        res = []
        try:
            time.sleep(1)               # past its first operations
            c0, s0 = self.counter(paddr), self.probe.sample()
            if vnc:
                vnc.reset()
            if on_start:
                on_start()
            for _ in range(periods):
                time.sleep(seconds)
                c1, s1 = self.counter(paddr), self.probe.sample()
                r = dict(ops=c1[0] - c0[0], seconds=s1["t"] - s0["t"],
                         guest_seconds=(c1[2] - c0[2]) / 1e9, frames=(c0[1], c1[1]),
                         draw_seconds=(c1[3] - c0[3]) / 1e9, d=delta(s0, s1))
                if vnc:
                    r["vnc"] = vnc.reset()
                    if vnc.error:
                        raise harness.Failed(f"VNC client: {vnc.error}")
                if not r["ops"]:
                    raise harness.Failed(f"kmsflip {cmd}: nothing done in {seconds} s: "
                                         + vm.sh("cat /tmp/kf.out"))
                res.append(r)
                c0, s0 = c1, s1
            if on_end:
                on_end()
        finally:
            vm.run("pkill -x kmsflip; for i in $(seq 100); do pgrep -x kmsflip >/dev/null"
                   " || break; sleep 0.1; done")
        log(f"{self.name}: kmsflip {cmd}: {out.strip()}; guest clock / this machine's:"
            f" {sum(r['guest_seconds'] for r in res) / sum(r['seconds'] for r in res):.3f}")
        return res

    def idle(self, seconds):
        """What the test VM spends per second with this guest idle (its
        console shown, no client): the share of B12's and B13's figures
        that is not the flips'."""
        time.sleep(1)
        s0 = self.probe.sample()
        time.sleep(seconds)
        d = delta(s0, self.probe.sample())
        return {k: v / d["t"] for k, v in d.items()}

    def flips(self, seconds, periods):
        return self.kmsflip("flip", seconds, periods)

    def flip_registers(self, seconds):
        """Which vGPU registers a flip reads and writes: kprobes on the
        module's register read and write with a histogram of the offsets
        (this machine's tracefs) during a run of kmsflip flip. {"r" or
        "w": {offset: accesses per flip}}."""
        tr = "/sys/kernel/tracing"
        if not os.path.isdir(f"{tr}/events"):
            tr = "/sys/kernel/debug/tracing"
        probes = {"r": "ivgpu_mmio_read32", "w": "ivgpu_mmio_write32"}
        try:
            for k, fn in probes.items():
                tracefs_write(f"{tr}/kprobe_events", f"p:ivgpu_bench_{k} {fn} off=%si:x32")
            for k in probes:
                tracefs_write(f"{tr}/events/kprobes/ivgpu_bench_{k}/trigger",
                              "hist:keys=off.hex:size=256")
        except OSError as e:
            self.unprobe(tr, probes)
            raise harness.Skip(f"kprobes on {', '.join(probes.values())}: {e}")
        def read():
            # Keys in hex (.hex), with or without 0x.
            h = {}
            for k in probes:
                with open(f"{tr}/events/kprobes/ivgpu_bench_{k}/hist") as f:
                    h[k] = {int(m.group(1), 16): int(m.group(2))
                            for m in re.finditer(r"off:\s*(?:0x)?([0-9a-fA-F]+)\s*\}\s*"
                                                 r"hitcount:\s*(\d+)", f.read())}
            return h

        before, after = {}, {}
        try:
            # Counted from the period's start to its end: kmsflip's set-up
            # and the console's return when it exits are left out.
            res = self.kmsflip("flip", seconds, 1, on_start=lambda: before.update(read()),
                               on_end=lambda: after.update(read()))
            ops = res[0]["ops"]
            hist = {k: {off: (n - before.get(k, {}).get(off, 0)) / ops
                        for off, n in after[k].items()} for k in probes}
        finally:
            self.unprobe(tr, probes)
        return hist

    @staticmethod
    def unprobe(tr, probes):
        for k in probes:
            try:
                tracefs_write(f"{tr}/events/kprobes/ivgpu_bench_{k}/trigger",
                              "!hist:keys=off.hex:size=256")
            except OSError:
                pass
        for k in probes:
            try:
                tracefs_write(f"{tr}/kprobe_events", f"-:ivgpu_bench_{k}")
            except OSError:
                pass

    def frames(self, seconds, periods, fps=0):
        vnc = Vnc(self.vnc_path)
        vnc.start()
        self.probe.client = vnc.native_id
        try:
            return self.kmsflip("draw", seconds, periods, vnc, fps)
        finally:
            self.probe.client = None
            vnc.close()


def tracefs_write(path, line):
    """Append a line to a tracefs control file (no seek: Python's append
    mode seeks to the end, which tracefs refuses)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def register_names():
    """Offset -> name of the registers the module's headers define (pipe A
    for per-pipe ones)."""
    names = {}
    core = os.path.join(TOP, "kernel", "core")
    for h in sorted(os.listdir(core)):
        if h.endswith(".h"):
            with open(os.path.join(core, h)) as f:
                for m in re.finditer(r"^#define\s+(\w+)(\(\w+\))?\s+\(?(0x[0-9a-fA-F]{4,})\b",
                                     f.read(), re.M):
                    names.setdefault(int(m.group(3), 16),
                                     m.group(1) + ("_A" if m.group(2) else ""))
    return names


def fmt_registers(hist):
    """The registers a flip reads and writes, most accessed first."""
    names = register_names()
    out = []
    for k, what in (("r", "reads"), ("w", "writes")):
        regs = sorted(hist.get(k, {}).items(), key=lambda x: -x[1])
        total = sum(n for _, n in regs)
        items = [f"{names.get(off, hex(off))} {n:.2g}" for off, n in regs if n >= 0.05]
        out.append(f"{what} {total:.1f}: " + ", ".join(items))
    return "; ".join(out)


def render_node():
    """A DRM render node for QEMU's egl-headless: vgem's (no GPU here)."""
    subprocess.run(["modprobe", "vgem"], capture_output=True)
    nodes = sorted(n for n in os.listdir("/dev/dri") if n.startswith("renderD")) \
        if os.path.isdir("/dev/dri") else []
    if not nodes:
        raise harness.Skip("no DRM render node for egl-headless (vgem did not load)")
    return "/dev/dri/" + nodes[0]


# ---- figures ----

def per_op(periods, key):
    """Per period: the counter @key's delta per operation."""
    return [p["d"].get(key, 0) / p["ops"] for p in periods]


def seen(p):
    """Frames shown in the period that the VNC client saw in it."""
    f0, f1 = p["frames"]
    return len({f for f in p["vnc"]["frames"] if 0 < (f - f0) % 65536 <= f1 - f0})


def fmt_counters(d, ops, prefix):
    out = []
    for k, v in d.items():
        if k.startswith(prefix) and v:
            per = v / ops
            out.append(f"{k[len(prefix):]}={per:.0f}" if per >= 10 or per == int(per)
                       else f"{k[len(prefix):]}={per:.2f}")
    return " ".join(out)


def sum_d(periods):
    tot = {}
    for p in periods:
        for k, v in p["d"].items():
            tot[k] = tot.get(k, 0) + v
    return tot


def ms(sec):
    return f"{sec * 1e3:.2f} ms" if sec < 1 else f"{sec:.2f} s"


class Results:
    def __init__(self, smoke):
        self.smoke = smoke
        self.lines = []

    def emit(self, kind, *fields):
        line = "\t".join([kind] + [str(f) for f in fields])
        self.lines.append(line)
        if not self.smoke:
            print("# @" + line, flush=True)

    def ratio(self, rid, subj, base, s_what, b_what, target=0.0, target_text="",
              counters="-", note=""):
        """Per-period figures (seconds per op) of subject and baseline, paired
        by period (the devices run one after the other, so a pair is the
        same period of two guests, not moments apart)."""
        n = min(len(subj), len(base))
        if not n:
            return None
        r = sorted(subj[i] / base[i] for i in range(n) if base[i] > 0)
        if not r:
            return None
        med = statistics.median(r)
        q = statistics.quantiles(r, n=4, method="inclusive") if len(r) > 1 else [r[0]] * 3
        verdict = "info" if not target else ("hit" if med <= target else "miss")
        self.emit("ratio", rid, s_what, b_what, f"{med:.4f}", f"{r[0]:.4f}", f"{r[-1]:.4f}",
                  f"{q[0]:.4f}", f"{q[2]:.4f}", f"{statistics.median(subj) * 1e9:.1f}",
                  f"{statistics.median(base) * 1e9:.1f}", target_text, verdict,
                  counters or "-", note)
        log(f"{rid}: {med:.3f}x [{r[0]:.3f}-{r[-1]:.3f}]"
            + (f"; target {target_text}: {verdict}" if target else ""))
        return verdict

    def skip(self, rid, s_what, b_what, target_text, why):
        self.emit("ratio", rid, s_what, b_what, "", "", "", "", "", "", "", target_text,
                  "skip", "-", why)

    def value(self, vid, what, value, unit, note=""):
        self.emit("value", vid, what, f"{value:.1f}", unit, note)


# ---- the benchmarks' reports ----

def report_b12(res, out):
    flips = {n: r["B12"] for n, r in res.items() if r.get("B12")}
    for n, per in flips.items():
        ops = sum(p["ops"] for p in per)
        secs = sum(p["seconds"] for p in per)
        d = sum_d(per)
        note = (f"{ops} flips in {secs:.1f} s; per flip: all CPUs {ms(d['busy'] / ops)},"
                f" its QEMU {ms(d['qemu'] / ops)} (of it in guest mode"
                f" {ms(d['qemu_guest'] / ops)}; vCPU thread {ms(d['vcpu'] / ops)}; page faults"
                f" {d.get('qemu_faults', 0) / ops:.1f});"
                f" VM exits: {fmt_counters(d, ops, 'kvm_') or 'not counted'}")
        if n in ("ivgpu", "dmabuf"):
            note += f"; vGPU: {fmt_counters(d, ops, 'vgpu_')}"
        if res[n].get("B12regs"):
            note += f"; per flip, by register: {fmt_registers(res[n]['B12regs'])}"
        idle = res[n].get("idle")
        if idle:
            note += (f"; idle guest: all CPUs {100 * idle['busy']:.1f} % busy, i.e."
                     f" {ms(idle['busy'] * secs / ops)} of each flip's figure")
        out.value(f"B12 {n}", f"page flips per second, {DEVICES[n]['what']}",
                  ops / secs, "flips/s", note)
    sub = flips.get("ivgpu")
    what = {n: f"page flip, {MODE} dumb buffers, waiting for the event ({DEVICES[n]['what']})"
            for n in DEVICES}
    verdicts = []
    for base in ("virtio", "bochs"):
        b = flips.get(base)
        tt = "<= 1x virtio-gpu (ivgpu ahead)" if base == "virtio" else ""
        if not (sub and b):
            continue
        cnt = fmt_counters(sum_d(sub), sum(p["ops"] for p in sub), "vgpu_")
        verdicts.append(out.ratio(
            f"B12 CPU/flip vs {base}", per_op(sub, "busy"), per_op(b, "busy"),
            "all CPUs of the test VM per " + what["ivgpu"], "the same, " + DEVICES[base]["what"],
            1.0 if base == "virtio" else 0, tt, cnt))
        out.ratio(f"B12 flip time vs {base}", [p["seconds"] / p["ops"] for p in sub],
                  [p["seconds"] / p["ops"] for p in b],
                  "time per flip (1 / flips per second), ivgpu",
                  "time per flip, " + DEVICES[base]["what"])
        out.ratio(f"B12 QEMU CPU/flip vs {base}", per_op(sub, "qemu"), per_op(b, "qemu"),
                  "the guest's QEMU (utime + stime) per flip, ivgpu",
                  "the same, " + DEVICES[base]["what"])
    return verdicts


def b13_summary(per):
    """What B13's periods @per of one device show, in words."""
    ops = sum(p["ops"] for p in per)
    secs = sum(p["seconds"] for p in per)
    d = sum_d(per)
    saw = sum(seen(p) for p in per)
    ups = sum(p["vnc"]["updates"] for p in per)
    px = sum(p["vnc"]["pixels"] for p in per)
    torn = sum(p["vnc"]["torn"] for p in per)
    draw = sum(p["draw_seconds"] for p in per)
    note = (f"{ops} frames drawn in {secs:.1f} s ({ops / secs:.1f}/s; writing the pixels"
            f" took the guest {ms(draw / ops)} per frame), {saw} seen ({saw / secs:.1f}/s);"
            f" VNC: {ups} updates, {px / max(ups, 1) / (WIDTH * HEIGHT):.2f} screens of"
            f" pixels each, {torn} with two frames in them; CPU per frame drawn: all CPUs"
            f" {ms(d['busy'] / ops)} ({100 * d['busy'] / secs:.0f} % busy), its QEMU"
            f" {ms(d['qemu'] / ops)} (in guest mode {ms(d['qemu_guest'] / ops)}), the VNC"
            f" client {ms(d.get('client', 0) / ops)}, QEMU's page faults"
            f" {d.get('qemu_faults', 0) / ops:.0f}; per frame seen: all CPUs"
            f" {ms(d['busy'] / max(saw, 1))}; VM exits per frame drawn:"
            f" {fmt_counters(d, ops, 'kvm_') or 'not counted'}")
    if "vgpu_mmio_reads" in d:
        note += f"; vGPU per frame drawn: {fmt_counters(d, ops, 'vgpu_')}"
    return note


def report_b13(res, out):
    frames = {n: r["B13"] for n, r in res.items() if r.get("B13")}
    flat = {n: r["B13max"] for n, r in res.items() if r.get("B13max")}
    for n, per in frames.items():
        ops = sum(p["ops"] for p in per)
        saw = sum(seen(p) for p in per)
        out.value(f"B13 {n}", f"frames seen by a VNC client / frames drawn, {FPS13} frames a"
                  f" second, {DEVICES[n]['what']}", 100.0 * saw / ops, "%", b13_summary(per))
    for n, per in flat.items():
        secs = sum(p["seconds"] for p in per)
        saw = sum(seen(p) for p in per)
        out.value(f"B13 max {n}", f"frames seen by a VNC client per second, the guest drawing"
                  f" flat out, {DEVICES[n]['what']}", saw / secs, "frames/s", b13_summary(per))

    def per_seen(per, key):
        return [p["d"].get(key, 0) / seen(p) if seen(p) else float("inf") for p in per]

    sub = frames.get("ivgpu")
    verdicts = []
    for base in ("virtio", "bochs", "dmabuf"):
        b = frames.get(base)
        if base == "dmabuf" and not b and res.get("dmabuf", {}).get("skip"):
            out.skip("B13 dmabuf vs region", "ivgpu, dma-buf plane (egl-headless)",
                     "ivgpu, region plane", "", res["dmabuf"]["skip"])
            continue
        if not (sub and b):
            continue
        if base == "dmabuf":
            out.ratio("B13 dmabuf vs region", per_seen(b, "busy"), per_seen(sub, "busy"),
                      "all CPUs per frame seen over VNC: ivgpu, dma-buf plane, egl-headless",
                      "the same: ivgpu, region plane, -display none",
                      counters=fmt_counters(sum_d(b), sum(p["ops"] for p in b), "vgpu_"))
            continue
        tt = "<= 1x virtio-gpu (ivgpu ahead)" if base == "virtio" else ""
        verdicts.append(out.ratio(
            f"B13 CPU/frame vs {base}", per_seen(sub, "busy"), per_seen(b, "busy"),
            f"all CPUs of the test VM per frame seen over VNC, {FPS13} frames a second (every"
            " pixel drawn, flip), ivgpu", "the same, " + DEVICES[base]["what"],
            1.0 if base == "virtio" else 0, tt,
            fmt_counters(sum_d(sub), sum(p["ops"] for p in sub), "vgpu_")))
        fs, fb = flat.get("ivgpu"), flat.get(base)
        if fs and fb:
            out.ratio(f"B13 max vs {base}", [p["seconds"] / max(seen(p), 1) for p in fs],
                      [p["seconds"] / max(seen(p), 1) for p in fb],
                      "time per frame seen over VNC (1 / frames seen per second), the guest"
                      " drawing flat out, ivgpu", "the same, " + DEVICES[base]["what"])
    return verdicts


def report_b14(res, out):
    probes = {n: r["B14"] for n, r in res.items() if r.get("B14")}
    for n, p in probes.items():
        d = p["d"]
        note = (f"modprobe {DEVICES[n]['driver']} with autoprobe off (loading modules,"
                f" not timed in the value) {p['modprobe']:.2f} s; bind to {p['driver']}"
                f" returned after {p['bind']:.2f} s, /dev/fb0 after {p['fb0']:.2f} s (guest"
                f" clock); first frame in QMP screendump {p['frame']:.2f} s after the bind"
                f" started ({p['shots']} screendumps, each 0.1-0.4 s); VM exits:"
                f" {fmt_counters(d, 1, 'kvm_')}")
        if n == "ivgpu":
            note += f"; vGPU: {fmt_counters(d, 1, 'vgpu_')}"
        out.value(f"B14 {n}", f"driver bind to the first frame, {DEVICES[n]['what']}",
                  p["frame"], "s", note)
    sub = probes.get("ivgpu")
    for base in ("virtio", "bochs"):
        b = probes.get(base)
        if sub and b:
            out.ratio(f"B14 probe vs {base}", [sub["frame"]], [b["frame"]],
                      "i915 bind (module loaded) to the first frame QEMU shows (ivgpu)",
                      f"{DEVICES[base]['driver']} bind to the first frame"
                      f" ({DEVICES[base]['what']})",
                      counters=fmt_counters(sub["d"], 1, "vgpu_"))


# ---- main ----

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--out")
    ap.add_argument("--ko")
    ap.add_argument("--guest-kernel", default=os.environ.get("GUEST_KERNEL", "6.12"))
    ap.add_argument("--devices", default="ivgpu,bochs,virtio")
    ap.add_argument("bench", nargs="*")
    a = ap.parse_args()
    want = set(a.bench or ["B12", "B13", "B14"])
    devices = [d for d in a.devices.split(",") if d in DEVICES]
    rel = os.uname().release
    out_dir = a.out or os.path.join(TOP, "build", "bench", rel)
    harness.PROG = "bench"
    # B12 and B13: K periods of T seconds, back to back, on each device.
    T12, K12, T13, K13 = (2, 1, 2, 1) if a.smoke else (4, 5, 5, 3)
    sfx = " smoke" if a.smoke else ""

    if not os.access(KMSFLIP, os.X_OK):
        print(f"not ok - bench: kmsflip built\n# no {KMSFLIP}: run 'make -C bench' first")
        return 1
    guestvm.load_kvm()
    if a.ko:
        mods = ["vfio", "vfio_iommu_type1", "mdev"]
        subprocess.run(["modprobe", "-a", *mods], check=True)
        subprocess.run(["modprobe", "vfio_virqfd"], capture_output=True)
        if os.path.isdir("/sys/module/ivgpu"):
            subprocess.run(["rmmod", "ivgpu"], check=True)
        subprocess.run(["insmod", a.ko], check=True)
    with open("/dev/kmsg", "w") as f:
        f.write("ivgpu-bench-guest-display: start\n")
    kvm = guestvm.kvm_usable()
    log(f"host kernel {rel}; guest kernel {a.guest_kernel}; guests under"
        f" {'KVM' if kvm else 'TCG (no usable /dev/kvm: slow)'}; {MODE}")

    out = Results(a.smoke)
    with open("/proc/cpuinfo") as f:
        cpu = re.search(r"^model name\s*:\s*(.*)$", f.read(), re.M).group(1)
    with open("/proc/meminfo") as f:
        mem = re.search(r"^MemTotal:\s*(.*)$", f.read(), re.M).group(1)
    qemu = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                          text=True).stdout.splitlines()[0]
    for k, v in (("kernel", rel), ("suite", "guest-display"),
                 ("accel", os.environ.get("BENCH_ACCEL", "unknown")), ("cpu", cpu),
                 ("cpus", os.cpu_count()), ("memory", mem),
                 ("date", time.strftime("%Y-%m-%d", time.gmtime())),
                 ("guest_kernel", a.guest_kernel), ("nested", "KVM" if kvm else "TCG"),
                 ("guest_qemu", re.sub(r" \(.*\)", "", qemu)), ("mode", MODE),
                 ("periods", f"B12: {K12} periods of {T12} s per device; B13: {K13}"
                  f" periods of {T13} s at {FPS13} frames a second and {K13} flat out")):
        out.emit("meta", k, v)

    uuid = harness.create_vgpu(TYPE) if {"ivgpu", "dmabuf"} & set(devices) else None
    res = {}
    failed = {}
    if "dmabuf" not in devices:
        res["dmabuf"] = {"skip": DMABUF_WHY}
    t_start = time.monotonic()
    try:
        for name in devices:
            if name == "dmabuf" and "B13" not in want:
                continue
            t0 = time.monotonic()
            g = Guest(name, a.guest_kernel, uuid,
                      os.path.join(TOP, "build", "bench", "guest", f"log-{rel}-{name}"))
            r = res[name] = {}
            try:
                g.start()
                if name == "dmabuf":
                    g.vm.sh(f"modprobe {g.dev['driver']}; for i in $(seq 600);"
                            " do [ -e /dev/fb0 ] && break; sleep 0.1; done", timeout=600)
                elif "B14" in want:
                    r["B14"] = g.probe_driver()
                    p = r["B14"]
                    log(f"{name}: B14 modprobe (no probe) {p['modprobe']:.2f} s; bind"
                        f" {p['bind']:.2f} s, /dev/fb0 {p['fb0']:.2f} s, first frame"
                        f" {p['frame']:.2f} s ({p['driver']});"
                        f" {fmt_counters(p['d'], 1, 'vgpu_')} {fmt_counters(p['d'], 1, 'kvm_')}")
                else:
                    g.vm.sh(f"modprobe {g.dev['driver']}", timeout=600)
                if ("B12" in want or "B13" in want) and name != "dmabuf":
                    r["idle"] = g.idle(T12)
                    i = r["idle"]
                    log(f"{name}: idle: all CPUs {100 * i['busy']:.1f} %, QEMU"
                        f" {100 * i['qemu']:.1f} % (guest mode {100 * i['qemu_guest']:.1f} %);"
                        f" per second: {fmt_counters(i, 1, 'kvm_')}")
                if "B12" in want and name != "dmabuf":
                    r["B12"] = g.flips(T12, K12)
                    if g.uuid and not a.smoke:
                        try:
                            r["B12regs"] = g.flip_registers(T12)
                            log(f"{name}: registers per flip: {fmt_registers(r['B12regs'])}")
                        except Exception as e:  # a diagnostic: never the run's end
                            log(f"{name}: registers per flip not counted: {e}")
                    ops = sum(p["ops"] for p in r["B12"])
                    secs = sum(p["seconds"] for p in r["B12"])
                    d = sum_d(r["B12"])
                    log(f"{name}: B12 {ops / secs:.1f} flips/s, all CPUs {ms(d['busy'] / ops)}"
                        f" per flip, QEMU {ms(d['qemu'] / ops)} (guest mode"
                        f" {ms(d['qemu_guest'] / ops)}); {fmt_counters(d, ops, 'kvm_')}"
                        f" {fmt_counters(d, ops, 'vgpu_')}")
                if "B13" in want:
                    # Paced below what any of them can do here, then flat out.
                    for key, fps in (("B13", FPS13), ("B13max", 0)):
                        r[key] = g.frames(T13, K13, fps)
                        log(f"{name}: {key} " + b13_summary(r[key]))
            except harness.Skip as e:
                r["skip"] = str(e)
                log(f"{name}: skipped: {e}")
            except (harness.Failed, guestvm.Error, OSError, ValueError) as e:
                if name == "dmabuf":
                    # QEMU 7.2 shows dma-buf planes only through OpenGL.
                    why = str(e).strip().splitlines()
                    qlog = [ln for ln in why if "qemu" in ln.lower() or "egl" in ln.lower()]
                    r["skip"] = (qlog or why or ["failed"])[-1][:300]
                    log(f"{name}: {e}")
                    log(f"{name}: skipped: {r['skip']}")
                else:
                    failed[name] = str(e)
                    log(f"{name}: {e}")
            finally:
                try:
                    g.stop()
                except (guestvm.Error, OSError) as e:
                    log(f"{name}: stopping the guest: {e}")
                log(f"{name}: {time.monotonic() - t0:.0f} s")
    finally:
        if uuid:
            try:
                harness.remove_vgpu(uuid)
            except Exception as e:  # the result lines tell the story
                log(f"removing the vGPU: {e}")

    rc = 0
    for b in ("B12", "B13", "B14"):
        if b not in want:
            continue
        bad = [f"{n}: {failed[n]}" for n in failed]
        missing = [n for n in devices if n != "dmabuf" and not res.get(n, {}).get(b)
                   and n not in failed]
        if b == "B13" and res.get("dmabuf", {}).get("skip"):
            log(f"B13 dma-buf path not measured: {res['dmabuf']['skip']}")
        if bad or missing:
            print(f"not ok - bench: {b}{sfx}")
            for line in bad + [f"{n}: no result" for n in missing]:
                log(line.splitlines()[0] if line else line)
            rc = 1
        else:
            print(f"ok - bench: {b}{sfx}", flush=True)
    if not a.smoke:
        # The raw figures first, whatever happens to the report.
        os.makedirs(out_dir, exist_ok=True)
        with open(os.path.join(out_dir, "guest-display.json"), "w") as f:
            json.dump(res, f, default=sorted, indent=1)
        report_b14(res, out)
        report_b12(res, out)
        report_b13(res, out)

    dmesg = subprocess.run(["dmesg"], capture_output=True, text=True).stdout
    since = dmesg.split("ivgpu-bench-guest-display: start")[-1]
    problems = [ln for ln in since.splitlines() if BAD_LOG.search(ln)]
    if problems:
        print("not ok - bench: host kernel log clean")
        for line in problems[:20]:
            log(line)
        rc = 1
    if a.ko:
        subprocess.run(["rmmod", "ivgpu"], capture_output=True)
    log(f"({time.monotonic() - t_start:.0f} s)")
    if not a.smoke:
        os.makedirs(out_dir, exist_ok=True)
        path = os.path.join(out_dir, "guest-display.txt")
        with open(path, "w") as f:
            f.write("\n".join(out.lines) + "\n")
        log(f"results: {os.path.relpath(path, TOP)}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
