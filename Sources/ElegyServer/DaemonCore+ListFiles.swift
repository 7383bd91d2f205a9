#if canImport(Glibc)
    import Glibc
#endif
import ElegyCore

/// `listfiles [URI]`: what is really in a directory of the music library, audio or not, as MPD lists it. Reads the
/// directory: a file command (`add.files`), on the core queue without the core lock.
extension DaemonCore {
    /// Most entries one `listfiles` lists (a directory of a million files must not build a huge answer).
    static let maxListedFiles = 100_000

    static func addListFilesCommands(_ add: CommandAdder) {
        add.files("listfiles", 0...1) { context throws(ProtocolError) in
            let uri = normalizedDirectory(context.arguments.first ?? "")
            let directory: String
            if uri.isEmpty {
                directory = context.library.root
            } else if let path = context.library.absolutePath(of: uri) {
                directory = path
            } else {
                throw ProtocolError(.noExist, "No such directory")
            }
            guard let entries = listDirectory(directory) else { throw ProtocolError(.noExist, "No such directory") }
            for entry in entries {
                context.response.field(entry.isDirectory ? "directory" : "file", entry.name)
                if !entry.isDirectory { context.response.field("size", entry.size) }
                context.response.field("Last-Modified", timestamp: entry.modified)
            }
        }
    }

    /// The visible entries of `path` (no dot files, regular files and directories only, symlinks followed),
    /// directories first, each group sorted by name; nil when `path` is not a readable directory.
    private static func listDirectory(_ path: String)
        -> [(name: String, isDirectory: Bool, size: Int64, modified: Int64)]?
    {
        guard let handle = opendir(path) else { return nil }
        defer { closedir(handle) }
        var entries: [(name: String, isDirectory: Bool, size: Int64, modified: Int64)] = []
        while let entry = readdir(handle), entries.count < maxListedFiles {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard !name.hasPrefix("."), !name.utf8.contains(0x0A) else { continue }
            var info = stat()
            guard stat("\(path)/\(name)", &info) == 0 else { continue }
            let kind = info.st_mode & S_IFMT
            guard kind == S_IFDIR || kind == S_IFREG else { continue }
            entries.append((name, kind == S_IFDIR, Int64(info.st_size), Int64(info.st_mtim.tv_sec)))
        }
        return entries.sorted { ($0.isDirectory ? 0 : 1, $0.name) < ($1.isDirectory ? 0 : 1, $1.name) }
    }
}
