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
            let started = ContinuousClock.now
            let machine = try await FleetStateMachine(seed: seed, integrityEvery: Self.integrityEvery)
            for _ in 0..<Self.steps {
                try await machine.runStep()
                if machine.violations.count > 20 { break }
            }
            let ran = machine.step
            let converged = machine.violations.isEmpty ? try await machine.settle() : false
            report(machine, ran: ran, converged: converged, took: ContinuousClock.now - started)
            let tally = machine.tally
            #expect(
                tally["pass", default: 0] > Self.steps / 10 && tally["pass refused: lease held", default: 0] > 0
                    && tally["controller restarted", default: 0] > 0, "\(tally)")
            #expect(
                tally["TTL expired", default: 0] > 0 && tally["API restarted", default: 0] > 0
                    && tally["store lost, recovered with its fleet id", default: 0] > 0, "\(tally)")
            #expect(machine.api.calls(.create) > Self.steps / 20 && machine.api.calls(.terminate) > Self.steps / 50, "the run created and terminated")
            #expect(
                tally["crash-loop count rose", default: 0] > 0 && tally["pass after status said in sync", default: 0] > 0 && machine.jobs.completions > 0,
                "the run counted crashes, passed in sync and completed jobs: \(tally)")
            #expect(machine.api.calls(.createVolume) > 0, "the run created volumes")
            #expect(machine.volumeNamesArePlain || machine.api.calls(.deleteVolume) > 0, "the run deleted volumes")
        }
    }

    /// Prints what the run did; on a violation, the first violations, the way to replay the run and the
    /// steps that led to it.
    private func report(_ machine: FleetStateMachine, ran: Int, converged: Bool, took: Duration) {
        let counts = machine.tally.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print(
            "state machine seed \(machine.seed), \(ran) steps in \(String(format: "%.1f", Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18)) s: "
                + "\(counts), jobs completed \(machine.jobs.completions), creates \(machine.api.calls(.create)), terminations \(machine.api.calls(.terminate)), "
                + "volume creates \(machine.api.calls(.createVolume)), volume deletes \(machine.api.calls(.deleteVolume)), violations \(machine.violations.count)")
        if !machine.violations.isEmpty || !converged {
            let replay = "scripts/chaos-soak --state-machine \(ran) --seeds \(machine.seed)"
            let path = machine.trace.write(seed: machine.seed)
            Issue.record(
                """
                \(machine.violations.isEmpty ? "seed \(machine.seed): did not converge once the faults stopped" : machine.violations.prefix(20).joined(separator: "\n"))
                replay: \(replay)
                whole trace: \(path ?? "(not written)")
                last steps:
                \(machine.trace.tail(40))
                """)
        }
    }
}
