"""Helpers for Elegy's end-to-end tests: test libraries, a PulseAudio null sink, the real elegyd, and clients.

Everything here drives real processes: the `elegyd` and `elegy` binaries of `swift build` (debug), PulseAudio,
mpc, sox/flac/lame. Nothing is faked. Each daemon gets its own HOME and XDG_* directories under a temp root.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("ELEGY_BIN_DIR", REPO / ".build" / "debug"))
ELEGYD = BIN_DIR / "elegyd"
ELEGY = BIN_DIR / "elegy"
CURATED = REPO / "Playlists"
DEMO_SCRIPT = REPO / "scripts" / "demo-library.sh"

GREETING = b"OK MPD "
ACK_RE = re.compile(r"^ACK \[(\d+)@(\d+)\] \{(\w*)\} (.*)$")


# --- The generated library ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Track:
    """One generated file: its URI (relative to the music dir), tags and length."""

    uri: str
    artist: str
    album: str
    title: str
    track: int
    seconds: float
    tagged: bool = True

    @property
    def display(self) -> str:
        """How mpc prints it by default: `Artist - Title`."""
        return f"{self.artist} - {self.title}"


# Three 10 s tracks for the paced tests (seek to 0:05, pause, next/prev while playing).
PACED_ALBUM = [
    Track("Aurora Lane/Northern Lights/01 - First Light.flac", "Aurora Lane", "Northern Lights", "First Light", 1, 10),
    Track("Aurora Lane/Northern Lights/02 - Polar Night.flac", "Aurora Lane", "Northern Lights", "Polar Night", 2, 10),
    Track("Aurora Lane/Northern Lights/03 - Ice Harbour.flac", "Aurora Lane", "Northern Lights", "Ice Harbour", 3, 10),
]
# Three short tracks of one format (44.1 kHz, 16-bit, stereo) with odd frame counts, for the bit-perfect test.
GAPLESS_ALBUM = [
    Track("Brook Tamsin/Paper Boats/01 - Harbour Song.flac", "Brook Tamsin", "Paper Boats", "Harbour Song", 1, 1.2345),
    Track("Brook Tamsin/Paper Boats/02 - Low Tide.flac", "Brook Tamsin", "Paper Boats", "Low Tide", 2, 0.7771),
    Track("Brook Tamsin/Paper Boats/03 - Salt Wind.flac", "Brook Tamsin", "Paper Boats", "Salt Wind", 3, 2.0013),
]
# An MP3 with ID3 tags and a FLAC whose only metadata is its path.
OTHER_TRACKS = [
    Track("Cedar Hollow/Lanterns/01 - Quiet Rooms.mp3", "Cedar Hollow", "Lanterns", "Quiet Rooms", 1, 3),
    Track("Dune Parade/Mirage/04 - Glass Desert.flac", "Dune Parade", "Mirage", "Glass Desert", 4, 3, tagged=False),
]
LIBRARY = PACED_ALBUM + GAPLESS_ALBUM + OTHER_TRACKS

# Files of the demo library (scripts/demo-library.sh) that are NOT the curated songs whose titles they share.
DEMO_DECOYS = [
    "Joni Mitchell/Blue/04 - Blue.flac",
    "mp3/Maroon 5 - Memories.mp3",
    "mp3/The Placeholders - Sunday Errands.mp3",
    "Home Recordings/Untitled Sketch 4.ogg",
    "Kitchen Tapes/Weather/03 - Orange Sky.flac",
]
DEMO_BEBOP_BLUE = "The Seatbelts/Cowboy Bebop Blue/17 - Blue.flac"


def run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Runs a tool, failing loudly with its output when it fails."""
    result = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed ({result.returncode}): {result.stderr.strip()}")
    return result


def write_tone_flac(path: Path, seconds: float = 0.2) -> None:
    """A short untagged 44.1 kHz 16-bit stereo FLAC of a 440 Hz tone (tests that need a file, not its sound)."""
    run(["sox", "-q", "-n", "-r", "44100", "-b", "16", "-c", "2", str(path), "synth", str(seconds), "sine", "440"])


@contextlib.contextmanager
def python_mpd_client(socket_path: Path | str, timeout: float = 10):
    """A connected python-mpd2 client, disconnected afterwards."""
    import mpd  # python-mpd2: installed by scripts/install-deps.sh

    client = mpd.MPDClient()
    client.timeout = timeout
    client.connect(str(socket_path))
    try:
        yield client
    finally:
        client.disconnect()


