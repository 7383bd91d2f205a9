"""SIGTERM during a scan, during playback, inside an unfinished command list, and right after start: exit status 0
within 1 s, and state.json written."""

import os
import shutil
import signal
import time

from harness import media, read_saved_state
import results
from conftest import connect, timeout

EXIT_LIMIT = 1.0


def build_library(music, count):
    """`count` small tagged FLACs in Artist/Album/NN - Title.flac, copied from one encode."""
    template = media.write_flac(music / "template.flac", 0.05, title="Template", artist="Nobody")
    for index in range(count):
        folder = music / f"Artist {index // 100:02d}" / f"Album {index // 10 % 10}"
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, folder / f"{index % 10:02d} - Song {index}.flac")
    template.unlink()


def read_state(daemon):
    assert daemon.state_file.exists(), f"no {daemon.state_file}:\n{daemon.log_tail()}"
    return read_saved_state(daemon.state_file)


def terminate(daemon):
    rc, seconds = daemon.stop(signal.SIGTERM, limit=10)
    assert rc == 0, f"exit status {rc}:\n{daemon.crash_report()}"
    assert seconds < timeout(EXIT_LIMIT), f"took {seconds:.2f} s to exit"
    return seconds


def test_sigterm_during_scan(daemon_factory, long_mode):
    count = 5000 if long_mode else 1000
    daemon = daemon_factory("scan")
    build_library(daemon.music, count)
    daemon.start(wait=False)
    # Catch the scan while it runs: connect as soon as the socket serves.
    deadline = time.monotonic() + timeout(20)
    status = {}
    while time.monotonic() < deadline:
        try:
            conn = connect(daemon.socket, timeout_s=5)
            status = conn.fields("status")
            conn.close()
            break
        except (OSError, ConnectionError):
            time.sleep(0.005)
    scanning = "updating_db" in status
    seconds = terminate(daemon)
    state = read_state(daemon)
    assert state["queue"] == []
    # The interrupted scan left nothing half-written: the next start scans the whole library.
    daemon.start()
    stats = daemon.wait_status(lambda s: "updating_db" not in s, limit=60, what="the rescan")
    songs = {line.split(": ")[0]: line.split(": ")[1] for line in daemon.command("stats")[:-1]}["songs"]
    assert int(songs) == count, songs
    figures = {"files": count, "scan_running_at_sigterm": scanning, "exit_seconds": round(seconds, 3)}
    print("\nsigterm during scan:", figures)
    results.record("sigterm_scan", figures)
    assert scanning, "the scan had already finished when SIGTERM was sent (make the library bigger)"


def test_sigterm_during_playback(daemon_factory, pulse):
    daemon = daemon_factory("play", output="pulse", env=pulse.client_env)
    media.write_silent_wav(daemon.music / "long.wav", 60, rate=8000)
    media.write_wav(daemon.music / "second.wav", 0.5)
    daemon.start()
    daemon.wait_scanned()
    conn = daemon.connect()
    conn.ok('add "long.wav"')
    conn.ok('add "second.wav"')
    conn.ok("setvol 77")
    conn.ok("play 0")
    daemon.wait_status(lambda s: s.get("state") == "play" and float(s.get("elapsed", 0)) > 1.2, what="playing")
    seconds = terminate(daemon)
    state = read_state(daemon)
    assert [entry["uri"] for entry in state["queue"]] == ["long.wav", "second.wav"], state
    assert state["volume"] == 77, state
    assert state["current_position"] == 0, state
    assert state["elapsed"] >= 1.0, state
    print("\nsigterm during playback: exit in", round(seconds, 3), "s; state", state.get("play_state"), state["elapsed"])
    results.record("sigterm_playback", {"exit_seconds": round(seconds, 3), "elapsed_saved": state["elapsed"]})


def test_sigterm_inside_command_list(daemon_factory):
    daemon = daemon_factory("list")
    media.write_wav(daemon.music / "a.wav", 0.2)
    media.write_wav(daemon.music / "b.wav", 0.2)
    daemon.start()
    daemon.wait_scanned()
    conn = daemon.connect()
    conn.ok('add "a.wav"')
    time.sleep(1.3)  # the state saver has written the queue; the list below must not change it
    conn.send('command_list_begin\nadd "b.wav"\nclear\nadd "b.wav"\nstatus\n')
    time.sleep(0.2)
    other = daemon.connect()  # the daemon serves others meanwhile
    assert other.command("ping") == ["OK"]
    seconds = terminate(daemon)
    state = read_state(daemon)
    assert [entry["uri"] for entry in state["queue"]] == ["a.wav"], state
    results.record("sigterm_command_list", {"exit_seconds": round(seconds, 3)})


def test_sigterm_right_after_start(daemon_factory):
    """The moment the socket answers, SIGTERM must already be handled (it once was lost in that window)."""
    daemon = daemon_factory("early")
    for round_number in range(5):
        daemon.start(wait=False)
        deadline = time.monotonic() + timeout(20)
        while time.monotonic() < deadline:
            try:
                connect(daemon.socket, timeout_s=5).close()
                break
            except (OSError, ConnectionError):
                time.sleep(0.001)
        terminate(daemon)
        read_state(daemon)
        os.unlink(daemon.state_file)


def test_sigint_and_sigterm_twice(daemon_factory):
    daemon = daemon_factory("twice")
    daemon.start()
    daemon.proc.send_signal(signal.SIGTERM)
    rc, seconds = daemon.stop(signal.SIGTERM, limit=10)
    assert rc == 0 and seconds < timeout(EXIT_LIMIT)
    daemon.start()
    rc, seconds = daemon.stop(signal.SIGINT, limit=10)
    assert rc == 0 and seconds < timeout(EXIT_LIMIT)


def test_commands_answered_after_sigterm_are_saved(daemon_factory):
    """Shutdown stops accepting and reading before it saves: every command a client was told succeeded after the
    signal is in the saved state (the state used to be saved first, and adds answered afterwards were lost)."""
    daemon = daemon_factory("late")
    media.write_wav(daemon.music / "a.wav", 0.2)
    daemon.start()
    daemon.wait_scanned()
    conn = daemon.connect()
    conn.ok('add "a.wav"')
    answered = 1
    os.kill(daemon.pid, signal.SIGTERM)
    try:
        while True:
            if conn.command('add "a.wav"') != ["OK"]:
                break
            answered += 1
    except (OSError, ConnectionError, EOFError, AssertionError):
        pass  # the connection was closed: nothing more was accepted
    rc, _ = daemon.stop(signal.SIGTERM, limit=10)
    assert rc == 0, daemon.crash_report()
    state = read_state(daemon)
    assert len(state["queue"]) >= answered, (len(state["queue"]), answered)
