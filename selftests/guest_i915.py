#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""guest_i915: an unmodified Linux guest drives the vGPU with its own i915.

Runs in a test VM that can run KVM guests (scripts/vm --nested), with ivgpu
loaded. Boots a stock Debian kernel (GUEST_KERNEL: 6.1 or 6.12) with the
vGPU (display=on, x-igd-opregion=on) and checks what the guest gets: i915
binds and probes, the DP connector of the VBT is connected with the
monitor's EDID and modes, the guest log holds the wedged GT's lines and no
other problem (docs/guest.md lists them), fbcon's console is what QEMU
shows, modetest sets modes and page-flips on vblank events, hotplug through
the EDID region reaches the guest, i915 reloads, the guest survives
system_reset and reboot, and QEMU quitting under a running guest leaves the
vGPU clean.
"""
import faulthandler
import os
import re
import shutil
import sys
import tempfile
import time

sys.dont_write_bytecode = True
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "lib"))
import guestvm  # noqa: E402
import harness  # noqa: E402
from harness import check, log, run_test  # noqa: E402

GK = os.environ.get("GUEST_KERNEL", "6.1")
# GUEST_QUICK=1: only boot, probe, connector, log and fbcon (and QEMU quit).
QUICK = os.environ.get("GUEST_QUICK") == "1"
harness.PROG = f"guest-{GK}"
TYPE = "ivgpu-V5_1920x1200"
MAX_MODE = (1920, 1200)
TOP = guestvm.TOP
# Files the guest writes for the test: the repository is shared with the
# guest at its own path (made unique in main(): test VMs may run at once).
WORK = os.path.join(TOP, "build", "guest")
DOC = os.path.join(TOP, "docs", "guest.md")
# Guest log lines that report a problem.
BAD = re.compile(r"WARNING:|BUG:|\*ERROR\*|Oops|Call Trace|general protection|"
                 r"Kernel panic|refcount_t:|UBSAN:|list_(add|del) corruption")
# Lines the rig's timing can cause, whatever the device does: docs/guest.md.
TOLERATED = re.compile(r"^i915 <pci>: \[drm\] \*ERROR\* Potential atomic update "
                       r"failure on pipe [A-C]$")

state = {}


def sysfs(path):
    with open(path) as f:
        return f.read()


def host_stats(uuid):
    text = sysfs(f"/sys/kernel/debug/ivgpu/{uuid}/stats")
    return {k: int(v) for k, v in (line.split() for line in text.splitlines())}


# ---- the monitor, from the host ----

def edid_region(uuid):
    return f"/sys/bus/mdev/devices/{uuid}/ivgpu/edid_region"


def host_edid(uuid):
    with open(edid_region(uuid), "rb") as f:
        region = f.read()
    size = int.from_bytes(region[8:12], "little")
    return region[0x800:0x800 + size]


def set_link(uuid, up):
    fd = os.open(edid_region(uuid), os.O_WRONLY)
    try:
        os.pwrite(fd, (1 if up else 2).to_bytes(4, "little"), 0x14)
    finally:
        os.close(fd)


def set_edid(uuid, blob):
    """Link down, new blob and size, link up: QEMU's protocol."""
    fd = os.open(edid_region(uuid), os.O_WRONLY)
    try:
        os.pwrite(fd, (2).to_bytes(4, "little"), 0x14)
        os.pwrite(fd, blob, 0x800)
        os.pwrite(fd, len(blob).to_bytes(4, "little"), 0x08)
        os.pwrite(fd, (1).to_bytes(4, "little"), 0x14)
    finally:
        os.close(fd)


def edid_preferred(blob):
    """(width, height) of the first detailed timing."""
    d = blob[54:72]
    return d[2] | (d[4] & 0xf0) << 4, d[5] | (d[7] & 0xf0) << 4


