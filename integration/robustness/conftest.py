"""Harness for the robustness suite: starts the real elegyd in a private environment and talks to it.

Options: `--long` (bigger numbers, for BENCHMARKS.md), `--seed N` (fuzzer seed; default: the time), `--elegyd PATH`
(or $ELEGYD; default .build/debug/elegyd). $ELEGY_TIMEOUT_SCALE multiplies every timeout (sanitizer builds are
slow). A missing binary fails the run: this suite is never skipped.
"""

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCALE = float(os.environ.get("ELEGY_TIMEOUT_SCALE", "1"))
# Sanitizer builds keep freed memory in quarantine: integration/robustness/sanitizers.sh loosens the RSS bound.
RSS_FACTOR = float(os.environ.get("ELEGY_RSS_FACTOR", "2"))
# ThreadSanitizer talks to its llvm-symbolizer child over two pipes once it has a report to symbolise (even a
# suppressed one): sanitizers.sh leaves pipes out of the fd counts.
IGNORE_PIPES = os.environ.get("ELEGY_IGNORE_PIPES") == "1"


def pytest_addoption(parser):
    parser.addoption("--long", action="store_true", help="benchmark sizes (more fuzz inputs, 30 s floods)")
    parser.addoption("--seed", type=int, default=None, help="fuzzer seed (default: derived from the time)")
    parser.addoption("--elegyd", default=None, help="the elegyd binary (default: $ELEGYD or .build/debug/elegyd)")


@pytest.fixture(scope="session")
def long_mode(request):
    return request.config.getoption("--long")


@pytest.fixture(scope="session")
def seed(request):
    value = request.config.getoption("--seed")
    if value is None:
        value = int(os.environ.get("ELEGY_FUZZ_SEED", int(time.time()) % 1_000_000))
    print(f"\nrobustness seed: {value} (rerun with --seed {value})")
    return value


@pytest.fixture(scope="session")
def elegyd_binary(request):
    path = request.config.getoption("--elegyd") or os.environ.get("ELEGYD") or str(REPO / ".build/debug/elegyd")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"elegyd binary not found at {path}: run `swift build` first (or pass --elegyd / $ELEGYD)",
                    pytrace=False)
    return os.path.abspath(path)


def timeout(seconds):
    return seconds * SCALE


