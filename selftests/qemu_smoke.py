#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Nested QEMU smoke test: QEMU's vfio-pci takes a vGPU and shows it.

Creates a vGPU, starts a stopped q35 machine (no guest) with the vGPU at
00:05.0 and x-igd-opregion=on, asks QEMU over QMP what it sees on the PCI
bus, reads the fw_cfg file etc/igd-opregion (what the firmware would copy
into guest RAM) over qtest and quits QEMU; then runs the firmware (SeaBIOS)
in a second QEMU and finds the OpRegion in guest RAM at the address it
wrote to ASLS. Removes the vGPU. Prints the same result lines as the C
selftests.
"""

import os
import shutil
import sys
import tempfile
import time

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
OPREGION_SIZE = 8192
VBT = 0x400
ASLS = 0xfc
# x86 fw_cfg: 16-bit selector and 8-bit data I/O ports, the file directory.
FW_CFG_SEL, FW_CFG_DATA, FW_CFG_FILE_DIR = 0x510, 0x511, 0x19
# The VBT's one child device: DisplayPort, port D, AUX channel D.
CHILD = bytes([0x04, 0x00, 0xc6, 0x68] + [0] * 12 + [0x09] + [0] * 7 +
              [0x02, 0x30, 0, 0x20] + [0] * 10)


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


def check_qtree(qemu):
    qtree = qemu.execute("human-monitor-command", **{"command-line": "info qtree"})
    check(f'sysfsdev = "/sys/bus/mdev/devices/' in qtree, "no vfio-pci device in info qtree")
    check("x-igd-opregion = true" in qtree, "the device does not have x-igd-opregion = true")


def fw_cfg_read(qemu, key, size):
    qemu.qtest_cmd(f"outw {FW_CFG_SEL:#x} {key:#x}")
    return bytes(qemu.qtest_batch([f"inb {FW_CFG_DATA:#x}"] * size))


def fw_cfg_file(qemu, name):
    """The contents of fw_cfg file @name (the directory is big-endian)."""
    count = int.from_bytes(fw_cfg_read(qemu, FW_CFG_FILE_DIR, 4), "big")
    entries = fw_cfg_read(qemu, FW_CFG_FILE_DIR, 4 + 64 * count)[4:]
    for i in range(count):
        e = entries[64 * i:64 * (i + 1)]
        if e[8:].split(b"\0")[0].decode() == name:
            return fw_cfg_read(qemu, int.from_bytes(e[4:6], "big"),
                               int.from_bytes(e[0:4], "big"))
    raise Failed(f"no fw_cfg file {name}")


def le(data, off, size):
    return int.from_bytes(data[off:off + size], "little")


def check_fw_cfg_opregion(qemu):
    """QEMU read the region whole into etc/igd-opregion; check it as i915
    would read it from guest RAM."""
    op = fw_cfg_file(qemu, "etc/igd-opregion")
    check(len(op) == OPREGION_SIZE, f"etc/igd-opregion is {len(op)} bytes")
    check(op[:16] == b"IntelGraphicsMem", f"signature {op[:16]!r}")
    expect_eq("size (KiB)", le(op, 0x10, 4), 8)
    expect_eq("version", le(op, 0x14, 4), 0x02000000)
    expect_eq("mailboxes", le(op, 0x58, 4), 1 << 3)
    vbt = op[VBT:VBT + le(op, VBT + 24, 2)]
    check(vbt[:20] == b"$VBT SKYLAKE        ", f"VBT signature {vbt[:20]!r}")
    expect_eq("VBT byte sum", sum(vbt) & 0xff, 0)
    bdb = vbt[le(vbt, 28, 4):]
    check(bdb[:16] == b"BIOS_DATA_BLOCK ", f"BDB signature {bdb[:16]!r}")
    expect_eq("BDB version", int.from_bytes(bdb[16:18], "little"), 204)
    check(CHILD in vbt, "the VBT has no DisplayPort port D child device")


def check_asls(qemu):
    """Before firmware runs ASLS (0xfc) reads 0; QEMU keeps what is written."""
    addr = 0x80000000 | (SLOT << 11) | ASLS
    read = [f"outl 0xcf8 {addr:#x}", "inl 0xcfc"]
    expect_eq("ASLS", qemu.qtest_batch(read)[1], 0)
    qemu.qtest_batch([f"outl 0xcf8 {addr:#x}", "outl 0xcfc 0x7ffdc000"])
    expect_eq("ASLS after a write", qemu.qtest_batch(read)[1], 0x7ffdc000)


def cfg_read32_stopped(qemu, reg):
    """A config read through 0xcf8/0xcfc while the guest is stopped, with
    the guest's address latch put back."""
    qemu.execute("stop")
    try:
        latch = qemu.qtest_cmd("inl 0xcf8")
        addr = 0x80000000 | (SLOT << 11) | reg
        val = qemu.qtest_batch([f"outl 0xcf8 {addr:#x}", "inl 0xcfc",
                                f"outl 0xcf8 {latch:#x}"])[1]
    finally:
        qemu.execute("cont")
    return val


