import CALSA
import CSndFile
import ElegyAudio

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 2's benchmark: CPU and peak RSS of the Elegy playback engine playing a 20-minute FLAC and a 192 kb/s MP3
/// to ALSA `null` (unpaced), beside a minimal libsndfile → `snd_pcm_writei` loop, each in its own child process
/// (so that `wait4` gives its own CPU and peak RSS), alternating, several repetitions, medians.
enum EngineBenchmark {
    /// The ALSA device both contenders play to.
    static var device: String { getenv("ELEGY_BENCH_DEVICE").map { String(cString: $0) } ?? "null" }
    /// Frames per write, the engine's chunk size.
    static let periodFrames = 1024

    struct TestFile {
        var label: String
        var long: String
        var short: String
    }

    // MARK: Test audio

    static var audioDirectory: String {
        getenv("ELEGY_BENCH_AUDIO").map { String(cString: $0) } ?? "/tmp/elegy-bench-audio"
    }

    /// Creates (once) a 20-minute 44.1 kHz 16-bit stereo FLAC, a 192 kb/s CBR MP3 of the same signal, and 10-second
    /// cuts of both (the short files let the allocation count subtract start-up and tear-down).
    /// The signal is pink noise on the left and brown noise on the right: it does not compress to nothing, as a
    /// sine would, so FLAC decoding does real work (about 77% of the WAV size). `sox -R` keeps the noise repeatable.
    static func prepareAudio() -> [TestFile] {
        let dir = audioDirectory
        let flac = "\(dir)/long-20min.flac", mp3 = "\(dir)/long-20min.mp3"
        let shortFlac = "\(dir)/short-10s.flac", shortMP3 = "\(dir)/short-10s.mp3"
        let marker = "\(dir)/.complete"
        if !BenchSupport.fileExists(marker) {
            BenchSupport.err("elegy-bench: creating the 20-minute FLAC and MP3 in \(dir) (once; about a minute)\n")
            let script = """
                set -e
                for tool in sox flac lame; do command -v $tool >/dev/null || { echo "needs $tool" >&2; exit 69; }; done
                mkdir -p '\(dir)' && cd '\(dir)'
                sox -R -n -r 44100 -b 16 -c 2 long.wav synth 1200 pinknoise brownnoise vol 0.5
                sox long.wav short.wav trim 0 10
                flac -s -f -T TITLE=Long -T ARTIST=Bench -o long-20min.flac long.wav
                flac -s -f -T TITLE=Short -T ARTIST=Bench -o short-10s.flac short.wav
                lame --quiet -b 192 --cbr --tt Long --ta Bench long.wav long-20min.mp3 &
                lame --quiet -b 192 --cbr --tt Short --ta Bench short.wav short-10s.mp3
                wait
                rm -f long.wav short.wav
                touch .complete
                """
            guard BenchSupport.shell(script) == 0 else {
                BenchSupport.err("elegy-bench: could not create the test audio\n")
                exit(1)
            }
        }
        return [
            TestFile(label: "FLAC 20 min 16/44.1", long: flac, short: shortFlac),
            TestFile(label: "MP3 20 min 192k", long: mp3, short: shortMP3),
        ]
    }

    // MARK: The contenders (each runs in a child process)

    /// Plays `path` through the Elegy engine to the end; returns the exit status.
    static func playWithEngine(_ path: String) async -> Int32 {
        let engine = PlaybackEngine(device: device)
        engine.play(Track(id: 1, path: path), upcoming: [])
        var code: Int32 = 1
        events: for await event in engine.events {
            switch event {
            case .endOfQueue:
                code = 0
                break events
            case .trackFailed(_, let message), .outputFailed(let message):
                BenchSupport.err("elegy-bench: engine: \(message)\n")
                break events
            default:
                continue
            }
        }
        engine.shutdown()
        return code
    }

