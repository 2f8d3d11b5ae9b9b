import EmaCore
import Foundation

extension BackOfficeCasesController {
    /// What an action did, said on the case's page it redirects to (so a refresh does not send
    /// the form again).
    enum Done: String {
        case taken = "tomado", assigned = "asignado", noted = "nota", classified = "clasificado", extended = "prorrogado", answered = "respondido"
        case routed = "remitida", changeRecorded = "cambio"

        func message(_ row: PQRCase) -> String {
            switch self {
            case .taken: "Tomaste este caso."
            case .assigned: "Caso asignado a \(row.assignedName ?? "otra persona")."
            case .noted: "Nota interna guardada."
            case .classified: "Clasificación guardada."
            case .extended: "Término prorrogado hasta el \(row.extendedDueOn.flatMap(CivilDate.init)?.nameWithWeekday ?? "nuevo vencimiento"). Avisamos al cliente."
            case .routed: "Sugerencia remitida al área. Queda en su lista de sugerencias."
            case .changeRecorded: row.ledToChange == true ? "Guardamos el cambio: el cliente lo ve en la consulta de su radicado." : "Guardamos que esta sugerencia no lleva a un cambio por ahora."
            case .answered: row.notificationKind == CaseNotifier.Kind.aviso.rawValue
                ? "Respuesta guardada y publicada en la consulta de radicados: no pudimos escribirle al cliente (no dejó celular o el SMS no está disponible), así que la lee ahí con su código."
                : "Respuesta guardada y notificada al cliente."
            }
        }
    }
}
