"""PulseAudio with a null sink at 44.1 kHz: a real-time paced ALSA output (`pulse`) with no sound card
(/work/shared/TESTING.md's recipe). Needs neither D-Bus nor systemd; runs as root."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from .paths import scaled


class PulseAudio:
    """One private server under `root` (its HOME and XDG_RUNTIME_DIR, mode 0700); `client_env` points a client
    at it. Restartable: start() after stop() or kill()."""

    def __init__(self, root):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)
        self.socket = self.root / "pulse" / "native"
        self.log_path = self.root / "pulse.log"
        self.env = {key: value for key, value in os.environ.items() if key != "PULSE_SERVER"}
        self.env.update(HOME=str(self.root), XDG_RUNTIME_DIR=str(self.root))
        self.proc: subprocess.Popen | None = None

    @property
    def server(self) -> str:
        return f"unix:{self.socket}"

    @property
    def client_env(self) -> dict[str, str]:
        return {"PULSE_SERVER": self.server}

    def start(self) -> "PulseAudio":
        for tool in ("pulseaudio", "pactl"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"{tool} is needed for the paced-output tests (scripts/install-deps.sh installs it)")
        self.proc = subprocess.Popen(
            ["pulseaudio", "--daemonize=no", "-n", "--exit-idle-time=-1", "--disallow-exit",
             # norewinds=1: without it the latency is 2 s and a monitor capture loses the start.
             "--load=module-null-sink sink_name=null rate=44100 norewinds=1",
             # Clients run with their own HOME (so their own cookie): let any local client in.
             "--load=module-native-protocol-unix auth-anonymous=1",
             f"--log-target=file:{self.log_path}"],
            env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        deadline = time.monotonic() + scaled(15)
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"pulseaudio exited ({self.proc.returncode}): {self.log_text()}")
            if self.answers():
                return self
            time.sleep(0.025)
        self.stop()
        raise RuntimeError(f"pulseaudio did not come up: {self.log_text()}")

    def _listening(self) -> bool:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(1)
                sock.connect(str(self.socket))
                return True
        except OSError:
            return False

    def answers(self) -> bool:
        """The server takes connections and `pactl info` gets an answer."""
        if not self._listening():
            return False
        return subprocess.run(["pactl", "info"], env=dict(self.env, **self.client_env), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL).returncode == 0

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-2000:]
        except OSError:
            return "(no log)"

    def kill(self) -> None:
        """SIGKILL, as a crash would end it (the socket file stays behind)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> None:
        """SIGTERM (SIGKILL after 10 s), then waits until nothing answers on the socket."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        deadline = time.monotonic() + scaled(10)
        while self._listening():
            if time.monotonic() > deadline:
                raise RuntimeError(f"pulseaudio still answers on {self.socket} after it was stopped")
            time.sleep(0.05)
        self.proc = None
