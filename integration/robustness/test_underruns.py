"""Underruns are counted and shown: the daemon stopped for longer than its ALSA buffer (100 ms, `buffer_time`)
lets a paced output (PulseAudio's null sink) run dry; `outputs`, `status`, `elegy status` and the log say so."""

import os
import signal
import time

from harness import cli, media


def test_underruns_are_counted_and_shown(daemon_factory, pulse, tmp_path):
    config = tmp_path / "elegy.toml"
    config.write_text("[output]\nbuffer_time = 100\n")
    daemon = daemon_factory("underrun", output="pulse", pulse=pulse, config=config)
    media.write_silent_wav(daemon.music / "long.wav", 60, rate=44100, channels=2)
    daemon.start()
    daemon.wait_scanned()
    conn = daemon.connect()
    outputs = conn.command("outputs")
    assert "attribute: buffer_time=100" in outputs and "attribute: underruns=0" in outputs, outputs
    conn.ok('add "long.wav"')
    conn.ok("play")
    daemon.wait_status(lambda s: s.get("state") == "play" and float(s.get("elapsed", 0)) > 0.5, what="playing")
    assert "elegy_underruns" not in conn.fields("status")

    os.kill(daemon.pid, signal.SIGSTOP)  # longer than the buffer: the sink runs out
    time.sleep(0.6)
    os.kill(daemon.pid, signal.SIGCONT)

    status = daemon.wait_status(lambda s: int(s.get("elegy_underruns", 0)) >= 1, limit=10, what="an underrun")
    count = int(status["elegy_underruns"])
    assert status["state"] == "play", status  # it plays on after the gap
    outputs = conn.command("outputs")
    counted = [int(line.split("=", 1)[1]) for line in outputs if line.startswith("attribute: underruns=")]
    assert counted and counted[0] >= count, outputs
    shown = cli.elegy(daemon, "status").stdout
    assert f"underruns: {counted[0]}" in shown or f"underruns: {count}" in shown, shown
    assert "output underrun" in daemon.log_text()
    conn.ok("stop")
    conn.close()
    daemon.assert_alive()
