import ElegySystem

@testable import ElegyCore

/// Reads catalog directories as the daemon does (`Files` reads, Core parses; the daemon's reader is
/// `CuratedCatalog.load` in ElegyServer, which Core's tests do not link).
func loadCatalog(directories: [String]) throws(CatalogError) -> CuratedCatalog {
    let files: [(path: String, text: String)]
    do {
        files = try Files.readTextFiles(in: directories, where: CuratedCatalog.isCatalogFile(named:))
    } catch {
        throw CatalogError(file: error.path, message: "cannot read: \(error.message)")
    }
    return try CuratedCatalog.parse(files: files.map { CuratedCatalog.SourceFile(path: $0.path, text: $0.text) })
}
