#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""mdevctl drives ivgpu: types, transient and persistent vGPUs, auto-start.

mdevctl keeps its device configs in /etc/mdevctl.d/PARENT/UUID. The test VM's
root is read-only, so a tmpfs is mounted there for the run (hiding whatever
the host had) and unmounted at the end. Steps build on each other: a step
whose prerequisite failed is skipped with the reason.

The auto-start step reloads the module (needs IVGPU_KO), catches the parent's
"change" uevent with MDEV_STATE=registered and applies the installed mdevctl
udev rules to it as udev would (the VM runs no udev); if they do not start
the auto vGPU (Debian 12's rule runs a program that is not there), it
applies dist/61-ivgpu-mdevctl.rules, which must. Prints the same result
lines as the C selftests; "-l" lists the steps.
"""

import fnmatch
import glob
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time

sys.dont_write_bytecode = True
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "lib"))
import harness  # noqa: E402
from harness import Failed, check, log, result, run_test  # noqa: E402

harness.PROG = "mdevctl"
TYPES = ["ivgpu-V5_1024x768", "ivgpu-V5_1920x1200", "ivgpu-V5_3840x2160"]
PERSIST = "/etc/mdevctl.d"
MDEV_BUS = "/sys/class/mdev_bus"
DEVICES = "/sys/bus/mdev/devices"
DIST_RULE = os.path.normpath(os.path.join(here, "..", "dist", "61-ivgpu-mdevctl.rules"))
NETLINK_KOBJECT_UEVENT = 15


class State:
    parent = None
    start_avail = None
    transient = None        # UUID of the transient vGPU
    persistent = None       # UUID of the defined vGPU
    uuids = []              # every UUID used, for the cleanup


# ---- helpers ----

def new_uuid():
    with open("/proc/sys/kernel/random/uuid") as f:
        uuid = f.read().strip()
    State.uuids.append(uuid)
    return uuid


def mdevctl(*args):
    """Run mdevctl; its stdout. Fails on a non-zero status."""
    cmd = ["mdevctl", *args]
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=60)
    if p.returncode != 0:
        raise Failed(f"{' '.join(cmd)}: status {p.returncode}\n{p.stdout}{p.stderr}")
    return p.stdout


def read_attr(path):
    with open(path) as f:
        return f.read()


def type_dir(parent, vgpu_type):
    return f"{MDEV_BUS}/{parent}/mdev_supported_types/{vgpu_type}"


def sysfs_types(parent):
    """{type: {available_instances, device_api, name, description}} from sysfs."""
    out = {}
    for t in TYPES:
        d = type_dir(parent, t)
        out[t] = {
            "available_instances": int(read_attr(f"{d}/available_instances")),
            "device_api": read_attr(f"{d}/device_api").strip(),
            "name": read_attr(f"{d}/name").strip(),
            # mdevctl prints a multi-line description joined with ", "
            "description": ", ".join(read_attr(f"{d}/description").strip().splitlines()),
        }
    return out


def available(parent):
    return {t: v["available_instances"] for t, v in sysfs_types(parent).items()}


def running(uuid):
    return os.path.isdir(f"{DEVICES}/{uuid}")


def running_type(uuid):
    return os.path.basename(os.readlink(f"{DEVICES}/{uuid}/mdev_type"))


def config_path(uuid):
    return f"{PERSIST}/{State.parent}/{uuid}"


def read_config(uuid):
    with open(config_path(uuid)) as f:
        return json.load(f)


def list_lines(*args):
    """mdevctl list ARGS as {uuid: [parent, type, start, flags...]}."""
    out = {}
    for line in mdevctl("list", *args).splitlines():
        fields = line.split()
        if len(fields) >= 4 and not line.startswith(" "):
            out[fields[0]] = fields[1:]
    return out


def expect_listed(lines, uuid, want, what):
    check(uuid in lines, f"{what}: {uuid} not listed")
    check(lines[uuid][:len(want)] == want and len(lines[uuid]) <= len(want) + 1,
          f"{what}: {' '.join(lines[uuid])}, expected {' '.join(want)} [flag]")
    return lines[uuid][len(want):]


def expect_config(uuid, vgpu_type, start, attrs):
    cfg = read_config(uuid)
    want = {"mdev_type": vgpu_type, "start": start, "attrs": attrs}
    check(cfg == want, f"{config_path(uuid)}: {cfg}, expected {want}")


# ---- udev, as far as these rules need it ----

class Uevents:
    """The kernel's uevents, as udev receives them."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM,
                                  NETLINK_KOBJECT_UEVENT)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.bind((0, 1))

    def read(self, until, timeout=10):
        """Events (dicts) until until(event) is true or timeout passes."""
        events = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                break
            fields = data.split(b"\0")
            event = {}
            for f in fields[1:]:
                key, sep, value = f.decode(errors="replace").partition("=")
                if sep:
                    event[key] = value
            events.append(event)
            if until(event):
                break
        return events

    def close(self):
        self.sock.close()


