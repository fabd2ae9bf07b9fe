import ArgumentParser
import FleetStore
import Foundation
import LocalSandboxAPI
import PorterSandbox

/// `porter-fleet doctor`: checks the configuration and says how to fix each problem.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the configuration: the store, the Sandbox API, and bubblewrap for the local process runtime.",
        discussion: "Exit code 0 when every check passes, 1 otherwise; each problem comes with its fix."
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var backend: BackendOptions

    @Option(name: [.short, .customLong("output")], help: "Output format: text, json or yaml.")
    var output: OutputFormat = .text

    /// One check's outcome.
    struct Check: Encodable {
        var name: String
        var ok: Bool
        var detail: String
        var fix: String?
    }

    func run() async throws {
        var checks: [Check] = []
        checks.append(await checkStore())
        checks.append(contentsOf: await checkBackend())
        checks.append(checkBubblewrap())
        let out = CommandOutput.current
        switch output {
        case .json, .yaml: out.line(output.render(["checks": checks]))
        case .text:
            for check in checks {
                out.line("\(check.ok ? "ok  " : "FAIL") \(check.name): \(check.detail)")
                if let fix = check.fix, !check.ok { out.line("     fix: \(fix)") }
            }
        }
        if checks.contains(where: { !$0.ok }) { throw ExitCode(1) }
    }

    private func checkStore() async -> Check {
        let address: StoreAddress
        do {
            address = try store.address
        } catch {
            return Check(name: "store", ok: false, detail: error.description, fix: "give --db a file path or a postgres:// URL")
        }
        if case .sqlite(let path) = address {
            guard FileManager.default.fileExists(atPath: path) else {
                return Check(name: "store", ok: false, detail: "\(path) does not exist", fix: "run 'porter-fleet apply -f MANIFESTS' (or pass --db)")
            }
            guard FileManager.default.isWritableFile(atPath: path) else {
                return Check(name: "store", ok: false, detail: "\(path) is not writable", fix: "fix the file's permissions")
            }
        }
        do {
            let fleetStore = try await store.open(create: false)
            let integrity = try await fleetStore.integrityCheck()
            guard integrity == "ok" else {
                return Check(name: "store", ok: false, detail: "integrity check: \(integrity)", fix: "restore the store from a backup, or start a new one and apply the manifests again (see docs/operations.md)")
            }
            let settings = try await fleetStore.settings()
            let version = try await fleetStore.schemaVersion()
            return Check(
                name: "store", ok: true,
                detail: "\(fleetStore.engine) \(fleetStore.location): fleet '\(settings.fleetID)', \(try await fleetStore.resources().count) desired resources, schema version \(version)")
        } catch let error as CommandFailure {
            return Check(name: "store", ok: false, detail: error.description, fix: address.isPostgres ? "check the URL, the server and the credentials" : "point --db at a porter-fleet store")
        } catch let error as FleetStoreError {
            return Check(name: "store", ok: false, detail: error.message, fix: "point --db at a porter-fleet store")
        } catch {
            return Check(name: "store", ok: false, detail: "\(error)", fix: "point --db at a porter-fleet store")
        }
    }

    private func checkBackend() async -> [Check] {
        switch backend.configuration {
        case .none:
            return [Check(
                name: "sandbox api", ok: false, detail: "no Sandbox API configured",
                fix: "set PORTER_SANDBOX_BASE_URL (or --api-url), or PORTER_CLUSTER_ID with PORTER_SANDBOX_API_KEY (or --api-key), or use 'porter-fleet up' for the local API")]
        case .invalid(let problem):
            return [Check(name: "sandbox api", ok: false, detail: "the Sandbox API is configured incompletely", fix: problem)]
        case .configured:
            break
        }
        do {
            return try await backend.withPorter(logger: store.logging.logger()) { porter in
                var checks: [Check] = []
                do {
                    _ = try await porter.sandboxes.list(page: 1)
                    checks.append(Check(name: "sandbox api", ok: true, detail: "\(porter.endpoint.baseURL) answers and accepts our credentials"))
                } catch let error as PorterError where error.kind == .authentication {
                    checks.append(Check(name: "sandbox api", ok: false, detail: "\(porter.endpoint.baseURL) rejected the credentials", fix: "set PORTER_SANDBOX_API_KEY to a valid Porter API token with developer permissions"))
                } catch {
                    checks.append(Check(name: "sandbox api", ok: false, detail: "\(porter.endpoint.baseURL): \(error)", fix: "check the URL and that the API is running"))
                }
                return checks
            }
        } catch {
            return [Check(name: "sandbox api", ok: false, detail: "\(error)", fix: "check PORTER_SANDBOX_BASE_URL / PORTER_CLUSTER_ID / PORTER_SANDBOX_API_KEY")]
        }
    }

    private func checkBubblewrap() -> Check {
        let isolation = ProcessIsolation.detect(wanted: true, user: .nobody).verified()
        let network = SandboxNetwork.detect(for: isolation)
        let warnings = [isolation.warning, network.warning].compactMap { $0 }
        guard !warnings.isEmpty else {
            return Check(name: "isolation", ok: true, detail: "local process sandboxes: \(isolation.summary); \(network.summary)")
        }
        return Check(
            name: "isolation", ok: false, detail: warnings.joined(separator: "; "),
            fix: "apt-get install bubblewrap util-linux slirp4netns (only needed for the local Sandbox API's process runtime)")
    }
}
