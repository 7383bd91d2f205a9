#if canImport(Glibc)
    import Glibc
#endif
import ElegyCore
import ElegySystem

// Reading the files ElegyCore parses: the config and the curated catalog. Core only parses text; the reads
// happen here, at start-up, before any event loop runs.

extension ElegyConfig {
    /// Reads and parses the config at `path`, or at `paths.configFile` when `path` is nil. A missing file at the
    /// default path gives the defaults; a missing file named explicitly is an error.
    public static func load(path: String?, paths: Paths) throws(CatalogError) -> (ElegyConfig, warnings: [String]) {
        let file = path ?? paths.configFile
        let text: String
        do {
            text = try Files.readText(file)
        } catch {
            if path == nil, error.code == ENOENT { return (defaults(paths: paths), []) }
            throw CatalogError(file: file, message: "cannot read \(file): \(error.message)")
        }
        return try parse(toml: text, file: file, paths: paths)
    }
}

extension CuratedCatalog {
    /// Reads every catalog file in each directory, in order, and parses them: a later directory's playlist or
    /// mood replaces an earlier one of the same name (user overrides); directories that do not exist are skipped.
    public static func load(directories: [String]) throws(CatalogError) -> CuratedCatalog {
        let files: [(path: String, text: String)]
        do {
            files = try Files.readTextFiles(in: directories, where: isCatalogFile(named:))
        } catch {
            throw CatalogError(file: error.path, message: "cannot read: \(error.message)")
        }
        return try parse(files: files.map { SourceFile(path: $0.path, text: $0.text) })
    }
}