class Conn:
    """A raw protocol connection: send lines, read answers up to OK / ACK."""

    def __init__(self, path, greeting=True, timeout_s=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout(timeout_s))
        self.sock.connect(path)
        self.buf = b""
        self.greeting = self.readline() if greeting else None

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def readline(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"connection closed (pending {self.buf[:200]!r})")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode("utf-8", "replace")

    def read_response(self):
        """Lines up to and including the final OK or ACK line."""
        lines = []
        while True:
            line = self.readline()
            lines.append(line)
            if line == "OK" or line.startswith("ACK "):
                return lines

    def cmd(self, line):
        self.send(line + "\n")
        return self.read_response()

    def ok(self, line):
        lines = self.cmd(line)
        assert lines[-1] == "OK", f"{line!r} -> {lines}"
        return lines[:-1]

    def pairs(self, line):
        out = {}
        for item in self.ok(line):
            key, _, value = item.partition(": ")
            out[key] = value
        return out

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Elegyd:
    """One elegyd process with its own HOME, XDG directories, socket, music directory and log."""

    def __init__(self, binary, root, music_dir=None, output="null", extra_args=(), env=None):
        self.binary = binary
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.music = Path(music_dir) if music_dir else self.root / "music"
        self.music.mkdir(parents=True, exist_ok=True)
        self.output = output
        self.extra_args = list(extra_args)
        self.run_dir = self.root / "run"
        self.run_dir.mkdir(exist_ok=True)
        os.chmod(self.run_dir, 0o700)
        self.socket = str(self.root / "run" / "elegy.sock")
        self.env = dict(os.environ)
        for key in ("MPD_HOST", "MPD_PORT", "ELEGY_SOCKET", "NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID"):
            self.env.pop(key, None)
        self.env.update({
            "HOME": str(self.root / "home"),
            "XDG_RUNTIME_DIR": str(self.run_dir),
            "XDG_CONFIG_HOME": str(self.root / "config"),
            "XDG_STATE_HOME": str(self.root / "state"),
            "XDG_CACHE_HOME": str(self.root / "cache"),
            "XDG_DATA_HOME": str(self.root / "data"),
            "XDG_MUSIC_DIR": str(self.music),
        })
        if env:
            self.env.update(env)
        for key in ("HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
            Path(self.env[key]).mkdir(parents=True, exist_ok=True)
        self.state_file = Path(self.env["XDG_STATE_HOME"]) / "elegy" / "state.json"
        self.log_path = self.root / "elegyd.log"
        self.proc = None
        self.starts = 0

    # Process -----------------------------------------------------------------------------------------------

    def start(self, wait=True):
        self.starts += 1
        self.log = open(self.log_path, "ab")
        args = [self.binary, "--socket", self.socket, "--music-dir", str(self.music), "--output", self.output,
                "--playlists", str(REPO / "Playlists")] + self.extra_args
        self.proc = subprocess.Popen(args, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=str(self.root))
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, limit=20.0):
        deadline = time.monotonic() + timeout(limit)
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"elegyd exited with {self.proc.returncode} while starting:\n{self.log_tail()}")
            try:
                conn = Conn(self.socket, timeout_s=5)
                assert conn.greeting.startswith("OK MPD "), conn.greeting
                conn.close()
                return
            except (OSError, ConnectionError) as error:
                last = error
                time.sleep(0.02)
        raise AssertionError(f"elegyd did not serve {self.socket} within {limit} s ({last}):\n{self.log_tail()}")

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def assert_alive(self):
        assert self.alive(), f"elegyd died (exit {self.proc.returncode}):\n{self.crash_report()}"

    def crash_report(self):
        """The fatal error and the crashed thread's frames from the log (Swift's backtracer), else its tail."""
        lines = self.log_text().splitlines()
        fatal = [i for i, line in enumerate(lines) if "Fatal error" in line or "crashed:" in line
                 or "ERROR: ThreadSanitizer" in line or "ERROR: AddressSanitizer" in line]
        if not fatal:
            return self.log_tail()
        picked = []
        for index in fatal[:3]:
            picked += lines[index:index + 14] + ["..."]
        return "\n".join(line[:300] for line in picked)

    def stop(self, sig=signal.SIGTERM, limit=10.0):
        """Sends `sig` and waits; returns (exit status, seconds until exit)."""
        began = time.monotonic()
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout(limit))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"elegyd did not exit within {limit} s of signal {sig}:\n{self.log_tail()}")
        finally:
            self.log.close()
        return rc, time.monotonic() - began

    def kill(self):
        if self.alive():
            self.proc.kill()
            self.proc.wait()
        if self.proc is not None and not self.log.closed:
            self.log.close()

    def log_text(self):
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines=40):
        return "\n".join(self.log_text().splitlines()[-lines:])

    # Measurements --------------------------------------------------------------------------------------------

    def rss_kb(self):
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def fd_count(self):
        fds = os.listdir(f"/proc/{self.pid}/fd")
        if IGNORE_PIPES:
            fds = [fd for fd in fds if not self._is_pipe(fd)]
        return len(fds)

    def _is_pipe(self, fd):
        try:
            return os.readlink(f"/proc/{self.pid}/fd/{fd}").startswith("pipe:")
        except OSError:
            return False

    def fd_listing(self):
        """What each open descriptor is (for failure messages)."""
        listing = []
        for fd in sorted(os.listdir(f"/proc/{self.pid}/fd"), key=int):
            try:
                listing.append(f"{fd} -> {os.readlink(f'/proc/{self.pid}/fd/{fd}')}")
            except OSError:
                pass
        return "\n".join(listing)

    def settled_fd_count(self, target, limit=5.0):
        """The fd count, waited for until it is at most `target` (closing sockets takes an event-loop turn)."""
        deadline = time.monotonic() + timeout(limit)
        count = self.fd_count()
        while count > target and time.monotonic() < deadline:
            time.sleep(0.05)
            count = self.fd_count()
        return count

    # Protocol ------------------------------------------------------------------------------------------------

    def connect(self, timeout_s=10.0):
        return Conn(self.socket, timeout_s=timeout_s)

    def command(self, line):
        conn = self.connect()
        try:
            return conn.cmd(line)
        finally:
            conn.close()

    def status(self):
        conn = self.connect()
        try:
            return conn.pairs("status")
        finally:
            conn.close()

    def wait_status(self, predicate, limit=10.0, what="condition"):
        deadline = time.monotonic() + timeout(limit)
        status = {}
        while time.monotonic() < deadline:
            self.assert_alive()
            status = self.status()
            if predicate(status):
                return status
            time.sleep(0.05)
        raise AssertionError(f"status never showed {what}: last {status}\n{self.log_tail()}")

    def wait_scanned(self, limit=30.0):
        return self.wait_status(lambda s: "updating_db" not in s, limit, "a finished scan")


@pytest.fixture
def daemon_factory(elegyd_binary, tmp_path):
    """Builds daemons in this test's temp dir; every one is killed at the end if still running."""
    made = []

    def make(name="d", **kwargs):
        daemon = Elegyd(elegyd_binary, tmp_path / name, **kwargs)
        made.append(daemon)
        return daemon

    yield make
    for daemon in made:
        daemon.kill()


def wait_until(predicate, limit, what):
    deadline = time.monotonic() + timeout(limit)
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def have(tool):
    return shutil.which(tool) is not None


class Pulse:
    """A PulseAudio server with a null sink (paced in real time), private to the tests: TESTING.md's recipe."""

    def __init__(self, root):
        self.root = Path(root)
        self.runtime = self.root / "runtime"
        self.runtime.mkdir(parents=True, exist_ok=True)
        os.chmod(self.runtime, 0o700)
        self.socket = self.runtime / "native"
        self.env = dict(os.environ, HOME=str(self.root), XDG_RUNTIME_DIR=str(self.runtime))
        self.client_env = {"PULSE_SERVER": f"unix:{self.socket}"}
        self.proc = None

    def start(self):
        if not (have("pulseaudio") and have("pactl")):
            pytest.fail("pulseaudio and pactl are needed for the paced-output tests (scripts/install-deps.sh)",
                        pytrace=False)
        self.log = open(self.root / "pulse.log", "ab")
        self.proc = subprocess.Popen(
            ["pulseaudio", "--daemonize=no", "-n", "--exit-idle-time=-1", "--disallow-exit",
             "--load=module-null-sink sink_name=null rate=44100 norewinds=1",
             f"--load=module-native-protocol-unix auth-anonymous=1 socket={self.socket}",
             "--log-target=stderr"],
            env=self.env, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        wait_until(self.answers, 10, "pulseaudio to answer")
        return self

    def answers(self):
        return subprocess.run(["pactl", "info"], env=dict(self.env, **self.client_env), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()
        wait_until(lambda: not self.answers(), 5, "pulseaudio to stop")


@pytest.fixture
def pulse(tmp_path):
    server = Pulse(tmp_path / "pulse").start()
    yield server
    server.stop()
