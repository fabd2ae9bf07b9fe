/// A problem in a manifest, with where it is.
public struct ManifestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the problem is.
    public var location: SourceLocation
    /// What is wrong and, where it helps, what to do.
    public var message: String

    /// Creates an error.
    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    /// `file:line:col: message`.
    public var description: String { "\(location): \(message)" }
}

/// Every problem found in a set of manifests; nothing is applied while there is one.
public struct ManifestErrors: Error, Sendable, Equatable, CustomStringConvertible {
    /// The problems, in file order.
    public var errors: [ManifestError]

    /// Creates the collection.
    public init(_ errors: [ManifestError]) { self.errors = errors }

    /// One problem per line.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
