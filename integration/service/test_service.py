"""Elegy as a service: config errors, state that survives restarts and kill -9, SIGTERM, socket activation and
readiness. Drives the real elegyd binary; the paced output is a PulseAudio null sink started here."""

import json
import os
import pathlib
import signal
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
ELEGYD = ROOT / ".build" / "debug" / "elegyd"


def require_binary():
    if not ELEGYD.exists():
        pytest.fail(f"{ELEGYD} is missing: run `swift build` first")


class Env:
    """A private HOME/XDG tree and a small library of tagged FLACs."""

    def __init__(self, base: pathlib.Path):
        self.base = base
        self.run = base / "run"
        self.run.mkdir(mode=0o700)
        self.music = base / "music"
        self.socket = self.run / "elegy" / "socket"
        self.state = base / "state" / "elegy" / "state.json"
        self.vars = dict(os.environ)
        self.vars.update(
            HOME=str(base / "home"),
            XDG_RUNTIME_DIR=str(self.run),
            XDG_CACHE_HOME=str(base / "cache"),
            XDG_STATE_HOME=str(base / "state"),
            XDG_DATA_HOME=str(base / "data"),
            XDG_CONFIG_HOME=str(base / "config"),
        )
        (base / "home").mkdir()

    def make_library(self, count=3, seconds=30):
        album = self.music / "Artist" / "Album"
        album.mkdir(parents=True)
        for index in range(1, count + 1):
            path = album / f"0{index} - Song{index}.flac"
            subprocess.run(
                ["sox", "-q", "-n", "-r", "44100", "-c", "2", "-b", "16", str(path), "synth", str(seconds),
                 "sine", str(200 + 100 * index), "vol", "0.3"],
                check=True)
            subprocess.run(
                ["metaflac", f"--set-tag=TITLE=Song{index}", "--set-tag=ARTIST=Artist", "--set-tag=ALBUM=Album",
                 str(path)],
                check=True)


