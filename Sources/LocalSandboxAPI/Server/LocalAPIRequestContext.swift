import Hummingbird
import NIOCore

/// The request context of the local Sandbox API: Hummingbird's core context plus the connection, so a
/// "drop" fault can reset it.
struct LocalAPIRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
