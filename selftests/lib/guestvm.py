# SPDX-License-Identifier: GPL-2.0-only
"""A real guest on a vGPU: a stock Debian kernel with its own i915.

GuestVM boots a Debian kernel with scripts/vm, with the vGPU as a vfio-pci
device (display=on), a QMP socket and a virtio-serial port on which
selftests/guest/agent runs the shell commands a test sends. The guest's
root is the test VM's root over 9p (read-only), so the guest runs Debian's
own kernel modules and programs; nothing of the guest is built or kept.

Under KVM when the test VM has it (a TCG test VM booted with scripts/vm
--nested emulates AMD SVM; its kvm_amd gives /dev/kvm), under TCG
otherwise. The CPU model under KVM is "host,-xsave": with plain "host"
the guest kernel warns of an XSAVE consistency problem (the emulated SVM
reports XSAVE sizes the kernel rejects), "EPYC" warns of SRSO, and with
"qemu64" the i915 of a 6.1 guest was seen busy-waiting.

    vm = GuestVM(uuid, kernel="6.1", log_dir=...)
    vm.start()                  # boots, waits for the agent
    vm.sh("modprobe i915")      # output; raises Error if the status is not 0
    vm.run("cat /x")            # (status, output)
    vm.qmp.call("screendump", {"filename": ...})
    vm.stop()                   # the agent exits, the guest powers off;
                                # scripts/vm's status (125: kernel problems)

With display="bochs-display" or "virtio-gpu-pci" (any QEMU display
device) the guest gets that device instead of a vGPU, with xres/yres as
its properties; uuid is then unused (None).
"""
import base64
import os
import signal
import socket
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(here, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "qemu-glue"))
import ivgpu_qemu  # noqa: E402


# What went wrong with the guest or its QEMU; the message says what.
Error = ivgpu_qemu.Error


def kvm_usable():
    """/dev/kvm is there and the CPU has hardware virtualisation."""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return False
    with open("/proc/cpuinfo") as f:
        flags = f.read().split()
    return "svm" in flags or "vmx" in flags


# kvm_amd's options. In a test VM under TCG, whose SVM QEMU emulates, the
# whole test VM now and then stopped dead (no timer, no console, no output)
# while a nested guest booted: about one boot in ten. Without virtual GIF
# and virtual VMLOAD/VMSAVE, features of the emulated CPU that kvm_amd uses
# when offered, 40 boots in a row went through. On hardware they only save
# a little time.
KVM_AMD_OPTS = ["vgif=0", "vls=0"]


def load_kvm():
    """Load the KVM module of this CPU's vendor (a nested test VM has SVM)."""
    with open("/proc/cpuinfo") as f:
        flags = f.read().split()
    for flag, mod, opts in (("svm", "kvm_amd", KVM_AMD_OPTS), ("vmx", "kvm_intel", [])):
        if flag in flags:
            subprocess.run(["modprobe", mod, *opts], capture_output=True)