RULE_TOKEN = re.compile(r'\s*([A-Za-z_]+(?:\{[^}]*\})?)\s*(==|!=|\+=|:=|=)\s*"((?:[^"\\]|\\.)*)"\s*,?')


def parse_rules(path):
    """[(line, [(key, op, value)])] of a udev rules file."""
    rules = []
    with open(path) as f:
        text = f.read().replace("\\\n", "")
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        tokens, pos = [], 0
        while pos < len(line):
            m = RULE_TOKEN.match(line, pos)
            check(m, f"{path}: cannot parse {line[pos:]!r}")
            tokens.append(m.groups())
            pos = m.end()
        rules.append((line, tokens))
    return rules


def subst(value, kernel):
    return value.replace("$kernel", kernel).replace("%k", kernel)


def rule_matches(tokens, event, kernel):
    """True if every match key of the rule holds for the event; raises on a key
    this emulation does not know."""
    for key, op, value in tokens:
        if op not in ("==", "!="):
            continue
        value = subst(value, kernel)
        if key == "ACTION":
            got = fnmatch.fnmatchcase(event.get("ACTION", ""), value)
        elif key == "SUBSYSTEM":
            got = fnmatch.fnmatchcase(event.get("SUBSYSTEM", ""), value)
        elif key == "KERNEL":
            got = fnmatch.fnmatchcase(kernel, value)
        elif key.startswith("ENV{"):
            got = fnmatch.fnmatchcase(event.get(key[4:-1], ""), value)
        elif key == "TEST":
            got = os.path.exists(value)
        else:
            raise Failed(f"udev key {key} is not emulated")
        if got != (op == "=="):
            return False
    return True


def apply_rules(rule_files, events, kernel):
    """Run the RUN programs of every rule that matches one of the events, as
    udev would; the commands run."""
    ran = []
    for event in events:
        for path in rule_files:
            for line, tokens in parse_rules(path):
                if not rule_matches(tokens, event, kernel):
                    continue
                for key, op, value in tokens:
                    if key == "RUN" or key.startswith("RUN{"):
                        cmd = shlex.split(subst(value, kernel))
                        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                                           text=True, timeout=60)
                        log(f"{os.path.basename(path)} on {event.get('ACTION')}: {cmd[0]}"
                            f" ... -> status {p.returncode}")
                        for out in (p.stdout, p.stderr):
                            if out.strip():
                                log(out.strip())
                        ran.append((path, cmd, p.returncode))
    return ran


# ---- steps ----

def types_text():
    out = mdevctl("types")
    try:
        check_types_text(out)
    except Failed:
        log(out)
        raise


def check_types_text(out):
    want = sysfs_types(State.parent)
    got, parent, cur = {}, None, None
    for line in out.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if indent == 0:
            parent = line.strip()
        elif indent == 2 and parent == State.parent:
            cur = got.setdefault(line.strip(), {})
        elif indent == 4 and parent == State.parent and cur is not None:
            key, _, value = line.strip().partition(": ")
            cur[key] = value
    check(State.parent in out.splitlines(), f"parent {State.parent} not listed")
    check(sorted(got) == TYPES, f"types {sorted(got)}, expected {TYPES}")
    for t in TYPES:
        w = want[t]
        expect = {"Available instances": str(w["available_instances"]),
                  "Device API": w["device_api"], "Name": w["name"],
                  "Description": w["description"]}
        check(w["device_api"] == "vfio-pci", f"{t}: sysfs device_api {w['device_api']}")
        check(got[t] == expect, f"{t}: {got[t]}, expected {expect}")


def types_json():
    data = json.loads(mdevctl("types", "--dumpjson"))
    want = sysfs_types(State.parent)
    parents = {}
    for entry in data:
        parents.update(entry)
    check(State.parent in parents, f"parent {State.parent} not in {list(parents)}")
    got = {}
    for entry in parents[State.parent]:
        got.update(entry)
    check(sorted(got) == TYPES, f"types {sorted(got)}, expected {TYPES}")
    for t in TYPES:
        check(got[t] == want[t], f"{t}: {got[t]}, expected {want[t]}")


