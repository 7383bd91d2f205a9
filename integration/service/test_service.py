"""Elegy as a service: config errors, state that survives restarts and kill -9, SIGTERM, socket activation and
readiness. Drives the real elegyd binary; the paced output is a PulseAudio null sink started here."""

import os
import pathlib
import signal
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

import harness
from harness import RawClient as Client
from harness import read_saved_state


def make_library(env, count=3, seconds=30):
    """`count` tagged FLACs of sine tones in env.music/Artist/Album."""
    for index in range(1, count + 1):
        harness.media.write_song(env.music / "Artist" / "Album" / f"0{index} - Song{index}.flac", seconds, "sine",
                                 str(200 + 100 * index), "vol", "0.3", title=f"Song{index}", artist="Artist",
                                 album="Album")


def start(env, output="null", extra=(), pulse=None, wait=True):
    """Starts elegyd in `env` and returns its process; with `wait`, once it serves and its scan is over."""
    env.output, env.extra_args = output, list(extra)
    if pulse:
        env.env.update(pulse.client_env)
    else:
        env.env.pop("PULSE_SERVER", None)
    env.start(wait=wait, limit=15)
    if wait:
        env.wait_scanned()
    return env.proc


@pytest.fixture
def env():
    """A private HOME/XDG tree for elegyd, not started: it binds its default socket
    ($XDG_RUNTIME_DIR/elegy/socket) and gets no --playlists, as a user's service would."""
    if not harness.ELEGYD.exists():
        pytest.fail(f"{harness.ELEGYD} is missing: run `swift build` first")
    base = pathlib.Path(tempfile.mkdtemp(prefix="elegy-service-"))
    daemon = harness.Elegyd(base, socket=None, playlists=None)
    yield daemon
    daemon.kill()
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pulse(env):
    server = harness.PulseAudio(env.root / "pulse").start()
    yield server
    server.stop()


# Config errors ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ('music_directory = "/music"\n\n[output]\ndevice = 7\n', "elegy.toml:4: output.device: expected a string"),
        ("max_connections = 0\n", "elegy.toml:1: max_connections"),
        ('[output]\nmixer = "loud"\n', "elegy.toml:2: output.mixer"),
        ('[moods.rain]\ndescription = "x"\nsleep = "soon"\n', "elegy.toml:3: moods.rain.sleep"),
        ('music_directory = "/music\n', "elegy.toml:1"),
        ("restore_paused = 3\n", "elegy.toml:1: restore_paused"),
    ],
)
def test_bad_config_exits_78_naming_file_line_and_key(env, text, expected):
    config = env.root / "elegy.toml"
    config.write_text(text)
    result = subprocess.run(
        [str(env.binary), "--config", str(config), "--output", "null"], env=env.env, capture_output=True, text=True,
        timeout=20)
    assert result.returncode == 78, result.stderr
    assert expected in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_missing_explicit_config_is_an_error(env):
    result = subprocess.run(
        [str(env.binary), "--config", str(env.root / "nope.toml")], env=env.env, capture_output=True, text=True,
        timeout=20)
    assert result.returncode == 78
    assert "nope.toml" in result.stderr


# State ------------------------------------------------------------------------------------------------------------


def test_restart_restores_queue_song_position_volume_and_modes(env, pulse):
    make_library(env, count=3, seconds=30)
    daemon = start(env, output="pulse", pulse=pulse)
    client = Client(env.socket)
    client.fields('add ""')
    for line in ("setvol 35", "repeat 1", "random 0", "single 0", "consume 0", "play 1", "seekcur 12"):
        client.fields(line)
    time.sleep(1.5)
    before = client.fields("status")
    client.close()
    daemon.send_signal(signal.SIGTERM)
    assert daemon.wait(timeout=5) == 0
    saved = read_saved_state(env.state_file)
    assert len(saved["queue"]) == 3 and saved["current_position"] == 1 and saved["volume"] == 35

    daemon = start(env, output="pulse", pulse=pulse)
    try:
        client = Client(env.socket)
        after = client.fields("status")
        assert after["state"] == "pause"  # restored paused
        assert after["playlistlength"] == "3"
        assert after["song"] == before["song"] == "1"
        assert after["volume"] == "35" and after["repeat"] == "1"
        assert abs(float(after["elapsed"]) - float(before["elapsed"])) < 1.0, (before, after)
        client.close()
    finally:
        daemon.terminate()
        daemon.wait(timeout=5)


