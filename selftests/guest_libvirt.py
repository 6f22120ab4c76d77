#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""guest_libvirt: libvirt boots a real guest on the vGPU; virsh screenshot
shows its console.

Runs in a test VM that can run KVM guests (scripts/vm --nested), with ivgpu
loaded. Starts libvirtd as selftests/libvirt.py does, takes the domain XML
libvirt-xml/ivgpu-libvirt-xml prints for a vGPU (the mdev hostdev with
display='on' and the <qemu:override> that sets x-igd-opregion), adds what
this rig needs to boot a stock Debian kernel without a disk (direct kernel
boot, the root over 9p, the agent's virtio-serial channel: scripts/vm
--prepare says what), and checks that the guest's i915 binds and that
`virsh screenshot` equals what the guest reads back from /dev/fb0.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "lib"))
sys.path.insert(0, here)
import guestvm  # noqa: E402
import harness  # noqa: E402
import libvirt as lvt  # noqa: E402  (selftests/libvirt.py: its libvirtd setup)
from harness import check, log, run_test  # noqa: E402

GK = os.environ.get("GUEST_KERNEL", "6.1")
harness.PROG = f"guest-{GK}-libvirt"
TYPE = "ivgpu-V5_1024x768"
DOMAIN = lvt.DOMAIN = "ivgpu-guest"    # libvirt.py's helpers name it too
QEMU_NS = "http://libvirt.org/schemas/domain/qemu/1.0"
TOP = guestvm.TOP


def domain_xml(uuid, boot, run_dir, kvm):
    """The generator's domain, plus the rig's boot and channels."""
    out = subprocess.run([lvt.GENERATOR, "domain", "--uuid", uuid, "--name", DOMAIN,
                          "--memory", "512", "--virt-type", "kvm" if kvm else "qemu"],
                         check=True, capture_output=True, text=True).stdout
    ET.register_namespace("qemu", QEMU_NS)
    dom = ET.fromstring(out)
    os_el = dom.find("os")
    for tag in ("kernel", "initrd", "cmdline"):
        ET.SubElement(os_el, tag).text = boot["append" if tag == "cmdline" else tag]
    if kvm:
        cpu = ET.SubElement(dom, "cpu", {"mode": "host-passthrough"})
        ET.SubElement(cpu, "feature", {"policy": "disable", "name": "xsave"})
    ET.SubElement(dom, "on_reboot").text = "destroy"
    devices = dom.find("devices")
    for source, tag, ro in (("/", "hostroot", True), (TOP, "repo", False),
                            (run_dir, "vmrun", False)):
        fs = ET.SubElement(devices, "filesystem", {"type": "mount",
                                                   "accessmode": "passthrough",
                                                   "multidevs": "remap"})
        ET.SubElement(fs, "source", {"dir": source})
        ET.SubElement(fs, "target", {"dir": tag})
        if ro:
            ET.SubElement(fs, "readonly")
    for port in range(3):
        serial = ET.SubElement(devices, "serial", {"type": "file"})
        ET.SubElement(serial, "source", {"path": os.path.join(run_dir, f"ttyS{port}.log")})
        ET.SubElement(serial, "target", {"port": str(port)})
    chan = ET.SubElement(devices, "channel", {"type": "unix"})
    ET.SubElement(chan, "source", {"mode": "bind",
                                   "path": os.path.join(run_dir, "agent.sock")})
    ET.SubElement(chan, "target", {"type": "virtio", "name": "ivgpu.agent"})
    return ET.tostring(dom, encoding="unicode")


def t_boot(state):
    uuid = state["uuid"]
    run_dir = state["run_dir"]
    out = subprocess.run([os.path.join(TOP, "scripts", "vm"), "--kernel", GK,
                          "--prepare", run_dir, "--", "selftests/guest/agent"],
                         check=True, capture_output=True, text=True, cwd=TOP).stdout
    boot = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    xml = domain_xml(uuid, boot, run_dir, guestvm.kvm_usable())
    path = os.path.join(run_dir, "domain.xml")
    with open(path, "w") as f:
        f.write(xml)
    lvt.virsh("define", path)
    t0 = time.monotonic()
    lvt.virsh("start", DOMAIN)
    state["started"] = True
    qemu_line = ""
    try:
        with open(f"/proc/{lvt.qemu_pid()}/cmdline") as f:
            qemu_line = f.read().replace("\0", " ")
    except (OSError, TypeError):
        pass
    check("x-igd-opregion" in qemu_line, "libvirt's QEMU has no x-igd-opregion")

    def alive():
        check(lvt.qemu_pid() and lvt.running(lvt.qemu_pid()), "the domain's QEMU exited")

    def tail():
        try:
            with open(os.path.join(run_dir, "ttyS0.log"), errors="replace") as f:
                return "\n".join(f.read().splitlines()[-30:])
        except OSError:
            return ""
    state["agent"] = guestvm.Agent.connect(os.path.join(run_dir, "agent.sock"), 300,
                                           alive, tail)
    log(f"libvirt booted Debian {state['agent'].sh('uname -r').strip()} with the vGPU"
        f" in {time.monotonic() - t0:.1f} s")