def start_transient():
    uuid = new_uuid()
    t = TYPES[0]
    before = available(State.parent)[t]
    mdevctl("start", "--uuid", uuid, "--parent", State.parent, "--type", t)
    check(running(uuid), f"{DEVICES}/{uuid} does not exist")
    check(running_type(uuid) == t, f"mdev_type is {running_type(uuid)}, expected {t}")
    after = available(State.parent)[t]
    check(after < before, f"{t} available_instances {before} -> {after}")
    check(not os.path.exists(config_path(uuid)), "a transient device got a config file")
    State.transient = uuid


def list_transient():
    lines = list_lines()
    flags = expect_listed(lines, State.transient, [State.parent, TYPES[0], "manual"],
                          "mdevctl list")
    check(flags == [], f"flags {flags} on a transient device")
    check(State.transient not in list_lines("-d"), "mdevctl list -d shows a transient device")
    cfg = json.loads(mdevctl("list", "--uuid", State.transient, "--dumpjson"))
    want = {"mdev_type": TYPES[0], "start": "manual", "attrs": []}
    check(cfg == want, f"list --dumpjson: {cfg}, expected {want}")


def stop_transient():
    mdevctl("stop", "--uuid", State.transient)
    check(not running(State.transient), f"{DEVICES}/{State.transient} still exists")
    check(State.transient not in list_lines(), "mdevctl list still shows it")
    check(available(State.parent) == State.start_avail,
          f"available_instances {available(State.parent)}, expected {State.start_avail}")


def define_auto():
    uuid = new_uuid()
    mdevctl("define", "--auto", "--uuid", uuid, "--parent", State.parent, "--type", TYPES[1])
    expect_config(uuid, TYPES[1], "auto", [])
    check(not running(uuid), "define started the device")
    State.persistent = uuid


def list_defined():
    lines = list_lines("-d")
    flags = expect_listed(lines, State.persistent, [State.parent, TYPES[1], "auto"],
                          "mdevctl list -d")
    check(flags == [], f"flags {flags} on a defined, stopped device")
    check(State.persistent not in list_lines(), "mdevctl list shows a stopped device")


def start_defined():
    mdevctl("start", "--uuid", State.persistent)
    check(running(State.persistent), f"{DEVICES}/{State.persistent} does not exist")
    check(running_type(State.persistent) == TYPES[1],
          f"mdev_type is {running_type(State.persistent)}, expected {TYPES[1]}")
    flags = expect_listed(list_lines(), State.persistent, [State.parent, TYPES[1], "auto"],
                          "mdevctl list")
    check(flags == ["(defined)"], f"mdevctl list flags {flags}, expected ['(defined)']")
    flags = expect_listed(list_lines("-d"), State.persistent, [State.parent, TYPES[1], "auto"],
                          "mdevctl list -d")
    check(flags == ["(active)"], f"mdevctl list -d flags {flags}, expected ['(active)']")


def stop_defined():
    mdevctl("stop", "--uuid", State.persistent)
    check(not running(State.persistent), f"{DEVICES}/{State.persistent} still exists")
    expect_config(State.persistent, TYPES[1], "auto", [])
    check(available(State.parent) == State.start_avail,
          f"available_instances {available(State.parent)}, expected {State.start_avail}")


def start_parent_mdevs():
    mdevctl("start-parent-mdevs", State.parent)
    check(running(State.persistent), "start-parent-mdevs did not start the auto device")
    check(running_type(State.persistent) == TYPES[1],
          f"mdev_type is {running_type(State.persistent)}, expected {TYPES[1]}")
    mdevctl("stop", "--uuid", State.persistent)
    check(not running(State.persistent), "stop did not remove it")


def attr_gfx_plane():
    mdevctl("modify", "--uuid", State.persistent, "--addattr=ivgpu/gfx_plane", "--value=dmabuf")
    expect_config(State.persistent, TYPES[1], "auto", [{"ivgpu/gfx_plane": "dmabuf"}])
    out = mdevctl("list", "-d", "-v", "--uuid", State.persistent)
    check('{"ivgpu/gfx_plane":"dmabuf"}' in out, f"list -dv does not show the attribute:\n{out}")
    mdevctl("start", "--uuid", State.persistent)
    plane = read_attr(f"{DEVICES}/{State.persistent}/ivgpu/gfx_plane").strip()
    check(plane == "dmabuf", f"ivgpu/gfx_plane is {plane}, expected dmabuf")
    mdevctl("stop", "--uuid", State.persistent)
    check(not running(State.persistent), "stop did not remove it")


