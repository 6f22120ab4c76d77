#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Nested QEMU smoke test: QEMU's vfio-pci takes a vGPU and shows it.

Creates a vGPU, starts a stopped q35 machine (no guest) with the vGPU at
00:05.0, asks QEMU over QMP what it sees on the PCI bus, quits QEMU and
removes the vGPU. Prints the same result lines as the C selftests.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import harness  # noqa: E402
from harness import Failed, check, log, result, run_test  # noqa: E402

harness.PROG = "qemu_smoke"
TYPE = "ivgpu-V5_1024x768"
LOW_GM = 64 << 20
BAR0_SIZE = 16 << 20
SLOT = 5


# ---- QEMU and QMP ----

class Qemu:
    def __init__(self, uuid, tmp):
        self.sock_path = os.path.join(tmp, "qmp.sock")
        self.err_path = os.path.join(tmp, "qemu.err")
        cmd = ["qemu-system-x86_64", "-accel", "tcg", "-M", "q35", "-m", "256",
               "-nodefaults", "-display", "none", "-S",
               "-qmp", f"unix:{self.sock_path},server=on,wait=off",
               "-device", f"vfio-pci,sysfsdev=/sys/bus/mdev/devices/{uuid},addr={SLOT:02x}.0"]
        log(" ".join(cmd))
        self.err = open(self.err_path, "w")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=self.err, stderr=self.err)
        self.sock = None
        self.buf = b""

    def stderr_tail(self):
        with open(self.err_path) as f:
            return f.read()[-2000:]

    def connect(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Failed(f"QEMU exited with status {self.proc.returncode}:\n"
                             + self.stderr_tail())
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(self.sock_path)
                s.settimeout(30)
                self.sock = s
                break
            except OSError:
                s.close()
                time.sleep(0.2)
        check(self.sock, f"no QMP socket after {timeout} s")
        greeting = self.recv()
        check("QMP" in greeting, f"unexpected greeting {greeting}")
        self.execute("qmp_capabilities")

    def recv(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise Failed("QMP connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def execute(self, command):
        self.sock.sendall(json.dumps({"execute": command}).encode() + b"\n")
        while True:
            msg = self.recv()
            if "event" in msg:
                continue
            if "error" in msg:
                raise Failed(f"{command}: {msg['error']}")
            return msg["return"]

    def quit(self, timeout=30):
        """Quit QEMU; its exit status."""
        if not self.sock:
            self.close()
            return self.proc.returncode
        try:
            self.execute("quit")
        except (Failed, OSError):
            pass        # QEMU may close the socket before answering
        try:
            return self.proc.wait(timeout)
        finally:
            self.close()

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.err.close()


# ---- checks ----

def find_vgpu(pci):
    for bus in pci:
        for dev in bus.get("devices", []):
            if dev["bus"] == 0 and dev["slot"] == SLOT and dev["function"] == 0:
                return dev
    raise Failed(f"no device at 00:{SLOT:02x}.0 in query-pci")


def expect_eq(what, got, want):
    check(got == want, f"{what}: {got:#x}, expected {want:#x}")


def check_identity(dev):
    expect_eq("vendor", dev["id"]["vendor"], 0x8086)
    expect_eq("device", dev["id"]["device"], 0x1912)
    expect_eq("class", dev["class_info"]["class"], 0x0300)
    if "subsystem-vendor" in dev["id"]:
        expect_eq("subsystem vendor", dev["id"]["subsystem-vendor"], 0x8086)
        expect_eq("subsystem", dev["id"]["subsystem"], 0x2212)


def check_bars(dev):
    bars = {r["bar"]: r for r in dev.get("regions", [])}
    log("BARs: " + ", ".join(f"{b}: {r['size']:#x}" for b, r in sorted(bars.items())))
    check(sorted(bars) == [0, 2], f"BARs {sorted(bars)}, expected [0, 2]")
    expect_eq("BAR0 size", bars[0]["size"], BAR0_SIZE)
    check(bars[0]["mem_type_64"] and not bars[0]["prefetch"],
          "BAR0 is not 64-bit non-prefetchable")
    expect_eq("BAR2 size", bars[2]["size"], LOW_GM)
    check(bars[2]["mem_type_64"] and bars[2]["prefetch"],
          "BAR2 is not 64-bit prefetchable")


def main():
    if "--module-params" in sys.argv[1:]:
        print("")
        return 0

    names = ["qemu starts with the vGPU", "vGPU at 00:05.0 in query-pci",
             "vGPU identity", "vGPU BARs", "quit releases the vGPU"]
    if not shutil.which("qemu-system-x86_64"):
        for name in names:
            result(name, True, skip="no qemu-system-x86_64")
        return 0

    uuid = run_test("create a vGPU", harness.create_vgpu, TYPE)
    if not uuid:
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        qemu = Qemu(uuid, tmp)
        try:
            started = run_test(names[0], qemu.connect)
            pci = started and run_test("query-pci", qemu.execute, "query-pci")
            dev = pci and run_test(names[1], find_vgpu, pci)
            if dev:
                run_test(names[2], check_identity, dev)
                run_test(names[3], check_bars, dev)
            status = qemu.quit()
            log(f"QEMU exited with status {status}")
        finally:
            qemu.close()
        if harness.failures:
            log(qemu.stderr_tail())
    run_test(names[4], harness.remove_vgpu, uuid, 15)
    return harness.exit_status()


if __name__ == "__main__":
    sys.exit(main())
