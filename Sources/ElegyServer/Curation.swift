import ElegyCore

/// The curated side of the daemon: the catalog (playlists and moods), the resolver kept for the library version it
/// was built for, and the mood that filled the queue. Owned by `DaemonCore`, used under its lock.
struct Curation {
    let catalog: CuratedCatalog
    /// The mood that filled the queue (`elegy_mood` in `status`), until the queue is cleared or replaced.
    var currentMood: String?
    private var kept: (libraryVersion: Int, resolver: Resolver)?

    init(catalog: CuratedCatalog) {
        self.catalog = catalog
    }

    /// The resolver built for `libraryVersion`, if it is the one kept.
    func resolver(for libraryVersion: Int) -> Resolver? {
        kept.flatMap { $0.libraryVersion == libraryVersion ? $0.resolver : nil }
    }

    /// Keeps `resolver` as the one for `libraryVersion` (a newer library makes it stale by itself).
    mutating func keep(_ resolver: Resolver, for libraryVersion: Int) {
        kept = (libraryVersion, resolver)
    }

    /// The songs of `mood` that `resolver` found in `library`, in the mood's order, each with its curated key
    /// ("Artist - Title"), and how many were not found.
    func songs(of mood: Mood, resolver: Resolver, in library: MusicLibrary)
        -> (found: [(song: Song, curatedKey: String?)], missing: Int)
    {
        let resolutions = resolver.resolve(catalog.songs(for: mood))
        let found = resolutions.compactMap { resolution -> (song: Song, curatedKey: String?)? in
            guard let uri = resolution.uri, let song = library.song(uri: uri) else { return nil }
            return (song, "\(resolution.song.artist) - \(resolution.song.title)")
        }
        return (found, resolutions.count - found.count)
    }
}

/// Library update jobs as MPD numbers them (`updating_db: N`), and the library's version, which each finished
/// update advances (resolvers built for an older version are stale). Owned by `DaemonCore`, used under its lock.
struct LibraryUpdates {
    private var lastJob = 0
    /// The job running now.
    private(set) var running: Int?
    /// Finished updates so far.
    private(set) var libraryVersion = 0

    /// The job to report for an update request: the running one (joined, `isNew` false) or a new one.
    mutating func begin() -> (job: Int, isNew: Bool) {
        if let running { return (running, false) }
        lastJob += 1
        running = lastJob
        return (lastJob, true)
    }

    /// The running job finished: the library is a new version.
    mutating func finish() {
        running = nil
        libraryVersion += 1
    }
}
