import FleetReconciler
import FleetStore
import Foundation
import PorterSandbox
import PorterSandboxListing

extension ReconcilerBenchmark {
    /// What each shortcut of the controller's listing (`PorterSandboxListing`) is worth over `count` in-sync
    /// sandboxes of fleet `noop`: the listing alone, read each way, and the no-op pass with every shortcut
    /// and with none (every page decoded by the generated client's `JSONDecoder`). CPU per listing or pass,
    /// the mean of `rounds` after one to warm up.
    static func compareListings(store: any FleetStore, url: String, options: ControllerOptions, count: Int, rounds: Int = 5) async throws {
        let porter = try Porter(baseURL: url, environment: [:])
        let tags = ["porter-fleet/fleet": "noop"]
        func perRound(_ body: () async throws -> Int) async throws -> (ms: Double, listed: Int) {
            _ = try await body()
            let before = cpuSeconds()
            var listed = 0
            for _ in 0..<rounds { listed = try await body() }
            return ((cpuSeconds() - before) * 1000 / Double(rounds), listed)
        }
        print("listing \(count) in-sync sandboxes (\(max(1, (count + 99) / 100)) pages), CPU a listing, mean of \(rounds):")
        let sdk = try await perRound {
            var sandboxes: [ObservedSandbox] = []
            var page = 1
            while true {
                let response = try await porter.sandboxes.listStatuses(tags: tags, phases: [.queued, .creating, .running], page: page)
                sandboxes.append(contentsOf: response.sandboxes.map(ObservedSandbox.init))
                guard response.pagination.hasNextPage, !response.sandboxes.isEmpty else { return sandboxes.count }
                page += 1
            }
        }
        print(String(format: "  the SDK's listStatuses (generated client, JSONDecoder): %.1f ms (%d listed)", sdk.ms, sdk.listed))
        var reader = ListingOptions.generated
        reader.readsBytes = true
        let variants: [(String, ListingOptions)] = [
            ("generated decoding, with page digests", .generated),
            ("the byte-level reader", reader),
            ("all shortcuts: unchanged pages not decoded again", ListingOptions()),
        ]
        for (name, listingOptions) in variants {
            let backend = PorterSandboxBackend(porter: porter, listingOptions: listingOptions)
            let measured = try await perRound { try await backend.liveListing(tags: tags).sandboxes.count }
            print(String(format: "  %@: %.1f ms (%.2f × the SDK's)", name, measured.ms, measured.ms / sdk.ms))
        }
        print("the no-op pass over them, CPU a pass, mean of \(rounds):")
        for (name, listingOptions) in [("generated decoding", ListingOptions.generated), ("all listing shortcuts", ListingOptions())] {
            for full in [false, true] {
                var passOptions = options
                if full { passOptions.fullPassInterval = 0 }
                let controller = FleetController(
                    store: store, backend: PorterSandboxBackend(porter: porter, listingOptions: listingOptions), options: passOptions)
                _ = try await controller.reconcileOnce()
                let measured = try await perRound { try await controller.reconcileOnce().plan.actions.count }
                print(String(format: "  %@, %@: %.1f ms (%d actions)", name, full ? "planned in full" : "settled plan reused", measured.ms, measured.listed))
            }
        }
        try await porter.shutdown()
    }
}
