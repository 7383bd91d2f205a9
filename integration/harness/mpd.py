"""Debian's MPD as a reference: one `mpd --no-daemon` on a music directory, with every tag enabled, so that tests
can ask it and elegyd the same question about the same files."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from .client import RawClient
from .daemon import wait_until


class ReferenceMPD:
    """An MPD under `root` (its config, database, playlists and socket there) serving `music_dir`."""

    def __init__(self, root, music_dir):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "playlists").mkdir(exist_ok=True)
        self.music = Path(music_dir)
        self.socket = self.root / "socket"
        self.log_path = self.root / "mpd.log"
        self.conf = self.root / "mpd.conf"
        # MPD leaves Comment out unless told (`metadata_to_use`); every tag is wanted here.
        self.conf.write_text(
            f'music_directory "{self.music}"\n'
            f'db_file "{self.root}/db"\n'
            f'playlist_directory "{self.root}/playlists"\n'
            f'bind_to_address "{self.socket}"\n'
            'auto_update "no"\n'
            'zeroconf_enabled "no"\n'
            'metadata_to_use "+comment"\n'
            'audio_output {\n  type "null"\n  name "n"\n}\n')
        self.proc = None

    def start(self) -> "ReferenceMPD":
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(["mpd", "--no-daemon", "--stderr", str(self.conf)], env={"HOME": str(self.root),
                                     "PATH": "/usr/bin:/bin"}, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(self._answers, 20, f"mpd on {self.socket}")
        return self

    def _answers(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"mpd exited with {self.proc.returncode}:\n{self.log_path.read_text()[-2000:]}")
        try:
            with RawClient(self.socket, timeout=2):
                return True
        except (OSError, EOFError):
            return False

    def command(self, line: str) -> list[str]:
        with RawClient(self.socket, timeout=30) as client:
            return client.ok(line)

    def assert_same_answer(self, daemon, query: str) -> None:
        """elegyd answers `query` with MPD's lines, in MPD's order, and OK."""
        expected = self.command(query)
        got = daemon.command(query)
        assert got[-1] == "OK", got
        assert got[:-1] == expected, f"elegyd: {got[:-1]}\nmpd:    {expected}"

    def update(self) -> None:
        """`update` and wait until MPD's database holds the whole directory."""
        self.command("update")
        time.sleep(0.1)
        wait_until(lambda: not any(line.startswith("updating_db:") for line in self.command("status")), 60,
                   "mpd's update")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self._log.close()
