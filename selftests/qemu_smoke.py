#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Nested QEMU smoke test: QEMU's vfio-pci takes a vGPU and shows it.

Creates a vGPU, starts a stopped q35 machine (no guest) with the vGPU at
00:05.0, asks QEMU over QMP what it sees on the PCI bus, quits QEMU and
removes the vGPU. Prints the same result lines as the C selftests.
"""

import os
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "qemu-glue"))
import harness  # noqa: E402
import ivgpu_qemu  # noqa: E402
from harness import Failed, check, log, result, run_test  # noqa: E402

harness.PROG = "qemu_smoke"
TYPE = "ivgpu-V5_1024x768"
LOW_GM = 64 << 20
BAR0_SIZE = 16 << 20
SLOT = 5


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
        qemu = ivgpu_qemu.Qemu(uuid, tmp, qtest=False, slot=SLOT, display=False, log=log)
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
