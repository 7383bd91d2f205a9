#if canImport(Glibc)
    import Glibc
#endif

import ElegySystem

extension Paths {
    /// Curated playlists shipped with the program: next to an installed binary (`../share/elegy/playlists`),
    /// or the source tree's `Playlists/` when run from a build directory; the first that exists.
    public var curatedDirectories: [String] {
        let executable = executablePath()
        var candidates: [String] = []
        if let directory = executable.map(parentDirectory) {
            candidates.append("\(parentDirectory(directory))/share/elegy/playlists")
            // .build/<triple>/<config>/elegyd → the package root's Playlists/
            candidates.append("\(parentDirectory(parentDirectory(parentDirectory(directory))))/Playlists")
        }
        candidates.append("\(dataDirectory)/playlists")
        for candidate in candidates where access("\(candidate)/moods.toml", R_OK) == 0 { return [candidate] }
        return []
    }

    private func executablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func parentDirectory(_ path: String) -> String { Files.parent(of: path) }
}