def system_rules():
    """The installed mdevctl rules files, as udev picks them: a name in /etc
    hides the same name in /run and /usr/lib (or /lib)."""
    files = {}
    for d in ("/etc/udev/rules.d", "/run/udev/rules.d", "/usr/lib/udev/rules.d",
              "/lib/udev/rules.d"):
        for path in sorted(glob.glob(f"{d}/*mdevctl*.rules")):
            files.setdefault(os.path.basename(path), path)
    return [files[name] for name in sorted(files)]


def missing_programs(path):
    """mdevctl paths that the RUN keys of a rules file name but do not exist."""
    missing = []
    for line, tokens in parse_rules(path):
        for key, op, value in tokens:
            if key == "RUN" or key.startswith("RUN{"):
                missing += [w for w in re.findall(r"/[^\s'\";|&]*/mdevctl\b", value)
                            if not os.path.exists(w)]
    return sorted(set(missing))


def udev_autostart():
    ko = os.environ.get("IVGPU_KO")
    if not ko:
        return "IVGPU_KO is not set"
    check(os.path.isfile(DIST_RULE), f"no {DIST_RULE}")
    rules = system_rules()
    log("installed rules: " + (" ".join(rules) or "none"))
    check(not os.listdir(DEVICES), f"vGPUs alive: {os.listdir(DEVICES)}")
    p = subprocess.run(["rmmod", "ivgpu"], capture_output=True, text=True)
    check(p.returncode == 0, f"rmmod ivgpu: {p.stderr}")
    events = Uevents()
    try:
        p = subprocess.run(["insmod", ko], capture_output=True, text=True)
        check(p.returncode == 0, f"insmod {ko}: {p.stderr}")
        parent = harness.find_parent(TYPES[0])
        check(parent == State.parent, f"parent is {parent} after the reload, was {State.parent}")

        def ours(e):
            return os.path.basename(e.get("DEVPATH", "")) == parent

        def registered(e):
            return ours(e) and e.get("ACTION") == "change" and \
                e.get("MDEV_STATE") == "registered"
        got = [e for e in events.read(registered) if ours(e)]
    finally:
        events.close()
    log("uevents of the parent: " + ", ".join(
        f"{e.get('ACTION')}{' MDEV_STATE=' + e['MDEV_STATE'] if 'MDEV_STATE' in e else ''}"
        for e in got))
    check(any(registered(e) for e in got), "no change uevent with MDEV_STATE=registered")
    check(not running(State.persistent), "the device is running before udev ran")
    apply_rules(rules, got, parent)
    if running(State.persistent):
        log("the installed rules started the auto device")
    else:
        for path in rules:
            for prog in missing_programs(path):
                log(f"{path} runs {prog}, which does not exist")
        log(f"the installed rules did not start the auto device; "
            f"applying {os.path.basename(DIST_RULE)}")
        ran = apply_rules([DIST_RULE], got, parent)
        check(ran, f"{os.path.basename(DIST_RULE)} did not match the parent's uevents")
    check(running(State.persistent), "the udev rules did not start the auto device")
    plane = read_attr(f"{DEVICES}/{State.persistent}/ivgpu/gfx_plane").strip()
    check(plane == "dmabuf", f"ivgpu/gfx_plane is {plane}, expected dmabuf")


def modify_manual():
    if not running(State.persistent):
        mdevctl("start", "--uuid", State.persistent)
    mdevctl("modify", "--uuid", State.persistent, "--manual")
    expect_config(State.persistent, TYPES[1], "manual", [{"ivgpu/gfx_plane": "dmabuf"}])
    check(running(State.persistent), "modify stopped a running device")
    flags = expect_listed(list_lines("-d"), State.persistent,
                          [State.parent, TYPES[1], "manual"], "mdevctl list -d")
    check(flags == ["(active)"], f"mdevctl list -d flags {flags}, expected ['(active)']")
    mdevctl("stop", "--uuid", State.persistent)
    check(not running(State.persistent), "stop did not remove it")


def manual_not_autostarted():
    mdevctl("start-parent-mdevs", State.parent)
    check(not running(State.persistent), "start-parent-mdevs started a manual device")


