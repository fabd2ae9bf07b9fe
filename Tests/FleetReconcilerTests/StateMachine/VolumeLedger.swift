import Synchronization

/// Which fleet created each volume on the shared fake API. Volumes carry no tags, so the API cannot say;
/// the state machine notes every volume that appears during a fleet's create call (answered or not).
/// A volume missing from the ledger was there before any fleet (an adopted one).
final class VolumeLedger: Sendable {
    private let creators = Mutex<[String: String]>([:])

    /// Notes that `fleet` created the volumes with these ids.
    func record(_ ids: some Sequence<String>, createdBy fleet: String) {
        creators.withLock { creators in
            for id in ids where creators[id] == nil { creators[id] = fleet }
        }
    }

    /// The fleet that created the volume, if any did.
    func creator(of id: String) -> String? { creators.withLock { $0[id] } }
}
