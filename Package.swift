// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "porter-fleet",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "porter-fleet", targets: ["porter-fleet"]),
        .library(name: "PorterSandbox", targets: ["PorterSandbox"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(
            url: "https://github.com/hummingbird-project/hummingbird",
            from: "2.28.1",
            traits: ["FullFoundation"]
        ),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .target(
            name: "PorterSandbox",
            dependencies: [
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                "WireFormats",
            ],
            exclude: ["openapi-generator-config.yaml"]
        ),
        // The controller's listing of its fleet: page digests, a byte-level page reader, shared tag strings.
        // Internal (no product): not part of the SDK.
        .target(
            name: "PorterSandboxListing",
            dependencies: [
                "PorterSandbox",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(name: "WireFormats"),
        .target(name: "CLinuxFiles"),
        .target(
            name: "LocalSandboxAPI",
            dependencies: [
                "PorterSandbox",
                "WireFormats",
                "CLinuxFiles",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["openapi-generator-config.yaml"]
        ),
        .target(
            name: "FleetModel",
            dependencies: [
                "WireFormats",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "FleetStore",
            dependencies: ["FleetModel"]
        ),
        .target(
            name: "FleetStoreSQLite",
            dependencies: [
                "FleetModel",
                "FleetStore",
                "WireFormats",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "FleetStorePostgres",
            dependencies: [
                "FleetModel",
                "FleetStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "FleetReconciler",
            dependencies: [
                "FleetModel",
                "FleetStore",
                "PorterSandbox",
                "PorterSandboxListing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(
            name: "FleetDashboard",
            dependencies: [
                "FleetModel",
                "FleetStore",
                "FleetReconciler",
                "PorterSandbox",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .target(
            name: "FleetDaemon",
            dependencies: [
                "FleetDashboard",
                "FleetReconciler",
                "FleetStore",
                "PorterSandbox",
                "LocalSandboxAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "FleetCommands",
            dependencies: [
                "FleetDaemon",
                "FleetDashboard",
                "PorterSandbox",
                "WireFormats",
                "LocalSandboxAPI",
                "FleetModel",
                "FleetStore",
                "FleetStoreSQLite",
                "FleetStorePostgres",
                "FleetReconciler",
                .product(name: "Yams", package: "Yams"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "porter-fleet",
            dependencies: ["FleetCommands"]
        ),
        .executableTarget(
            name: "local-api-benchmark",
            dependencies: [
                "LocalSandboxAPI",
                "PorterSandbox",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/LocalAPIBenchmark"
        ),
        .executableTarget(
            name: "reconciler-benchmark",
            dependencies: [
                "FleetReconciler", "FleetStore", "FleetStoreSQLite", "FleetStorePostgres", "FleetModel", "PorterSandbox",
                "PorterSandboxListing",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Benchmarks/ReconcilerBenchmark"
        ),
        .executableTarget(
            name: "chaos-soak",
            dependencies: [
                "FleetStore", "FleetStoreSQLite", "FleetStorePostgres", "FleetModel", "PorterSandbox", "LocalSandboxAPI",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "scripts/ChaosSoak"
        ),
        .executableTarget(
            name: "desired-state-benchmark",
            dependencies: ["FleetCommands"],
            path: "Benchmarks/DesiredStateBenchmark"
        ),
        .target(name: "FuzzSupport", path: "Fuzz/FuzzSupport"),
        .executableTarget(
            name: "wire-formats-fuzz",
            dependencies: ["WireFormats", "FuzzSupport"],
            path: "Fuzz/WireFormatsFuzz"
        ),
        .executableTarget(
            name: "manifest-fuzz",
            dependencies: ["FleetModel", "FuzzSupport"],
            path: "Fuzz/ManifestFuzz"
        ),
        .target(
            name: "FleetTestSupport",
            dependencies: [
                "FleetReconciler", "FleetStore", "FleetStorePostgres", "FleetModel", "PorterSandbox", "LocalSandboxAPI",
                "PorterSandboxListing",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/FleetTestSupport"
        ),
        .testTarget(
            name: "FleetReconcilerTests",
            dependencies: [
                "FleetTestSupport",
                "FleetReconciler",
                "FleetStore",
                "FleetStoreSQLite",
                "FleetModel",
                "LocalSandboxAPI",
                "PorterSandbox",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "FleetStoreContractTests",
            dependencies: [
                "FleetStore", "FleetStoreSQLite", "FleetStorePostgres", "FleetModel", "FleetTestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "WireFormatsTests",
            dependencies: ["WireFormats"]
        ),
        .testTarget(
            name: "FleetModelTests",
            dependencies: ["FleetModel"]
        ),
        .testTarget(
            name: "FleetCommandsTests",
            dependencies: [
                "FleetCommands", "FleetModel", "FleetStore", "FleetStoreSQLite", "FleetStorePostgres", "FleetTestSupport", "LocalSandboxAPI",
                "PorterSandbox",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "FleetDaemonTests",
            dependencies: [
                "FleetDaemon", "FleetReconciler", "FleetStore", "FleetStoreSQLite", "FleetModel", "LocalSandboxAPI", "PorterSandbox", "FleetDashboard",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "LocalSandboxAPITests",
            dependencies: [
                "LocalSandboxAPI",
                "WireFormats",
                "PorterSandbox",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "PorterSandboxListingTests",
            dependencies: [
                "PorterSandboxListing",
                "PorterSandbox",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .testTarget(
            name: "PorterSandboxTests",
            dependencies: [
                "PorterSandbox",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
