"""The inbox observer: polling chosen on network file systems (from /proc/mounts) or by the setting, and the real
watcher with the polling observer taking a file only once a slow copy has finished."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from pipeline.observer import choose, mount_of, network_type
from store.settings import load
from tests.fixtures import sample_job, sample_resume
from tests.instance import db_rows, start_watcher, wait_for

MOUNTS = """\
sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
/dev/sda1 / ext4 rw,relatime 0 0
fileserver:/export/hiring /mnt/hiring nfs4 rw,relatime,vers=4.2 0 0
//nas/share /mnt/nas\\040drive cifs rw,relatime,vers=3.1.1 0 0
/dev/sdb1 /mnt/hiring/local ext4 rw,relatime 0 0
me@host:/srv /home/me/remote fuse.sshfs rw,nosuid,nodev 0 0
"""


def test_the_mount_holding_a_path_is_the_longest_matching_mount_point():
    assert mount_of(Path("/mnt/hiring/inbox/resumes"), MOUNTS) == ("/mnt/hiring", "nfs4")
    assert mount_of(Path("/mnt/hiring/local/inbox"), MOUNTS) == ("/mnt/hiring/local", "ext4")
    assert mount_of(Path("/mnt/hiringx"), MOUNTS) == ("/", "ext4")
    assert mount_of(Path("/mnt/nas drive/inbox"), MOUNTS) == ("/mnt/nas drive", "cifs")


def test_network_file_systems_are_recognised():
    assert network_type(Path("/mnt/hiring/inbox"), MOUNTS) == "nfs4"
    assert network_type(Path("/mnt/nas drive/inbox"), MOUNTS) == "cifs"
    assert network_type(Path("/home/me/remote/inbox"), MOUNTS) == "fuse.sshfs"
    assert network_type(Path("/srv/shortlist/inbox"), MOUNTS) is None
    assert network_type(Path("/mnt/hiring/local/inbox"), MOUNTS) is None


def test_auto_polls_on_a_network_share_and_the_setting_overrides_it():
    assert choose("auto", Path("/mnt/hiring/inbox"), MOUNTS)[0] == "polling"
    assert "nfs4" in choose("auto", Path("/mnt/hiring/inbox"), MOUNTS)[1]
    assert choose("auto", Path("/srv/inbox"), MOUNTS)[0] == "inotify"
    assert choose("inotify", Path("/mnt/hiring/inbox"), MOUNTS)[0] == "inotify"
    assert choose("polling", Path("/srv/inbox"), MOUNTS)[0] == "polling"


def test_a_bad_observer_setting_is_refused_by_name(tmp_path):
    with pytest.raises(SystemExit, match="SHORTLIST_OBSERVER must be auto, inotify or polling"):
        load({"SHORTLIST_HOME": str(tmp_path), "SHORTLIST_OBSERVER": "fanotify"})


def _count(settings, sql: str) -> int:
    try:
        return db_rows(settings, sql)[0][0]
    except Exception:
        return 0


@pytest.mark.slow
def test_the_polling_watcher_takes_a_slow_copy_only_when_it_is_complete(tmp_path, settings, env):
    env = {
        **env,
        "SHORTLIST_OBSERVER": "polling",
        "SHORTLIST_POLL_SECONDS": "0.5",
        "SHORTLIST_STABLE_SECONDS": "0.2",
        "SHORTLIST_RESCAN_SECONDS": "600",
        "SHORTLIST_CANARY_SECONDS": "0",
    }
    log = tmp_path / "watcher.log"
    proc = start_watcher(env, log)
    try:
        wait_for(lambda: "watching" in log.read_text(), 120, message="the watcher to start")
        assert "with polling (SHORTLIST_OBSERVER=polling" in log.read_text()
        (settings.inbox / "jobs" / "job.txt").write_text(sample_job(1))
        data = sample_resume(4).encode()
        path = settings.inbox / "resumes" / "copied-over-the-network.txt"
        with open(path, "wb") as handle:  # a copy that pauses longer than the quiet time of a local watcher
            for start in range(0, len(data), len(data) // 5 + 1):
                handle.write(data[start : start + len(data) // 5 + 1])
                handle.flush()
                time.sleep(0.7)
        wait_for(lambda: _count(settings, "SELECT count(*) FROM document") == 2, 60, message="both documents")
        stored = db_rows(settings, "SELECT text FROM document WHERE kind = 'resume'")[0][0]
        assert len(stored) > 0.9 * len(data.decode()), "the resume was read whole, not mid-copy"
        assert _count(settings, "SELECT count(*) FROM match") == 1
        assert _count(settings, "SELECT count(*) FROM failure") == 0
        assert not path.exists()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
