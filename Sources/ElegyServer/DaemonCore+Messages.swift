import ElegyCore

/// Client-to-client messages, as MPD has them: `subscribe`, `unsubscribe`, `channels`, `readmessages`,
/// `sendmessage`. Scripts use them to talk to each other through the daemon (`mpc sendmessage`, `mpc waitmessage`).
extension DaemonCore {
    static func addMessageCommands(_ add: CommandAdder) {
        add("subscribe", 1...1) { context throws(ProtocolError) in
            let channel = try validChannel(context.arguments[0])
            do throws(ClientRegistry.MessagingError) {
                try context.core.registry.subscribe(context.client.id, to: channel)
            } catch {
                throw ProtocolError(
                    .exist, error == .alreadySubscribed ? "already subscribed to this channel" : "too many subscriptions")
            }
            context.core.changed(.subscription)
        }
        add("unsubscribe", 1...1) { context throws(ProtocolError) in
            do {
                try context.core.registry.unsubscribe(context.client.id, from: context.arguments[0])
            } catch {
                throw ProtocolError(.noExist, "not subscribed to this channel")
            }
            context.core.changed(.subscription)
        }
        add("channels", 0...0) { context in
            for channel in context.core.registry.channels() { context.response.field("channel", channel) }
        }
        add("readmessages", 0...0) { context in
            for message in context.core.registry.takeMessages(for: context.client.id) {
                context.response.field("channel", message.channel)
                context.response.field("message", message.text)
            }
        }
        add("sendmessage", 2...2) { context throws(ProtocolError) in
            let channel = try validChannel(context.arguments[0])
            do {
                try context.core.registry.send(context.arguments[1], to: channel)
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
