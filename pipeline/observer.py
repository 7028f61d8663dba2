"""Which watchdog observer watches the inbox: inotify on a local disk, polling on a network file system.

inotify (and its kin) only hear changes made through this host's kernel: on an NFS, SMB, 9p or sshfs share a
file another host writes makes no event at all. SHORTLIST_OBSERVER=auto (the default) reads /proc/mounts and
polls when the inbox lies on such a file system; `inotify` forces the native observer, `polling` forces
polling every SHORTLIST_POLL_SECONDS. A polling watcher waits for a file to stay unchanged over two polls
before taking it, so a copy still under way over the network is not taken half-written.
"""

from __future__ import annotations

import os
from pathlib import Path

from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

CHOICES = ("auto", "inotify", "polling")
# File system types whose changes by other hosts make no inotify event.
NETWORK_TYPES = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "9p",
        "fuse.sshfs",
        "sshfs",
        "ceph",
        "fuse.ceph",
        "glusterfs",
        "fuse.glusterfs",
        "lustre",
        "afs",
        "ncpfs",
        "davfs",
        "fuse.davfs",
        "fuse.s3fs",
        "fuse.rclone",
        "fuse.grpcfuse",
        "virtiofs",
    }
)


def _unescape(field: str) -> str:
    """/proc/mounts writes a space, tab, newline and backslash in a path as octal escapes (\\040 …)."""
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and field[i + 1 : i + 4].isdigit():
            out.append(chr(int(field[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def mount_of(path: Path, mounts: str) -> tuple[str, str]:
    """(mount point, file system type) of the mount holding `path`, from the text of /proc/mounts."""
    best = ("/", "")
    target = str(path)
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point, kind = _unescape(fields[1]), fields[2]
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best[0]):
            best = (point, kind)
    return best


def network_type(path: Path, mounts: str) -> str | None:
    """The network file system type `path` lies on, or None for a local one."""
    kind = mount_of(path, mounts)[1]
    return kind if kind in NETWORK_TYPES else None


def _read_mounts() -> str:
    try:
        return Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
    except OSError:  # not Linux: no way to tell, the native observer it is
        return ""


def choose(setting: str, inbox: Path, mounts: str | None = None) -> tuple[str, str]:
    """("inotify" | "polling", why) for the SHORTLIST_OBSERVER value and the inbox folder."""
    if setting != "auto":
        return setting, f"SHORTLIST_OBSERVER={setting}"
    kind = network_type(Path(os.path.realpath(inbox)), _read_mounts() if mounts is None else mounts)
    if kind:
        return "polling", f"the inbox is on a network file system ({kind})"
    return "inotify", "the inbox is on a local file system"


def make_observer(kind: str, poll_seconds: float) -> BaseObserver:
    return PollingObserver(timeout=poll_seconds) if kind == "polling" else Observer()
