"""`update` while auto_update's watches follow the whole music directory: once a walk of everything has finished
with every directory watched, an `update` looks only at the directories events named since, so one with nothing
changed ends at once; it still finds every change (mpc's `update --wait`, then the index). A directory reached
through a symbolic link sends no events for changes at its target, so there `update` walks everything again."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from conftest import fresh_copy
from harness import media, mpc

FOLLOWING = "auto_update: watching the music directory"
NO_CHANGE = "library update: the watches saw no change"


def wait_for_log(daemon, text: str, limit: float = 10.0) -> str:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        log = daemon.log_text()
        if text in log:
            return log
        time.sleep(0.05)
    raise AssertionError(f"{text!r} not in the log within {limit} s:\n{daemon.log_tail()}")


def listed(daemon) -> list[str]:
    return mpc(daemon, "listall").stdout.splitlines()


def title_of(daemon, uri: str) -> str:
    return mpc(daemon, "-f", "%title%", "listall", uri).stdout.strip()


@pytest.fixture(scope="module")
def music(session_root, library) -> Path:
    return fresh_copy(library, session_root, "watched-update-music")


@pytest.fixture(scope="module")
def daemon(start_daemon, music):
    daemon = start_daemon(music, "null", name="watched")
    assert "follows_everything=true" in wait_for_log(daemon, FOLLOWING).split(FOLLOWING, 1)[1].splitlines()[0]
    # The first update walks everything (the startup scan ran before the watches were up).
    mpc(daemon, "update", "--wait")
    assert NO_CHANGE not in daemon.log_text()
    return daemon


def test_an_update_with_nothing_changed_ends_at_once(daemon):
    before = listed(daemon)
    began = time.monotonic()
    mpc(daemon, "update", "--wait")
    assert time.monotonic() - began < 2
    wait_for_log(daemon, NO_CHANGE)
    assert listed(daemon) == before


def test_an_update_right_after_a_change_finds_it(daemon, music):
    """No waiting for the watcher's quiet time: the update takes the directories the events named."""
    album = music / "Watched Artist" / "Watched Album"
    album.mkdir(parents=True)
    media.write_song(album / "01 - first.flac", 1, "sine", "440", title="First Take", artist="Watched Artist")
    mpc(daemon, "update", "--wait")
    assert "Watched Artist/Watched Album/01 - first.flac" in listed(daemon)
    assert title_of(daemon, "Watched Artist/Watched Album/01 - first.flac") == "First Take"

    # Rewritten in place (new tags, the same name): the directory's entries did not change, the file did.
    media.write_song(album / "replacement.flac", 1, "sine", "440", title="Second Take", artist="Watched Artist")
    (album / "01 - first.flac").write_bytes((album / "replacement.flac").read_bytes())
    (album / "replacement.flac").unlink()
    mpc(daemon, "update", "--wait")
    assert title_of(daemon, "Watched Artist/Watched Album/01 - first.flac") == "Second Take"
    assert "Watched Artist/Watched Album/replacement.flac" not in listed(daemon)

    shutil.rmtree(music / "Watched Artist")
    mpc(daemon, "update", "--wait")
    assert not any(uri.startswith("Watched Artist") for uri in listed(daemon))


def test_every_update_right_after_a_change_finds_it(daemon, music, tmp_path):
    """A change is in the kernel's event queue before `update` is sent, but the watcher's thread may not have read
    it yet: the update reads the queue itself. Without that, about one update in forty here found nothing to do
    (8 of 300 in a loop like this one)."""
    source = media.write_song(tmp_path / "one.flac", 0.2, "sine", "440", title="Loop", artist="Loop Artist")
    album = music / "Loop Artist" / "Loop Album"
    misses = []
    for round_number in range(100):
        album.mkdir(parents=True)
        shutil.copy(source, album / "01.flac")
        mpc(daemon, "update", "--wait")
        if "Loop Artist/Loop Album/01.flac" not in listed(daemon):
            misses.append(f"round {round_number}: added, not found")
        shutil.rmtree(music / "Loop Artist")
        mpc(daemon, "update", "--wait")
        if "Loop Artist/Loop Album/01.flac" in listed(daemon):
            misses.append(f"round {round_number}: removed, still listed")
    assert not misses, misses


@pytest.fixture(scope="module")
def linked(start_daemon, session_root, library):
    """A music directory whose "Linked" is a symbolic link to a directory outside it."""
    root = fresh_copy(library, session_root, "linked-music")
    outside = session_root / "linked-outside"
    shutil.rmtree(outside, ignore_errors=True)
    outside.mkdir()
    (root / "Linked").symlink_to(outside, target_is_directory=True)
    return start_daemon(root, "null", name="linked"), outside


def test_behind_a_symbolic_link_update_walks_everything(linked):
    daemon, outside = linked
    assert "follows_everything=false" in wait_for_log(daemon, FOLLOWING).split(FOLLOWING, 1)[1].splitlines()[0]
    assert "symbolic link" in daemon.log_text()
    mpc(daemon, "update", "--wait")
    # A file written at the link's target: no event reaches the watches under the music directory.
    media.write_song(outside / "behind.flac", 1, "sine", "330", title="Behind The Link")
    mpc(daemon, "update", "--wait")
    assert "Linked/behind.flac" in listed(daemon)
    assert NO_CHANGE not in daemon.log_text()