class Agent:
    """The agent's end of selftests/guest/agent's protocol: a connected
    socket; @alive is called while waiting and raises if the guest is gone,
    @tail gives the logs to show when something goes wrong."""

    def __init__(self, sock, alive=lambda: None, tail=lambda: ""):
        self.sock = sock
        self.alive = alive
        self.tail = tail
        self.abuf = b""
        self.next_id = 1
        self.boot_id = None
        self.boots = 0

    @classmethod
    def connect(cls, path, timeout, alive=lambda: None, tail=lambda: ""):
        """Connect to the agent's socket (QEMU listens on it) and wait for
        the agent of the guest's first boot."""
        deadline = time.monotonic() + timeout
        s = ivgpu_qemu.connect_unix(path, timeout, alive, "agent socket")
        agent = cls(s, alive, tail)
        agent.wait_ready(deadline - time.monotonic())
        return agent

    def agent_line(self, timeout, waiting=None):
        """The next line; @waiting() is called every few seconds of silence."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.abuf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Error(f"the guest agent did not answer in {timeout:.0f} s\n"
                            + self.tail())
            self.sock.settimeout(min(left, 5))
            try:
                data = self.sock.recv(1 << 20)
            except socket.timeout:
                self.alive()
                if waiting:
                    waiting()
                continue
            if not data:
                raise Error("the agent socket closed\n" + self.tail())
            self.abuf += data
        line, self.abuf = self.abuf.split(b"\n", 1)
        return line.decode()

    def wait_ready(self, timeout=300):
        """Wait for the agent of a (new) boot. Its first READY may have been
        sent before this end connected: ask again while nothing comes. The
        old boot's answers do not extend @timeout."""
        deadline = time.monotonic() + timeout
        while True:
            words = self.agent_line(max(deadline - time.monotonic(), 0),
                                    lambda: self.send_raw("HELLO\n")).split()
            if words and words[0] == "READY":
                if words[1] == self.boot_id:
                    continue
                self.boot_id = words[1]
                self.boots += 1
                return

    def run(self, cmd, timeout=300):
        """(status, output) of a bash command in the guest."""
        cid = self.next_id
        self.next_id += 1
        self.sock.sendall(f"{cid} {base64.b64encode(cmd.encode()).decode()}\n".encode())
        while True:
            words = self.agent_line(timeout).split(" ")
            if words[0] == str(cid):
                out = base64.b64decode(words[2]) if len(words) > 2 else b""
                return int(words[1]), out.decode(errors="replace")
            if words[0] == "READY" and words[1:2] != [self.boot_id]:
                raise Error(f"the guest rebooted while running: {cmd}\n" + self.tail())

    def sh(self, cmd, timeout=300):
        """Output of a command that must succeed."""
        rc, out = self.run(cmd, timeout)
        if rc:
            raise Error(f"guest: '{cmd}' exited {rc}:\n{out[-3000:]}")
        return out

    def send_raw(self, line):
        self.sock.sendall(line.encode())

    def close(self):
        self.sock.close()


