#!/usr/bin/env python3
"""Issue 3's benchmark: elegyd against Debian's mpd, same library, same machine, one run. Run by bench/daemon.sh
(which builds and passes the binaries); `daemon.py mpd-play` alone gives MPD's playback CPU for bench/engine.sh;
`daemon.py scan` (`bench/daemon.sh scan`) measures only the `update` re-reading every file, both daemons running
side by side and their updates interleaved, so that the two figures of one repetition share the machine's load.

Measures, for each daemon: startup to first answer (empty cache and cached index), scan of the 5,000-FLAC
library, idle CPU and wake-ups over 10 s, RSS idle and peak, `status` round-trips per second with 1 and 32
clients (elegy-bench roundtrips: one request, wait for OK, repeat), and CPU to play a 20-minute FLAC and MP3
to an unpaced output. Prints Markdown tables.
"""

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

# The Python suites' harness (integration/harness): the elegyd launcher and the raw MPD-protocol client.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import harness  # noqa: E402
from harness import RawClient  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- process figures from /proc


def proc_cpu(pid):
    """User + system CPU seconds of the whole process (all threads, live and exited), 1/CLK_TCK resolution."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def per_thread(pid, path, parse):
    """{tid: value} over the live threads of `pid`, `parse` reading /proc/PID/task/TID/`path`."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/{path}") as f:
                out[tid] = parse(f.read())
        except OSError:
            pass
    return out


def thread_cpu_ns(pid):
    """{tid: CPU ns} from /proc/PID/task/*/schedstat (fine-grained, for idle)."""
    return per_thread(pid, "schedstat", lambda text: int(text.split()[0]))


def thread_switches(pid):
    """{tid: context switches (voluntary + involuntary)}: how often each thread woke."""
    def parse(text):
        return sum(int(line.split()[1]) for line in text.splitlines()
                   if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")))
    return per_thread(pid, "status", parse)


def growth(before, after):
    """What the threads alive at the end added since `before` (threads born in between count from 0; threads
    that exited in between are not seen here, which the tick-based process total covers)."""
    return sum(value - before.get(tid, 0) for tid, value in after.items())


def proc_threads(pid):
    return len(os.listdir(f"/proc/{pid}/task"))


def proc_mem(pid):
    """(VmRSS, VmHWM) in MiB."""
    rss = hwm = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
    return rss, hwm


# ---------------------------------------------------------------- the two daemons


class Daemon:
    """One running daemon under test (MPD here; Elegyd below wraps the harness's launcher)."""

    name = "?"

    def __init__(self, work, music, socket_path, log):
        self.work, self.music, self.socket, self.log = work, music, socket_path, log
        self.proc = None

    def start(self):
        """Starts the process; returns seconds from spawn to the answer to the first `ping`."""
        try:
            os.unlink(self.socket)
        except FileNotFoundError:
            pass
        logf = open(self.log, "ab")
        start = time.perf_counter()
        self.proc = subprocess.Popen(self.argv(), stdout=logf, stderr=logf, env=self.environment())
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log}")
            try:
                client = RawClient(self.socket, timeout=30)
                client.fields("ping")
                elapsed = time.perf_counter() - start
                client.close()
                return elapsed
            except (OSError, EOFError):
                time.sleep(0.0005)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    @property
    def pid(self):
        return self.proc.pid

    def wait_library(self, songs, timeout=300):
        """Polls (every 5 ms) until `status` shows no updating_db and `stats` counts `songs`."""
        client = RawClient(self.socket, timeout=30)
        deadline = time.perf_counter() + timeout
        try:
            while time.perf_counter() < deadline:
                status = client.fields("status")
                if "updating_db" not in status:
                    stats = client.fields("stats")
                    if int(stats.get("songs", "0")) >= songs:
                        return
                time.sleep(0.005)
            raise RuntimeError(f"{self.name}: library not ready after {timeout} s")
        finally:
            client.close()


