"""The elegyd launcher: one real daemon process with private HOME and XDG directories, socket, music directory,
output and log, started, watched, measured and stopped."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from .client import RawClient
from .paths import CURATED, elegyd_binary, scaled

# Variables of the caller's environment that would steer elegyd, or the clients run with its environment.
STEERING = ("MPD_HOST", "MPD_PORT", "ELEGY_SOCKET", "NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "PULSE_SERVER")
# $ELEGY_IGNORE_PIPES=1 leaves pipes out of fd counts: ThreadSanitizer talks to its llvm-symbolizer over two.
IGNORE_PIPES = os.environ.get("ELEGY_IGNORE_PIPES") == "1"


class StartError(AssertionError):
    """elegyd exited while starting, or did not serve its socket in time."""


def wait_until(predicate, limit: float, what: str, poll: float = 0.05) -> None:
    """Polls `predicate` until it is true; AssertionError after `limit` (scaled) seconds."""
    deadline = time.monotonic() + scaled(limit)
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(poll)
    raise AssertionError(f"timed out waiting for {what}")


class Elegyd:
    """One elegyd under `root`: root/{home,config,data,cache,state,run} are its HOME and XDG directories.

    music_dir   --music-dir (default root/music, created)
    output      --output (an ALSA PCM name: "null", "pulse", "file:FILE=...,FORMAT=raw", ...)
    socket      --socket; default root/run/elegy/socket; None passes no --socket (elegyd then binds its default,
                which is that same path: $XDG_RUNTIME_DIR/elegy/socket)
    playlists   --playlists (default the repository's Playlists/; None passes none)
    config      --config FILE;  verbose: --verbose;  extra_args: appended as they are
    env         variables added to the daemon's environment; pulse: a PulseAudio whose server it uses
    inherit_env True: the caller's environment minus STEERING (sanitizer options pass through); False: only
                PATH and LANG=C.UTF-8 besides HOME/XDG
    """

    def __init__(self, root, music_dir=None, output: str = "null", *, binary=None, socket="default",
                 playlists=CURATED, config=None, verbose: bool = False, extra_args=(), env=None, pulse=None,
                 inherit_env: bool = True, runtime_mode: int = 0o700, log_path=None, decode_errors: str = "strict"):
        self.binary = Path(binary) if binary else elegyd_binary()
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.music = Path(music_dir) if music_dir else self.root / "music"
        self.music.mkdir(parents=True, exist_ok=True)
        self.output = output
        self.playlists = playlists
        self.config = config
        self.verbose = verbose
        self.extra_args = list(extra_args)
        self.decode_errors = decode_errors
        self.home = self.root / "home"
        self.config_home = self.root / "config"
        self.data_home = self.root / "data"
        self.cache_home = self.root / "cache"
        self.state_home = self.root / "state"
        self.runtime = self.root / "run"
        for directory in (self.home, self.config_home, self.data_home, self.cache_home, self.state_home,
                          self.runtime):
            directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.runtime, runtime_mode)
        self.pass_socket = socket is not None
        self.socket = self.runtime / "elegy" / "socket" if socket in ("default", None) else Path(socket)
        self.state_file = self.state_home / "elegy" / "state.json"
        self.playlist_dir = self.data_home / "elegy" / "playlists"
        self.log_path = Path(log_path) if log_path else self.root / "elegyd.log"
        if inherit_env:
            self.env = {key: value for key, value in os.environ.items() if key not in STEERING}
        else:
            self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
        self.env.update({
            "HOME": str(self.home),
            "XDG_RUNTIME_DIR": str(self.runtime),
            "XDG_CONFIG_HOME": str(self.config_home),
            "XDG_DATA_HOME": str(self.data_home),
            "XDG_CACHE_HOME": str(self.cache_home),
            "XDG_STATE_HOME": str(self.state_home),
            "XDG_MUSIC_DIR": str(self.music),
        })
        if pulse is not None:
            self.env.update(pulse.client_env)
        if env:
            self.env.update(env)
        self.proc: subprocess.Popen | None = None
        self.spawned_at = 0.0
        self.starts = 0
        self._log = None

    @property
    def client_env(self) -> dict[str, str]:
        """The environment for clients: the daemon's, plus MPD_HOST for mpc."""
        return dict(self.env, MPD_HOST=str(self.socket))

    def argv(self) -> list[str]:
        argv = [str(self.binary)]
        if self.config is not None:
            argv += ["--config", str(self.config)]
        if self.pass_socket:
            argv += ["--socket", str(self.socket)]
        argv += ["--music-dir", str(self.music), "--output", self.output]
        if self.playlists is not None:
            argv += ["--playlists", str(self.playlists)]
        if self.verbose:
            argv.append("--verbose")
        return argv + self.extra_args

    # Process -------------------------------------------------------------------------------------------------

    def start(self, wait: bool = True, limit: float = 20.0) -> "Elegyd":
        """Spawns elegyd (stdout and stderr appended to the log); with `wait`, until its socket greets."""
        self.starts += 1
        self._close_log()  # a process that was started before and ended without stop() or kill()
        self._log = open(self.log_path, "ab")
        self.spawned_at = time.perf_counter()
        self.proc = subprocess.Popen(self.argv(), env=self.env, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT, cwd=str(self.root), start_new_session=True)
        if wait:
            self.wait_ready(limit)
        return self

    def wait_ready(self, limit: float = 20.0, poll: float = 0.02, ping: bool = False) -> float:
        """Waits until the socket greets (and, with `ping`, answers `ping`); returns seconds since the spawn."""
        deadline = time.monotonic() + scaled(limit)
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise StartError(f"elegyd exited with {self.proc.returncode} while starting:\n{self.log_tail()}")
            try:
                with RawClient(self.socket, timeout=scaled(5), errors="replace") as client:
                    if ping:
                        client.ok("ping")
                    return time.perf_counter() - self.spawned_at
            except (OSError, EOFError) as error:
                last = error
                time.sleep(poll)
        raise StartError(f"elegyd did not serve {self.socket} within {limit} s ({last}):\n{self.log_tail()}")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def assert_alive(self) -> None:
        assert self.alive(), f"elegyd died (exit {self.proc.returncode}):\n{self.crash_report()}"

    def stop(self, sig=signal.SIGTERM, limit: float = 10.0, strict: bool = True):
        """Sends `sig` and waits up to `limit` (scaled) seconds; returns (exit status, seconds until exit).
        Past the limit it is killed: strict raises AssertionError then, otherwise the status is returned."""
        if self.proc is None:
            return None, 0.0
        began = time.monotonic()
        try:
            if self.proc.poll() is None:
                self.proc.send_signal(sig)
            try:
                rc = self.proc.wait(scaled(limit))
            except subprocess.TimeoutExpired:
                self.proc.kill()
                rc = self.proc.wait()
                if strict:
                    raise AssertionError(f"elegyd did not exit within {limit} s of signal {sig}:\n{self.log_tail()}")
        finally:
            self._close_log()
        return rc, time.monotonic() - began

    def kill(self) -> None:
        """SIGKILL if still running; waits for it."""
        if self.alive():
            self.proc.kill()
            self.proc.wait()
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None and not self._log.closed:
            self._log.close()

    def forget_index(self) -> None:
        """Removes the cached index and the saved state: the next start scans from nothing."""
        shutil.rmtree(self.cache_home, ignore_errors=True)
        shutil.rmtree(self.state_home, ignore_errors=True)

    # Log -----------------------------------------------------------------------------------------------------

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def crash_report(self) -> str:
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

    # Measurements (/proc) ------------------------------------------------------------------------------------

    def rss_kb(self) -> int:
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def fd_count(self) -> int:
        fds = os.listdir(f"/proc/{self.pid}/fd")
        if IGNORE_PIPES:
            fds = [fd for fd in fds if not self._is_pipe(fd)]
        return len(fds)

    def _is_pipe(self, fd) -> bool:
        try:
            return os.readlink(f"/proc/{self.pid}/fd/{fd}").startswith("pipe:")
        except OSError:
            return False

    def fd_listing(self) -> str:
        """What each open descriptor is (for failure messages)."""
        listing = []
        for fd in sorted(os.listdir(f"/proc/{self.pid}/fd"), key=int):
            try:
                listing.append(f"{fd} -> {os.readlink(f'/proc/{self.pid}/fd/{fd}')}")
            except OSError:
                pass
        return "\n".join(listing)

    def settled_fd_count(self, target: int, limit: float = 5.0) -> int:
        """The fd count, waited for until it is at most `target` (closing sockets takes an event-loop turn)."""
        deadline = time.monotonic() + scaled(limit)
        count = self.fd_count()
        while count > target and time.monotonic() < deadline:
            time.sleep(0.05)
            count = self.fd_count()
        return count

    # Protocol ------------------------------------------------------------------------------------------------

    def connect(self, timeout_s: float = 10.0) -> RawClient:
        """A RawClient on the daemon's socket (timeout scaled)."""
        return RawClient(self.socket, timeout=scaled(timeout_s), errors=self.decode_errors)

    def command(self, line: str) -> list[str]:
        with self.connect() as client:
            return client.command(line)

    def status(self) -> dict[str, str]:
        with self.connect() as client:
            return client.fields("status")

    def wait_status(self, predicate, limit: float = 10.0, what: str = "condition") -> dict[str, str]:
        """Polls `status` until `predicate(status)`; fails if the daemon dies or `limit` (scaled) passes."""
        deadline = time.monotonic() + scaled(limit)
        status = {}
        while time.monotonic() < deadline:
            self.assert_alive()
            status = self.status()
            if predicate(status):
                return status
            time.sleep(0.05)
        raise AssertionError(f"status never showed {what}: last {status}\n{self.log_tail()}")

    def wait_scanned(self, limit: float = 30.0) -> dict[str, str]:
        """Waits until `status` shows no `updating_db` (the first scan, or an update, is over)."""
        return self.wait_status(lambda s: "updating_db" not in s, limit, "a finished scan")

    def wait_for_state(self, state: str, limit: float = 30.0) -> dict[str, str]:
        return self.wait_status(lambda s: s.get("state") == state, limit, f"state {state}")