def generate_library(root: Path) -> None:
    """Writes LIBRARY under `root`: noise-like chords (so a byte comparison means something), 44.1 kHz 16-bit."""
    for tool in ("sox", "flac", "metaflac", "lame"):
        if shutil.which(tool) is None:
            raise RuntimeError(f"{tool} is required (scripts/install-deps.sh installs it)")
    for index, track in enumerate(LIBRARY):
        path = root / track.uri
        path.parent.mkdir(parents=True, exist_ok=True)
        wav = path.with_suffix(".wav")
        base = 220 + 37 * index
        run(["sox", "-q", "-n", "-r", "44100", "-b", "16", "-c", "2", str(wav),
             "synth", f"{track.seconds}", "sine", str(base), "pinknoise", "gain", "-n", "-3"])
        if path.suffix == ".flac":
            run(["flac", "-s", "-f", "-5", "-o", str(path), str(wav)])
            if track.tagged:
                run(["metaflac", f"--set-tag=TITLE={track.title}", f"--set-tag=ARTIST={track.artist}",
                     f"--set-tag=ALBUM={track.album}", f"--set-tag=TRACKNUMBER={track.track}", str(path)])
        else:
            run(["lame", "--quiet", "-b", "192", "--id3v2-only", "--tt", track.title, "--ta", track.artist,
                 "--tl", track.album, "--tn", str(track.track), str(wav), str(path)])
        wav.unlink()


def generate_demo_library(root: Path) -> None:
    run(["bash", str(DEMO_SCRIPT), str(root)])


def decoded_pcm(path: Path) -> bytes:
    """The file's samples as signed 16-bit little-endian interleaved PCM (what a bit-perfect output receives)."""
    return subprocess.run(
        ["flac", "-d", "-s", "--force-raw-format", "--endian=little", "--sign=signed", "-c", str(path)],
        capture_output=True, check=True).stdout


# --- Sockets -----------------------------------------------------------------------------------------------