def t_i915(state):
    a = state["agent"]
    a.sh("modprobe i915", timeout=600)
    a.sh("for i in $(seq 300); do [ -e /sys/class/graphics/fb0 ] && break; sleep 0.2;"
         " done; [ -e /sys/class/graphics/fb0 ]")
    status = a.sh("cat /sys/class/drm/card0-DP-1/status").strip()
    check(status == "connected", f"DP-1 is {status}")


def t_screenshot(state):
    a = state["agent"]
    a.sh("echo 0 > /sys/class/graphics/fbcon/cursor_blink")
    a.sh("printf '\\033[?25l\\033[2J\\033[Hivgpu: a libvirt domain, its console on i915\\n'"
         " > /dev/tty1")
    # Where the guest can write it: the repository is shared at its path.
    os.makedirs(os.path.join(TOP, "build", "guest"), exist_ok=True)
    work = tempfile.mkdtemp(prefix="libvirt-", dir=os.path.join(TOP, "build", "guest"))
    raw_path = os.path.join(work, "fb0.raw")
    geo = a.sh("cat /sys/class/graphics/fb0/virtual_size /sys/class/graphics/fb0/stride")
    size, stride = geo.split()
    w, h = (int(x) for x in size.split(","))
    stride = int(stride)
    a.sh(f"head -c {h * stride} /dev/fb0 > {raw_path}")
    with open(raw_path, "rb") as f:
        raw = f.read()
    shutil.rmtree(work, ignore_errors=True)
    want = harness.xrgb_to_rgb(b"".join(raw[y * stride:y * stride + w * 4]
                                        for y in range(h)))
    shot = os.path.join(state["run_dir"], "screen")
    deadline = time.monotonic() + lvt.SCREENSHOT_WAIT
    while True:
        lvt.virsh("screenshot", DOMAIN, shot)
        sw, sh, rgb = lvt.read_image(shot)
        diff = (None if (sw, sh) == (w, h) and rgb == want else
                f"{sw}x{sh}: " + str(harness.first_difference(rgb, want, w, 3)))
        if diff is None:
            break
        check(time.monotonic() < deadline, f"virsh screenshot differs from /dev/fb0: {diff}")
        time.sleep(0.5)
    lit = sum(1 for i in range(0, w * 3 * 16, 3) if rgb[i:i + 3] != bytes(3))
    check(lit > 100, f"only {lit} lit pixels in the console's first row")
    log(f"virsh screenshot {w}x{h} equals the guest's /dev/fb0 ({lit} lit pixels in row 1)")


def t_destroy(state):
    # The agent's socket closes after the destroy: closed first, the agent
    # ends and the guest powers off by itself, racing the destroy.
    lvt.virsh("destroy", DOMAIN)
    state["agent"].close()
    lvt.virsh("undefine", DOMAIN)
    state["started"] = False


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--module-params":
        return 0
    names = ["libvirt starts a domain with the vGPU and a Debian kernel; the agent answers",
             "i915 binds in the libvirt guest; DP-1 connected",
             "virsh screenshot equals the guest's /dev/fb0",
             "virsh destroy and undefine"]
    guestvm.load_kvm()
    env = lvt.Env()
    state = {"run_dir": tempfile.mkdtemp(prefix="ivgpu-guest-libvirt.", dir="/run"),
             "started": False}
    try:
        if not run_test("libvirtd starts", env.setup):
            harness.skip_all(names, "libvirtd did not start")
            return harness.exit_status()
        state["uuid"] = harness.create_vgpu(TYPE)
        for i, (name, fn) in enumerate(zip(names, (t_boot, t_i915, t_screenshot,
                                                   t_destroy))):
            if run_test(name, fn, state) is None and i < 2:
                harness.skip_all(names[i + 1:], f"'{name}' failed")
                break
    finally:
        if state.get("started"):
            subprocess.run(["virsh", "-c", lvt.URI, "destroy", DOMAIN], capture_output=True)
            subprocess.run(["virsh", "-c", lvt.URI, "undefine", DOMAIN], capture_output=True)
        if harness.failures:
            env.log_tail()
        problems = env.teardown()
        for p in problems:
            log(f"teardown: {p}")
        if state.get("uuid"):
            try:
                harness.remove_vgpu(state["uuid"])
            except Exception as e:  # the result lines tell the story
                log(f"removing the vGPU: {e}")
        shutil.rmtree(state["run_dir"], ignore_errors=True)
    return harness.exit_status()


if __name__ == "__main__":
    sys.exit(main())