class Elegyd(Daemon):
    """elegyd through harness.Elegyd: work/{home,config,data,cache,state,run} as HOME and XDG, the `null` output."""

    name = "elegyd"

    def __init__(self, binary, playlists, *rest):
        super().__init__(*rest)
        self.daemon = harness.Elegyd(self.work, self.music, "null", binary=binary, socket=self.socket,
                                     playlists=playlists or None, log_path=self.log)

    def start(self):
        """Starts the process; returns seconds from spawn to the answer to the first `ping`."""
        try:
            os.unlink(self.socket)
        except FileNotFoundError:
            pass
        self.daemon.start(wait=False)
        self.proc = self.daemon.proc
        return self.daemon.wait_ready(limit=600, poll=0.0005, ping=True)

    def stop(self):
        if self.proc:
            self.daemon.stop(limit=20, strict=False)
        self.proc = None

    def forget_index(self):
        self.daemon.forget_index()


class MPD(Daemon):
    name = "mpd"

    def __init__(self, output, *rest):
        super().__init__(*rest)
        self.output = output
        self.conf = os.path.join(self.work, "mpd.conf")
        os.makedirs(os.path.join(self.work, "playlists"), exist_ok=True)
        outputs = {
            "null-unsynced": 'audio_output {\n  type "null"\n  name "n"\n  sync "no"\n}\n',
            "alsa-null": 'audio_output {\n  type "alsa"\n  name "a"\n  device "null"\n  mixer_type "none"\n}\n',
        }
        with open(self.conf, "w") as f:
            f.write(f'music_directory "{self.music}"\n'
                    f'db_file "{self.work}/db"\n'
                    f'playlist_directory "{self.work}/playlists"\n'
                    f'bind_to_address "{self.socket}"\n'
                    'auto_update "no"\n'
                    'zeroconf_enabled "no"\n'
                    + outputs[output])

    def environment(self):
        env = dict(os.environ)
        env["HOME"] = self.work
        return env

    def argv(self):
        return ["mpd", "--no-daemon", "--stderr", self.conf]

    def forget_index(self):
        try:
            os.unlink(os.path.join(self.work, "db"))
        except FileNotFoundError:
            pass


# ---------------------------------------------------------------- measurements


def fmt(value, digits=1):
    if value is None:
        return "n/a"
    return f"{value:.{digits}f}"


def library_benchmarks(daemon, songs, bench, reps, results):
    """Cold start + scan, idle, memory, round-trips, then warm starts with the cached index."""
    r = results.setdefault(daemon.name, {})
    cold, scans = [], []
    for rep in range(reps):
        daemon.forget_index()
        spawn = time.perf_counter()
        cold.append(daemon.start())
        daemon.wait_library(songs)
        scans.append(time.perf_counter() - spawn)
        last = rep == reps - 1
        if not last:
            daemon.stop()
    r["startup_cold_ms"] = statistics.median(cold) * 1000
    r["startup_cold_min_ms"] = min(cold) * 1000
    r["scan_s"] = statistics.median(scans)
    r["scan_all"] = scans

    # Idle: settle, then 10 s with no client connected.
    time.sleep(2)
    pid = daemon.pid
    threads0 = proc_threads(pid)
    cpu0, ns0, sw0 = proc_cpu(pid), thread_cpu_ns(pid), thread_switches(pid)
    time.sleep(10)
    cpu1, ns1, sw1 = proc_cpu(pid), thread_cpu_ns(pid), thread_switches(pid)
    r["idle_cpu_ms"] = growth(ns0, ns1) / 1e6
    r["idle_ticks_ms"] = (cpu1 - cpu0) * 1000
    r["idle_switches"] = growth(sw0, sw1)
    r["threads"] = proc_threads(pid)
    r["threads_idle_start"] = threads0
    r["rss_idle_mib"], _ = proc_mem(pid)

    for clients in (1, 32):
        run = measure_roundtrips(daemon, bench, clients)
        r[f"rtt{clients}"] = run["rate"]
        r[f"rtt{clients}_switches"] = run["switches"]
        r[f"rtt{clients}_errors"] = run["errors"]
        r[f"rtt{clients}_cpu"] = run["cpu"]
    r["rss_after_load_mib"], _ = proc_mem(pid)

    files = library_files(daemon.music)
    updates = [timed_update(daemon, files, time.time() + 10 * (rep + 1)) for rep in range(reps)]
    r["update_s"] = statistics.median(u[0] for u in updates)
    r["update_cpu_s"] = statistics.median(u[1] for u in updates)
    r["update_all"] = [u[0] for u in updates]
    daemon.wait_library(songs)
    _, r["rss_peak_mib"] = proc_mem(pid)
    daemon.stop()

    warm, ready = [], []
    for _ in range(max(9, reps)):
        spawn = time.perf_counter()
        warm.append(daemon.start())
        daemon.wait_library(songs)
        ready.append(time.perf_counter() - spawn)
        daemon.stop()
    r["startup_warm_ms"] = statistics.median(warm) * 1000
    r["startup_warm_min_ms"] = min(warm) * 1000
    r["startup_warm_all"] = [round(x * 1000, 1) for x in warm]
    r["ready_warm_ms"] = statistics.median(ready) * 1000


