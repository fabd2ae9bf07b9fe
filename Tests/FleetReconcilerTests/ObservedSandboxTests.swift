import FleetStore
import Foundation
import PorterSandbox
import Testing

@testable import FleetReconciler

/// An observed sandbox keeps its ownership tags as fields and the rest apart; its tags read back whole.
@Suite("Observed sandboxes")
struct ObservedSandboxTests {
    static let created = Date(timeIntervalSince1970: 1_800_000_000)

    static let ownership = [
        OwnershipTags.fleet: "fleet-1", OwnershipTags.name: "api", OwnershipTags.generation: "3", OwnershipTags.specHash: "1965eb287e136d16",
    ]

    @Test func ownershipTagsAreReadAndTheTagsReadBackWhole() {
        let tagSets: [[String: String]] = [
            Self.ownership,
            Self.ownership.merging(["team": "payments", "tier": "gold"]) { a, _ in a },
            ["team": "payments"],
            [:],
            [OwnershipTags.fleet: "fleet-1", OwnershipTags.generation: "not-a-number"],
        ]
        for tags in tagSets {
            let sandbox = ObservedSandbox(id: "sbx-1", name: "api-g3", tags: tags, phase: .running, createdAt: Self.created)
            #expect(sandbox.tags == tags)
            #expect(sandbox.fleet == tags[OwnershipTags.fleet])
            #expect(sandbox.logicalName == tags[OwnershipTags.name])
            #expect(sandbox.generation == tags[OwnershipTags.generation].flatMap { Int($0) })
            #expect(sandbox.specHash == tags[OwnershipTags.specHash])
        }
    }

    @Test func changingTheTagsChangesOwnershipAndLeavesCopiesAlone() {
        let original = ObservedSandbox(id: "sbx-1", name: "api-g3", tags: Self.ownership, phase: .running, createdAt: Self.created)
        var changed = original
        changed.tags = ["team": "payments", OwnershipTags.fleet: "fleet-2"]
        #expect(changed.fleet == "fleet-2" && changed.logicalName == nil && changed.generation == nil && changed.specHash == nil)
        #expect(changed.tags == ["team": "payments", OwnershipTags.fleet: "fleet-2"])
        #expect(!changed.isOwned(by: "fleet-2"), "a fleet tag alone is not ownership")
        #expect(original.tags == Self.ownership && original.isOwned(by: "fleet-1"))
        #expect(original != changed)
        var same = changed
        same.tags = changed.tags
        #expect(same == changed)
    }
}

/// Action failures are classified for what happens next.
@Suite("Action errors")
struct ActionErrorTests {
    @Test func porterErrorsAreClassifiedByWhatHappensNext() {
        func disposition(_ kind: PorterError.Kind, mutating: Bool = true) -> ActionError.Disposition {
            ActionError(PorterError(kind: kind, message: "x"), mutating: mutating).disposition
        }
        #expect(disposition(.timeout) == .maybeDone && disposition(.transport) == .maybeDone, "a lost answer to a create may be done")
        #expect(disposition(.timeout, mutating: false) == .retryable)
        #expect(disposition(.rateLimited) == .retryable && disposition(.server) == .retryable)
        #expect(disposition(.conflict) == .terminal && disposition(.authentication) == .terminal)
        #expect(ActionError(FleetStoreError.fencedOut(holder: "b", token: 2)).disposition == .retryable)
        let wrapped = ActionError(PorterError(kind: .server, message: "boom"))
        #expect(wrapped.porterError?.kind == .server && ActionError(wrapped) == wrapped)
    }
}