def test_first_answer_after_a_restart_already_has_the_restored_queue(env):
    """The socket is bound before the index and state are loaded; a client that connects at that moment must wait
    for them, not see an empty queue and library (and must not have its `add` overwritten by the restore)."""
    make_library(env, count=3, seconds=1)
    daemon = start(env)
    client = Client(env.socket)
    client.fields('add ""')
    client.fields("repeat 1")
    client.close()
    daemon.send_signal(signal.SIGTERM)
    assert daemon.wait(timeout=5) == 0
    for attempt in range(5):
        daemon = start(env, wait=False)
        try:
            deadline = time.time() + 10
            while True:
                try:
                    client = Client(env.socket)
                    break
                except OSError:
                    assert time.time() < deadline, "elegyd did not bind its socket"
                    time.sleep(0.001)
            client.send(b'status\nstats\nadd "Artist/Album/01 - Song1.flac"\n')
            status = client.response_fields()
            stats = client.response_fields()
            assert client.response_fields() == {}
            client.close()
            assert status["playlistlength"] == str(3 + attempt), f"attempt {attempt}: {status}"
            assert status["repeat"] == "1", f"attempt {attempt}: {status}"
            assert stats["songs"] == "3", f"attempt {attempt}: {stats}"
        finally:
            daemon.send_signal(signal.SIGTERM)
            assert daemon.wait(timeout=5) == 0
        # The `add` sent before the restore finished came after it: the queue grew by one each time.
        assert len(read_saved_state(env.state_file)["queue"]) == 4 + attempt


def test_connection_timeout_closes_silent_clients_but_not_idling_or_talking_ones(env):
    """`connection_timeout` (MPD's option): a silent client is disconnected after it; one waiting in `idle`, or one
    that keeps sending commands, stays connected."""
    make_library(env, count=1, seconds=1)
    config = env.root / "elegy.toml"
    config.write_text(f'music_directory = "{env.music}"\nconnection_timeout = 1\n')
    daemon = start(env, extra=("--config", str(config)))
    try:
        silent, idling, talking = Client(env.socket), Client(env.socket), Client(env.socket)
        idling.send(b"idle\n")
        began = time.monotonic()
        while time.monotonic() - began < 2.5:
            talking.fields("ping")
            time.sleep(0.3)
        assert silent.at_eof(10), "the silent client is still connected after 2.5 s"
        assert talking.fields("ping") == {}
        idling.send(b"noidle\n")
        assert idling.response_fields() == {}
        # Out of idle and silent again: its timer is back, so it is closed in turn.
        time.sleep(2.5)
        assert idling.at_eof(10), "the client stayed connected after leaving idle and falling silent"
        for client in (silent, idling, talking):
            client.close()
    finally:
        daemon.terminate()
        daemon.wait(timeout=5)


def test_kill_9_in_a_loop_loses_at_most_a_second(env, pulse):
    make_library(env, count=2, seconds=120)
    daemon = start(env, output="pulse", pulse=pulse)
    client = Client(env.socket)
    client.fields('add ""')
    client.fields("play 0")
    client.close()
    rounds = int(os.environ.get("ELEGY_KILL_ROUNDS", "20"))
    for round_number in range(rounds):
        time.sleep(1.3)
        client = Client(env.socket)
        status = client.fields("status")
        client.close()
        assert status["state"] == "play", (round_number, status)
        elapsed_before = float(status["elapsed"])
        daemon.kill()
        daemon.wait(timeout=5)
        daemon = start(env, output="pulse", pulse=pulse)
        client = Client(env.socket)
        restored = client.fields("status")
        assert restored["song"] == status["song"], (round_number, status, restored)
        assert restored["playlistlength"] == "2"
        gap = elapsed_before - float(restored["elapsed"])
        assert -0.2 <= gap <= 1.0 + 0.35, (round_number, elapsed_before, restored["elapsed"])
        client.fields("pause 0")
        client.close()
    daemon.terminate()
    daemon.wait(timeout=5)