def make_edid(width, height, clock_khz, hblank, vblank, name=b"ivgpu test"):
    """A valid EDID 1.4 with one detailed timing, its preferred mode."""
    e = bytearray(128)
    e[0:8] = b"\x00\xff\xff\xff\xff\xff\xff\x00"
    e[8:10] = (0x2656).to_bytes(2, "big")          # "IVT"
    e[10:12] = (2).to_bytes(2, "little")
    e[18:20] = bytes([1, 4])
    e[20] = 0xa5                                    # digital, 8 bpc, DisplayPort
    e[21:23] = bytes([52, 32])
    e[23] = 120
    e[24] = 0x06                                    # RGB, preferred timing is native
    e[38:54] = b"\x01" * 16                         # no standard timings
    c = clock_khz // 10
    d = bytearray(18)
    d[0:2] = c.to_bytes(2, "little")
    d[2], d[3], d[4] = width & 0xff, hblank & 0xff, (width >> 8) << 4 | hblank >> 8
    d[5], d[6], d[7] = height & 0xff, vblank & 0xff, (height >> 8) << 4 | vblank >> 8
    d[8], d[9], d[10], d[11] = 48, 112, 0x13, 0      # hsync 48/112, vsync 1/3
    d[17] = 0x1e
    e[54:72] = d
    e[72:90] = b"\0\0\0\xfc\0" + (name + b"\n").ljust(13, b" ")
    e[90:108] = b"\0\0\0\xfd\0" + bytes([50, 75, 30, 160, 20, 0, 10]) + b" " * 6
    e[108:126] = b"\0\0\0\x10\0" + bytes(13)
    e[127] = (-sum(e[:127])) & 0xff
    return bytes(e)


# ---- the guest ----

def connectors(vm):
    """{name: (status, [modes])} of card0's connectors."""
    out = vm.sh("cd /sys/class/drm && for c in card0-*; do "
                "echo \"$c $(cat $c/status) $(cat $c/modes | tr '\\n' ' ')\"; done")
    res = {}
    for line in out.splitlines():
        words = line.split()
        if words:
            res[words[0][len("card0-"):]] = (words[1], words[2:])
    return res


