/// Tag keys and values that repeat from one sandbox to the next of a listing page (the ownership tags
/// are on every sandbox; a fleet id, or the spec hash of a set's replicas, is the same on many), made into
/// strings once a page instead of once a sandbox: fewer allocations while the page is read, and one
/// shared copy of each while the listing is held.
struct RepeatedStrings {
    /// The keys seen so far, with the value each had last.
    private var keys: [(key: String, lastValue: String?)] = []
    /// How many distinct keys are remembered; further ones are read as they come.
    private let capacity: Int

    /// How many distinct keys a page's reader remembers.
    static let defaultCapacity = 32

    /// Remembers up to `capacity` keys (0: every string is made as it comes).
    init(capacity: Int = Self.defaultCapacity) { self.capacity = capacity }

    /// Reads an object of string values (a tag map) whose keys are all different; nil when it is not one.
    mutating func readMap(_ scanner: inout JSONScanner) -> [String: String]? {
        var map: [String: String] = [:]
        let read = scanner.readObject(keys: { $0 }) { scanner, scanned in
            guard let value = scanner.scanString() else { return false }
            let key: String
            let slot: Int?
            switch scanned {
            case .plain(let bytes):
                slot = self.slot(for: bytes)
                key = slot.map { keys[$0].key } ?? String(decoding: bytes, as: UTF8.self)
            case .escaped(let string):
                slot = nil
                key = string
            }
            return map.updateValue(string(value, slot: slot), forKey: key) == nil
        }
        return read ? map : nil
    }

    /// Where `key` is remembered, remembering it when there is room.
    private mutating func slot(for key: UnsafeBufferPointer<UInt8>) -> Int? {
        if let known = keys.firstIndex(where: { JSONScanner.matches(key, $0.key) }) { return known }
        guard keys.count < capacity else { return nil }
        keys.append((String(decoding: key, as: UTF8.self), nil))
        return keys.count - 1
    }

    /// The string of a scanned value: the last value of the same key when the bytes are the same.
    private mutating func string(_ value: JSONScanner.ScannedString, slot: Int?) -> String {
        switch value {
        case .escaped(let string): return string
        case .plain(let bytes):
            guard let slot else { return String(decoding: bytes, as: UTF8.self) }
            if let last = keys[slot].lastValue, JSONScanner.matches(bytes, last) { return last }
            let string = String(decoding: bytes, as: UTF8.self)
            keys[slot].lastValue = string
            return string
        }
    }
}