class Pulse:
    """A PulseAudio daemon with a null sink: real-time pacing for elegyd's `pulse` output."""

    def __init__(self, base: pathlib.Path):
        self.dir = base / "pulse"
        self.dir.mkdir(mode=0o700)
        env = dict(os.environ, HOME=str(self.dir), XDG_RUNTIME_DIR=str(self.dir))
        self.process = subprocess.Popen(
            ["pulseaudio", "--daemonize=no", "-n", "--exit-idle-time=-1", "--disallow-exit",
             "--load=module-null-sink sink_name=null rate=44100 norewinds=1",
             "--load=module-native-protocol-unix", f"--log-target=file:{self.dir}/log"],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.server = f"unix:{self.dir}/pulse/native"
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with socket.socket(socket.AF_UNIX) as probe:
                    probe.connect(f"{self.dir}/pulse/native")
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("pulseaudio did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=5)


class Client:
    """A minimal MPD-protocol client over the Unix socket."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(10)
        self.sock.connect(str(path))
        self.file = self.sock.makefile("rb")
        greeting = self.file.readline()
        assert greeting.startswith(b"OK MPD "), greeting

    def command(self, line):
        self.sock.sendall(line.encode() + b"\n")
        return self.command_reply()

    def command_reply(self):
        """Reads one answer (fields until OK); an ACK raises."""
        fields = {}
        while True:
            reply = self.file.readline().decode().rstrip("\n")
            if reply == "OK":
                return fields
            if reply.startswith("ACK"):
                raise RuntimeError(reply)
            key, _, value = reply.partition(": ")
            fields.setdefault(key, value)

    def close(self):
        self.sock.close()


def start(env: Env, output="null", extra=(), pulse=None, wait=True, **popen):
    vars = dict(env.vars)
    if pulse:
        vars["PULSE_SERVER"] = pulse.server
    process = subprocess.Popen(
        [str(ELEGYD), "--music-dir", str(env.music), "--output", output, *extra],
        env=vars, stdout=subprocess.DEVNULL, stderr=open(env.base / "elegyd.log", "ab"), **popen)
    if wait:
        wait_for_socket(env, process)
    return process


def wait_for_socket(env, process, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"elegyd exited with {process.returncode}: {(env.base / 'elegyd.log').read_text()}")
        try:
            client = Client(env.socket)
            while client.command("status").get("updating_db"):
                time.sleep(0.05)
            client.close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("elegyd did not answer")


@pytest.fixture
def env():
    require_binary()
    base = pathlib.Path(tempfile.mkdtemp(prefix="elegy-service-"))
    yield Env(base)
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pulse(env):
    server = Pulse(env.base)
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
    config = env.base / "elegy.toml"
    config.write_text(text)
    result = subprocess.run(
        [str(ELEGYD), "--config", str(config), "--output", "null"], env=env.vars, capture_output=True, text=True,
        timeout=20)
    assert result.returncode == 78, result.stderr
    assert expected in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_missing_explicit_config_is_an_error(env):
    result = subprocess.run(
        [str(ELEGYD), "--config", str(env.base / "nope.toml")], env=env.vars, capture_output=True, text=True,
        timeout=20)
    assert result.returncode == 78
    assert "nope.toml" in result.stderr


# State ------------------------------------------------------------------------------------------------------------


def test_restart_restores_queue_song_position_volume_and_modes(env, pulse):
    env.make_library(count=3, seconds=30)
    daemon = start(env, output="pulse", pulse=pulse)
    client = Client(env.socket)
    client.command('add ""')
    for line in ("setvol 35", "repeat 1", "random 0", "single 0", "consume 0", "play 1", "seekcur 12"):
        client.command(line)
    time.sleep(1.5)
    before = client.command("status")
    client.close()
    daemon.send_signal(signal.SIGTERM)
    assert daemon.wait(timeout=5) == 0
    saved = json.loads(env.state.read_text())
    assert len(saved["queue"]) == 3 and saved["current_position"] == 1 and saved["volume"] == 35

    daemon = start(env, output="pulse", pulse=pulse)
    try:
        client = Client(env.socket)
        after = client.command("status")
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
    env.make_library(count=3, seconds=1)
    daemon = start(env)
    client = Client(env.socket)
    client.command('add ""')
    client.command("repeat 1")
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
            client.sock.sendall(b'status\nstats\nadd "Artist/Album/01 - Song1.flac"\n')
            status = client.command_reply()
            stats = client.command_reply()
            assert client.command_reply() == {}
            client.close()
            assert status["playlistlength"] == str(3 + attempt), f"attempt {attempt}: {status}"
            assert status["repeat"] == "1", f"attempt {attempt}: {status}"
            assert stats["songs"] == "3", f"attempt {attempt}: {stats}"
        finally:
            daemon.send_signal(signal.SIGTERM)
            assert daemon.wait(timeout=5) == 0
        # The `add` sent before the restore finished came after it: the queue grew by one each time.
        assert len(json.loads(env.state.read_text())["queue"]) == 4 + attempt


def test_connection_timeout_closes_silent_clients_but_not_idling_or_talking_ones(env):
    """`connection_timeout` (MPD's option): a silent client is disconnected after it; one waiting in `idle`, or one
    that keeps sending commands, stays connected."""
    env.make_library(count=1, seconds=1)
    config = env.base / "elegy.toml"
    config.write_text(f'music_directory = "{env.music}"\nconnection_timeout = 1\n')
    daemon = start(env, extra=("--config", str(config)))
    try:
        silent, idling, talking = Client(env.socket), Client(env.socket), Client(env.socket)
        idling.sock.sendall(b"idle\n")
        began = time.monotonic()
        while time.monotonic() - began < 2.5:
            talking.command("ping")
            time.sleep(0.3)
        assert silent.file.readline() == b"", "the silent client is still connected after 2.5 s"
        assert talking.command("ping") == {}
        idling.sock.sendall(b"noidle\n")
        assert idling.command_reply() == {}
        # Out of idle and silent again: its timer is back, so it is closed in turn.
        time.sleep(2.5)
        assert idling.file.readline() == b"", "the client stayed connected after leaving idle and falling silent"
        for client in (silent, idling, talking):
            client.close()
    finally:
        daemon.terminate()
        daemon.wait(timeout=5)


def test_kill_9_in_a_loop_loses_at_most_a_second(env, pulse):
    env.make_library(count=2, seconds=120)
    daemon = start(env, output="pulse", pulse=pulse)
    client = Client(env.socket)
    client.command('add ""')
    client.command("play 0")
    client.close()
    rounds = int(os.environ.get("ELEGY_KILL_ROUNDS", "20"))
    for round_number in range(rounds):
        time.sleep(1.3)
        client = Client(env.socket)
        status = client.command("status")
        client.close()
        assert status["state"] == "play", (round_number, status)
        elapsed_before = float(status["elapsed"])
        daemon.kill()
        daemon.wait(timeout=5)
        daemon = start(env, output="pulse", pulse=pulse)
        client = Client(env.socket)
        restored = client.command("status")
        assert restored["song"] == status["song"], (round_number, status, restored)
        assert restored["playlistlength"] == "2"
        gap = elapsed_before - float(restored["elapsed"])
        assert -0.2 <= gap <= 1.0 + 0.35, (round_number, elapsed_before, restored["elapsed"])
        client.command("pause 0")
        client.close()
    daemon.terminate()
    daemon.wait(timeout=5)


def test_sigterm_writes_state_and_exits_0_within_a_second(env):
    env.make_library(count=2, seconds=5)
    daemon = start(env)
    client = Client(env.socket)
    client.command('add ""')
    client.command("setvol 42")
    client.close()
    started = time.time()
    daemon.send_signal(signal.SIGTERM)
    assert daemon.wait(timeout=5) == 0
    assert time.time() - started < 1.0
    saved = json.loads(env.state.read_text())
    assert saved["volume"] == 42 and len(saved["queue"]) == 2
    assert not env.socket.exists()


def test_corrupt_state_is_moved_aside(env):
    env.make_library(count=1, seconds=2)
    env.state.parent.mkdir(parents=True)
    env.state.write_text("{ not json")
    daemon = start(env)
    try:
        client = Client(env.socket)
        assert client.command("status")["playlistlength"] == "0"
        client.close()
        moved = list(env.state.parent.glob("state.json.corrupt-*"))
        assert len(moved) == 1 and moved[0].read_text() == "{ not json"
        assert "corrupt" in (env.base / "elegyd.log").read_text()
    finally:
        daemon.terminate()
        daemon.wait(timeout=5)


# systemd ----------------------------------------------------------------------------------------------------------


def test_readiness_and_stopping_reach_notify_socket(env):
    env.make_library(count=1, seconds=2)
    notify_path = env.base / "notify"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(notify_path))
    listener.settimeout(15)
    env.vars["NOTIFY_SOCKET"] = str(notify_path)
    daemon = start(env, wait=False)
    messages = []
    while not any("READY=1" in message for message in messages):
        messages.append(listener.recv(4096).decode())
    client = Client(env.socket)  # READY means the socket serves
    client.command("ping")
    client.close()
    daemon.send_signal(signal.SIGTERM)
    while not any("STOPPING=1" in message for message in messages):
        messages.append(listener.recv(4096).decode())
    assert daemon.wait(timeout=5) == 0
    assert any(message.startswith("STATUS=") or "\nSTATUS=" in message for message in messages), messages


def test_socket_activation_adopts_the_passed_socket(env):
    env.make_library(count=1, seconds=2)
    activated = env.base / "activated.sock"
    process = subprocess.Popen(
        ["systemd-socket-activate", "-l", str(activated), "--", str(ELEGYD), "--music-dir", str(env.music),
         "--output", "null"],
        env=env.vars, stdout=subprocess.DEVNULL, stderr=open(env.base / "elegyd.log", "ab"))
    try:
        deadline = time.time() + 15
        while not activated.exists() and time.time() < deadline:
            time.sleep(0.05)
        client = Client(activated)  # the first connection starts elegyd, which adopts the listener
        assert client.command("ping") == {}
        client.close()
        assert not env.socket.exists(), "elegyd bound its own socket instead of adopting the passed one"
    finally:
        process.terminate()
        process.wait(timeout=5)


def test_daemon_maps_neither_foundation_nor_icu(env):
    """Memory (issue 3): elegyd links the Swift runtime statically and uses only FoundationEssentials. Linking
    libFoundation (and with it ICU and its data) costs about 8 MB of resident memory; one `String.contains` that
    resolves to Foundation's overload (visible through TOMLKit) is enough to bring it back."""
    env.make_library(count=1, seconds=1)
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
