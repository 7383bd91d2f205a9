#!/usr/bin/env python3
"""`status` latency and daemon CPU while a 16,000-song queue plays, elegyd builds against Debian's MPD in one run.

What it catches: work a daemon does every second while playing that grows with the queue (elegyd once rewrote the
whole queue into state.json each second, on the queue commands run on). Each daemon plays bench/big.sh's 100,000-song
library (its indexes in /tmp/elegy-big-work are reused, so run bench/big.sh once first) to PulseAudio's null sink,
which is paced like a sound card; one client sends `status` every 2 ms for SECONDS seconds.

    python3 bench/playing-load.py [--seconds N] BINARY [BINARY ...]"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import big  # noqa: E402
import harness  # noqa: E402

WORK = Path("/tmp/elegy-big-work")
MUSIC = Path("/tmp/elegy-big/music")
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def queue_command() -> tuple[str, int]:
    """big.py's queue: whole album directories up to 16,000 songs, as one command list."""
    chosen, total = [], 0
    for directory, count in big.album_directories(MUSIC):
        if total + count <= 16000:
            chosen.append(directory)
            total += count
    return "command_list_begin\n" + "\n".join(f"add {big.quote(d)}" for d in chosen) + "\ncommand_list_end", total


def measure(name: str, contender, seconds: float, queue: str) -> str:
    contender.wait_answer()
    contender.wait_idle_db(100000)
    client = contender.connect()
    client.command("clear")
    client.command(queue)
    client.command("repeat 1")
    client.command("play 0")
    time.sleep(2.5)  # past the first state save
    started_cpu, samples = cpu_seconds(contender.proc.pid), []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        began = time.perf_counter()
        client.command("status")
        samples.append((time.perf_counter() - began) * 1000)
        time.sleep(0.002)
    cpu = 100 * (cpu_seconds(contender.proc.pid) - started_cpu) / seconds
    state = client.command("status")
    client.close()
    assert b"state: play" in state, f"{name} is not playing: {state!r}"
    samples.sort()
    pick = lambda q: samples[min(len(samples) - 1, int(len(samples) * q))]  # noqa: E731
    return (f"| {name} | {len(samples)} | {pick(0.5):.3f} | {pick(0.99):.2f} | {pick(0.999):.2f} | "
            f"{samples[-1]:.2f} | {cpu:.1f} |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("binaries", nargs="+")
    args = parser.parse_args()
    if not (WORK / "mpd" / "db").exists():
        sys.exit("playing-load.py: run bench/big.sh first (it leaves the indexes in /tmp/elegy-big-work)")
    root = Path("/tmp/elegy-playing-load")
    shutil.rmtree(root, ignore_errors=True)
    pulse = harness.PulseAudio(root / "pulse").start()
    queue, total = queue_command()
    rows = []
    try:
        for number, binary in enumerate(args.binaries):
            work = root / f"elegyd-{number}"
            # The index of big.py's elegyd, not its state: every build starts with an empty queue. (A build that
            # reads another index format scans first.)
            shutil.copytree(WORK / "elegyd" / "cache", work / "cache")
            daemon = harness.Elegyd(work, MUSIC, "pulse", binary=binary, playlists=None, pulse=pulse,
                                    log_path=work / "elegyd.log")
            daemon.start(wait=False)
            contender = big.Contender()
            contender.name, contender.socket, contender.proc = binary, daemon.socket, daemon.proc
            try:
                rows.append(measure(binary, contender, args.seconds, queue))
            finally:
                daemon.stop(limit=60, strict=False)
        mpd = big.MPD(root / "mpd", MUSIC)
        shutil.copy(WORK / "mpd" / "db", root / "mpd" / "db")
        conf = mpd.conf.read_text().replace('audio_output {\n  type "null"\n  name "n"\n}\n',
                                              f'audio_output {{\n  type "pulse"\n  name "p"\n  server "{pulse.server}"\n}}\n')
        mpd.conf.write_text(conf)
        mpd.start()
        try:
            rows.append(measure(f"mpd {big.mpd_version()}", mpd, args.seconds, queue))
        finally:
            mpd.stop()
    finally:
        pulse.stop()
    print(f"`status` every 2 ms for {args.seconds:g} s while a {total}-song queue plays to PulseAudio's null sink\n")
    print("| daemon | answered | p50 ms | p99 ms | p99.9 ms | max ms | daemon CPU % |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