def library_files(root):
    return [os.path.join(d, f) for d, _, files in os.walk(root) for f in files if f.endswith(".flac")]


def timed_update(daemon, files, stamp):
    """Gives every file a new mtime, then times `update` on the running daemon until status has no updating_db:
    a full re-read of every file's tags, without the daemon's start-up in the figure."""
    for path in files:
        os.utime(path, (stamp, stamp))
    client = RawClient(daemon.socket, timeout=30)
    try:
        cpu0 = proc_cpu(daemon.pid)
        start = time.perf_counter()
        client.fields("update")
        while "updating_db" in client.fields("status"):
            time.sleep(0.002)
        return time.perf_counter() - start, proc_cpu(daemon.pid) - cpu0
    finally:
        client.close()


def scan_only(daemon_list, songs, reps):
    """Starts every daemon on an empty index and waits for its scan, then runs `reps` rounds of `timed_update`,
    one per daemon per round, alternating which goes first. Returns {name: [(wall s, CPU s), ...]}."""
    out = {}
    try:
        for daemon in daemon_list:
            daemon.forget_index()
            daemon.start()
            daemon.wait_library(songs)
            out[daemon.name] = []
        files = library_files(daemon_list[0].music)
        stamp = time.time()
        for rep in range(reps):
            order = daemon_list if rep % 2 == 0 else list(reversed(daemon_list))
            for daemon in order:
                stamp += 10
                out[daemon.name].append(timed_update(daemon, files, stamp))
    finally:
        for daemon in daemon_list:
            daemon.stop()
    return out


def print_scan_table(updates, songs, library):
    m, e = updates["mpd"], updates["elegyd"]
    med = {name: (statistics.median(u[0] for u in runs), statistics.median(u[1] for u in runs))
           for name, runs in updates.items()}
    print(f"elegyd vs. mpd {mpd_version()}: `update` re-reading all {songs} files (mtimes changed) of {library}, "
          f"both daemons running, updates interleaved, medians of {len(e)}")
    print()
    print("| Measure | elegyd | mpd | elegyd / mpd |")
    print("|---|---:|---:|---:|")
    for label, i, digits in (("`update` re-reading all files, running daemon (s)", 0, 3),
                             ("  CPU s of that update", 1, 2)):
        a, b = med["elegyd"][i], med["mpd"][i]
        ratio = f"{a / b:.2f}×" if b else "–"
        print(f"| {label} | {a:.{digits}f} | {b:.{digits}f} | {ratio} |")
    print()
    print("Raw: updates elegyd " + ", ".join(f"{x[0]:.3f}" for x in e) + " s; mpd "
          + ", ".join(f"{x[0]:.3f}" for x in m) + " s")
    print("Raw: CPU elegyd " + ", ".join(f"{x[1]:.2f}" for x in e) + " s; mpd "
          + ", ".join(f"{x[1]:.2f}" for x in m) + " s")
    ratios = sorted(a[0] / b[0] for a, b in zip(e, m))
    print("Per-round ratios (elegyd / mpd, sorted): " + ", ".join(f"{r:.2f}" for r in ratios))
    print(f"Target scan ≤ 0.7× MPD (update re-reading all files): "
          f"{'met' if med['elegyd'][0] <= 0.7 * med['mpd'][0] else 'MISSED'} "
          f"({med['elegyd'][0] / med['mpd'][0]:.2f}×)")


