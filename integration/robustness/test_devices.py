"""Output devices that are missing or fail mid-play: `status` shows an `error:` naming the device, the daemon keeps
serving, and `play` after the device is back works."""

import shutil
import time

from harness import media
from conftest import timeout, wait_until


def add_all(conn, uris):
    for uri in uris:
        conn.ok(f'add "{uri}"')


def test_file_output_directory_missing_at_start(daemon_factory, tmp_path):
    capture_dir = tmp_path / "not-yet"
    device = f"file:FILE={capture_dir}/cap.raw,FORMAT=raw"
    daemon = daemon_factory("nodir", output=device)
    song = media.write_wav(daemon.music / "song.wav", 0.3)
    daemon.start()
    daemon.wait_scanned()
    conn = daemon.connect()
    add_all(conn, ["song.wav"])
    conn.ok("play")
    status = daemon.wait_status(lambda s: "error" in s, what="an output error")
    assert str(capture_dir) in status["error"] and status["state"] == "stop", status
    assert conn.command("ping") == ["OK"]
    assert conn.command("play") == ["OK"]  # still missing: the same error again, no crash
    daemon.wait_status(lambda s: "error" in s and s["state"] == "stop", what="the error again")

    capture_dir.mkdir()
    conn.ok("play")
    capture = capture_dir / "cap.raw"
    wait_until(lambda: capture.exists() and capture.stat().st_size == len(song.read_bytes()) - 44, 10,
               "the song captured")
    status = daemon.wait_status(lambda s: s["state"] == "stop", what="the end of the song")
    assert "error" not in status, status
    assert capture.read_bytes() == song.read_bytes()[44:]
    conn.close()
    daemon.assert_alive()


def test_nonexistent_hardware_device(daemon_factory):
    daemon = daemon_factory("hw99", output="hw:9,9")
    media.write_wav(daemon.music / "song.wav", 0.3)
    daemon.start()
    daemon.wait_scanned()
    conn = daemon.connect()
    add_all(conn, ["song.wav"])
    for _ in range(3):
        assert conn.command("play") == ["OK"]
        status = daemon.wait_status(lambda s: "error" in s, what="an output error")
        assert "hw:9,9" in status["error"] and status["state"] == "stop", status
    assert conn.command("ping") == ["OK"]
    assert daemon.connect().command("status")[-1] == "OK"
    conn.close()
    daemon.assert_alive()


def paced_capture_config(tmp_path, capture):
    config = tmp_path / "paced.conf"
    config.write_text(f'pcm.paced_capture {{ type file; slave.pcm "pulse"; file "{capture}"; format raw }}\n')
    return {"ALSA_CONFIG_PATH": f"/usr/share/alsa/alsa.conf:{config}"}


def test_capture_directory_removed_mid_play(daemon_factory, pulse, tmp_path):
    """A paced `file` PCM whose directory disappears while a song plays: the next song (another format, so the
    device is reopened) fails with an error naming the device; after the directory is back, `play` works."""
    capture_dir = tmp_path / "captures"
    capture_dir.mkdir()
    env = dict(pulse.client_env, **paced_capture_config(tmp_path, capture_dir / "cap.raw"))
    daemon = daemon_factory("rmdir", output="paced_capture", env=env)
    media.write_wav(daemon.music / "1 - stereo.wav", 1.5, rate=44100, channels=2)
    media.write_wav(daemon.music / "2 - mono.wav", 1.5, rate=22050, channels=1)
    daemon.start()
    daemon.wait_scanned()
    conn = daemon.connect()
    add_all(conn, ["1 - stereo.wav", "2 - mono.wav"])
    conn.ok("play 0")
    daemon.wait_status(lambda s: s.get("state") == "play" and float(s.get("elapsed", 0)) > 0.2, what="playing")
    shutil.rmtree(capture_dir)
    status = daemon.wait_status(lambda s: "error" in s, limit=10, what="an output error")
    assert "paced_capture" in status["error"], status
    assert status["state"] == "stop", status
    assert conn.command("ping") == ["OK"]

    capture_dir.mkdir()
    conn.ok("play 1")
    status = daemon.wait_status(lambda s: s.get("state") == "play" and float(s.get("elapsed", 0)) > 0.2,
                                what="playing again")
    assert "error" not in status, status
    wait_until(lambda: (capture_dir / "cap.raw").exists() and (capture_dir / "cap.raw").stat().st_size > 0, 5,
               "a new capture")
    conn.ok("stop")
    conn.close()
    daemon.assert_alive()


def test_pulseaudio_killed_under_paced_output(daemon_factory, pulse):
    daemon = daemon_factory("pulsekill", output="pulse", env=pulse.client_env)
    media.write_silent_wav(daemon.music / "long.wav", 60, rate=44100, channels=2)
    daemon.start()
    daemon.wait_scanned()
    conn = daemon.connect()
    add_all(conn, ["long.wav"])
    conn.ok("play")
    daemon.wait_status(lambda s: s.get("state") == "play" and float(s.get("elapsed", 0)) > 0.3, what="playing")

    pulse.kill()
    status = daemon.wait_status(lambda s: "error" in s, limit=15, what="an output error after pulseaudio died")
    assert "pulse" in status["error"] and status["state"] == "stop", status
    assert conn.command("ping") == ["OK"]
    assert conn.command("play") == ["OK"]  # no server yet: an error again, the daemon serves on
    daemon.wait_status(lambda s: "error" in s and s["state"] == "stop", what="the error again")

    pulse.start()
    conn.ok("play")
    status = daemon.wait_status(lambda s: s.get("state") == "play" and float(s.get("elapsed", 0)) > 0.5,
                                limit=10, what="playing after pulseaudio is back")
    assert "error" not in status, status
    conn.ok("stop")
    conn.close()
    daemon.assert_alive()
