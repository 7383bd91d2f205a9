import Foundation

/// A PulseAudio daemon with a null sink: a real-time paced ALSA output (`pulse`) on a machine with no sound card.
/// Started and stopped by the tests themselves: a null sink, no D-Bus, no systemd.
final class PulseServer: @unchecked Sendable {
    let runtimeDirectory: String
    private let process: Process

    /// One server for the whole test process (ALSA's pulse plugin reads the environment once per PCM).
    static let shared: Result<PulseServer, TestAudioError> = {
        do { return .success(try PulseServer()) } catch let error as TestAudioError {
            return .failure(error)
        } catch { return .failure(TestAudioError(message: "\(error)")) }
    }()

    private init() throws {
        runtimeDirectory = "/tmp/elegy-pulse-\(getpid())"
        try? FileManager.default.removeItem(atPath: runtimeDirectory)
        try FileManager.default.createDirectory(
            atPath: runtimeDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = runtimeDirectory
        environment["XDG_RUNTIME_DIR"] = runtimeDirectory
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/pulseaudio")
        process.arguments = [
            // Exits by itself 10 s after its last client leaves: nothing outlives the test process for long.
            "--daemonize=no", "-n", "--exit-idle-time=10",
            "--load=module-null-sink sink_name=null rate=44100 norewinds=1",
            "--load=module-native-protocol-unix", "--log-target=file:\(runtimeDirectory)/pulse.log",
        ]
        process.environment = environment
        // No FileHandle redirections: Process closes descriptors it is given, and the shared null device's number
        // is reused elsewhere in this process. PulseAudio logs to its file (`--log-target`).
        do { try process.run() } catch {
            throw TestAudioError(message: "cannot start pulseaudio (apt install pulseaudio): \(error)")
        }
        // Clients in this process (ALSA's pulse plugin) find the server through these.
        setenv("PULSE_SERVER", "unix:\(runtimeDirectory)/pulse/native", 1)
        setenv("HOME", runtimeDirectory, 1)
        setenv("XDG_RUNTIME_DIR", runtimeDirectory, 1)
        for _ in 0..<200 {
            if PulseServer.answers(socketPath: "\(runtimeDirectory)/pulse/native") {
                return
            }
            usleep(25_000)
        }
        process.terminate()
        throw TestAudioError(message: "pulseaudio did not come up; see \(runtimeDirectory)/pulse.log")
    }

    /// Whether the server accepts connections on its native socket (a direct connect: no `pactl` child, whose
    /// exit Foundation's Process can miss in a container where PID 1 reaps late).
    private static func answers(socketPath: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(socketPath.utf8.prefix(107))
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sockaddr_un>.size)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) == 0 }
        }
    }
}
