// swift-tools-version:6.0
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "ema",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ema", targets: ["ema"]),
        .executable(name: "ema-bench", targets: ["ema-bench"]),
        .library(name: "EmaServer", targets: ["EmaServer"]),
        .library(name: "EmaCore", targets: ["EmaCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.0"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.0"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0" ..< "5.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.24.0"),
        .package(url: "https://github.com/JohnSundell/Ink.git", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        // Only the benchmark: the importer's own parser measured against a maintained library.
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
    ],
    targets: [
        // The domain: no Vapor, no database. Clock and randomness come in as parameters.
        .target(
            name: "EmaCore",
            swiftSettings: swiftSettings
        ),
        // The Vapor application, as a library so tests and the executables share it.
        .target(
            name: "EmaServer",
            dependencies: [
                "EmaCore",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Ink", package: "Ink"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ema",
            dependencies: ["EmaServer"],
            swiftSettings: swiftSettings
        ),
        // Benchmarks: `swift run -c release ema-bench import --rows 1000000`.
        .executableTarget(
            name: "ema-bench",
            dependencies: [
                "EmaServer",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CSV", package: "CSV.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EmaCoreTests",
            dependencies: ["EmaCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EmaServerTests",
            dependencies: [
                "EmaServer",
                .product(name: "VaporTesting", package: "vapor"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
