import ElegyCore
import Foundation
import Testing

@testable import ElegyServer

/// The daemon's side of `ScanWorker`, against stand-in workers written in sh: the arguments the daemon passes are
/// `--scan-worker CACHE --music-dir ROOT [--scan-fresh] [--scan-reread]`, so the cache file is `$2`. (elegyd's own
/// worker runs in the end-to-end tests, which scan through it.)
@Suite("Scan worker") struct ScanWorkerTests {
    /// A library scanned in-process, with its cache file copied aside.
    private struct Scanned {
        let root: String
        let directory: String
        let reference: MusicLibrary
        let referenceReport: ScanReport
        let prepared: String

        init() async throws {
            root = try Fixture.hostileLibrary()
            directory = try Fixture.makeDirectory("worker")
            reference = MusicLibrary(root: root, cacheFile: "\(directory)/reference.cache", logger: Fixture.quiet)
            referenceReport = await reference.scan()
            prepared = "\(directory)/prepared.cache"
            try FileManager.default.copyItem(atPath: "\(directory)/reference.cache", toPath: prepared)
        }

        /// A library with `worker`, started on a copy of the reference cache (`name` in the scratch directory).
        func restarted(with worker: [String], cache name: String = "daemon.cache") throws -> MusicLibrary {
            let cache = "\(directory)/\(name)"
            try FileManager.default.copyItem(atPath: prepared, toPath: cache)
            return MusicLibrary(root: root, cacheFile: cache, logger: Fixture.quiet, scanWorker: worker)
        }

        func remove() {
            Fixture.remove(root)
            Fixture.remove(directory)
        }
    }

    private func worker(_ script: String) -> [String] { ["/bin/sh", "-c", script, "worker"] }

    @Test func installsTheIndexTheWorkerWroteAndReturnsItsReport() async throws {
        let scanned = try await Scanned()
        defer { scanned.remove() }
        var told = ScanReport()
        told.added = scanned.reference.songs.count
        told.filesRead = 7
        told.failed = [ScanFailure(uri: "x/broken.flac", reason: "not audio")]
        told.total = scanned.reference.songs.count
        let json = String(decoding: try JSONEncoder().encode(told), as: UTF8.self)
        // It checks its arguments, writes the cache where it is told to and prints the report.
        let script = """
            [ "$1" = --scan-worker ] && [ "$3" = --music-dir ] && [ "$4" = '\(scanned.root)' ] && [ "$5" = --scan-fresh ] \
            && cp '\(scanned.prepared)' "$2" && printf '%s\\n' '\(json)'
            """
        let library = MusicLibrary(
            root: scanned.root, cacheFile: "\(scanned.directory)/daemon.cache", logger: Fixture.quiet,
            scanWorker: worker(script))
        let report = await library.scan()
        #expect(report.added == told.added && report.filesRead == 7 && report.failed == told.failed)
        #expect(library.songs == scanned.reference.songs)
        #expect(library.lastUpdate == scanned.reference.lastUpdate)
        #expect(library.stats.artists == scanned.reference.stats.artists)
        #expect(!library.isScanning)
    }

    @Test func aWorkerThatCrashesLeavesTheIndexAsItWas() async throws {
        let scanned = try await Scanned()
        defer { scanned.remove() }
        let library = try scanned.restarted(with: worker("kill -SEGV $$"))
        #expect(library.loadCache())
        let report = await library.scan(rereadAll: true)
        #expect(report.failed.count == 1)
        #expect(report.failed.first?.reason.contains("killed by signal \(SIGSEGV)") == true)
        #expect(!report.changedIndex)
        #expect(report.total == scanned.reference.songs.count)
        #expect(library.songs == scanned.reference.songs)
        // A worker that ends well but says nothing is no better.
        let silent = try scanned.restarted(with: worker("exit 0"), cache: "silent.cache")
        #expect(silent.loadCache())
        let unreported = await silent.scan(rereadAll: true)
        #expect(unreported.failed.first?.reason.contains("exited with status 0") == true)
        #expect(silent.songs == scanned.reference.songs)
    }

    @Test func aWorkerThatCannotStartLeavesTheScanToTheDaemon() async throws {
        let scanned = try await Scanned()
        defer { scanned.remove() }
        let library = MusicLibrary(
            root: scanned.root, cacheFile: "\(scanned.directory)/daemon.cache", logger: Fixture.quiet,
            scanWorker: ["/nonexistent/elegyd"])
        let report = await library.scan()
        #expect(!scanned.referenceReport.failed.isEmpty)  // the hostile library's corrupt file
        #expect(report.failed == scanned.referenceReport.failed)
        #expect(report.added == scanned.reference.songs.count)
        #expect(library.songs == scanned.reference.songs)
    }

    /// Scans of a part of the library, and updates of an index already loaded, never start the worker.
    @Test func partialScansAndUpdatesStayInTheDaemon() async throws {
        let scanned = try await Scanned()
        defer { scanned.remove() }
        let library = try scanned.restarted(with: worker("kill -SEGV $$"))
        #expect(library.loadCache())
        let update = await library.scan()
        #expect(update.failed.allSatisfy { !$0.reason.contains("scanner process") })
        let part = await library.scan(path: "Aimer", rereadAll: true)
        #expect(part.failed.isEmpty && part.updated == 2)
        #expect(library.songs == scanned.reference.songs)
    }

    @Test func subprocessStatusSaysHowAProcessEnded() throws {
        let exited = try #require(Subprocess.run(["/bin/sh", "-c", "printf out; exit 3"]))
        #expect(exited.output == Array("out".utf8))
        #expect(exited.status.exitCode == 3 && exited.status.signal == nil)
        #expect(exited.status.description == "exited with status 3")
        let killed = try #require(Subprocess.run(["/bin/sh", "-c", "kill -KILL $$"]))
        #expect(killed.status.exitCode == nil && killed.status.signal == SIGKILL)
        #expect(Subprocess.run(["/nonexistent/program"]) == nil)
    }
}
