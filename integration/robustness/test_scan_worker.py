"""The scan worker (`elegyd --scan-worker`, which reads every file for the first scan and `rescan`): killed while
it reads, the daemon lives on with its index and queue; the daemon stopped, no worker outlives it."""

import os
import signal
import time

from conftest import timeout
from test_signals import build_library

COUNT = 1000


def stat_fields(pid):
    """The fields of /proc/PID/stat after the command name (state, ppid, ...); None once the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            # pid (comm) state ppid ...: comm may hold spaces, so split after its closing parenthesis.
            return stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def children(pid):
    """The processes whose parent is `pid`."""
    found = []
    for entry in os.listdir("/proc"):
        fields = stat_fields(entry) if entry.isdigit() else None
        if fields and int(fields[1]) == pid:
            found.append(int(entry))
    return found


def wait_for_worker(daemon, limit=20.0):
    deadline = time.monotonic() + timeout(limit)
    while time.monotonic() < deadline:
        workers = children(daemon.pid)
        if workers:
            return workers[0]
        time.sleep(0.002)
    raise AssertionError(f"no scan worker appeared within {limit} s:\n{daemon.log_tail()}")


def songs(daemon):
    conn = daemon.connect()
    try:
        return int(conn.fields("stats")["songs"])
    finally:
        conn.close()


def test_worker_killed_during_rescan_leaves_index_and_queue(daemon_factory):
    daemon = daemon_factory("killed")
    build_library(daemon.music, COUNT)
    daemon.start()
    daemon.wait_scanned()
    assert songs(daemon) == COUNT
    conn = daemon.connect()
    conn.ok('add "Artist 00"')
    assert int(conn.fields("status")["playlistlength"]) == 100
    conn.ok("rescan")
    worker = wait_for_worker(daemon)
    os.kill(worker, signal.SIGKILL)
    daemon.wait_status(lambda s: "updating_db" not in s, limit=30, what="the end of the killed rescan")
    daemon.assert_alive()
    assert songs(daemon) == COUNT
    assert int(conn.fields("status")["playlistlength"]) == 100
    assert "the scanner process was killed by signal 9; the library is unchanged" in daemon.log_text()
    # The next rescan starts a worker of its own and ends well.
    conn.ok("rescan")
    daemon.wait_status(lambda s: "updating_db" not in s, limit=60, what="the second rescan")
    assert songs(daemon) == COUNT
    assert daemon.log_text().count("library scan finished") >= 2
    conn.close()


def state_of(pid):
    """The process's state letter (R, S, T, Z...), or None once it is gone."""
    fields = stat_fields(pid)
    return fields[0] if fields else None


def test_no_worker_outlives_the_daemon(daemon_factory):
    """A daemon that dies (SIGKILL, so nothing of its own shutdown runs) takes its worker with it."""
    daemon = daemon_factory("orphan")
    # 16,000 files: a scan of about half a second, which the worker must not have finished when it is stopped.
    build_library(daemon.music, 16 * COUNT)
    daemon.start(wait=False)
    worker = wait_for_worker(daemon)
    deadline = time.monotonic() + timeout(10)
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{worker}/cmdline", "rb") as cmdline:
                if b"--scan-worker" in cmdline.read():
                    break
        except OSError:
            break
        time.sleep(0.002)
    time.sleep(timeout(0.03))  # past its first steps, which ask to end with the daemon
    # Stopped, it cannot finish the scan and exit on its own meanwhile: only the kernel's signal ends it.
    os.kill(worker, signal.SIGSTOP)
    try:
        stopping = time.monotonic() + timeout(1)
        while state_of(worker) not in ("T", None, "Z") and time.monotonic() < stopping:
            time.sleep(0.001)
        assert state_of(worker) == "T", f"the worker was not reading any more ({state_of(worker)})"
        daemon.kill()
        deadline = time.monotonic() + timeout(2)
        while state_of(worker) not in (None, "Z") and time.monotonic() < deadline:
            time.sleep(0.01)
        assert state_of(worker) in (None, "Z"), f"scan worker {worker} outlived the daemon ({state_of(worker)})"
    finally:
        if state_of(worker) not in (None, "Z"):
            os.kill(worker, signal.SIGKILL)
