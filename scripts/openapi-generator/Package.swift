// swift-tools-version: 6.1
// A build-time helper package: it only makes `swift-openapi-generator` runnable by
// `scripts/generate-openapi`. The main package never depends on it.
import PackageDescription

let package = Package(
    name: "openapi-generator-runner",
    dependencies: [
        .package(url: "https://github.com/apple/swift-openapi-generator", exact: "1.14.3")
    ],
    targets: []
)
