#if canImport(Glibc)
    import Glibc
#endif

/// glibc malloc settings that keep the daemon's resident memory near what it actually uses (issue 3: idle RSS
/// ≤ 20 MB after scanning 5,000 files).
///
/// Measured on the benchmark library (BENCHMARKS.md, section 2): without them the heap keeps ~1.5 MB it no
/// longer uses after a scan. Two causes: glibc raises its mmap threshold each time a large block (the 0.7 MB
/// index file being read or written) is freed, so later large blocks stay in the heap for good; and every thread
/// that allocates under contention (the scanner's workers) gets an arena of its own, which keeps its free pages.
///
/// `mallopt` and `malloc_trim` are not in Swift's Glibc module; they are looked up with `dlsym`, and where the C
/// library lacks them (not glibc) every call here does nothing.
public enum MemoryTuning {
    private typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    private typealias MallocTrim = @convention(c) (Int) -> Int32

    /// glibc's `M_MMAP_THRESHOLD` and `M_ARENA_MAX` (malloc.h).
    private static let mmapThresholdParameter: Int32 = -3
    private static let arenaMaxParameter: Int32 = -8

    /// Blocks of this size and larger get their own mapping, returned to the kernel when freed. It is glibc's
    /// default starting value; setting it explicitly stops glibc from raising it.
    static let mmapThreshold: Int32 = 128 * 1024

    /// Call once at startup, before the daemon starts threads: fixes the mmap threshold and caps malloc arenas at
    /// one per processor (glibc's default is eight per processor).
    public static func apply() {
        guard let mallopt = lookup("mallopt", as: Mallopt.self) else { return }
        _ = mallopt(mmapThresholdParameter, mmapThreshold)
        let processors = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        _ = mallopt(arenaMaxParameter, Int32(clamping: max(2, processors)))
    }

    /// Returns the heap's free pages to the kernel (`malloc_trim(0)`). Cheap: it walks malloc's free lists once;
    /// call after work that frees much memory, such as a library scan. Blocks only on malloc's own locks.
    public static func releaseFreeMemory() {
        guard let trim = lookup("malloc_trim", as: MallocTrim.self) else { return }
        _ = trim(0)
    }

    private static func lookup<Function>(_ name: String, as type: Function.Type) -> Function? {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }
}