def play_cpu(daemon, uri, reps):
    """CPU seconds (median) the daemon spends playing `uri` from `play` to `state: stop`, and the wall time."""
    daemon.start()
    daemon.wait_library(1)
    client = RawClient(daemon.socket, timeout=600)
    cpus, walls = [], []
    try:
        for _ in range(reps):
            client.fields("clear")
            client.fields(f'add "{uri}"')
            pid = daemon.pid
            time.sleep(0.3)
            cpu0 = proc_cpu(pid)
            start = time.perf_counter()
            client.fields("play 0")
            while True:
                status = client.fields("status")
                if status.get("state") == "stop":
                    break
                if status.get("error"):
                    raise RuntimeError(f"{daemon.name}: {status['error']}")
                client.fields("idle player")
            walls.append(time.perf_counter() - start)
            cpus.append(proc_cpu(pid) - cpu0)
        _, peak = proc_mem(daemon.pid)
    finally:
        client.close()
        daemon.stop()
    return statistics.median(cpus), statistics.median(walls), cpus, peak


def play_library(root, flac, mp3):
    """A music directory holding (hard links to) the two 20-minute files."""
    music = os.path.join(root, "play-music")
    os.makedirs(music, exist_ok=True)
    for src, name in ((flac, "long-20min.flac"), (mp3, "long-20min.mp3")):
        dst = os.path.join(music, name)
        if not os.path.exists(dst):
            try:
                os.link(src, dst)
            except OSError:
                shutil.copy(src, dst)
    return music


def mpd_play_table(root, flac, mp3, reps, outputs=("null-unsynced", "alsa-null")):
    music = play_library(root, flac, mp3)
    rows = []
    for output in outputs:
        work = os.path.join(root, f"mpd-play-{output}")
        os.makedirs(work, exist_ok=True)
        daemon = MPD(output, work, music, os.path.join(work, "socket"), os.path.join(root, f"mpd-play-{output}.log"))
        for uri, label in (("long-20min.flac", "FLAC"), ("long-20min.mp3", "MP3")):
            daemon.forget_index()
            cpu, wall, all_cpu, peak = play_cpu(daemon, uri, reps)
            rows.append((f"mpd ({output})", label, cpu, wall, all_cpu, peak))
    return rows


def print_play_rows(rows):
    print("| Daemon (output) | File | CPU s (median) | all runs | wall s | peak RSS MiB |")
    print("|---|---|---:|---|---:|---:|")
    for name, label, cpu, wall, all_cpu, peak in rows:
        runs = ", ".join(f"{x:.2f}" for x in all_cpu)
        print(f"| {name} | {label} 20 min | {cpu:.2f} | {runs} | {wall:.2f} | {peak:.1f} |")


