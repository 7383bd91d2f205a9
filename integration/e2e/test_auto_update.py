"""auto_update (on by default): the library follows the disk while the daemon runs. Files copied, renamed and
deleted show up in the index within 2 s, an album copied is one update, and `idle database` fires once for it."""

from __future__ import annotations

import os
import shutil
import socket
import time
from pathlib import Path

import pytest

from conftest import fresh_copy



@pytest.fixture(scope="module")
def music(session_root, library) -> Path:
    """A copy of the generated library that this module may change."""
    return fresh_copy(library, session_root, "auto-update-music")


@pytest.fixture(scope="module")
def daemon(start_daemon, music):
    return start_daemon(music, "null", name="auto-update")


class Idler:
    """A raw connection waiting in `idle database`: what the daemon sends it, line by line."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(str(path))
        self.buffer = b""
        self.line(5)  # greeting
        self.sock.sendall(b"idle database\n")

    def line(self, timeout: float) -> str | None:
        self.sock.settimeout(timeout)
        while b"\n" not in self.buffer:
            try:
                chunk = self.sock.recv(4096)
            except socket.timeout:
                return None
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()

    def close(self):
        self.sock.close()


def files_under(daemon, directory: str) -> list[str]:
    lines = daemon.command(f'find "(base \'{directory}\')"')
    assert lines[-1] == "OK", lines
    return [line[len("file: "):] for line in lines if line.startswith("file: ")]


def wait_for(predicate, limit: float) -> float:
    """Seconds until `predicate()` held; fails after `limit`."""
    began = time.monotonic()
    while time.monotonic() - began < limit:
        if predicate():
            return time.monotonic() - began
        time.sleep(0.05)
    raise AssertionError(f"not within {limit} s")


def test_an_album_copied_in_is_one_update_within_two_seconds(daemon, music):
    album = next(path for path in sorted(music.rglob("*.flac"))).parent
    sources = sorted(album.glob("*.flac"))
    assert sources
    idler = Idler(daemon.socket)
    try:
        target = music / "Copied Artist" / "Copied Album"
        target.mkdir(parents=True)
        names = []
        for index in range(20):
            name = f"{index + 1:02d} - copy.flac"
            shutil.copy(sources[index % len(sources)], target / name)
            names.append(f"Copied Artist/Copied Album/{name}")
        copied = time.monotonic()
        seconds = wait_for(lambda: files_under(daemon, "Copied Artist") == names, 2.0)
        assert seconds <= 2.0
        assert idler.line(3) == "changed: database"
        assert idler.line(3) == "OK"
        # Once: no second database change for the same copy.
        idler.sock.sendall(b"idle database\n")
        assert idler.line(1.5) is None, "a second database change for one copied album"
        idler.sock.sendall(b"noidle\n")
        assert idler.line(3) == "OK"
        assert time.monotonic() - copied < 10
    finally:
        idler.close()


def test_a_renamed_and_a_deleted_file_follow_the_disk(daemon, music):
    directory = music / "Copied Artist" / "Copied Album"
    os.rename(directory / "01 - copy.flac", directory / "01 - renamed.flac")
    wait_for(lambda: "Copied Artist/Copied Album/01 - renamed.flac" in files_under(daemon, "Copied Artist")
             and "Copied Artist/Copied Album/01 - copy.flac" not in files_under(daemon, "Copied Artist"), 2.0)
    (directory / "02 - copy.flac").unlink()
    wait_for(lambda: "Copied Artist/Copied Album/02 - copy.flac" not in files_under(daemon, "Copied Artist"), 2.0)
    shutil.move(str(music / "Copied Artist"), str(music / "Moved Artist"))
    wait_for(lambda: files_under(daemon, "Copied Artist") == [] and len(files_under(daemon, "Moved Artist")) == 19,
             2.0)


def test_a_corrupt_file_copied_in_is_skipped_with_an_error(daemon, music):
    (music / "Moved Artist" / "broken.m4a").write_bytes(b"\0\0\0\x18ftypM4A " + os.urandom(4000))
    (music / "Moved Artist" / "late.flac").write_bytes((music / "Moved Artist" / "Copied Album" / "03 - copy.flac")
                                                       .read_bytes())
    wait_for(lambda: "Moved Artist/late.flac" in files_under(daemon, "Moved Artist"), 2.0)
    assert "Moved Artist/broken.m4a" not in files_under(daemon, "Moved Artist")
    assert daemon.alive()
    assert b"broken.m4a" in daemon.log_path.read_bytes()
