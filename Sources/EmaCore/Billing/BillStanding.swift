/// Where a bill stands for the customer: what is still owed and whether it is late.
public struct BillStanding: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        case pending = "pendiente"
        case overdue = "vencida"
        case paid = "pagada"

        /// As a customer reads it.
        public var title: String {
            switch self {
            case .pending: "Pendiente de pago"
            case .overdue: "Vencida"
            case .paid: "Pagada"
            }
        }
    }

    public let amount: Int64
    public let paid: Int64
    public let status: Status

    /// What is still owed; never negative.
    public var balance: Int64 { max(0, amount - paid) }

    /// `today` is the civil date in Bogotá; a bill is late the day after its due date.
    public init(amount: Int64, paid: Int64, dueDate: CivilDate?, today: CivilDate) {
        self.amount = amount
        self.paid = paid
        if paid >= amount {
            status = .paid
        } else if let due = dueDate, due < today {
            status = .overdue
        } else {
            status = .pending
        }
    }
}
