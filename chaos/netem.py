"""A slow link made for one drill: a network namespace joined to the host by a veth pair, `tc netem` delay on
both ends, and a small TCP relay on the host end that forwards to the web on loopback.

Kernels built without sch_netem (CONFIG_NET_SCH_NETEM unset, as on this project's machines) refuse
the qdisc; the relay then holds each direction's bytes for the same delay instead, and the drill's
report says which mechanism was used.

A client run inside the namespace (`ip netns exec NS python -m chaos.load ...`) reaches the real,
supervised web across the delayed link. Addresses are link-local (169.254.x.0/30) on interfaces
the drill creates and deletes; `down()` removes the namespace, the veth pair and the qdisc, and is
safe to call twice.
"""

from __future__ import annotations

import os
import queue
import random
import socket
import subprocess
import threading
import time


def ip(*args: str, netns: str = "") -> str:
    argv = (["ip", "netns", "exec", netns] if netns else []) + list(args)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


class Relay:
    """Forward TCP connections from (host, port) to target, optionally holding every chunk for a delay.

    The delay line is the fallback for kernels built without sch_netem: each direction's bytes are
    sent `delay` (± jitter, order kept) after they arrived, so a request/response pays one added
    round trip, as with netem on both ends minus the TCP handshake's."""

    def __init__(self, host: str, target: tuple[str, int]) -> None:
        self.target = target
        self.delay = self.jitter = 0.0
        self.server = socket.create_server((host, 0))
        self.port = self.server.getsockname()[1]
        self._stop = threading.Event()
        self._rng = random.Random(0)
        self._thread = threading.Thread(target=self._accept, name="netem-relay", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        self.server.settimeout(0.2)
        while not self._stop.is_set():
            try:
                client, _ = self.server.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            threading.Thread(target=self._connect, args=(client,), daemon=True).start()

    def _connect(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            client.close()
            return
        done = threading.Barrier(2, action=lambda: (client.close(), upstream.close()))
        for src, dst in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pipe, args=(src, dst, done), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, done: threading.Barrier) -> None:
        line: queue.Queue = queue.Queue()
        sender = threading.Thread(target=self._send, args=(line, dst), daemon=True)
        sender.start()
        due = 0.0
        try:
            while not self._stop.is_set():
                data = src.recv(65536)
                jitter = self._rng.uniform(-self.jitter, self.jitter) if self.jitter else 0.0
                due = max(due, time.monotonic() + self.delay + jitter)
                line.put((due, data))
                if not data:
                    break
        except OSError:
            line.put((0.0, b""))
        sender.join(30)
        try:
            done.wait(30)
        except threading.BrokenBarrierError:
            pass

    @staticmethod
    def _send(line: queue.Queue, dst: socket.socket) -> None:
        while True:
            due, data = line.get()
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            try:
                if not data:
                    dst.shutdown(socket.SHUT_WR)
                    return
                dst.sendall(data)
            except OSError:
                return

    def close(self) -> None:
        self._stop.set()
        self.server.close()
        self._thread.join(2)


class SlowLink:
    def __init__(self, target: tuple[str, int], tag: int | None = None) -> None:
        tag = os.getpid() if tag is None else tag
        self.netns = f"shortlist-chaos-{tag}"
        self.host_if, self.ns_if = f"slc{tag % 100000}h", f"slc{tag % 100000}n"
        octet = 100 + tag % 100
        self.host_addr, self.ns_addr = f"169.254.{octet}.1", f"169.254.{octet}.2"
        self.target = target
        self.relay: Relay | None = None
        self.delayed = False
        self.mechanism = ""

    def up(self) -> None:
        ip("ip", "netns", "add", self.netns)
        ip("ip", "link", "add", self.host_if, "type", "veth", "peer", "name", self.ns_if)
        ip("ip", "link", "set", self.ns_if, "netns", self.netns)
        ip("ip", "addr", "add", f"{self.host_addr}/30", "dev", self.host_if)
        ip("ip", "link", "set", self.host_if, "up")
        ip("ip", "addr", "add", f"{self.ns_addr}/30", "dev", self.ns_if, netns=self.netns)
        ip("ip", "link", "set", self.ns_if, "up", netns=self.netns)
        ip("ip", "link", "set", "lo", "up", netns=self.netns)
        self.relay = Relay(self.host_addr, self.target)

    @property
    def url(self) -> str:
        assert self.relay is not None
        return f"http://{self.host_addr}:{self.relay.port}"

    def delay(self, ms: float, jitter_ms: float = 0.0) -> str:
        """Add `ms` (± jitter) in each direction, so a round trip gets twice that: with `tc netem` on both
        ends of the veth pair, or, where the kernel has no netem, in the relay. Returns which was used."""
        spec = ["delay", f"{ms:g}ms"] + ([f"{jitter_ms:g}ms"] if jitter_ms else [])
        try:
            ip("tc", "qdisc", "add", "dev", self.host_if, "root", "netem", *spec)
        except RuntimeError as exc:
            if "unknown" not in str(exc).lower() and "not found" not in str(exc).lower():
                raise
            assert self.relay is not None
            self.relay.delay, self.relay.jitter = ms / 1000, jitter_ms / 1000
            self.mechanism = "relay"
            return f"relay delay line ({exc}: this kernel has no sch_netem)"
        self.delayed = True
        ip("tc", "qdisc", "add", "dev", self.ns_if, "root", "netem", *spec, netns=self.netns)
        self.mechanism = "netem"
        return "tc netem on both ends of the veth pair"

    def qdiscs(self) -> str:
        return ip("tc", "qdisc", "show", "dev", self.host_if) + ip(
            "tc", "qdisc", "show", "dev", self.ns_if, netns=self.netns
        )

    def undelay(self) -> None:
        if self.relay is not None:
            self.relay.delay = self.relay.jitter = 0.0
        if self.delayed:
            subprocess.run(["tc", "qdisc", "del", "dev", self.host_if, "root"], capture_output=True, timeout=10)
            subprocess.run(
                ["ip", "netns", "exec", self.netns, "tc", "qdisc", "del", "dev", self.ns_if, "root"],
                capture_output=True,
                timeout=10,
            )
            self.delayed = False

    def run_in(self, argv: list[str], timeout: float) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["ip", "netns", "exec", self.netns, *argv], capture_output=True, text=True, timeout=timeout
        )

    def down(self) -> None:
        """Delete everything this link made; nothing here fails when it is already gone."""
        if self.relay is not None:
            self.relay.close()
            self.relay = None
        self.undelay()
        subprocess.run(["ip", "link", "del", self.host_if], capture_output=True, timeout=10)
        subprocess.run(["ip", "netns", "del", self.netns], capture_output=True, timeout=10)

    def leftovers(self) -> list[str]:
        """What still exists of this link (empty once `down()` has run)."""
        found = []
        if self.netns in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.split():
            found.append(f"netns {self.netns}")
        if subprocess.run(["ip", "link", "show", self.host_if], capture_output=True).returncode == 0:
            found.append(f"link {self.host_if}")
        return found