class RawClient:
    """A line-level MPD protocol client on a Unix socket, for exact-byte assertions."""

    def __init__(self, path: Path | str, timeout: float = 10):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(str(path))
        self.buffer = b""
        self.greeting = self.readline()

    def readline(self) -> str:
        while b"\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError(f"connection closed; pending {self.buffer!r}")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()

    def send(self, data: bytes | str) -> None:
        self.sock.sendall(data.encode() if isinstance(data, str) else data)

    def read_exactly(self, count: int) -> bytes:
        """The next `count` bytes as they are (a binary chunk of `albumart`)."""
        while len(self.buffer) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError(f"connection closed; pending {self.buffer!r}")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def response(self) -> list[str]:
        """Lines up to and including the final `OK` or `ACK …`."""
        lines = []
        while True:
            line = self.readline()
            lines.append(line)
            if line == "OK" or line.startswith("ACK "):
                return lines

    def command(self, line: str) -> list[str]:
        self.send(line + "\n")
        return self.response()

    def fields(self, line: str) -> dict[str, str]:
        """A command's `key: value` lines as a dict (last one wins); fails on ACK."""
        lines = self.command(line)
        assert lines[-1] == "OK", f"{line!r} -> {lines}"
        return dict(entry.split(": ", 1) for entry in lines[:-1])

    def at_eof(self, timeout: float = 5) -> bool:
        """True when the server closed the connection (EOF or reset) with nothing more to read."""
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(1) == b"" and not self.buffer
        except ConnectionResetError:
            return not self.buffer
        except socket.timeout:
            return False

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> "RawClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def socket_answers(path: Path | str, timeout: float = 2) -> bool:
    """Whether an MPD greeting comes back from `path`."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(str(path))
            data = b""
            while b"\n" not in data:
                chunk = sock.recv(256)
                if not chunk:
                    return False
                data += chunk
            return data.startswith(GREETING)
    except OSError:
        return False


# --- PulseAudio --------------------------------------------------------------------------------------------

class PulseServer:
    """PulseAudio with a null sink at 44.1 kHz: a real-time paced ALSA output (`pulse`) with no sound card."""

    def __init__(self, root: Path):
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)
        self.socket = self.root / "pulse" / "native"
        self.log = self.root / "pulse.log"
        self.process: subprocess.Popen | None = None

    @property
    def server(self) -> str:
        return f"unix:{self.socket}"

    def start(self) -> "PulseServer":
        if shutil.which("pulseaudio") is None:
            raise RuntimeError("pulseaudio is required for the paced tests (scripts/install-deps.sh installs it)")
        env = dict(os.environ, HOME=str(self.root), XDG_RUNTIME_DIR=str(self.root))
        env.pop("PULSE_SERVER", None)
        self.process = subprocess.Popen(
            ["pulseaudio", "--daemonize=no", "-n", "--exit-idle-time=-1", "--disallow-exit",
             "--load=module-null-sink sink_name=null rate=44100 norewinds=1",
             # Clients run with their own HOME (so their own cookie): let any local client in.
             "--load=module-native-protocol-unix auth-anonymous=1",
             f"--log-target=file:{self.log}"],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"pulseaudio exited ({self.process.returncode}): {self.log_text()}")
            if self._answers():
                return self
            time.sleep(0.025)
        self.stop()
        raise RuntimeError(f"pulseaudio did not come up: {self.log_text()}")

    def _answers(self) -> bool:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(1)
                sock.connect(str(self.socket))
                return True
        except OSError:
            return False

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-2000:]
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        deadline = time.monotonic() + 10
        while self._answers() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.process = None


# --- elegyd ------------------------------------------------------------------------------------------------

class Daemon:
    """One real `elegyd` process with private HOME/XDG directories under `root`."""

    def __init__(self, root: Path, music_dir: Path, output: str, pulse: PulseServer | None = None,
                 runtime_mode: int = 0o700):
        self.root = root
        self.music_dir = music_dir
        self.output = output
        self.home = root / "home"
        self.runtime = root / "run"
        self.socket = self.runtime / "elegy" / "socket"
        self.log = root / "elegyd.log"
        for directory in (self.home, self.runtime):
            directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.runtime, runtime_mode)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "HOME": str(self.home),
            "XDG_RUNTIME_DIR": str(self.runtime),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_DATA_HOME": str(self.home / ".local" / "share"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "XDG_STATE_HOME": str(self.home / ".local" / "state"),
            "XDG_MUSIC_DIR": str(music_dir),
        }
        if pulse is not None:
            self.env["PULSE_SERVER"] = pulse.server
        self.process: subprocess.Popen | None = None
        self._log_file = None

    @property
    def client_env(self) -> dict[str, str]:
        """The environment for clients: the daemon's, plus MPD_HOST for mpc."""
        return dict(self.env, MPD_HOST=str(self.socket))

    def start(self, timeout: float = 30) -> "Daemon":
        self._log_file = open(self.log, "ab")
        self.process = subprocess.Popen(
            [str(ELEGYD), "--socket", str(self.socket), "--music-dir", str(self.music_dir),
             "--output", self.output, "--playlists", str(CURATED), "--verbose"],
            env=self.env, stdin=subprocess.DEVNULL, stdout=self._log_file, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"elegyd exited ({self.process.returncode}) at start:\n{self.log_tail()}")
            if socket_answers(self.socket):
                self.wait_for_scan()
                return self
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"elegyd did not answer on {self.socket} within {timeout} s:\n{self.log_tail()}")

    def wait_for_scan(self, timeout: float = 60) -> None:
        """Waits until `status` shows no `updating_db` (the first scan, or an update, is over)."""
        deadline = time.monotonic() + timeout
        with RawClient(self.socket) as client:
            while time.monotonic() < deadline:
                if "updating_db" not in client.fields("status"):
                    return
                time.sleep(0.05)
        raise AssertionError(f"library scan did not finish in {timeout} s:\n{self.log_tail()}")

    def status(self) -> dict[str, str]:
        with RawClient(self.socket) as client:
            return client.fields("status")

    def command(self, line: str) -> list[str]:
        with RawClient(self.socket) as client:
            return client.command(line)

    def wait_for_state(self, state: str, timeout: float = 30) -> dict[str, str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.status()
            if status.get("state") == state:
                return status
            time.sleep(0.05)
        raise AssertionError(f"state never became {state}: {self.status()}\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after 10 s; returns the exit status."""
        if self.process is None:
            return None
        code = self.process.poll()
        if code is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                code = self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                code = self.process.wait(10)
        if self._log_file:
            self._log_file.close()
        self.process = None
        return code


# --- Command-line clients ------------------------------------------------------------------------------------

def mpc(daemon: Daemon, *args: str, check: bool = True, timeout: float = 30) -> subprocess.CompletedProcess:
    result = subprocess.run(["mpc", *args], env=daemon.client_env, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"mpc {' '.join(args)} failed ({result.returncode}): {result.stderr}"
                             f"\n{daemon.log_tail()}")
    return result


def elegy(daemon: Daemon, *args: str, check: bool = True, timeout: float = 60,
          socket_path: str | None = None) -> subprocess.CompletedProcess:
    argv = [str(ELEGY), "--socket", socket_path or str(daemon.socket), *args]
    result = subprocess.run(argv, env=daemon.client_env, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"elegy {' '.join(args)} failed ({result.returncode}): {result.stderr}"
                             f"\n{daemon.log_tail()}")
    return result


MPC_STATE_RE = re.compile(r"^\[(playing|paused)\]\s+#(\d+)/(\d+)\s+(\d+):(\d\d)/(\d+):(\d\d) \((\d+)%\)$")


def mpc_state(output: str) -> tuple[str | None, int, int, int]:
    """From mpc's status lines: (state, 1-based position, queue length, elapsed seconds); state None if stopped."""
    for line in output.splitlines():
        match = MPC_STATE_RE.match(line)
        if match:
            state, pos, length, minutes, seconds = match.group(1, 2, 3, 4, 5)
            return state, int(pos), int(length), int(minutes) * 60 + int(seconds)
    return None, 0, 0, 0
