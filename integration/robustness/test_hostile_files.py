"""Hostile files in the library scan and in the queue: each is skipped with an error naming it, the scan finishes,
playback goes on to the good files, the daemon keeps serving."""

import os
import time

from harness import media
from conftest import timeout, wait_until

HOSTILE = media.HOSTILE_WRITERS  # truncated FLAC, empty WAV, noise .mp3, 0-channel and 1 MHz WAV, Vorbis-in-WAV


def listed_files(daemon):
    return sorted(line[6:] for line in daemon.command('listall ""') if line.startswith("file: "))


def test_hostile_files_in_scan(daemon_factory, seed):
    daemon = daemon_factory("scan")
    rng = media.make_rng(seed)
    music = daemon.music
    media.write_wav(music / "good" / "01 - One.wav", 0.2)
    media.write_flac(music / "good" / "02 - Two.flac", 0.2, title="Two", artist="Someone")
    for name, writer in HOSTILE.items():
        writer(music / "bad" / name, rng)
    (music / "bad" / "folder.flac").mkdir()  # a directory named like a song: walked into, not opened
    media.write_wav(music / "bad" / "folder.flac" / "inside.wav", 0.2)
    media.fifo(music / "bad" / "pipe.flac")
    media.symlink_loop(music / "bad" / "loop")
    unreadable = media.write_wav(music / "bad" / "unreadable.wav", 0.2)
    os.chmod(unreadable, 0)

    began = time.monotonic()
    daemon.start()
    daemon.wait_scanned(limit=30)
    scan_seconds = time.monotonic() - began

    expected = ["bad/folder.flac/inside.wav", "good/01 - One.wav", "good/02 - Two.flac"]
    if os.geteuid() == 0:
        expected.append("bad/unreadable.wav")  # root reads a mode-000 file: not an error here
    assert listed_files(daemon) == sorted(expected)

    log = daemon.log_text()
    named = [f"bad/{name}" for name in HOSTILE] + ["bad/pipe.flac", "bad/loop/a.flac", "bad/loop/b.flac"]
    if os.geteuid() != 0:
        named.append("bad/unreadable.wav")
    missing = [uri for uri in named if uri not in log]
    assert not missing, f"the scan did not name {missing} in the log:\n{daemon.log_tail()}"
    assert "Malformed 'fmt ' chunk" in log  # the Vorbis-in-WAV file, as libsndfile words it
    assert daemon.command("ping") == ["OK"]
    assert scan_seconds < timeout(30)

    # A rescan of the same hostile tree finishes too, and changes nothing.
    conn = daemon.connect()
    conn.ok("update")
    conn.close()
    daemon.wait_scanned(limit=30)
    assert listed_files(daemon) == sorted(expected)
    daemon.assert_alive()


# Queue slots: each is a good WAV when scanned, and turns hostile once it is in the queue.
QUEUE_CASES = list(HOSTILE) + ["gone.wav", "folder.flac", "pipe.flac", "selfloop.flac"]


def make_hostile(path, name, rng):
    if name in HOSTILE:
        HOSTILE[name](path, rng)
        return
    path.unlink()
    if name == "folder.flac":
        path.mkdir()
    elif name == "pipe.flac":
        os.mkfifo(path)
    elif name == "selfloop.flac":
        os.symlink(path.name, path)


