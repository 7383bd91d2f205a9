import ElegyCore

/// Client-to-client messages, as MPD has them: `subscribe`, `unsubscribe`, `channels`, `readmessages`,
/// `sendmessage`. Scripts use them to talk to each other through the daemon (`mpc sendmessage`, `mpc waitmessage`).
extension DaemonCore {
    static func addMessageCommands(_ add: CommandAdder) {
        add("subscribe", 1...1) { core, arguments, client, _ throws(ProtocolError) in
            let channel = try validChannel(arguments[0])
            do throws(ClientRegistry.MessagingError) {
                try core.registry.subscribe(client.id, to: channel)
            } catch {
                throw ProtocolError(
                    .exist, error == .alreadySubscribed ? "already subscribed to this channel" : "too many subscriptions")
            }
            core.changed(.subscription)
        }
        add("unsubscribe", 1...1) { core, arguments, client, _ throws(ProtocolError) in
            do {
                try core.registry.unsubscribe(client.id, from: arguments[0])
            } catch {
                throw ProtocolError(.noExist, "not subscribed to this channel")
            }
            core.changed(.subscription)
        }
        add("channels", 0...0) { core, _, _, response in
            for channel in core.registry.channels() { response.field("channel", channel) }
        }
        add("readmessages", 0...0) { core, _, client, response in
            for message in core.registry.takeMessages(for: client.id) {
                response.field("channel", message.channel)
                response.field("message", message.text)
            }
        }
        add("sendmessage", 2...2) { core, arguments, _, _ throws(ProtocolError) in
            let channel = try validChannel(arguments[0])
            do {
                try core.registry.send(arguments[1], to: channel)
            } catch {
                throw ProtocolError(.noExist, "nobody is subscribed to this channel")
            }
        }
    }

    /// MPD's channel names: letters, digits and `_-.:`, at most 64 bytes.
    private static func validChannel(_ name: String) throws(ProtocolError) -> String {
        let allowed = name.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || [0x5F, 0x2D, 0x2E, 0x3A].contains(byte)
        }
        guard allowed, !name.isEmpty, name.utf8.count <= 64 else {
            throw ProtocolError(.arg, "invalid channel name")
        }
        return name
    }
}
