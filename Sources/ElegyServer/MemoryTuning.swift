import Dispatch
import Synchronization

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

    /// Call once at startup, before the daemon starts threads: fixes the mmap threshold, caps malloc arenas at one
    /// per processor (glibc's default is eight per processor) and drops the relocation table's pages.
    public static func apply() {
        releaseRelocationTable()
        guard let mallopt = lookup("mallopt", as: Mallopt.self) else { return }
        _ = mallopt(mmapThresholdParameter, mmapThreshold)
        let processors = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        _ = mallopt(arenaMaxParameter, Int32(clamping: max(2, processors)))
    }

    private typealias GetAuxiliaryValue = @convention(c) (UInt) -> UInt

    /// Unmaps the resident pages of the executable's `.rela.dyn` from this process (`MADV_DONTNEED`).
    ///
    /// elegyd links the Swift runtime statically as a position-independent executable: the dynamic linker applies
    /// ~51,000 relative relocations before `main` and never reads the table again, yet its 1.2 MB stayed resident.
    /// The table lies in a read-only, file-backed segment that nothing ever writes, so dropping the pages loses
    /// nothing: a read would simply fault them in again from the file. Does nothing unless the table is found in
    /// a read-only segment of the running executable (64-bit ELF only).
    static func releaseRelocationTable() {
        #if arch(x86_64) || arch(arm64)
            guard let auxiliary = lookup("getauxval", as: GetAuxiliaryValue.self) else { return }
            // Elf64_Phdr: p_type (UInt32) at 0, p_flags (UInt32) at 4, p_vaddr at 16, p_memsz at 40; 56 bytes.
            let headers = auxiliary(3)  // AT_PHDR
            let count = Int(auxiliary(5))  // AT_PHNUM
            guard headers != 0, count > 0, count < 256, let table = UnsafeRawPointer(bitPattern: headers) else {
                return
            }
            func header(_ index: Int) -> (type: UInt32, flags: UInt32, address: UInt, size: UInt) {
                let entry = table + index * 56
                return (
                    entry.loadUnaligned(as: UInt32.self), entry.loadUnaligned(fromByteOffset: 4, as: UInt32.self),
                    entry.loadUnaligned(fromByteOffset: 16, as: UInt.self),
                    entry.loadUnaligned(fromByteOffset: 40, as: UInt.self)
                )
            }
            let all = (0..<count).map(header)
            // PT_PHDR gives the load bias; PT_DYNAMIC the dynamic section.
            guard let phdr = all.first(where: { $0.type == 6 }), let dynamic = all.first(where: { $0.type == 2 })
            else { return }
            let bias = headers &- phdr.address
            guard let entries = UnsafeRawPointer(bitPattern: bias &+ dynamic.address) else { return }
            var rela: UInt = 0
            var relaSize: UInt = 0
            // Elf64_Dyn: d_tag (Int64), d_val (UInt64); DT_NULL ends the array.
            for index in 0..<4096 {
                let tag = entries.loadUnaligned(fromByteOffset: index * 16, as: Int64.self)
                let value = entries.loadUnaligned(fromByteOffset: index * 16 + 8, as: UInt.self)
                if tag == 0 { break }
                if tag == 7 { rela = value }  // DT_RELA
                if tag == 8 { relaSize = value }  // DT_RELASZ
            }
            guard rela != 0, relaSize > 0 else { return }
            // glibc rewrites DT_RELA to a run-time address where the dynamic section is writable; not elsewhere.
            let start = rela < bias ? bias &+ rela : rela
            let end = start &+ relaSize
            // Only inside a read-only PT_LOAD segment (PF_W = 2): its pages hold exactly the file's bytes.
            guard
                all.contains(where: { segment in
                    segment.type == 1 && segment.flags & 2 == 0 && bias &+ segment.address <= start
                        && end <= bias &+ segment.address &+ segment.size
                })
            else { return }
            let page = UInt(sysconf(Int32(_SC_PAGESIZE)))
            let first = (start &+ page &- 1) / page * page
            let last = end / page * page
            guard last > first, let pointer = UnsafeMutableRawPointer(bitPattern: first) else { return }
            _ = madvise(pointer, Int(last - first), MADV_DONTNEED)
        #endif
    }

    /// Returns the heap's free pages to the kernel (`malloc_trim(0)`). Cheap: it walks malloc's free lists once;
    /// call after work that frees much memory, such as a library scan. Blocks only on malloc's own locks.
    public static func releaseFreeMemory() {
        guard let trim = lookup("malloc_trim", as: MallocTrim.self) else { return }
        _ = trim(0)
    }

    /// Asks for `releaseFreeMemory` a second from now, on a queue of its own; requests made meanwhile share it.
    /// For work that leaves much freed memory behind on threads that must not wait for the trim (an event loop
    /// that wrote an answer of megabytes).
    public static func releaseFreeMemorySoon() {
        guard trimScheduled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        trimQueue.asyncAfter(deadline: .now() + .seconds(1)) {
            trimScheduled.store(false, ordering: .releasing)
            releaseFreeMemory()
        }
    }

    private static let trimScheduled = Atomic<Bool>(false)
    private static let trimQueue = DispatchQueue(label: "elegy.memory-trim", qos: .utility)

    private static func lookup<Function>(_ name: String, as type: Function.Type) -> Function? {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }
}
