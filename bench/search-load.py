#!/usr/bin/env python3
"""`status` latency while other clients search a big library: one client sends `status` back to back for 8 s while
two others loop `search any "memo"` over the 100,000 songs of bench/big.sh's library (its elegyd index in
/tmp/elegy-big-work is reused). Each elegyd binary given is measured in turn.

    python3 bench/search-load.py BINARY [BINARY ...]"""

import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from big import FastClient  # noqa: E402

WORK = Path("/tmp/elegy-big-work/elegyd")
MUSIC = Path("/tmp/elegy-big/music")


def run(binary):
    d = harness.Elegyd(WORK, MUSIC, "null", binary=binary, playlists=None, log_path=WORK / "search-load.log")
    d.start(wait=False)
    while True:
        try:
            c = FastClient(d.socket); c.command("ping"); break
        except Exception: time.sleep(0.01)
    while b"updating_db" in c.command("status"): time.sleep(0.1)
    stop = False
    def load():
        l = FastClient(d.socket)
        while not stop: l.command('search any "memo"')
    threads = [threading.Thread(target=load) for _ in range(2)]
    for t in threads: t.start()
    time.sleep(0.5)
    samples = []
    end = time.perf_counter() + 8
    while time.perf_counter() < end:
        t0 = time.perf_counter(); c.command("status"); samples.append((time.perf_counter() - t0) * 1000)
    stop = True
    for t in threads: t.join()
    d.stop(limit=30, strict=False)
    samples.sort()
    q = lambda p: samples[min(len(samples) - 1, int(p * len(samples)))]
    print(f"{binary.split('/')[-1]}: {len(samples)} status in 8 s under 2 search loops; p50 {q(0.5):.2f} ms p99 {q(0.99):.2f} ms max {samples[-1]:.1f} ms")


if __name__ == "__main__":
    for binary in sys.argv[1:]:
        run(binary)