class GuestVM:
    def __init__(self, uuid, kernel="6.1", log_dir=None, mem=512, opregion=True,
                 xres=None, yres=None, extra=(), append="", timeout=1200, display=None):
        self.uuid = uuid
        self.kernel = kernel
        self.log_dir = log_dir or os.path.join(TOP, "build", "guest", f"log-{kernel}")
        os.makedirs(self.log_dir, exist_ok=True)
        self.run_dir = os.path.join("/run", f"guestvm-{os.getpid()}-{id(self):x}")
        os.makedirs(self.run_dir, exist_ok=True)
        self.qmp_path = os.path.join(self.run_dir, "qmp.sock")
        self.agent_path = os.path.join(self.run_dir, "agent.sock")
        self.kvm = kvm_usable()
        if display:
            dev = ",".join([display] + [f"{k}={v}" for k, v in (("xres", xres), ("yres", yres))
                                        if v])
        else:
            dev = ivgpu_qemu.device_args(uuid, xres=xres, yres=yres, opregion=opregion)[1]
        qemu = ["-device", dev,
                "-qmp", f"unix:{self.qmp_path},server=on,wait=off",
                "-device", "virtio-serial-pci,id=vser",
                "-chardev", f"socket,id=agent,path={self.agent_path},server=on,wait=off",
                "-device", "virtserialport,bus=vser.0,chardev=agent,name=ivgpu.agent",
                *extra]
        self.cmd = [os.path.join(TOP, "scripts", "vm"), "--kernel", kernel,
                    "--machine", "q35", "--mem", str(mem), "--smp", "1",
                    "--timeout", str(timeout), "--log", self.log_dir, "--reboot"]
        if self.kvm:
            self.cmd += ["--accel", "kvm", "--cpu", "host,-xsave"]
        else:
            self.cmd += ["--accel", "tcg"]
        # Right after a guest-initiated reboot, a guest nested in a TCG test
        # VM sees its clock jump by about 20 s (reported as a 24 s soft
        # lockup, or a 21 s RCU stall, in its first seconds): report
        # lockups after 120 s and stalls after 60 s, not 20 s and 21 s.
        self.cmd += ["--append", ("watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=60 "
                                  + append).strip()]
        for a in qemu:
            self.cmd += ["--qemu-arg", a]
        self.cmd += ["--", "selftests/guest/agent"]
        self.proc = None
        self.qmp = None
        self.agent = None

    # ---- lifetime ----

    def start(self, timeout=120, tries=3):
        """Boot; returns the seconds until the agent answered.

        A guest nested in a TCG test VM now and then never gets through its
        kernel's boot (a few boots in twenty; never a reboot): a boot whose
        agent does not answer in @timeout seconds is abandoned and the
        guest booted again, up to @tries times in all (self.retries counts
        the abandoned ones; their consoles are kept as console.log.N)."""
        self.retries = 0
        while True:
            t0 = time.monotonic()
            self.out = open(os.path.join(self.log_dir, "vm.out"), "w")
            self.proc = subprocess.Popen(self.cmd, cwd=TOP, stdin=subprocess.DEVNULL,
                                         stdout=self.out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
            try:
                self.qmp = ivgpu_qemu.Qmp(self.qmp_path, 120, self.exited)
                self.agent = Agent.connect(self.agent_path, timeout, self.exited, self.tail)
                return time.monotonic() - t0
            except Error:
                if self.retries + 1 >= tries or self.proc.poll() is not None:
                    raise
            self.close()
            self.retries += 1
            con = os.path.join(self.log_dir, "console.log")
            if os.path.exists(con):
                os.replace(con, f"{con}.{self.retries}")
            os.makedirs(self.run_dir, exist_ok=True)

    def exited(self):
        if self.proc.poll() is not None:
            raise Error(f"the guest's QEMU exited ({self.proc.returncode}):\n"
                        + self.tail())

    def tail(self, lines=30):
        text = []
        for name in ("vm.out", "console.log", "qemu.log"):
            try:
                with open(os.path.join(self.log_dir, name), errors="replace") as f:
                    text += [f"{name}: {line.rstrip()}" for line in f.readlines()[-lines:]]
            except OSError:
                pass
        return "\n".join(text)

    # ---- the agent ----

    def run(self, cmd, timeout=300):
        """(status, output) of a bash command in the guest."""
        return self.agent.run(cmd, timeout)

    def sh(self, cmd, timeout=300):
        """Output of a command that must succeed."""
        return self.agent.sh(cmd, timeout)

    @property
    def boots(self):
        return self.agent.boots

    def reboot(self, how="guest", timeout=300):
        """Reboot (guest: the guest kernel restarts the machine, as `reboot -f`
        does; there is no init system to ask; reset: QMP system_reset) and
        wait for the agent of the next boot; the seconds it took."""
        t0 = time.monotonic()
        if how == "guest":
            cmd = base64.b64encode(b"sync; echo b > /proc/sysrq-trigger").decode()
            self.agent.send_raw(f"{self.agent.next_id} {cmd}\n")
            self.agent.next_id += 1
        else:
            self.qmp.call("system_reset")
        self.agent.wait_ready(timeout)
        return time.monotonic() - t0

    def stop(self, status=0, timeout=120):
        """End the agent (the guest powers off); scripts/vm's exit status:
        @status, or 125 if the guest kernel logged a problem."""
        try:
            self.agent.send_raw(f"0 EXIT {status}\n")
        except OSError:
            pass
        try:
            return self.proc.wait(timeout)
        finally:
            self.close()

    def kill(self):
        """QEMU quits with the guest running (QMP quit)."""
        try:
            self.qmp.call("quit")
        except (Error, OSError):
            pass
        try:
            return self.proc.wait(60)
        finally:
            self.close()

    def close(self):
        for s in (self.qmp, self.agent):
            if s:
                s.close()
        self.qmp = self.agent = None
        if self.proc and self.proc.poll() is None:
            # scripts/vm stops its QEMU on SIGTERM; the whole group if not.
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if getattr(self, "out", None):
            self.out.close()
            self.out = None
        for name in ("qmp.sock", "agent.sock"):
            try:
                os.unlink(os.path.join(self.run_dir, name))
            except OSError:
                pass
        try:
            os.rmdir(self.run_dir)
        except OSError:
            pass

    # ---- display ----

    def screendump(self):
        """QMP screendump: (width, height, RGB bytes)."""
        path = os.path.join(self.run_dir, "screen.ppm")
        self.qmp.call("screendump", {"filename": path})
        try:
            return ivgpu_qemu.read_ppm(path)
        finally:
            os.unlink(path)

    def dmesg(self):
        return self.sh("dmesg")
