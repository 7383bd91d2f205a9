"""An idle elegyd sleeps: no thread of it wakes up, after a library scan and after playback stopped (no timers, no
polling, no libdispatch workqueue monitor)."""

from __future__ import annotations

import os
import time

import pytest

import harness


def switches_per_thread(pid: int) -> dict[int, int]:
    """{tid: voluntary + involuntary context switches} of the threads alive now."""
    counts = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as status:
                counts[int(tid)] = sum(int(line.split()[1]) for line in status
                                       if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")))
        except FileNotFoundError:
            pass  # a thread that just ended
    return counts


def wake_ups(pid: int, seconds: float) -> dict[int, int]:
    """Context switches over `seconds` of each thread alive at both ends, only those that woke."""
    before = switches_per_thread(pid)
    time.sleep(seconds)
    after = switches_per_thread(pid)
    return {tid: after[tid] - before[tid] for tid in after if tid in before and after[tid] != before[tid]}


@pytest.fixture(scope="module")
def daemon(start_daemon, library):
    return start_daemon(library, "null", name="idle")


def test_no_thread_wakes_up_after_a_scan(daemon):
    assert daemon.command("update")[-1] == "OK"
    daemon.wait_scanned(limit=60)
    time.sleep(2)  # scanner threads end, the state is written
    woke = wake_ups(daemon.pid, 4)
    assert woke == {}, f"threads that woke up while idle (tid: switches in 4 s): {woke}"


def test_no_thread_wakes_up_after_playback_stopped(daemon):
    with harness.RawClient(daemon.socket) as client:
        assert client.command("clear") == ["OK"]
        assert client.command('add ""') == ["OK"]
        assert client.command("play 0") == ["OK"]
        assert client.command("stop") == ["OK"]
    time.sleep(2.5)  # the state saver's last write is due within a second of the last change
    woke = wake_ups(daemon.pid, 4)
    assert woke == {}, f"threads that woke up while idle (tid: switches in 4 s): {woke}"
