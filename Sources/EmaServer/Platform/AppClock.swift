import EmaCore
import Foundation
import NIOConcurrencyHelpers

/// The time source of the application. Production reads the system clock; tests use
/// `AppClock.manual` and move time by hand.
public struct AppClock: Sendable {
    public let now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    public static let system = AppClock { Date() }

    /// Today in Bogotá, the day the law and the bills count in.
    public var today: CivilDate { CivilDate(bogotaAt: now().timeIntervalSince1970) }

    /// A clock that stands still until `advance` is called.
    public final class Manual: Sendable {
        private let current: NIOLockedValueBox<Date>
        public init(_ start: Date) { current = NIOLockedValueBox(start) }
        public var now: Date { current.withLockedValue { $0 } }
        public func advance(by seconds: TimeInterval) { current.withLockedValue { $0 += seconds } }
        public var clock: AppClock { AppClock { [current] in current.withLockedValue { $0 } } }
    }
}