def test_hostile_files_in_queue(daemon_factory, pulse, seed):
    """Files that turn hostile after the scan (the queue holds them): playing one fails with an `error:` naming it
    and the next good file plays."""
    daemon = daemon_factory("queue", output="pulse", env=pulse.client_env)
    rng = media.make_rng(seed)
    uris = []
    # Two good files after each hostile one: the engine opens the next file ahead of time, and a hostile file
    # right behind the playing one would already put its own name in `error:`.
    for index, name in enumerate(QUEUE_CASES):
        for part in "ab":
            good = f"good/{index:02d}{part} - Good.wav"
            media.write_wav(daemon.music / good, 1.5, freq=330 + 20 * index)
            uris.append(good)
        media.write_wav(daemon.music / "slots" / name, 1.5)  # libsndfile reads the header, not the extension
        uris.append(f"slots/{name}")
    uris.append("good/zz - Last.wav")
    media.write_wav(daemon.music / uris[-1], 1.5)
    daemon.start()
    daemon.wait_scanned()
    conn = daemon.connect()
    for uri in uris:
        conn.ok(f'add "{uri}"')
    for name in QUEUE_CASES:
        make_hostile(daemon.music / "slots" / name, name, rng)

    for name in QUEUE_CASES:
        position = uris.index(f"slots/{name}")
        conn.ok(f"play {position}")
        status = daemon.wait_status(
            lambda s: name in s.get("error", "") and s.get("song") == str(position + 1) and s.get("state") == "play",
            limit=10, what=f"an error naming {name} and the next good song playing")
        print(f"{name}: {status['error']}")
    conn.ok("stop")
    conn.close()
    daemon.assert_alive()


def test_files_deleted_or_replaced_while_playing(daemon_factory, pulse):
    """The playing file is deleted; then the playing file is overwritten in place with garbage, and the next one
    is replaced (a new file renamed over it): playback goes on to the good files and the daemon keeps serving."""
    daemon = daemon_factory("replace", output="pulse", env=pulse.client_env)
    music = daemon.music
    names = ["01 - Deleted.wav", "02 - Overwritten.wav", "03 - Renamed over.wav", "04 - Last.wav"]
    for index, name in enumerate(names):
        media.write_wav(music / name, 2.0, freq=300 + 100 * index)
    daemon.start()
    daemon.wait_scanned()
    conn = daemon.connect()
    for name in names:
        conn.ok(f'add "{name}"')
    conn.ok("play 0")
    daemon.wait_status(lambda s: s.get("state") == "play" and float(s.get("elapsed", 0)) > 0.3, what="playing")

    (music / names[0]).unlink()  # deleted while playing: the open descriptor still reads it
    daemon.wait_status(lambda s: s.get("song") == "1", limit=10, what="the song after the deleted one")

    daemon.wait_status(lambda s: float(s.get("elapsed", 0)) > 0.3, what="the second song playing")
    with open(music / names[1], "r+b") as playing:  # overwritten in place while it plays
        playing.seek(44)
        playing.write(os.urandom(64 * 1024))
        playing.truncate(60_000)
    replacement = music / "replacement.tmp"
    replacement.write_bytes(b"RIFF\0\0\0\0WAVEjunk" + os.urandom(1000))
    os.replace(replacement, music / names[2])  # the next file is replaced by garbage

    status = daemon.wait_status(lambda s: s.get("song") == "3" and s.get("state") == "play", limit=15,
                                what="the last good song playing")
    print("after the replaced files:", status.get("error"))
    assert conn.command("ping") == ["OK"]
    conn.ok("stop")
    conn.close()
    daemon.assert_alive()


def test_many_bad_files_in_a_row(daemon_factory, tmp_path):
    """More unplayable files in a row than the engine looks ahead (3): playback still reaches the good file, whose
    samples arrive at the device exactly."""
    capture = tmp_path / "row.raw"
    daemon = daemon_factory("row", output=f"file:FILE={capture},FORMAT=raw")
    rng = media.make_rng(7)
    uris = []
    for index in range(12):
        uri = f"bad/{index:02d}.wav"
        media.write_wav(daemon.music / uri, 0.2)
        uris.append(uri)
    good = media.write_wav(daemon.music / "good.wav", 0.2, freq=1000)
    uris.append("good.wav")
    daemon.start()
    daemon.wait_scanned()
    conn = daemon.connect()
    for uri in uris:
        conn.ok(f'add "{uri}"')
    for uri in uris[:-1]:
        media.random_bytes(daemon.music / uri, rng, 4096)
    conn.ok("play 0")
    wait_until(lambda: "bad/11.wav" in daemon.log_text(), 10, "the last bad file in the log")
    wait_until(lambda: capture.exists() and capture.stat().st_size >= len(good.read_bytes()) - 44, 10,
               "the good file to reach the device")
    daemon.wait_status(lambda s: s.get("state") == "stop", what="the end of the queue")
    assert capture.read_bytes() == good.read_bytes()[44:]
    log = daemon.log_text()
    assert all(uri in log for uri in uris[:-1])
    conn.close()
    daemon.assert_alive()