def test_sigterm_writes_state_and_exits_0_within_a_second(env):
    make_library(env, count=2, seconds=5)
    daemon = start(env)
    client = Client(env.socket)
    client.fields('add ""')
    client.fields("setvol 42")
    client.close()
    started = time.time()
    daemon.send_signal(signal.SIGTERM)
    assert daemon.wait(timeout=5) == 0
    assert time.time() - started < 1.0
    saved = read_saved_state(env.state_file)
    assert saved["volume"] == 42 and len(saved["queue"]) == 2
    assert not env.socket.exists()


def test_corrupt_state_is_moved_aside(env):
    make_library(env, count=1, seconds=2)
    env.state_file.parent.mkdir(parents=True)
    env.state_file.write_text("{ not json")
    daemon = start(env)
    try:
        client = Client(env.socket)
        assert client.fields("status")["playlistlength"] == "0"
        client.close()
        moved = list(env.state_file.parent.glob("state.json.corrupt-*"))
        assert len(moved) == 1 and moved[0].read_text() == "{ not json"
        assert "corrupt" in env.log_path.read_text()
    finally:
        daemon.terminate()
        daemon.wait(timeout=5)


# systemd ----------------------------------------------------------------------------------------------------------


def test_readiness_and_stopping_reach_notify_socket(env):
    make_library(env, count=1, seconds=2)
    notify_path = env.root / "notify"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(notify_path))
    listener.settimeout(15)
    env.env["NOTIFY_SOCKET"] = str(notify_path)
    daemon = start(env, wait=False)
    messages = []
    while not any("READY=1" in message for message in messages):
        messages.append(listener.recv(4096).decode())
    client = Client(env.socket)  # READY means the socket serves
    client.fields("ping")
    client.close()
    daemon.send_signal(signal.SIGTERM)
    while not any("STOPPING=1" in message for message in messages):
        messages.append(listener.recv(4096).decode())
    assert daemon.wait(timeout=5) == 0
    assert any(message.startswith("STATUS=") or "\nSTATUS=" in message for message in messages), messages


def test_socket_activation_adopts_the_passed_socket(env):
    make_library(env, count=1, seconds=2)
    activated = env.root / "activated.sock"
    process = subprocess.Popen(
        ["systemd-socket-activate", "-l", str(activated), "--", str(env.binary), "--music-dir", str(env.music),
         "--output", "null"],
        env=env.env, stdout=subprocess.DEVNULL, stderr=open(env.log_path, "ab"))
    try:
        deadline = time.time() + 15
        while not activated.exists() and time.time() < deadline:
            time.sleep(0.05)
        client = Client(activated)  # the first connection starts elegyd, which adopts the listener
        assert client.fields("ping") == {}
        client.close()
        assert not env.socket.exists(), "elegyd bound its own socket instead of adopting the passed one"
    finally:
        process.terminate()
        process.wait(timeout=5)


def test_daemon_maps_neither_foundation_nor_icu(env):
    """Memory (issue 3): elegyd links the Swift runtime statically and uses only FoundationEssentials. Linking
    libFoundation (and with it ICU and its data) costs about 8 MB of resident memory; one `String.contains` that
    resolves to Foundation's overload (visible through TOMLKit) is enough to bring it back."""
    make_library(env, count=1, seconds=1)
    daemon = start(env)
    try:
        maps = pathlib.Path(f"/proc/{daemon.pid}/maps").read_text()
        libraries = sorted({line.split()[-1].rsplit("/", 1)[-1] for line in maps.splitlines() if ".so" in line})
        unwanted = [name for name in libraries if "Foundation" in name or "icu" in name.lower()]
        assert unwanted == [], f"elegyd maps {unwanted}"
        assert not any(name.startswith("libswiftCore") for name in libraries), libraries
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=5)