    /// The baseline: libsndfile reads 1024 frames (`sf_readf_short` for 16-bit files, `sf_readf_float` for lossy
    /// ones, as the engine does), `snd_pcm_writei` writes them to a blocking PCM with the engine's parameters.
    static func playWithLoop(_ path: String) -> Int32 {
        var info = SF_INFO()
        guard let file = sf_open(path, Int32(SFM_READ), &info) else {
            BenchSupport.err("elegy-bench: sf_open: \(String(cString: sf_strerror(nil)))\n")
            return 1
        }
        defer { sf_close(file) }
        let sub = info.format & Int32(SF_FORMAT_SUBMASK)
        let useShort = sub == Int32(SF_FORMAT_PCM_16)
        if !useShort { sf_command(file, Int32(SFC_SET_NORM_FLOAT), nil, Int32(SF_TRUE)) }
        var handle: OpaquePointer?
        guard snd_pcm_open(&handle, device, SND_PCM_STREAM_PLAYBACK, 0) >= 0, let pcm = handle else {
            BenchSupport.err("elegy-bench: snd_pcm_open \(device) failed\n")
            return 1
        }
        defer { snd_pcm_close(pcm) }
        let rc = snd_pcm_set_params(
            pcm, useShort ? SND_PCM_FORMAT_S16_LE : SND_PCM_FORMAT_FLOAT_LE, SND_PCM_ACCESS_RW_INTERLEAVED,
            UInt32(info.channels), UInt32(info.samplerate), 0, 250_000)
        guard rc >= 0 else {
            BenchSupport.err("elegy-bench: snd_pcm_set_params: \(String(cString: snd_strerror(rc)))\n")
            return 1
        }
        let bytesPerFrame = Int(info.channels) * (useShort ? 2 : 4)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: periodFrames * bytesPerFrame, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let got =
                useShort
                ? sf_readf_short(file, buffer.assumingMemoryBound(to: Int16.self), Int64(periodFrames))
                : sf_readf_float(file, buffer.assumingMemoryBound(to: Float.self), Int64(periodFrames))
            if got <= 0 { break }
            var done = 0
            while done < Int(got) {
                let written = snd_pcm_writei(pcm, buffer + done * bytesPerFrame, snd_pcm_uframes_t(Int(got) - done))
                if written < 0 {
                    if snd_pcm_recover(pcm, Int32(written), 1) < 0 { return 1 }
                } else {
                    done += written
                }
            }
        }
        snd_pcm_drain(pcm)
        return 0
    }

    // MARK: The driver

    static func run(_ arguments: [String]) {
        var repetitions = 5
        if let index = arguments.firstIndex(of: "--reps"), index + 1 < arguments.count,
            let value = Int(arguments[index + 1])
        {
            repetitions = max(1, value)
        }
        let files = prepareAudio()
        let exe = BenchSupport.executablePath
        let modes = ["engine", "loop"]
        // results[file][mode] = costs
        var results = [[String: [ChildCost]]](repeating: [:], count: files.count)

        BenchSupport.err("elegy-bench: \(repetitions) repetitions, device \(device)\n")
        for rep in 0..<repetitions {
            for (fileIndex, file) in files.enumerated() {
                let order = rep % 2 == 0 ? modes : modes.reversed()
                for mode in order {
                    let cost = BenchSupport.spawn([exe, "\(mode)-play", file.long], environment: nil)
                    guard cost.status == 0 else {
                        BenchSupport.err("elegy-bench: \(mode) on \(file.long) exited with \(cost.status)\n")
                        exit(1)
                    }
                    results[fileIndex][mode, default: []].append(cost)
                    BenchSupport.err(
                        "  rep \(rep + 1) \(file.label) \(mode): \(BenchSupport.format(cost.cpuSeconds, 3)) CPU s, "
                            + "\(BenchSupport.format(cost.peakRSSMiB, 1)) MiB\n")
                }
            }
        }

        print("")
        print("Engine vs. minimal libsndfile → snd_pcm_writei loop (ALSA \(device), unpaced, medians of \(repetitions))")
        print("")
        print("| File | Contender | CPU s (median) | CPU s (min–max) | Wall s | Peak RSS MiB |")
        print("|---|---|---:|---:|---:|---:|")
        var ratios: [(String, Double)] = []
        for (fileIndex, file) in files.enumerated() {
            var medians: [String: Double] = [:]
            for mode in modes {
                let costs = results[fileIndex][mode] ?? []
                let cpu = costs.map(\.cpuSeconds)
                let median = BenchSupport.median(cpu)
                medians[mode] = median
                let name = mode == "engine" ? "Elegy engine" : "bare loop"
                print(
                    "| \(file.label) | \(name) | \(BenchSupport.format(median, 3)) | "
                        + "\(BenchSupport.format(cpu.min() ?? .nan, 3))–\(BenchSupport.format(cpu.max() ?? .nan, 3)) | "
                        + "\(BenchSupport.format(BenchSupport.median(costs.map(\.wallSeconds)), 3)) | "
                        + "\(BenchSupport.format(BenchSupport.median(costs.map(\.peakRSSMiB)), 1)) |")
            }
            ratios.append((file.label, (medians["engine"] ?? .nan) / (medians["loop"] ?? .nan)))
        }
        print("")
        for (label, ratio) in ratios {
            let verdict = ratio <= 1.15 ? "meets" : "misses"
            print("engine/loop CPU ratio, \(label): \(BenchSupport.format(ratio, 3))× (\(verdict) the ≤ 1.15× target)")
        }

        if let shim = getenv("ELEGY_BENCH_MALLOC_SHIM").map({ String(cString: $0) }), BenchSupport.fileExists(shim) {
            allocationReport(files: files, shim: shim, exe: exe)
        }
    }

    /// Counts heap allocations (malloc, calloc, realloc, memalign family) with an LD_PRELOAD counter, once on the
    /// 20-minute file and once on its 10-second cut: the difference over the difference in chunks is what each
    /// chunk allocates in the steady state, start-up and tear-down cancelling out.
    static func allocationReport(files: [TestFile], shim: String, exe: String) {
        print("")
        print("Heap allocations (LD_PRELOAD counter; steady state = (long − short) / (chunks long − chunks short))")
        print("")
        print("| File | Contender | allocations, 20 min | allocations, 10 s | per 1,000 chunks in steady state |")
        print("|---|---|---:|---:|---:|")
        for file in files {
            guard let longFrames = (try? Decoder(path: file.long))?.frameCount,
                let shortFrames = (try? Decoder(path: file.short))?.frameCount
            else { continue }
            let chunks = Double(longFrames - shortFrames) / Double(periodFrames)
            for mode in ["engine", "loop"] {
                let long = countAllocations(exe: exe, mode: mode, path: file.long, shim: shim)
                let short = countAllocations(exe: exe, mode: mode, path: file.short, shim: shim)
                let perThousand = Double(long - short) / chunks * 1000
                let name = mode == "engine" ? "Elegy engine" : "bare loop"
                print("| \(file.label) | \(name) | \(long) | \(short) | \(BenchSupport.format(perThousand, 2)) |")
            }
        }
    }

    static func countAllocations(exe: String, mode: String, path: String, shim: String) -> Int {
        let out = "\(audioDirectory)/.malloc-count-\(getpid())"
        unlink(out)
        let cost = BenchSupport.spawn(
            [exe, "\(mode)-play", path], environment: ["LD_PRELOAD": shim, "MALLOC_COUNT_OUT": out])
        guard cost.status == 0, let handle = fopen(out, "r") else { return -1 }
        defer {
            fclose(handle)
            unlink(out)
        }
        var count: Int = -1
        var line = [UInt8](repeating: 0, count: 256)
        let got = fread(&line, 1, line.count, handle)
        let text = String(decoding: line[0..<got], as: UTF8.self)
        count = Int(text.split(separator: " ").first ?? "") ?? -1
        return count
    }
}
