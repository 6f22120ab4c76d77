#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""libvirt and mdevctl manage a vGPU: node devices, a domain, its screen.

Runs in the test VM, where the root filesystem is the host's, read-only:
mounts tmpfs on the directories libvirt and mdevctl write (/etc/libvirt
with a qemu.conf for a machine without systemd, cgroups or namespaces,
/var/lib/libvirt, /var/cache/libvirt, /var/log/libvirt, /etc/mdevctl.d),
and starts systemd-udevd (with the rules directories hidden: it only relays
the kernel's events, which libvirt's node-device driver needs to see a vGPU
come and go) and libvirtd. Then, with virsh and the XML that
libvirt-xml/ivgpu-libvirt-xml prints:

- libvirt lists the parent GPU with its three mdev types and their
  available instances;
- nodedev-define and nodedev-start create a vGPU through mdevctl;
- define and start --paused boot a q35 machine with the vGPU (display=on,
  ramfb=on); this program plays its guest driver over a qtest socket
  (qemu-glue's ivgpu_qemu.GuestDriver) and `virsh screenshot` shows the
  guest's image, pixel for pixel;
- destroy, undefine, nodedev-destroy and nodedev-undefine take it all down
  and the budget is back where it was.

Everything it started is stopped and everything it mounted unmounted at
the end, whatever failed.
"""

import itertools
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
import zlib

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "lib"))
sys.path.insert(0, os.path.join(TOP, "qemu-glue"))
import harness  # noqa: E402
import ivgpu_qemu  # noqa: E402
from harness import Failed, check, log, run_test  # noqa: E402

harness.PROG = "libvirt"

XML_DIR = os.path.join(TOP, "libvirt-xml")
GENERATOR = os.path.join(XML_DIR, "ivgpu-libvirt-xml")
# The example UUID of the shipped domain.xml and nodedev.xml.
SHIPPED_UUID = "4b20d080-1b54-4048-85b3-a6a62d165c01"

TYPE = "ivgpu-V5_1024x768"
# Every wait here is multiplied by this (make test-debug's kernel is slow).
SCALE = float(os.environ.get("IVGPU_TIMEOUT_SCALE", "1"))
# Graphics memory (low + high, MiB) of each type; docs/architecture.md "Budget".
TYPE_GM = {"ivgpu-V5_1024x768": 64 + 384,
           "ivgpu-V5_1920x1200": 128 + 512,
           "ivgpu-V5_3840x2160": 256 + 1024}
DOMAIN = "ivgpu-selftest"
SLOT = 5                        # the vGPU's guest PCI address is 00:05.0
WIDTH, HEIGHT = 1024, 768       # the image the guest shows
URI = "qemu:///system"

# Directories libvirt and mdevctl write, each given a tmpfs.
STATE_DIRS = ["/etc/libvirt", "/var/lib/libvirt", "/var/cache/libvirt",
              "/var/log/libvirt", "/etc/mdevctl.d"]
# Created inside them, as the packages would ship them.
SUBDIRS = ["/etc/libvirt/qemu", "/var/lib/libvirt/qemu", "/var/cache/libvirt/qemu",
           "/var/log/libvirt/qemu"]
UDEV_RULES_DIRS = ["/etc/udev/rules.d", "/usr/lib/udev/rules.d", "/lib/udev/rules.d"]
LIBVIRTD_LOG = "/var/log/libvirt/libvirtd.log"

QEMU_CONF = """\
# The test VM: everything runs as root, no systemd, no cgroup controllers,
# no mount namespaces, no security labels, no virtlogd.
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
namespaces = [ ]
security_driver = "none"
cgroup_controllers = [ ]
stdio_handler = "file"
"""
LIBVIRTD_CONF = f"""\
auth_unix_ro = "none"
auth_unix_rw = "none"
log_outputs = "3:file:{LIBVIRTD_LOG}"
"""

SCREENSHOT_WAIT = 10            # seconds a screenshot may lag the guest


def sysfs_read(path):
    with open(path) as f:
        return f.read().strip()


def udevd_path():
    for path in ("/usr/lib/systemd/systemd-udevd", "/lib/systemd/systemd-udevd"):
        if os.access(path, os.X_OK):
            return path
    return None


def nodedev_name_of_pci(addr):
    """libvirt's name of the PCI device DDDD:BB:SS.F."""
    return "pci_" + re.sub(r"[:.]", "_", addr)


def mdev_nodedev_name(uuid, parent_addr):
    """libvirt's name of an mdev: its UUID and its parent's address."""
    return "mdev_" + uuid.replace("-", "_") + "_" + re.sub(r"[:.]", "_", parent_addr)


# ---- the environment: mounts, udevd, libvirtd ----

class Env:
    def __init__(self):
        self.mounted = []
        self.dev_links = []
        self.udevd = self.libvirtd = None
        self.tmp = tempfile.mkdtemp(prefix="ivgpu-libvirt.")
        self.udevd_out = self.libvirtd_out = None

    def mount_tmpfs(self, path):
        subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=755", "tmpfs", path],
                       check=True, capture_output=True, text=True)
        self.mounted.append(path)

    def setup(self):
        for path in STATE_DIRS:
            check(os.path.isdir(path), f"{path} is missing (a package is not installed)")
        # Keep mdevctl's callout and notifier scripts; no definitions of the host.
        scripts = os.path.join(self.tmp, "mdevctl-scripts.d")
        shutil.copytree("/etc/mdevctl.d/scripts.d", scripts, symlinks=True)
        for path in STATE_DIRS:
            self.mount_tmpfs(path)
        shutil.copytree(scripts, "/etc/mdevctl.d/scripts.d", symlinks=True)
        for path in SUBDIRS:
            os.makedirs(path, exist_ok=True)
        with open("/etc/libvirt/qemu.conf", "w") as f:
            f.write(QEMU_CONF)
        with open("/etc/libvirt/libvirtd.conf", "w") as f:
            f.write(LIBVIRTD_CONF)
        # devtmpfs has no /dev/stdin; libvirt hands mdevctl its JSON that way.
        for name, target in (("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                             ("stderr", "/proc/self/fd/2"), ("fd", "/proc/self/fd")):
            link = f"/dev/{name}"
            if not os.path.lexists(link):
                os.symlink(target, link)
                self.dev_links.append(link)

        seen = set()
        for path in UDEV_RULES_DIRS:
            real = os.path.realpath(path)
            if os.path.isdir(real) and real not in seen:
                seen.add(real)
                self.mount_tmpfs(real)
        self.udevd_out = open(os.path.join(self.tmp, "udevd.log"), "w")
        self.udevd = subprocess.Popen([udevd_path(), "--resolve-names=never"],
                                      stdin=subprocess.DEVNULL, stdout=self.udevd_out,
                                      stderr=subprocess.STDOUT)
        wait_for(lambda: os.path.exists("/run/udev/control"), 10, "udevd's control socket",
                 self.udevd)

        self.libvirtd_out = open(os.path.join(self.tmp, "libvirtd.out"), "w")
        self.libvirtd = subprocess.Popen(["libvirtd", "--config", "/etc/libvirt/libvirtd.conf"],
                                         stdin=subprocess.DEVNULL, stdout=self.libvirtd_out,
                                         stderr=subprocess.STDOUT)

        def answers():
            return subprocess.run(["virsh", "-c", URI, "version"], capture_output=True,
                                  timeout=30 * SCALE).returncode == 0
        wait_for(answers, 30, "libvirtd to answer", self.libvirtd)
        log(virsh("version").strip())

    def teardown(self):
        """Undo setup; a list of what went wrong."""
        problems = []
        for name, proc, out in (("libvirtd", self.libvirtd, self.libvirtd_out),
                                ("udevd", self.udevd, self.udevd_out)):
            if proc:
                if proc.poll() is not None:
                    problems.append(f"{name} had exited with status {proc.returncode}")
                else:
                    proc.send_signal(signal.SIGTERM)
                    try:
                        proc.wait(20 * SCALE)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
                        problems.append(f"{name} ignored SIGTERM for {20 * SCALE:g} s")
            if out:
                out.close()
        self.libvirtd = self.udevd = None
        for path in reversed(self.mounted):
            r = subprocess.run(["umount", path], capture_output=True, text=True)
            if r.returncode:
                problems.append(f"umount {path}: {r.stderr.strip()}")
        self.mounted = []
        for link in self.dev_links:
            os.unlink(link)
        self.dev_links = []
        for path in ("/run/libvirt", "/run/udev", "/run/libvirtd.pid"):
            if os.path.isdir(path):
                shutil.rmtree(path, ignore_errors=True)
            elif os.path.exists(path):
                os.unlink(path)
        shutil.rmtree(self.tmp, ignore_errors=True)
        return problems

    def log_tail(self):
        for path in (os.path.join(self.tmp, "libvirtd.out"), LIBVIRTD_LOG,
                     f"/var/log/libvirt/qemu/{DOMAIN}.log"):
            try:
                with open(path) as f:
                    lines = f.read().splitlines()[-25:]
            except OSError:
                continue
            log(f"--- {path}")
            log("\n".join(lines))


def running(pid):
    """Whether process pid exists and has not exited (a zombie has)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def qemu_pid():
    """The pid libvirt recorded for the domain's QEMU, or None."""
    try:
        return int(sysfs_read(f"/run/libvirt/qemu/{DOMAIN}.pid"))
    except (OSError, ValueError):
        return None


def wait_for(cond, timeout, what, proc=None):
    timeout *= SCALE
    deadline = time.monotonic() + timeout
    while not cond():
        if proc and proc.poll() is not None:
            raise Failed(f"waiting for {what}: the process exited with status "
                         f"{proc.returncode}")
        check(time.monotonic() < deadline, f"no {what} after {timeout} s")
        time.sleep(0.1)


def virsh(*args, timeout=60):
    timeout *= SCALE
    r = subprocess.run(["virsh", "-c", URI, *args], capture_output=True, text=True,
                       timeout=timeout)
    if r.returncode:
        raise Failed(f"virsh {' '.join(args)}: status {r.returncode}: "
                     f"{(r.stderr or r.stdout).strip()}")
    return r.stdout


def virsh_list(*args):
    return [line.strip() for line in virsh(*args).splitlines() if line.strip()]


def generator(*args):
    r = subprocess.run([GENERATOR, *args], capture_output=True, text=True, timeout=30)
    if r.returncode:
        raise Failed(f"ivgpu-libvirt-xml {' '.join(args)}: status {r.returncode}: "
                     f"{r.stderr.strip()}")
    return r.stdout


# ---- the budget ----

def module_param(name):
    return int(sysfs_read(f"/sys/module/ivgpu/parameters/{name}"))


def expected_available(live):
    """available_instances of every type with the vGPU types in live alive."""
    free = module_param("gm_budget_mib") - sum(TYPE_GM[t] for t in live)
    slots = module_param("max_vgpus") - len(live)
    return {t: min(free // gm, slots) for t, gm in TYPE_GM.items()}


def sysfs_available(parent):
    base = f"/sys/class/mdev_bus/{parent}/mdev_supported_types"
    return {t: int(sysfs_read(f"{base}/{t}/available_instances")) for t in os.listdir(base)}


def check_available(parent, live, what):
    got, want = sysfs_available(parent), expected_available(live)
    check(got == want, f"{what}: available_instances {got}, expected {want}")


# ---- the guest driver over qtest ----

class Qtest:
    """The qtest socket of the domain's QEMU: the transport that
    ivgpu_qemu.GuestDriver drives (QEMU connects to it as a client)."""

    def __init__(self, path):
        self.slot = SLOT
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(path)
        self.listener.listen(1)
        self.sock = None
        self.buf = b""

    def accept(self, timeout=30):
        self.listener.settimeout(timeout)
        try:
            self.sock, _ = self.listener.accept()
        except socket.timeout:
            raise Failed(f"QEMU did not connect to the qtest socket in {timeout} s") from None
        self.sock.settimeout(60)

    def line(self):
        """The next reply line (IRQ notices skipped)."""
        while True:
            while b"\n" not in self.buf:
                data = self.sock.recv(65536)
                if not data:
                    raise Failed("qtest connection closed")
                self.buf += data
            line, self.buf = self.buf.split(b"\n", 1)
            line = line.decode()
            if not line.startswith("IRQ"):
                return line

    def qtest_batch(self, commands):
        """Send the commands at once; their values (None for plain OK)."""
        self.sock.sendall("".join(c + "\n" for c in commands).encode())
        values = []
        for c in commands:
            reply = self.line()
            check(reply.startswith("OK"), f"qtest '{c[:60]}': {reply}")
            words = reply.split()
            values.append(int(words[1], 0) if len(words) > 1 else None)
        return values

    def qtest_cmd(self, command):
        return self.qtest_batch([command])[0]

    def close(self):
        for s in (self.sock, self.listener):
            if s:
                s.close()
        self.sock = self.listener = None


def png_unfilter(kind, line, prev, bpp):
    """One PNG scanline with its filter undone (RFC 2083 6.2-6.6)."""
    if kind == 0:
        return line
    if kind == 2:
        return bytes((x + b) & 255 for x, b in zip(line, prev))
    out = bytearray(len(line))
    for c in range(bpp):         # each channel is a running sum of its own
        x, up = line[c::bpp], prev[c::bpp]
        if kind == 1:
            run = itertools.accumulate(x, lambda a, d: (a + d) & 255)
        elif kind == 3:
            run = itertools.accumulate(zip(x, up), lambda a, t: (t[0] + ((a + t[1]) >> 1)) & 255,
                                       initial=0)
        elif kind == 4:
            def paeth(a, t):
                d, b, c = t
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                return (d + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            run = itertools.accumulate(zip(x, up, b"\0" + up[:-1]), paeth, initial=0)
        else:
            raise Failed(f"PNG filter type {kind}")
        run = bytes(run)
        out[c::bpp] = run if kind == 1 else run[1:]
    return bytes(out)


def read_png(path):
    """(width, height, RGB bytes) of an 8-bit RGB or RGBA PNG with any
    filters (what QEMU's screendump writes through libpng)."""
    with open(path, "rb") as f:
        data = f.read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: no PNG signature")
    pos, ihdr, idat = 8, None, []
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        crc = int.from_bytes(data[pos + 8 + length:pos + 12 + length], "big")
        check(zlib.crc32(kind + body) == crc, f"{path}: bad CRC in {kind!r}")
        if kind == b"IHDR":
            ihdr = body
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    check(ihdr and pos == len(data), f"{path}: no IHDR, or trailing bytes")
    width, height = int.from_bytes(ihdr[0:4], "big"), int.from_bytes(ihdr[4:8], "big")
    depth, ctype, interlace = ihdr[8], ihdr[9], ihdr[12]
    check(depth == 8 and ctype in (2, 6) and interlace == 0,
          f"{path}: depth {depth}, color type {ctype}, interlace {interlace}")
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp
    check(len(raw) == height * (stride + 1), f"{path}: {len(raw)} bytes of image data")
    rows, prev = [], bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        prev = png_unfilter(raw[start], raw[start + 1:start + 1 + stride], prev, bpp)
        rows.append(prev)
    pixels = b"".join(rows)
    if bpp == 4:
        rgb = bytearray(width * height * 3)
        for c in range(3):
            rgb[c::3] = pixels[c::4]
        pixels = bytes(rgb)
    return width, height, pixels


def read_image(path):
    """(width, height, RGB bytes) of what virsh screenshot wrote: libvirt
    asks QEMU for a PNG when it can, a PPM otherwise."""
    with open(path, "rb") as f:
        magic = f.read(8)
    return read_png(path) if magic.startswith(b"\x89PNG") else harness.read_ppm(path)


# ---- the tests ----

class Test:
    def __init__(self, env, parent):
        self.env = env
        self.parent = parent                                    # 1000:00:02.0
        self.parent_name = nodedev_name_of_pci(self.parent)     # pci_1000_00_02_0
        with open("/proc/sys/kernel/random/uuid") as f:
            self.uuid = f.read().strip()
        self.mdev_name = mdev_nodedev_name(self.uuid, self.parent)
        self.qtest = None
        self.guest = None
        self.domain_defined = self.domain_running = False
        self.nodedev_defined = False

    def shipped_xml(self):
        """domain.xml and nodedev.xml are what the generator prints for them."""
        for name, args in (("domain.xml", ["domain", "--uuid", SHIPPED_UUID, "--ramfb"]),
                           ("nodedev.xml", ["nodedev", "--uuid", SHIPPED_UUID])):
            with open(os.path.join(XML_DIR, name)) as f:
                shipped = f.read()
            check(shipped == generator(*args),
                  f"{name} differs from 'ivgpu-libvirt-xml {' '.join(args)}'")

    def validate(self):
        """virt-xml-validate accepts the shipped files and the generator's output."""
        tmp = self.env.tmp
        docs = [(os.path.join(XML_DIR, "domain.xml"), "domain"),
                (os.path.join(XML_DIR, "nodedev.xml"), "nodedev")]
        variants = [("domain", ["--uuid", self.uuid]),
                    ("domain", ["--uuid", self.uuid, "--ramfb", "--virt-type", "qemu",
                                "--address", "00:05.0", "--qemu-arg=-qtest",
                                "--qemu-arg=unix:/x"]),
                    ("domain", ["--uuid", self.uuid, "--no-display", "--name", "a'b<c>&",
                                "--disk", "/var/lib/libvirt/images/guest.qcow2"]),
                    ("domain", ["--uuid", self.uuid, "--no-opregion"]),
                    ("nodedev", []),
                    ("nodedev", ["--uuid", self.uuid, "--type", "V5_3840x2160",
                                 "--parent", "1000:00:02.0", "--gfx-plane", "dmabuf"])]
        for i, (what, args) in enumerate(variants):
            path = os.path.join(tmp, f"variant{i}.xml")
            with open(path, "w") as f:
                f.write(generator(what, *args))
            docs.append((path, what))
        for path, schema in docs:
            r = subprocess.run(["virt-xml-validate", path, schema], capture_output=True,
                               text=True, timeout=60)
            check(r.returncode == 0, f"virt-xml-validate {os.path.basename(path)} {schema}: "
                                     f"{(r.stderr + r.stdout).strip()}")

    def list_parents(self):
        names = virsh_list("nodedev-list", "--cap", "mdev_types")
        want = sorted(nodedev_name_of_pci(p) for p in os.listdir("/sys/class/mdev_bus"))
        log(f"nodedev-list --cap mdev_types: {' '.join(names)}")
        check(sorted(names) == want, f"listed {names}, expected {want}")
        check(self.parent_name in names, f"{self.parent_name} is not listed")

    def parent_xml(self):
        xml = virsh("nodedev-dumpxml", self.parent_name)
        dev = ET.fromstring(xml)
        check(dev.findtext("name") == self.parent_name, f"<name> {dev.findtext('name')}")
        path = os.path.realpath(f"/sys/class/mdev_bus/{self.parent}")
        check(dev.findtext("path") == path, f"<path> {dev.findtext('path')}, expected {path}")
        check(dev.findtext("driver/name") == "ivgpu",
              f"<driver><name> {dev.findtext('driver/name')}")
        caps = dev.findall("capability[@type='pci']/capability[@type='mdev_types']")
        check(len(caps) == 1, f"{len(caps)} <capability type='mdev_types'> in\n{xml}")
        sysfs = sysfs_available(self.parent)
        types = {t.get("id"): t for t in caps[0].findall("type")}
        check(sorted(types) == sorted(TYPE_GM), f"type ids {sorted(types)}")
        base = f"/sys/class/mdev_bus/{self.parent}/mdev_supported_types"
        for tid, t in types.items():
            api = t.findtext("deviceAPI")
            check(api == "vfio-pci", f"{tid}: deviceAPI {api}")
            name = sysfs_read(f"{base}/{tid}/name")
            check(t.findtext("name") == name, f"{tid}: <name> {t.findtext('name')}, "
                                              f"sysfs {name}")
            avail = t.findtext("availableInstances")
            check(avail == str(sysfs[tid]),
                  f"{tid}: availableInstances {avail}, sysfs {sysfs[tid]}")
        check_available(self.parent, [], "no vGPU yet")

    def nodedev_define(self):
        path = os.path.join(self.env.tmp, "nodedev.xml")
        with open(path, "w") as f:
            f.write(generator("nodedev", "--uuid", self.uuid, "--type", TYPE,
                              "--parent", self.parent, "--gfx-plane", "region"))
        out = virsh("nodedev-define", path)
        self.nodedev_defined = True
        check(f"'{self.mdev_name}'" in out, f"nodedev-define said: {out.strip()}")
        conf = f"/etc/mdevctl.d/{self.parent}/{self.uuid}"
        with open(conf) as f:
            config = json.load(f)
        want = {"mdev_type": TYPE, "start": "manual", "attrs": [{"ivgpu/gfx_plane": "region"}]}
        got = {k: config.get(k) for k in want}
        check(got == want, f"{conf}: {config}, expected {want}")
        check(not os.path.exists(f"/sys/bus/mdev/devices/{self.uuid}"),
              "the vGPU exists already")
        check(self.mdev_name in virsh_list("nodedev-list", "--cap", "mdev", "--all"),
              "not in nodedev-list --all")
        check(self.mdev_name not in virsh_list("nodedev-list", "--cap", "mdev"),
              "listed as active")
        check_available(self.parent, [], "defined, not started")

    def nodedev_start(self):
        virsh("nodedev-start", self.mdev_name)
        dev = f"/sys/bus/mdev/devices/{self.uuid}"
        check(os.path.isdir(dev), f"no {dev}")
        mdev_type = os.path.basename(os.path.realpath(f"{dev}/mdev_type"))
        check(mdev_type == TYPE, f"{dev}/mdev_type is {mdev_type}")
        # The module makes new vGPUs dmabuf ones; mdevctl applied the attribute.
        plane = sysfs_read(f"{dev}/ivgpu/gfx_plane")
        check(plane == "region", f"{dev}/ivgpu/gfx_plane is {plane}, expected region")
        before = expected_available([])
        after = sysfs_available(self.parent)
        log("available_instances dropped by " +
            ", ".join(f"{t} {before[t] - after[t]}" for t in sorted(after)))
        check_available(self.parent, [TYPE], "started")
        # libvirt learns of the new device from udev.
        wait_for(lambda: self.mdev_name in virsh_list("nodedev-list", "--cap", "mdev"),
                 10, f"{self.mdev_name} in nodedev-list --cap mdev (active)")
        xml = ET.fromstring(virsh("nodedev-dumpxml", self.mdev_name))
        cap = xml.find("capability[@type='mdev']")
        group = os.path.basename(os.path.realpath(f"{dev}/iommu_group"))
        got = (xml.findtext("parent"), cap.find("type").get("id"), cap.findtext("uuid"),
               cap.find("iommuGroup").get("number"),
               [(a.get("name"), a.get("value")) for a in cap.findall("attr")])
        want = (self.parent_name, TYPE, self.uuid, group, [("ivgpu/gfx_plane", "region")])
        check(got == want, f"nodedev-dumpxml: parent, type, uuid, iommuGroup, attrs {got}, "
                           f"expected {want}")

    def define(self):
        sock = os.path.join(self.env.tmp, "qtest.sock")
        self.qtest = Qtest(sock)
        path = os.path.join(self.env.tmp, "domain.xml")
        with open(path, "w") as f:
            f.write(generator("domain", "--uuid", self.uuid, "--name", DOMAIN,
                              "--virt-type", "qemu", "--memory", "256", "--ramfb",
                              "--address", f"00:{SLOT:02x}.0",
                              "--qemu-arg=-qtest", f"--qemu-arg=unix:{sock}",
                              "--qemu-arg=-qtest-log", "--qemu-arg=/dev/null"))
        out = virsh("define", path)
        self.domain_defined = True
        check(f"'{DOMAIN}'" in out, f"define said: {out.strip()}")
        hostdev = ET.fromstring(virsh("dumpxml", "--inactive", DOMAIN)).find(
            "devices/hostdev[@type='mdev']")
        alias = hostdev.find("alias")
        got = (hostdev.get("model"), hostdev.get("display"), hostdev.get("ramfb"),
               hostdev.find("source/address").get("uuid"),
               alias.get("name") if alias is not None else None)
        want = ("vfio-pci", "on", "on", self.uuid, "ua-ivgpu0")
        check(got == want, f"hostdev model, display, ramfb, uuid, alias {got}, "
                           f"expected {want}")

    def start(self):
        virsh("start", "--paused", DOMAIN)
        self.domain_running = True
        self.qtest.accept()
        state = virsh("domstate", DOMAIN).strip()
        check(state == "paused", f"domstate {state}")
        pid = qemu_pid()
        check(pid and running(pid), f"no QEMU process (pid {pid})")
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read().decode()
        want = f'"sysfsdev":"/sys/bus/mdev/devices/{self.uuid}","display":"on","ramfb":true'
        check(want in cmdline, f"no '{want}' on QEMU's command line:\n"
                               + cmdline.replace("\0", " "))
        # <qemu:override> put the property on the hostdev's -device.
        for want in ('"id":"ua-ivgpu0"', '"x-igd-opregion":true'):
            check(want in cmdline, f"no '{want}' on QEMU's command line:\n"
                                   + cmdline.replace("\0", " "))

    def guest_setup(self):
        self.guest = ivgpu_qemu.GuestDriver(self.qtest)
        magic = self.guest.setup_pci()
        check(magic == ivgpu_qemu.VGT_MAGIC, f"PV magic through BAR0 reads {magic:#x}")

    def screenshot(self):
        # Random XRGB8888 pixels, the X byte too (nothing may show it).
        width, height = WIDTH, HEIGHT
        data = random.Random(1).randbytes(width * height * 4)
        self.guest.draw(data, width, height)
        want = harness.xrgb_to_rgb(data)
        path = os.path.join(self.env.tmp, "screen")
        deadline = time.monotonic() + SCREENSHOT_WAIT
        while True:
            virsh("screenshot", DOMAIN, path, "--screen", "0")
            w, h, pixels = read_image(path)
            diff = (f"{w}x{h}, expected {width}x{height}" if (w, h) != (width, height)
                    else harness.first_difference(pixels, want, width, 3))
            if not diff:
                return
            if time.monotonic() >= deadline:
                raise Failed(f"after {SCREENSHOT_WAIT} s the screenshot shows {diff}")
            time.sleep(0.25)

    def destroy(self):
        pid = qemu_pid()
        virsh("destroy", DOMAIN)
        self.domain_running = False
        self.qtest.close()
        state = virsh("domstate", DOMAIN).strip()
        check(state == "shut off", f"domstate {state}")
        check(not running(pid), f"QEMU (pid {pid}) is still running")
        check(os.path.isdir(f"/sys/bus/mdev/devices/{self.uuid}"),
              "the vGPU went away with the domain")
        check_available(self.parent, [TYPE], "domain destroyed")

    def undefine(self):
        virsh("undefine", DOMAIN)
        self.domain_defined = False
        names = virsh_list("list", "--all", "--name")
        check(DOMAIN not in names, f"virsh list --all: {names}")

    def nodedev_destroy(self):
        virsh("nodedev-destroy", self.mdev_name)
        check(not os.path.exists(f"/sys/bus/mdev/devices/{self.uuid}"),
              "the vGPU is still there")
        check_available(self.parent, [], "after nodedev-destroy")
        wait_for(lambda: self.mdev_name not in virsh_list("nodedev-list", "--cap", "mdev"),
                 10, f"{self.mdev_name} to leave nodedev-list --cap mdev")
        check(self.mdev_name in virsh_list("nodedev-list", "--cap", "mdev", "--all"),
              "the definition went away too")

    def nodedev_undefine(self):
        virsh("nodedev-undefine", self.mdev_name)
        self.nodedev_defined = False
        # libvirt drops the definition when its watch on mdevctl's directory fires, not
        # before nodedev-undefine returns (nodedev-define adds it at once).
        wait_for(lambda: self.mdev_name not in virsh_list("nodedev-list", "--cap", "mdev",
                                                          "--all"),
                 10, f"{self.mdev_name} to leave nodedev-list --all")
        conf = f"/etc/mdevctl.d/{self.parent}/{self.uuid}"
        check(not os.path.exists(conf), f"{conf} is still there")
        check_available(self.parent, [], "after nodedev-undefine")

    def cleanup(self):
        """After a failure: whatever is left, in order. Errors are logged."""
        steps, pid = [], qemu_pid()
        if self.domain_running:
            steps.append(("destroy", DOMAIN))
        if self.domain_defined:
            steps.append(("undefine", DOMAIN))
        if os.path.exists(f"/sys/bus/mdev/devices/{self.uuid}"):
            steps.append(("nodedev-destroy", self.mdev_name))
        if self.nodedev_defined:
            steps.append(("nodedev-undefine", self.mdev_name))
        for args in steps:
            try:
                virsh(*args)
            except (Failed, OSError, subprocess.SubprocessError) as e:
                log(f"cleanup: {e}")
        if self.qtest:
            self.qtest.close()
        if pid and running(pid):
            log(f"cleanup: QEMU (pid {pid}) still runs: killing it")
            os.kill(pid, signal.SIGKILL)
            try:
                wait_for(lambda: not running(pid), 10, f"QEMU (pid {pid}) to exit")
            except Failed as e:
                log(f"cleanup: {e}")
        if os.path.exists(f"/sys/bus/mdev/devices/{self.uuid}"):
            try:
                harness.remove_vgpu(self.uuid)
            except (Failed, OSError) as e:
                log(f"cleanup: remove {self.uuid}: {e}")


def as_check(fn):
    """Run fn; any error (ivgpu_qemu's, an element missing from virsh's XML)
    is a failed check."""
    try:
        return fn()
    except (Failed, OSError, subprocess.SubprocessError):
        raise
    except Exception as e:
        raise Failed(f"{type(e).__name__}: {e}") from None


TESTS = [
    ("domain.xml and nodedev.xml are the generator's output", "shipped_xml"),
    ("virt-xml-validate accepts the shipped and generated XML", "validate"),
    ("udevd and libvirtd start", None),
    ("nodedev-list --cap mdev_types lists the parent", "list_parents"),
    ("nodedev-dumpxml: the three types, vfio-pci, available instances of sysfs",
     "parent_xml"),
    ("nodedev-define: mdevctl keeps the definition and its attribute, no vGPU yet",
     "nodedev_define"),
    ("nodedev-start: the vGPU exists with gfx_plane=region, available_instances drop "
     "by the budget", "nodedev_start"),
    ("define: the domain has the vGPU with display and ramfb", "define"),
    ("start --paused: QEMU runs with the vGPU", "start"),
    ("guest places the BARs: PV magic through BAR0", "guest_setup"),
    ("virsh screenshot equals the guest image", "screenshot"),
    ("destroy: QEMU gone, the vGPU stays", "destroy"),
    ("undefine: the domain is gone", "undefine"),
    ("nodedev-destroy: the vGPU is gone, available_instances back", "nodedev_destroy"),
    ("nodedev-undefine: mdevctl forgets it", "nodedev_undefine"),
    ("libvirtd and udevd stop, mounts undone", None),
]


def main():
    if "--module-params" in sys.argv[1:]:
        # New vGPUs offer dma-bufs only, which QEMU without OpenGL refuses:
        # the display works only if the nodedev XML's attribute took effect.
        print("gfx_plane=dmabuf")
        return 0
    names = [name for name, _ in TESTS]
    if "-l" in sys.argv[1:]:
        print("\n".join(names))
        return 0

    missing = [b for b in ("libvirtd", "virsh", "mdevctl", "qemu-system-x86_64")
               if not shutil.which(b)]
    if not udevd_path():
        missing.append("systemd-udevd")
    if missing:
        harness.skip_all(names, f"no {', '.join(missing)}")
        return 0
    if os.path.exists("/run/libvirt") or os.path.exists("/run/udev/control"):
        harness.skip_all(names, "libvirt or udev already runs here: this program "
                                "starts its own, in a test VM")
        return 0

    try:
        parent = harness.find_parent(TYPE)
    except Failed as e:
        for name in names:
            harness.result(name, False)
        log(str(e))
        return 1
    start = time.monotonic()
    env = Env()
    test = Test(env, parent)
    failed = None
    try:
        for name, method in TESTS[:-1]:
            if failed:
                harness.result(name, True, skip=f"'{failed}' failed")
                continue
            if method == "validate" and not shutil.which("virt-xml-validate"):
                harness.result(name, True, skip="no virt-xml-validate")
                continue
            fn = getattr(test, method) if method else env.setup
            if not run_test(name, as_check, fn) and method not in ("shipped_xml", "validate"):
                failed = name
    finally:
        if failed:
            env.log_tail()
        test.cleanup()
        problems = env.teardown()
    name = TESTS[-1][0]
    for p in problems:
        log(f"{name}: {p}")
    harness.result(name, not problems)
    log(f"{time.monotonic() - start:.1f} s")
    return harness.exit_status()


if __name__ == "__main__":
    sys.exit(main())