def measure_roundtrips(daemon, bench, clients):
    """One 5-second `elegy-bench roundtrips` run: per second, server CPU s, server context switches per request,
    errors (ACK or dropped connection)."""
    pid = daemon.pid
    cpu0, sw0 = proc_cpu(pid), thread_switches(pid)
    out = subprocess.run([bench, "roundtrips", daemon.socket, str(clients), "5"], capture_output=True,
                         text=True, check=True).stdout
    cpu1, sw1 = proc_cpu(pid), thread_switches(pid)
    fields = dict(part.split("=") for part in out.split())
    return {"rate": float(fields["per_second"]), "cpu": cpu1 - cpu0,
            "switches": growth(sw0, sw1) / max(1, int(fields["roundtrips"])), "errors": int(fields["errors"])}


def roundtrip_table(root, args):
    """Only the `status` round-trips, both daemons running on the same library at once, measured alternately."""
    daemons = []
    for name in ("mpd", "elegyd"):
        work = os.path.join(root, name)
        os.makedirs(work, exist_ok=True)
        sock, log = os.path.join(work, "socket"), os.path.join(root, f"{name}.log")
        daemon = (MPD("null-unsynced", work, args.library, sock, log) if name == "mpd"
                  else Elegyd(args.elegyd, args.playlists, work, args.library, sock, log))
        daemon.start()
        daemon.wait_library(args.songs)
        daemons.append(daemon)
    try:
        runs = {(d.name, c): [] for d in daemons for c in (1, 32)}
        for rep in range(args.reps):
            for clients in (1, 32):
                for daemon in (daemons if rep % 2 == 0 else daemons[::-1]):
                    run = measure_roundtrips(daemon, args.bench, clients)
                    if run["errors"]:
                        raise RuntimeError(f"{daemon.name}: {run['errors']} errors in round-trips")
                    runs[(daemon.name, clients)].append(run)
        print(f"load average before: {os.getloadavg()[0]:.2f}; {args.reps} alternating runs of 5 s each")
        print()
        print("| Clients | Daemon | round-trips/s (median) | all runs | server CPU s per 5 s | switches per request |")
        print("|---:|---|---:|---|---:|---:|")
        for clients in (1, 32):
            for daemon in daemons:
                values = runs[(daemon.name, clients)]
                rates = [v["rate"] for v in values]
                print(f"| {clients} | {daemon.name} | {statistics.median(rates):,.0f} | "
                      f"{', '.join(f'{r:,.0f}' for r in rates)} | {statistics.median(v['cpu'] for v in values):.2f} | "
                      f"{statistics.median(v['switches'] for v in values):.2f} |")
        for clients in (1, 32):
            ratio = [e["rate"] / m["rate"] for e, m in zip(runs[("elegyd", clients)], runs[("mpd", clients)])]
            print(f"\nelegyd / mpd, {clients} client(s), per run: {', '.join(f'{r:.2f}' for r in ratio)}")
    finally:
        for daemon in daemons:
            daemon.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["all", "mpd-play", "scan", "roundtrips"])
    parser.add_argument("--elegyd")
    parser.add_argument("--bench")
    parser.add_argument("--library", default="/tmp/elegy-bench-lib")
    parser.add_argument("--songs", type=int, default=5000)
    parser.add_argument("--playlists")
    parser.add_argument("--flac")
    parser.add_argument("--mp3")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()

    root = tempfile.mkdtemp(prefix="elegy-daemon-bench-")
    load_before = os.getloadavg()
    print(f"(work directory and logs: {root})", file=sys.stderr)

    if args.mode == "mpd-play":
        rows = mpd_play_table(root, args.flac, args.mp3, args.reps)
        print()
        print("MPD playing the same files (context; CPU from /proc/PID/stat, `play` to `state: stop`)")
        print()
        print_play_rows(rows)
        return

    if args.mode == "roundtrips":
        roundtrip_table(root, args)
        return

    if args.mode == "scan":
        pair = []
        for name in ("mpd", "elegyd"):
            work = os.path.join(root, name)
            os.makedirs(work, exist_ok=True)
            sock, log = os.path.join(work, "socket"), os.path.join(root, f"{name}.log")
            pair.append(MPD("null-unsynced", work, args.library, sock, log) if name == "mpd"
                        else Elegyd(args.elegyd, args.playlists, work, args.library, sock, log))
        updates = scan_only(pair, args.songs, args.reps)
        print()
        print_scan_table(updates, args.songs, args.library)
        print(f"Load average (1 min) before/after the run: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f} "
              f"on {os.cpu_count()} CPUs")
        return

    if not (args.flac and args.mp3):
        parser.error("--flac and --mp3 are required for this mode")
    results = {}
    daemons = []
    for name in ("mpd", "elegyd"):
        work = os.path.join(root, name)
        os.makedirs(work, exist_ok=True)
        sock = os.path.join(work, "socket")
        log = os.path.join(root, f"{name}.log")
        if name == "mpd":
            daemons.append(MPD("null-unsynced", work, args.library, sock, log))
        else:
            daemons.append(Elegyd(args.elegyd, args.playlists, work, args.library, sock, log))
    for daemon in daemons:
        print(f"-- {daemon.name}: library benchmarks", file=sys.stderr)
        library_benchmarks(daemon, args.songs, args.bench, args.reps, results)
        print(f"   {results[daemon.name]}", file=sys.stderr)

    # Playback: fresh instances on a two-file library.
    music = play_library(root, args.flac, args.mp3)
    play_rows = []
    for name in ("mpd", "elegyd"):
        work = os.path.join(root, f"{name}-play")
        os.makedirs(work, exist_ok=True)
        sock = os.path.join(work, "socket")
        log = os.path.join(root, f"{name}-play.log")
        daemon = (MPD("null-unsynced", work, music, sock, log) if name == "mpd"
                  else Elegyd(args.elegyd, args.playlists, work, music, sock, log))
        for uri, label in (("long-20min.flac", "FLAC"), ("long-20min.mp3", "MP3")):
            print(f"-- {name}: playing {uri}", file=sys.stderr)
            cpu, wall, all_cpu, peak = play_cpu(daemon, uri, args.reps)
            results[name][f"play_{label}"] = cpu
            results[name][f"play_{label}_wall"] = wall
            label_out = "null, sync no" if name == "mpd" else "ALSA null"
            play_rows.append((f"{name} ({label_out})", label, cpu, wall, all_cpu, peak))

    m, e = results["mpd"], results["elegyd"]

    def row(label, key, digits=1, unit=""):
        a, b = e.get(key), m.get(key)
        ratio = f"{a / b:.2f}×" if a is not None and b else "–"
        print(f"| {label} | {fmt(a, digits)}{unit} | {fmt(b, digits)}{unit} | {ratio} |")

    print()
    print(f"elegyd vs. mpd {mpd_version()}, library of {args.songs} tagged FLACs ({args.library}), "
          f"medians of {args.reps} (warm starts: {max(9, args.reps)})")
    print()
    print("| Measure | elegyd | mpd | elegyd / mpd |")
    print("|---|---:|---:|---:|")
    row("Startup to first answer, no index (ms)", "startup_cold_ms")
    row("  fastest of those runs (ms)", "startup_cold_min_ms")
    row("Startup to first answer, cached index (ms)", "startup_warm_ms")
    row("  fastest of those runs (ms)", "startup_warm_min_ms")
    row("Startup to library loaded, cached index (ms)", "ready_warm_ms")
    row("Scan from spawn to library ready, empty cache (s)", "scan_s", 2)
    row("`update` re-reading all files (mtimes changed), running daemon (s)", "update_s", 3)
    row("  CPU s of that update", "update_cpu_s", 2)
    row("Idle CPU over 10 s, whole process (ms, /proc/PID/stat ticks)", "idle_ticks_ms", 0)
    row("Idle CPU over 10 s, live threads (ms, schedstat)", "idle_cpu_ms", 3)
    row("Idle wake-ups over 10 s (context switches, live threads)", "idle_switches", 0)
    row("Threads at the start of the idle window", "threads_idle_start", 0)
    row("Threads at its end", "threads", 0)
    row("RSS idle after scan (MiB)", "rss_idle_mib")
    row("RSS after round-trip load (MiB)", "rss_after_load_mib")
    row("RSS peak, VmHWM (MiB)", "rss_peak_mib")
    row("`status` round-trips/s, 1 client", "rtt1", 0)
    row("`status` round-trips/s, 32 clients", "rtt32", 0)
    row("  server CPU s during the 5 s, 1 client", "rtt1_cpu", 2)
    row("  server CPU s during the 5 s, 32 clients", "rtt32_cpu", 2)
    row("  server context switches per round-trip, 1 client", "rtt1_switches", 2)
    row("  server context switches per round-trip, 32 clients", "rtt32_switches", 2)
    row("CPU to play 20-min FLAC, unpaced (s)", "play_FLAC", 2)
    row("CPU to play 20-min MP3, unpaced (s)", "play_MP3", 2)
    print()
    print_play_rows(play_rows)
    print()
    print("Raw: scans elegyd " + ", ".join(f"{x:.2f}" for x in e["scan_all"])
          + " s; mpd " + ", ".join(f"{x:.2f}" for x in m["scan_all"]) + " s")
    print("Raw: updates elegyd " + ", ".join(f"{x:.3f}" for x in e["update_all"])
          + " s; mpd " + ", ".join(f"{x:.3f}" for x in m["update_all"]) + " s")
    print("Raw: warm starts elegyd " + ", ".join(map(str, e["startup_warm_all"]))
          + " ms; mpd " + ", ".join(map(str, m["startup_warm_all"])) + " ms")
    print(f"Load average (1 min) before/after the run: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} CPUs")
    print(f"Round-trip errors (ACK or dropped): elegyd {e['rtt1_errors']}/{e['rtt32_errors']}, "
          f"mpd {m['rtt1_errors']}/{m['rtt32_errors']}")

    print()
    print("Targets (issue 3):")
    checks = [
        ("scan ≤ 0.7× MPD (from spawn, empty cache)", e["scan_s"] <= 0.7 * m["scan_s"],
         f"{e['scan_s'] / m['scan_s']:.2f}×"),
        ("scan ≤ 0.7× MPD (update re-reading all files)", e["update_s"] <= 0.7 * m["update_s"],
         f"{e['update_s'] / m['update_s']:.2f}×"),
        ("startup with cached index ≤ 50 ms", e["startup_warm_ms"] <= 50, f"{e['startup_warm_ms']:.1f} ms"),
        ("idle CPU 0 (strictly: no wake-up at all in 10 s)", e["idle_switches"] == 0,
         f"{e['idle_cpu_ms']:.2f} ms CPU, {e['idle_switches']} wake-ups, {e['idle_ticks_ms']:.0f} ms in /proc ticks"),
        ("RSS idle ≤ 20 MB", e["rss_idle_mib"] <= 20, f"{e['rss_idle_mib']:.1f} MiB"),
        ("round-trips ≥ MPD (1 client)", e["rtt1"] >= m["rtt1"], f"{e['rtt1']:.0f} vs {m['rtt1']:.0f}"),
        ("round-trips ≥ MPD (32 clients)", e["rtt32"] >= m["rtt32"], f"{e['rtt32']:.0f} vs {m['rtt32']:.0f}"),
    ]
    for label, ok, detail in checks:
        print(f"- {label}: {'met' if ok else 'MISSED'} ({detail})")


def mpd_version():
    try:
        out = subprocess.run(["mpd", "--version"], capture_output=True, text=True).stdout
        return out.splitlines()[0].split()[3]
    except Exception:
        return "?"


if __name__ == "__main__":
    main()