def wait_status(vm, name, want, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        status = vm.sh(f"cat /sys/class/drm/card0-{name}/status").strip()
        if status == want:
            return
        check(time.monotonic() < deadline,
              f"{name} is {status}, not {want}, after {timeout} s")
        time.sleep(0.5)


PCI = re.compile(r"\b[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]\b")
OFFSET = re.compile(r"\+0x[0-9a-f]+/0x[0-9a-f]+")


def normalise(line):
    """A kernel log line without its timestamp, PCI addresses as <pci> and
    code offsets (+0x5/0x10) as +<off>: they change with the kernel build."""
    line = re.sub(r"^\[[ 0-9.]+\] ", "", line)
    return OFFSET.sub("+<off>", PCI.sub("<pci>", line))


def expected_log_lines(kernel):
    """The lines docs/guest.md lists for @kernel ("6.1 ..." or "6.12 ...")
    between its expected-log markers."""
    text = sysfs(DOC)
    m = re.search(r"<!-- expected guest log -->\n```\n(.*?)```", text, re.S)
    check(m, f"{DOC} has no expected guest log block")
    lines = []
    for line in m.group(1).splitlines():
        k, _, rest = line.partition(" ")
        if k == kernel:
            lines.append(rest)
    return lines


def problems(dmesg, expected):
    """Problem lines of a guest log that are not expected; the expected
    lines that are missing."""
    msgs = [normalise(line) for line in dmesg.splitlines()]
    for m in msgs:
        if TOLERATED.search(m):
            log(f"tolerated (the rig's timing): {m}")
    bad = [m for m in msgs if BAD.search(m) and m not in expected
           and not TOLERATED.search(m)]
    missing = [e for e in expected if e not in msgs]
    return bad, missing


def screen_equals(vm, raw, width, height, stride, what, wait=20):
    """QMP screendump equals raw XRGB8888 pixels (width x height, stride),
    within @wait seconds: a modeset reaches the hardware some time after
    the guest's DRM state shows it."""
    rows = b"".join(raw[y * stride:y * stride + width * 4] for y in range(height))
    want = harness.xrgb_to_rgb(rows)
    deadline = time.monotonic() + wait
    while True:
        w, h, rgb = vm.screendump()
        if (w, h) != (width, height):
            diff = f"QEMU shows {w}x{h}, {what} is {width}x{height}"
        else:
            diff = harness.first_difference(rgb, want, width, 3)
        if diff is None:
            return rgb
        check(time.monotonic() < deadline, f"screendump differs from {what}: {diff}; "
              "the vGPU's pipes:\n" + sysfs(f"/sys/kernel/debug/ivgpu/{vm.uuid}/display"))
        time.sleep(1)


# ---- tests ----

def t_boot(vm):
    secs = vm.start()
    if vm.retries:
        log(f"the guest's kernel hung in {vm.retries} boot(s) before this one; booted again")
    log(f"guest {vm.sh('uname -r').strip()} answered {secs:.1f} s after QEMU started"
        f" ({'KVM' if vm.kvm else 'TCG'})")


def t_probe(vm, uuid):
    t0 = time.monotonic()
    vm.sh("modprobe i915", timeout=600)
    vm.sh("for i in $(seq 300); do [ -e /sys/class/graphics/fb0 ] && break; sleep 0.2; done;"
          " [ -e /sys/class/graphics/fb0 ]")
    log(f"modprobe i915 took {time.monotonic() - t0:.1f} s; "
        f"{host_stats(uuid)['mmio_reads']} MMIO reads, "
        f"{host_stats(uuid)['ggtt_writes']} GGTT writes trapped so far")
    drv = vm.sh("basename $(readlink /sys/class/drm/card0/device/driver)").strip()
    check(drv == "i915", f"card0's driver is {drv}")


def t_connector(vm, uuid):
    conns = connectors(vm)
    log(" ".join(f"{n}={s}" for n, (s, _) in sorted(conns.items())))
    check(list(conns) == ["DP-1"], f"connectors {sorted(conns)}, expected DP-1 only"
          " (the VBT's one DisplayPort)")
    status, modes = conns["DP-1"]
    check(status == "connected", f"DP-1 is {status}")
    edid = host_edid(uuid)
    pw, ph = edid_preferred(edid)
    check(modes and modes[0] == f"{pw}x{ph}", f"modes {modes[:4]}, preferred {pw}x{ph}")
    guest_edid = vm.sh("od -An -v -tx1 /sys/class/drm/card0-DP-1/edid | tr -d ' \\n'")
    check(guest_edid.strip() == edid.hex(), "the guest's EDID is not the monitor's")
    state["connector"] = "DP-1"


def t_log(vm):
    """This boot's log, and those of the boots before it (kept at reboot)."""
    logs = state.pop("logs", []) + [vm.dmesg()]
    with open(os.path.join(vm.log_dir, f"guest-dmesg-{len(logs)}.txt"), "w") as f:
        f.write("\n".join(logs))
    expected = expected_log_lines(GK)
    bad, missing = [], []
    for text in logs:
        b, m = problems(text, expected)
        bad += b
        missing += m
    for line in bad[:20]:
        log(f"unexpected: {line}")
    for line in missing[:20]:
        log(f"missing: {line}")
    check(not bad, f"{len(bad)} unexpected problem lines in the guest log")
    check(not missing, f"{len(missing)} expected lines missing")


def read_fb0(vm):
    """(raw bytes, width, height, stride) of /dev/fb0 as the guest reads it."""
    os.makedirs(WORK, exist_ok=True)
    out = os.path.join(WORK, "fb0.raw")
    geo = vm.sh("cat /sys/class/graphics/fb0/virtual_size /sys/class/graphics/fb0/stride"
                " /sys/class/graphics/fb0/bits_per_pixel")
    size, stride, bpp = geo.split()
    width, height = (int(x) for x in size.split(","))
    check(bpp == "32", f"fb0 has {bpp} bits per pixel")
    vm.sh(f"head -c {height * int(stride)} /dev/fb0 > {out}")
    with open(out, "rb") as f:
        return f.read(), width, height, int(stride)


def t_fbcon(vm):
    vm.sh("echo 0 > /sys/class/graphics/fbcon/cursor_blink")
    vm.sh("printf '\\033[?25l\\033[2J\\033[H' > /dev/tty1")
    blank, w, h, stride = read_fb0(vm)
    banner = f"ivgpu: Linux {vm.sh('uname -r').strip()} with i915 on an ivgpu vGPU"
    vm.sh(f"printf '%s\\n' '{banner}' > /dev/tty1")
    raw, w, h, stride = read_fb0(vm)
    check(raw != blank, "writing to tty1 changed nothing in /dev/fb0")
    lit = sum(1 for i in range(0, w * 4 * 16, 4) if raw[i:i + 3] != b"\0\0\0")
    check(lit > 100, f"only {lit} lit pixels in the first text row")
    screen_equals(vm, raw, w, h, stride, "/dev/fb0")
    log(f"fbcon {w}x{h}: '{banner}' on tty1, {lit} lit pixels in its row, "
        "screendump equals /dev/fb0")


def scanout(vm, out):
    """(WIDTHxHEIGHT, fb id) the CRTC scans out; its pixels in @out."""
    info = vm.sh(f"{here}/guest/scanout {out}").split()
    return info[0], info[-1]


def t_modetest(vm, mode):
    """modetest holds @mode on the connector with its test pattern; while it
    does, QEMU's screendump must equal the buffer the guest scans out, as
    the guest reads it back through DRM."""
    out = os.path.join(WORK, "scanout.raw")
    conn = state.get("connector", "DP-1")
    os.makedirs(WORK, exist_ok=True)
    _, fbcon_fb = scanout(vm, out)
    # In the background, every stream redirected: the agent waits for its
    # command's output to end. modetest stops when its standard input ends.
    vm.sh(f"(sleep 120 2>/dev/null | modetest -M i915 -s {conn}:{mode} > /tmp/modetest.log"
          " 2>&1 &) </dev/null >/dev/null 2>&1")
    try:
        deadline = time.monotonic() + 60
        while True:
            shown, fb = scanout(vm, out)
            if shown == mode and fb != fbcon_fb:
                break
            check(time.monotonic() < deadline, f"after 60 s the CRTC scans out {shown} "
                  f"(fb {fb}, fbcon's is {fbcon_fb}), not modetest's {mode}:\n"
                  + vm.sh("cat /tmp/modetest.log") + stuck(vm, "modetest"))
            time.sleep(0.5)
        width, height = (int(x) for x in mode.split("x"))
        with open(out, "rb") as f:
            raw = f.read()
        colors = len({raw[i:i + 3] for i in range(0, len(raw), 4 * 97)})
        check(colors >= 8, f"the pattern has {colors} colours")
        screen_equals(vm, raw, width, height, width * 4, "modetest's buffer")
    finally:
        vm.sh("pkill -x sleep; for i in $(seq 50); do pgrep -x modetest || break;"
              " sleep 0.2; done")
    log(f"modetest {mode}: screendump equals the buffer the guest drew ({colors} colours)")


def t_weston(vm):
    """A desktop: Weston (Debian's weston 10) on its DRM backend with the
    pixman renderer; QEMU shows the frame it scans out."""
    if vm.run("command -v weston")[0]:
        raise harness.Skip("weston is not installed (scripts/setup installs it)")
    out = os.path.join(WORK, "weston.raw")
    _, fbcon_fb = scanout(vm, out)
    # Its socket named: weston 10 starts counting at wayland-1.
    vm.sh("mkdir -p -m 0700 /tmp/xdg; (XDG_RUNTIME_DIR=/tmp/xdg weston"
          " --backend=drm-backend.so --use-pixman --tty=2 --socket=wayland-0 --idle-time=0"
          " --continue-without-input --log=/tmp/weston.log </dev/null >/dev/null 2>&1 &)"
          " </dev/null >/dev/null 2>&1")
    try:
        deadline = time.monotonic() + 90
        while True:
            shown, fb = scanout(vm, out)
            if fb != fbcon_fb and vm.run("test -S /tmp/xdg/wayland-0")[0] == 0:
                break
            check(time.monotonic() < deadline, f"after 90 s Weston shows nothing (the "
                  f"CRTC scans out {shown}, fb {fb}; fbcon's is {fbcon_fb}):\n"
                  + vm.sh("ls -la /tmp/xdg; tail -n 12 /tmp/weston.log") + stuck(vm, "weston"))
            time.sleep(1)
        time.sleep(3)       # its first frames: background, then the panel
        shown, fb = scanout(vm, out)
        width, height = (int(x) for x in shown.split("x"))
        with open(out, "rb") as f:
            raw = f.read()
        screen_equals(vm, raw, width, height, width * 4, "Weston's frame")
    finally:
        vm.sh("pkill -x weston; for i in $(seq 50); do pgrep -x weston || break;"
              " sleep 0.2; done; chvt 1 || true")
    log(f"Weston (pixman) {shown}: screendump equals the frame the guest scans out")


def stuck(vm, prog):
    """What @prog is waiting for in the guest kernel, and the log's tail."""
    return vm.sh(f"for p in $(pgrep -x {prog}); do echo \"$p: $(cat /proc/$p/wchan)\";"
                 " cat /proc/$p/stack; done; dmesg | tail -n 15")


def t_flips(vm):
    conn = state.get("connector", "DP-1")
    # In the background (the agent waits for its commands' output to end),
    # for 12 s: modetest stops when its standard input ends.
    vm.sh(f"(sleep 12 2>/dev/null | modetest -M i915 -s {conn}:1024x768 -v"
          " > /tmp/flips.log 2>&1 &) </dev/null >/dev/null 2>&1")
    deadline = time.monotonic() + 60
    while vm.run("pgrep -x modetest")[0] == 0:
        check(time.monotonic() < deadline, "modetest -v still runs after 60 s:\n"
              + vm.sh("cat /tmp/flips.log") + stuck(vm, "modetest"))
        time.sleep(1)
    out = vm.sh("cat /tmp/flips.log")
    rates = [float(x) for x in re.findall(r"freq: ([0-9.]+)Hz", out)]
    check(rates, f"no flip rate reported:\n{out}")
    log(f"page flips on vblank events: {rates} Hz (the vblank clock is 60 Hz; a flip"
        " the guest prepares too late for a vblank waits for the next)")
    # Flips complete on vblank events: never faster than the clock. modetest
    # times each 60 flips with the guest's clock, which in this nested rig
    # runs up to 3 % off the host's, from a flip event that may have come a
    # few milliseconds late: 61.05 Hz was seen. Flips not held for a vblank
    # would run at hundreds a second.
    check(all(10 <= r <= 64 for r in rates), f"flip rates {rates}")


UEVENTS = ("import socket, sys\n"
           "s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 15)\n"
           "s.bind((0, 1))\n"
           "f = open(sys.argv[1], 'ab', 0)\n"
           "f.write(b'listening\\n')\n"
           "while True:\n"
           "    f.write(s.recv(65536).replace(b'\\0', b' ') + b'\\n')\n")


def t_hotplug(vm, uuid):
    vm.sh(f"cat > /tmp/uevents.py <<'EOF'\n{UEVENTS}EOF\n"
          "(python3 /tmp/uevents.py /tmp/uevents < /dev/null > /dev/null 2>&1 &);"
          " for i in $(seq 100); do grep -q listening /tmp/uevents 2>/dev/null && break;"
          " sleep 0.2; done")
    conn = state.get("connector", "DP-1")
    set_link(uuid, False)
    wait_status(vm, conn, "disconnected")
    set_link(uuid, True)
    wait_status(vm, conn, "connected")
    ev = vm.sh("grep -c 'HOTPLUG=1' /tmp/uevents || true").strip()
    check(int(ev or 0) >= 2, f"{ev} hotplug uevents for a link down and up; the guest"
          " saw:\n" + vm.sh("cat /tmp/uevents; ps ax | grep -c uevents.py"))
    new = make_edid(1280, 1024, 108000, 408, 42)
    set_edid(uuid, new)
    deadline = time.monotonic() + 30
    while True:
        status, modes = connectors(vm)[conn]
        if modes and modes[0] == "1280x1024":
            break
        check(time.monotonic() < deadline, f"modes after a new EDID: {modes[:4]}")
        time.sleep(0.5)
    edid = vm.sh(f"od -An -v -tx1 /sys/class/drm/card0-{conn}/edid | tr -d ' \\n'")
    check(edid.strip() == new.hex(), "the guest did not read the new EDID")
    log(f"link down/up: {conn} disconnected and connected again, {ev} uevents; "
        f"new EDID: modes {modes[:3]}")


def t_reload(vm):
    vm.sh("for v in /sys/class/vtconsole/vtcon*; do grep -q 'frame buffer' $v/name &&"
          " echo 0 > $v/bind; done; modprobe -r i915", timeout=300)
    gone = vm.run("ls /sys/class/drm/card0")[0]
    check(gone != 0, "card0 still there after modprobe -r i915")
    t0 = time.monotonic()
    vm.sh("modprobe i915", timeout=600)
    wait_status(vm, state.get("connector", "DP-1"), "connected", timeout=60)
    log(f"i915 unloaded and loaded again ({time.monotonic() - t0:.1f} s)")


def t_rebooted(vm, how):
    state.setdefault("logs", []).append(vm.dmesg())
    secs = vm.reboot(how)
    vm.sh("modprobe i915", timeout=600)
    wait_status(vm, state.get("connector", "DP-1"), "connected", timeout=60)
    log(f"{how}: the agent answered after {secs:.1f} s, i915 bound again "
        f"(boot {vm.boots})")


def t_quit(vm, uuid):
    vm.kill()
    deadline = time.monotonic() + 10
    while True:
        s = host_stats(uuid)
        if not s["pages_pinned"] and not s["vblank_running"]:
            break
        check(time.monotonic() < deadline, f"after QEMU quit: {s['pages_pinned']} pages"
              f" pinned, vblank clock {'running' if s['vblank_running'] else 'stopped'}")
        time.sleep(0.2)
    # Reusable: a new QEMU opens it and finds it at power-on state (its
    # sockets on a local file system: 9p has none).
    tmp = tempfile.mkdtemp(prefix="ivgpu-reuse-")
    q = guestvm.ivgpu_qemu.Qemu(uuid, tmp)
    try:
        q.connect()
        drv = guestvm.ivgpu_qemu.GuestDriver(q)
        magic = drv.setup_pci()
        check(magic == guestvm.ivgpu_qemu.VGT_MAGIC, f"PV magic {magic:#x}")
        check(drv.read32(guestvm.ivgpu_qemu.TRANSCONF) == 0, "pipe A still enabled for the next user")
    finally:
        q.quit()
        shutil.rmtree(tmp, ignore_errors=True)
    log("QEMU quit under the running guest: nothing pinned, no vblank clock; "
        "a new QEMU opens the vGPU at power-on state")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--module-params":
        return 0
    names = ["boot", "i915 binds and finishes probing",
             "DP-1 connected with the monitor's EDID, preferred mode first",
             "guest log: the wedged GT's lines and no other problem",
             "fbcon: text on tty1 shows in QEMU's display, equal to /dev/fb0",
             "modetest 1024x768: QEMU shows the buffer the guest drew",
             f"modetest {MAX_MODE[0]}x{MAX_MODE[1]} (the type's largest): "
             "QEMU shows the buffer the guest drew",
             "modetest -v: page flips on vblank events",
             "a desktop: Weston with pixman; QEMU shows its frame",
             "hotplug: link down/up and a new EDID through the EDID region",
             "i915 unloads and loads again",
             "QMP system_reset: the guest boots again and i915 binds",
             "guest reboot: i915 binds again",
             "guest log after reload, reset and reboot: nothing new",
             "QEMU quit with the guest running: the vGPU is left clean"]
    global WORK
    os.makedirs(WORK, exist_ok=True)
    WORK = tempfile.mkdtemp(prefix=f"work-{GK}-", dir=WORK)
    guestvm.load_kvm()
    uuid = harness.create_vgpu(TYPE)
    # Per host and guest kernel: test VMs of both host kernels may run at once.
    vm = guestvm.GuestVM(uuid, kernel=GK, log_dir=os.path.join(
        TOP, "build", "guest", f"log-{os.uname().release}-{GK}"))
    tests = [
        (t_boot, vm), (t_probe, vm, uuid), (t_connector, vm, uuid), (t_log, vm),
        (t_fbcon, vm), (t_modetest, vm, "1024x768"),
        (t_modetest, vm, f"{MAX_MODE[0]}x{MAX_MODE[1]}"), (t_flips, vm), (t_weston, vm),
        (t_hotplug, vm, uuid), (t_reload, vm), (t_rebooted, vm, "reset"),
        (t_rebooted, vm, "guest"), (t_log, vm), (t_quit, vm, uuid),
    ]
    if QUICK:
        keep = set(range(5)) | {len(names) - 1}
        names = [n for i, n in enumerate(names) if i in keep]
        tests = [t for i, t in enumerate(tests) if i in keep]
    try:
        for i, (name, (fn, *args)) in enumerate(zip(names, tests)):
            t0 = time.monotonic()
            # Where it waits, if a step hangs.
            faulthandler.dump_traceback_later(400)
            ok = run_test(name, fn, *args)
            faulthandler.cancel_dump_traceback_later()
            log(f"({time.monotonic() - t0:.1f} s)")
            if ok is None and i < 2:
                harness.skip_all(names[i + 1:], f"'{name}' failed")
                break
    finally:
        if vm.proc and vm.proc.poll() is None:
            vm.kill()
        try:
            harness.remove_vgpu(uuid)
        except Exception as e:  # the result lines tell the story
            log(f"removing the vGPU: {e}")
        shutil.rmtree(WORK, ignore_errors=True)
    return harness.exit_status()


if __name__ == "__main__":
    sys.exit(main())
