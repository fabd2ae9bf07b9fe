import FleetModel
import FleetStore
import Foundation
import PorterSandbox
import Testing

@testable import FleetReconciler

/// TTL rotation keeps a logical sandbox available: the next generation starts before the TTL ends the
/// current one, and the old one goes once the new one runs (docs/reconcile-rules.md, "TTL rotation").
@Suite("TTL rotation")
struct TTLRotationTests {
    static let now = PlannerTests.now

    static func desired(ttl: Int, policy: RestartPolicy = .always) -> DesiredSandbox {
        var template = PlannerTests.template(policy: policy)
        template.ttlSeconds = ttl
        return PlannerTests.desired("api", template)
    }

    /// A live generation created `age` seconds ago.
    static func generation(_ number: Int, of sandbox: DesiredSandbox, age: TimeInterval, phase: SandboxPhase = .running) -> ObservedSandbox {
        var live = PlannerTests.live("api", generation: number, hash: PlannerTests.hash(sandbox), phase: phase)
        live.createdAt = now.addingTimeInterval(-age)
        return live
    }

    static func plan(_ sandbox: DesiredSandbox, _ live: [ObservedSandbox]) -> Plan {
        Planner.plan(PlannerInput(desired: PlannerTests.fleet([sandbox]), live: live, now: now))
    }

    @Test func theNextGenerationStartsAFifthOfTheTTLBeforeTheEnd() {
        let sandbox = Self.desired(ttl: 100)
        let early = Self.plan(sandbox, [Self.generation(1, of: sandbox, age: 70)])
        #expect(early.actions.isEmpty && early.isInSync)
        #expect(early.requeueAt == Self.now.addingTimeInterval(10), "a pass is asked for when rotation is due (created 70 s ago, due at 80 s)")

        let due = Self.plan(sandbox, [Self.generation(1, of: sandbox, age: 85)])
        #expect(PlannerTests.creates(due) == ["api-g2"])
        guard case .createSandbox(_, _, _, _, _, let reason) = due.actions.first else {
            Issue.record("no create")
            return
        }
        #expect(reason == .rotateBeforeTTL(generation: 1) && reason.isReplacement)
        #expect(due.statuses.first?.health == .healthy, "generation 1 still serves")
    }

    @Test func theOldGenerationServesUntilTheNewOneRunsThenGoes() {
        let sandbox = Self.desired(ttl: 100)
        let old = Self.generation(1, of: sandbox, age: 90)
        let starting = Self.plan(sandbox, [old, Self.generation(2, of: sandbox, age: 2, phase: .queued)])
        #expect(starting.actions.isEmpty, "the successor is not terminated as a duplicate, nor the old one before it runs")
        #expect(starting.statuses.first?.health == .healthy && starting.statuses.first?.generation == 1)
        #expect(starting.requeueAt != nil)

        let running = Self.plan(sandbox, [old, Self.generation(2, of: sandbox, age: 3)])
        #expect(PlannerTests.terminates(running) == ["api-g1"])
        guard case .terminateSandbox(_, _, _, let reason) = running.actions.first else {
            Issue.record("no terminate")
            return
        }
        #expect(reason == .rotated(by: 2))
    }

    /// A successor that fails to start is not created again at every pass: it backs off like any crash
    /// loop while the current generation serves.
    @Test func aFailingSuccessorBacksOffWhileTheCurrentGenerationServes() {
        let sandbox = Self.desired(ttl: 100)
        var history = LogicalHistory()
        history.lastGeneration = 3
        let hash = PlannerTests.hash(sandbox)
        for generation in 2...3 {
            history.recordEnd(
                .init(generation: generation, phase: .failed, reason: .workloadExited, exitCode: 3, specHash: hash),
                startedAt: Self.now.addingTimeInterval(-2), finishedAt: Self.now.addingTimeInterval(-1), policy: .always, supersededByLive: false)
        }
        let input = PlannerInput(
            desired: PlannerTests.fleet([sandbox]), live: [Self.generation(1, of: sandbox, age: 90)], history: ["api": history], now: Self.now)
        let plan = Planner.plan(input)
        #expect(plan.actions.isEmpty, "no create while the successor backs off")
        #expect(plan.requeueAt == history.backoffUntil && plan.statuses.first?.health == .healthy)
    }

    @Test(arguments: [(9, RestartPolicy.always), (100, .onFailure), (100, .never)])
    func shortTTLsAndOtherPoliciesAreNotRotated(ttl: Int, policy: RestartPolicy) {
        let sandbox = Self.desired(ttl: ttl, policy: policy)
        let plan = Self.plan(sandbox, [Self.generation(1, of: sandbox, age: Double(ttl) - 0.5)])
        #expect(plan.actions.isEmpty && plan.requeueAt == nil)
    }
}
