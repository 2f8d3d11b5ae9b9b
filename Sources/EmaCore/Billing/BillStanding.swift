/// Where a bill stands for the customer: what is still owed and whether it is late.
public struct BillStanding: Sendable, Equatable {
    public enum Status: String, Sendable, Codable {
        case pending = "pendiente"
        case overdue = "vencida"
        case paid = "pagada"
        /// What was not paid is in a payment agreement: its instalments come in the next bills.
        case financed = "financiada"

        /// As a customer reads it.
        public var title: String {
            switch self {
            case .pending: "Pendiente de pago"
            case .overdue: "Vencida"
            case .paid: "Pagada"
            case .financed: "En acuerdo de pago"
            }
        }
    }

    public let amount: Int64
    public let paid: Int64
    public let status: Status
    /// Moved into a payment agreement (not owed on this bill any more).
    public let financed: Int64

    /// What is still owed; never negative.
    public var balance: Int64 { max(0, amount - paid - financed) }

    /// `today` is the civil date in Bogotá; a bill is late the day after its due date.
    public init(amount: Int64, paid: Int64, financed: Int64 = 0, dueDate: CivilDate?, today: CivilDate) {
        self.amount = amount
        self.paid = paid
        self.financed = financed
        if paid >= amount {
            status = .paid
        } else if paid + financed >= amount {
            status = .financed
        } else if let due = dueDate, due < today {
            status = .overdue
        } else {
            status = .pending
        }
    }
}