def undefine():
    mdevctl("undefine", "--uuid", State.persistent)
    check(not os.path.exists(config_path(State.persistent)),
          f"{config_path(State.persistent)} still exists")
    check(State.persistent not in list_lines("-d"), "mdevctl list -d still shows it")


def counts_restored():
    check(available(State.parent) == State.start_avail,
          f"available_instances {available(State.parent)}, expected {State.start_avail}")


# ---- setup and cleanup ----

def mount_persist():
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755", "ivgpu-mdevctl", PERSIST],
                       capture_output=True, text=True)
    check(p.returncode == 0, f"mount tmpfs on {PERSIST}: {p.stderr}")
    # mdevctl refuses to run without its script directories.
    for d in ("scripts.d/callouts", "scripts.d/notifiers"):
        os.makedirs(f"{PERSIST}/{d}")


def cleanup(mounted):
    for uuid in State.uuids:
        if running(uuid):
            log(f"removing {uuid} left running")
            try:
                harness.remove_vgpu(uuid)
            except (Failed, OSError) as e:
                log(f"remove {uuid}: {e}")
    if mounted:
        p = subprocess.run(["umount", PERSIST], capture_output=True, text=True)
        if p.returncode:
            log(f"umount {PERSIST}: {p.stderr}")
            return False
    return True


STEPS = [
    ("mdevctl types: our parent, its three types, values as in sysfs", types_text, []),
    ("mdevctl types --dumpjson: the same", types_json, []),
    ("start --uuid --parent --type: a transient vGPU", start_transient, []),
    ("list: the transient vGPU, not in list -d", list_transient, [2]),
    ("stop: the transient vGPU is gone", stop_transient, [2]),
    ("define --auto: config file, nothing started", define_auto, []),
    ("list -d: the defined vGPU, auto", list_defined, [5]),
    ("start --uuid: the defined vGPU", start_defined, [5]),
    ("stop: the defined vGPU is gone, its config stays", stop_defined, [7]),
    ("start-parent-mdevs: starts the auto vGPU", start_parent_mdevs, [8]),
    ("modify --addattr ivgpu/gfx_plane=dmabuf: applied at start", attr_gfx_plane, [8]),
    ("module reload: registered uevent, udev rules start the auto vGPU", udev_autostart,
     [8, 10]),
    ("modify --manual: config changed, running device untouched", modify_manual, [10]),
    ("start-parent-mdevs: leaves the manual vGPU stopped", manual_not_autostarted, [12]),
    ("undefine: config file gone", undefine, [5]),
    ("available_instances back to the start values", counts_restored, []),
]


def main():
    if "--module-params" in sys.argv[1:]:
        print("")
        return 0
    if "-l" in sys.argv[1:]:
        for name, _, _ in STEPS:
            print(name)
        return 0

    names = [name for name, _, _ in STEPS]
    if not shutil.which("mdevctl"):
        harness.skip_all(names, "no mdevctl (Debian package mdevctl)")
        return 0
    if not os.path.isdir(PERSIST):
        harness.skip_all(names, f"no {PERSIST} to mount a tmpfs on")
        return 0
    version = subprocess.run(["mdevctl", "--version"], capture_output=True, text=True)
    log(version.stdout.strip() or version.stderr.strip())

    State.parent = run_test("find the parent", harness.find_parent, TYPES[0])
    if not State.parent:
        return 1
    State.start_avail = available(State.parent)
    log(f"parent {State.parent}, available_instances {State.start_avail}")

    start = time.monotonic()
    mounted = run_test(f"mount a tmpfs on {PERSIST}", mount_persist)
    failed = set()
    try:
        for i, (name, fn, needs) in enumerate(STEPS):
            broken = [names[n] for n in needs if n in failed]
            if not mounted:
                result(name, True, skip="no tmpfs for the configs")
                failed.add(i)
            elif broken:
                result(name, True, skip=f"'{broken[0]}' failed or was skipped")
                failed.add(i)
            else:
                try:
                    value = fn()
                except Exception as e:      # whatever went wrong is the step's result
                    log(f"{name}: {e}")
                    result(name, False)
                    failed.add(i)
                    continue
                if isinstance(value, str):
                    result(name, True, skip=value)
                    failed.add(i)
                else:
                    result(name, True)
    finally:
        clean = cleanup(mounted)
    result(f"unmount {PERSIST}, no vGPU left", clean and not any(map(running, State.uuids)))
    log(f"{time.monotonic() - start:.1f} s")
    return harness.exit_status()


if __name__ == "__main__":
    sys.exit(main())