def test_a_queue_of_only_broken_files_stops(daemon_factory):
    """Nothing playable, repeat on: the daemon stops (no endless retry loop) and keeps serving."""
    daemon = daemon_factory("allbad", output="null")
    rng = media.make_rng(8)
    uris = [f"bad{index}.wav" for index in range(9)]
    for uri in uris:
        media.write_wav(daemon.music / uri, 0.2)
    daemon.start()
    daemon.wait_scanned()
    conn = daemon.connect()
    for uri in uris:
        conn.ok(f'add "{uri}"')
        media.random_bytes(daemon.music / uri, rng, 2048)
    conn.ok("repeat 1")
    conn.ok("play 3")

    def failures():
        return daemon.log_text().count("cannot play a file")

    # The engine stops after each run of failures and the daemon goes on after them: wait until that settles.
    count, deadline = -1, time.monotonic() + timeout(20)
    while time.monotonic() < deadline:
        time.sleep(timeout(0.5))
        if failures() == count and daemon.status().get("state") == "stop":
            break
        count = failures()
    status = daemon.status()
    assert status.get("state") == "stop" and "error" in status, status
    assert 9 <= count <= 3 * 9, f"{count} failures logged for 9 broken files"
    time.sleep(timeout(0.5))
    assert failures() == count, "still retrying broken files"
    assert conn.command("ping") == ["OK"]
    conn.close()


def test_scan_failure_messages_belong_to_their_files(daemon_factory):
    """The scanner reads tags on several threads; libsndfile keeps a failed open's message in one global. Each
    skipped file must be named with its own reason (it once got another file's message)."""
    daemon = daemon_factory("reasons")
    kinds = {
        "empty": (media.zero_length, "Format not recognised"),
        "zero": (media.zero_channel_wav, "Channel count is zero"),
        "vorbis": (media.vorbis_in_wav, "Malformed 'fmt ' chunk"),
        "mhz": (media.megahertz_wav, "1000000 Hz"),
    }
    for index in range(45):
        for kind, (writer, _) in kinds.items():
            writer(daemon.music / f"{index:02d}-{kind}.wav")
    daemon.start()
    daemon.wait_scanned(limit=60)
    reasons = {}
    for line in daemon.log_text().splitlines():
        if "library: skipped a file" in line:
            name = line.split("file=")[1].split(" reason=")[0]
            reasons[name] = line.split(" reason=", 1)[1]
    assert len(reasons) == 45 * len(kinds), len(reasons)
    wrong = [(name, reason) for name, reason in reasons.items()
             if kinds[name.split("-", 1)[1][:-4]][1] not in reason]
    assert not wrong, f"{len(wrong)} files carry another file's reason, e.g. {wrong[:3]}"


def test_a_fifo_named_like_a_stored_playlist_does_not_block_the_daemon(daemon_factory):
    """A FIFO `trap.m3u` among the stored playlists: loading or listing it fails at once (nothing writes to the
    FIFO, so a blocking open would hang the core queue and every command behind it), and the daemon serves on."""
    daemon = daemon_factory("fifo-playlist")
    playlists = daemon.root / "data" / "elegy" / "playlists"
    playlists.mkdir(parents=True)
    media.fifo(playlists / "trap.m3u")
    daemon.start()
    daemon.wait_scanned()
    conn = daemon.connect(timeout_s=5)
    for command in ("listplaylist trap", "load trap", "playlistadd trap x.flac"):
        answer = conn.command(command)
        assert answer[-1].startswith("ACK ") or answer[-1] == "OK", f"{command}: {answer}"
    assert conn.command("ping") == ["OK"]
    conn.close()
    daemon.assert_alive()
