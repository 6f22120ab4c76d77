#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""qemu-glue tools: ivgpu-qemu's command lines, and ivgpu-guest, the guest
driver `make demo` uses, end to end.

ivgpu-qemu --print must give exactly the -device option QEMU needs for each
choice, and its command line must start a QEMU that holds the vGPU (with
ramfb on the nohotplug device). ivgpu-guest must draw its test card
through a real QEMU and write a PNG equal, pixel for pixel, to the card.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
here = os.path.dirname(os.path.abspath(__file__))
glue = os.path.join(here, "..", "qemu-glue")
sys.path.insert(0, os.path.join(here, "lib"))
sys.path.insert(0, glue)
import harness  # noqa: E402
import ivgpu_qemu  # noqa: E402
from harness import check, log, run_test  # noqa: E402

harness.PROG = "glue"
TYPE = "ivgpu-V5_1024x768"


def tool(name, *args, **kw):
    return subprocess.run([os.path.join(glue, name), *args], capture_output=True,
                          text=True, timeout=kw.get("timeout", 120))


def expect_print(uuid, args, want):
    r = tool("ivgpu-qemu", "--print", *args, uuid)
    check(r.returncode == 0, f"status {r.returncode}: {r.stderr}")
    got = r.stdout.strip()
    check(got == want, f"printed {got!r}, expected {want!r}")


def print_plain(uuid):
    expect_print(uuid, [], f"-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/{uuid},display=on,"
                           "x-igd-opregion=on")


def print_ramfb(uuid):
    expect_print(uuid, ["--ramfb", "--xres", "800", "--yres", "600", "--addr", "6"],
                 f"-device vfio-pci-nohotplug,sysfsdev=/sys/bus/mdev/devices/{uuid},"
                 "addr=06.0,display=on,x-igd-opregion=on,ramfb=on,xres=800,yres=600")


def print_no_display(uuid):
    expect_print(uuid, ["--no-display", "--nohotplug", "--no-opregion"],
                 f"-device vfio-pci-nohotplug,sysfsdev=/sys/bus/mdev/devices/{uuid},display=off")


def missing_vgpu():
    r = tool("ivgpu-qemu", "--print", "00000000-0000-0000-0000-000000000000")
    check(r.returncode == 2, f"status {r.returncode}, expected 2")
    check("no vGPU" in r.stderr, f"stderr {r.stderr!r}")


def runs_qemu_with_ramfb(uuid):
    """ivgpu-qemu runs QEMU: the vGPU is there, on the nohotplug device with ramfb."""
    with tempfile.TemporaryDirectory() as tmp:
        sock = os.path.join(tmp, "qmp.sock")
        proc = subprocess.Popen(
            [os.path.join(glue, "ivgpu-qemu"), "--ramfb", "--addr", "5", uuid, "--",
             "-accel", "tcg", "-M", "q35", "-m", "256", "-nodefaults", "-vga", "none",
             "-display", "none", "-S", "-qmp", f"unix:{sock},server=on,wait=off"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while not os.path.exists(sock):
                if proc.poll() is not None:
                    raise harness.Failed(f"QEMU exited: {proc.stdout.read().decode()}")
                check(time.monotonic() < deadline, "no QMP socket after 60 s")
                time.sleep(0.2)
            r = tool("ivgpu-qmp", sock, "human-monitor-command",
                     '{"command-line": "info qtree"}')
            check(r.returncode == 0, f"ivgpu-qmp: {r.stderr}")
            qtree = json.loads(r.stdout)
            tool("ivgpu-qmp", sock, "quit")     # QEMU may hang up before answering
            check('dev: vfio-pci-nohotplug, id ""' in qtree, "no vfio-pci-nohotplug device in info qtree")
            check("ramfb = true" in qtree, "the device does not have ramfb = true")
            check("x-igd-opregion = true" in qtree,
                  "the device does not have x-igd-opregion = true")
            check(f"sysfsdev = \"/sys/bus/mdev/devices/{uuid}\"" in qtree,
                  "the device is not our vGPU")
            check(proc.wait(30) == 0, f"QEMU exited with status {proc.returncode}")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()


def guest_draws(uuid):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "screen.png")
        r = tool("ivgpu-guest", "--size", "640x400", uuid, out, timeout=180)
        log(r.stdout)
        check(r.returncode == 0, f"status {r.returncode}: {r.stderr}")
        w, h, channels, pixels = harness.read_png(out)
        check((w, h, channels) == (640, 400, 3), f"PNG is {w}x{h}x{channels}")
        want = ivgpu_qemu.xrgb_to_rgb(ivgpu_qemu.test_card(640, 400))
        diff = harness.first_difference(pixels, want, w, 3)
        check(not diff, f"the PNG is not the test card: {diff}")


def main():
    if "--module-params" in sys.argv[1:]:
        print("")
        return 0
    tests = [("ivgpu-qemu --print: vfio-pci, display=on, x-igd-opregion=on", print_plain),
             ("ivgpu-qemu --print: ramfb takes vfio-pci-nohotplug; addr, xres, yres",
              print_ramfb),
             ("ivgpu-qemu --print: --no-display --nohotplug --no-opregion", print_no_display),
             ("ivgpu-qemu runs QEMU holding the vGPU, ramfb and x-igd-opregion on",
              runs_qemu_with_ramfb),
             ("ivgpu-guest: QEMU shows the card; the PNG equals it", guest_draws)]
    names = [name for name, _ in tests] + ["ivgpu-qemu: a missing vGPU is status 2"]
    if not shutil.which("qemu-system-x86_64"):
        harness.skip_all(names, "no qemu-system-x86_64")
        return 0
    uuid = run_test("create a vGPU", harness.create_vgpu, TYPE)
    if not uuid:
        return 1
    for name, fn in tests:
        run_test(name, fn, uuid)
    run_test(names[-1], missing_vgpu)
    run_test("remove the vGPU", harness.remove_vgpu, uuid, 15)
    return harness.exit_status()


if __name__ == "__main__":
    sys.exit(main())
