import Foundation
import Testing

/// The seeded state machine over the controller (``FleetStateMachine``). CI runs 1,000 steps of a fixed
/// seed; `scripts/chaos-soak --state-machine STEPS --seeds A,B,…` runs it longer through the
/// `PORTER_FLEET_STATE_MACHINE_STEPS` and `PORTER_FLEET_STATE_MACHINE_SEEDS` variables.
@Suite("Safety state machine")
struct StateMachineTests {
    static var steps: Int {
        ProcessInfo.processInfo.environment["PORTER_FLEET_STATE_MACHINE_STEPS"].flatMap(Int.init) ?? 1_000
    }

    /// Every step in CI; long runs may check SQLite's integrity less often (`PORTER_FLEET_STATE_MACHINE_INTEGRITY_EVERY`).
    static var integrityEvery: Int {
        ProcessInfo.processInfo.environment["PORTER_FLEET_STATE_MACHINE_INTEGRITY_EVERY"].flatMap(Int.init) ?? 1
    }

    static var seeds: [UInt64] {
        ProcessInfo.processInfo.environment["PORTER_FLEET_STATE_MACHINE_SEEDS"]?.split(separator: ",").compactMap { UInt64($0) } ?? [20_261_129]
    }

    @Test func invariantsHoldAtEveryStep() async throws {
        for seed in Self.seeds {
            let machine = try FleetStateMachine(seed: seed, integrityEvery: Self.integrityEvery)
            for _ in 0..<Self.steps {
                try await machine.runStep()
                if machine.violations.count > 20 { break }
            }
            #expect(machine.violations.isEmpty, "\(machine.violations.prefix(20).joined(separator: "\n"))")
            let tally = machine.tally
            #expect(tally["pass", default: 0] > Self.steps / 10 && tally["pass refused: lease held", default: 0] > 0 && tally["writer killed", default: 0] > 0, "\(tally)")
            #expect(machine.backend.calls(.create) > Self.steps / 20 && machine.backend.calls(.terminate) > Self.steps / 50, "the run created and terminated")
            print("state machine seed \(seed), \(Self.steps) steps: \(tally.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")), creates \(machine.backend.calls(.create)), terminations \(machine.backend.calls(.terminate))")
            let converged = try await machine.settle()
            #expect(converged, "seed \(seed): converged once the faults stopped")
            #expect(machine.violations.isEmpty, "\(machine.violations.prefix(20).joined(separator: "\n"))")
        }
    }
}