def firmware_places_the_opregion(uuid, tmp):
    """SeaBIOS copies etc/igd-opregion into RAM and writes its address to
    ASLS; the guest then reads the OpRegion and its VBT there."""
    qemu = ivgpu_qemu.Qemu(uuid, tmp, slot=SLOT, display=False, log=log, stopped=False)
    try:
        qemu.connect()
        deadline = time.monotonic() + 120
        asls = 0
        while not asls:
            check(time.monotonic() < deadline, "ASLS still 0 after 120 s of firmware")
            time.sleep(1)
            asls = cfg_read32_stopped(qemu, ASLS)
        log(f"ASLS {asls:#x}")
        check(asls % 4096 == 0, f"ASLS {asls:#x} is not page aligned")
        qemu.execute("stop")
        head = bytes(qemu.qtest_batch([f"readb {asls + i:#x}" for i in range(24)]))
        vbt = bytes(qemu.qtest_batch([f"readb {asls + VBT + i:#x}" for i in range(20)]))
        check(head[:16] == b"IntelGraphicsMem", f"guest RAM at ASLS: {head[:16]!r}")
        expect_eq("version in guest RAM", le(head, 0x14, 4), 0x02000000)
        check(vbt == b"$VBT SKYLAKE        ", f"guest RAM at ASLS + 0x400: {vbt!r}")
        qemu.quit()
    finally:
        qemu.close()


def main():
    if "--module-params" in sys.argv[1:]:
        print("")
        return 0

    names = ["qemu starts with the vGPU", "vGPU at 00:05.0 in query-pci",
             "vGPU identity", "vGPU BARs", "quit releases the vGPU",
             "info qtree: x-igd-opregion = true",
             "fw_cfg etc/igd-opregion: header, VBT, one DP port D child",
             "config ASLS: 0 before firmware, writable",
             "SeaBIOS puts the OpRegion in RAM and its address in ASLS"]
    if not shutil.which("qemu-system-x86_64"):
        for name in names:
            result(name, True, skip="no qemu-system-x86_64")
        return 0

    uuid = run_test("create a vGPU", harness.create_vgpu, TYPE)
    if not uuid:
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        qemu = ivgpu_qemu.Qemu(uuid, tmp, slot=SLOT, display=False, log=log)
        try:
            started = run_test(names[0], qemu.connect)
            pci = started and run_test("query-pci", qemu.execute, "query-pci")
            dev = pci and run_test(names[1], find_vgpu, pci)
            if dev:
                run_test(names[2], check_identity, dev)
                run_test(names[3], check_bars, dev)
            if started:
                run_test(names[5], check_qtree, qemu)
                run_test(names[6], check_fw_cfg_opregion, qemu)
                run_test(names[7], check_asls, qemu)
            status = qemu.quit()
            log(f"QEMU exited with status {status}")
        finally:
            qemu.close()
        if harness.failures:
            log(qemu.stderr_tail())
    with tempfile.TemporaryDirectory() as tmp:
        run_test(names[8], firmware_places_the_opregion, uuid, tmp)
    run_test(names[4], harness.remove_vgpu, uuid, 15)
    return harness.exit_status()


if __name__ == "__main__":
    sys.exit(main())
