import Foundation

/// What an indicator measures. `rawValue` is the CSV's `indicador`.
public enum Indicator: String, CaseIterable, Sendable, Codable {
    case officeWait = "tiempo_espera_oficina"
    case officeAttention = "tiempo_atencion_oficina"
    case phoneServiceLevel = "nivel_servicio_telefono"
    case phoneEfficacy = "eficacia_telefono"
    case phoneSpeedOfAnswer = "velocidad_respuesta_telefono"
    case phoneAbandonment = "abandono_telefono"
    case chatServiceLevel = "nivel_servicio_chat"
    case chatEfficacy = "eficacia_chat"
    case firstContactResolution = "solucion_primer_contacto"
    case pqrOnTime = "pqr_respondidas_a_tiempo"
    case complaintIndex = "indice_quejas_reclamos"
    case suggestionsAnswered = "sugerencias_respondidas"
    case suggestionChanges = "sugerencias_con_cambio"
    case satisfaction = "satisfaccion_csat"
    case satisfactionAverage = "satisfaccion_promedio"
    case campaignSatisfaction = "encuesta_periodica"

    public var title: String {
        switch self {
        case .officeWait: "Tiempo de espera en oficinas"
        case .officeAttention: "Tiempo de atención en oficinas"
        case .phoneServiceLevel: "Nivel de servicio de la línea telefónica"
        case .phoneEfficacy: "Eficacia de la línea telefónica"
        case .phoneSpeedOfAnswer: "Velocidad media de respuesta telefónica"
        case .phoneAbandonment: "Llamadas abandonadas"
        case .chatServiceLevel: "Nivel de servicio del chat con asesor"
        case .chatEfficacy: "Eficacia del chat con asesor"
        case .firstContactResolution: "Solución en el primer contacto"
        case .pqrOnTime: "PQR respondidas a tiempo"
        case .complaintIndex: "Índice de quejas y reclamos"
        case .suggestionsAnswered: "Sugerencias respondidas"
        case .suggestionChanges: "Cambios que nacieron de las sugerencias"
        case .satisfaction: "Clientes satisfechos (CSAT)"
        case .satisfactionAverage: "Calificación promedio"
        case .campaignSatisfaction: "Encuesta periódica de satisfacción"
        }
    }

    /// How it is computed, in words for anyone, with the utility's own thresholds.
    public func definition(_ rules: IndicatorRules = IndicatorRules()) -> String {
        let threshold = SpanishNumber.integer(Int(rules.phoneThreshold))
        let short = SpanishNumber.integer(Int(PhoneIndicators.shortAbandon))
        return switch self {
        case .officeWait:
            "Minutos promedio de espera hasta que empieza la atención, en todos los turnos atendidos: si reservaste, desde la hora de tu turno (si te atienden antes, cuenta cero); si llegaste sin cita, desde que recibiste tu número. Por tipo de turno ves cuántos fueron de cada clase."
        case .officeAttention:
            "Minutos promedio que dura la atención en la ventanilla, desde que empieza hasta que termina, en todos los turnos atendidos, con cita o sin ella."
        case .phoneServiceLevel:
            "De las llamadas que entraron a nuestras líneas, el porcentaje que un asesor contestó en \(threshold) segundos o menos de espera. No cuentan las llamadas que se colgaron antes de \(short) segundos: quien cuelga tan pronto marcó por error, y así lo miden los centros de contacto."
        case .phoneEfficacy:
            "De todas las llamadas que entraron a nuestras líneas, el porcentaje que un asesor contestó, esperara lo que esperara."
        case .phoneSpeedOfAnswer:
            "Segundos promedio que esperaron en la línea las llamadas contestadas, desde que entraron a la fila hasta que un asesor contestó."
        case .phoneAbandonment:
            "De las llamadas que entraron (sin las colgadas antes de \(short) segundos), el porcentaje en que la persona colgó antes de que un asesor contestara."
        case .chatServiceLevel:
            "De los chats en los que un cliente pidió hablar con un asesor, el porcentaje que un asesor respondió en \(Int(Indicators.chatTarget)) segundos o menos. No cuentan los mensajes dejados fuera del horario de atención."
        case .chatEfficacy:
            "De los chats que el asesor cerró indicando si la necesidad quedó resuelta, el porcentaje resuelto en la misma conversación."
        case .firstContactResolution:
            "Porcentaje de contactos en los que resolvimos lo que necesitabas en ese mismo contacto, de aquellos en que quedó dicho: llamadas contestadas que el centro de contacto marcó como resueltas; chats que el asesor cerró como resueltos; visitas a la oficina que el asesor terminó como resueltas; y PQR respondidas sin que presentaras un recurso contra la respuesta (las que aún están en plazo de recurso se cuentan cuando el plazo termina)."
        case .pqrOnTime:
            "De las peticiones, quejas, reclamos y recursos que respondimos en el mes, el porcentaje respondido dentro del término de ley (15 días hábiles en general, o el que corresponda a cada trámite, contando la prórroga cuando se avisó a tiempo)."
        case .complaintIndex:
            "Quejas y reclamos radicados en el mes por cada 10.000 contratos. Por municipio y por segmento se compara con los contratos de ese municipio o segmento."
        case .suggestionsAnswered:
            "De las sugerencias que nos hiciste en el mes, el porcentaje que el área encargada ya respondió. Cada sugerencia se remite al área que la puede atender, que la analiza y te contacta por el canal por el que la enviaste."
        case .suggestionChanges:
            "Cuántas de las sugerencias del mes llevaron a un cambio (un trámite, un horario, una mejora en un canal), según lo registra el área que la atendió."
        case .satisfaction:
            "Porcentaje de respuestas de encuesta con calificación de 4 o 5 (de 1 a 5): después del chat con asesor, de una queja respondida, de la atención en oficina y en la encuesta periódica."
        case .campaignSatisfaction:
            "Resultado de la encuesta periódica a los clientes atendidos en el mes en las oficinas y por la línea telefónica: el promedio de 1 a 5 de la pregunta general y, por pregunta, el de cada una. Sale solo en los meses que tuvieron encuesta."
        case .satisfactionAverage:
            "Promedio de las calificaciones de 1 a 5 de las mismas encuestas."
        }
    }

    /// The CSV's `unidad`.
    public var unit: String {
        switch self {
        case .officeWait, .officeAttention: "minutos"
        case .phoneSpeedOfAnswer: "segundos"
        case .phoneServiceLevel, .phoneEfficacy, .phoneAbandonment, .chatServiceLevel, .chatEfficacy, .satisfaction, .firstContactResolution: "porcentaje"
        case .complaintIndex: "por 10.000 contratos"
        case .satisfactionAverage: "calificación de 1 a 5"
        case .suggestionsAnswered, .pqrOnTime: "porcentaje"
        case .campaignSatisfaction: "calificación de 1 a 5"
        case .suggestionChanges: "cambios"
        }
    }

    /// What `cases` counts.
    public var casesLabel: String {
        switch self {
        case .officeWait, .officeAttention: "turnos atendidos"
        case .phoneServiceLevel, .phoneAbandonment: "llamadas (sin las colgadas antes de 5 s)"
        case .phoneEfficacy: "llamadas recibidas"
        case .phoneSpeedOfAnswer: "llamadas contestadas"
        case .chatServiceLevel: "chats pedidos"
        case .chatEfficacy: "chats cerrados por el asesor"
        case .firstContactResolution: "contactos"
        case .complaintIndex: "quejas y reclamos"
        case .satisfaction, .satisfactionAverage: "respuestas"
        case .suggestionsAnswered: "sugerencias recibidas"
        case .pqrOnTime: "PQR respondidas"
        case .campaignSatisfaction: "respuestas"
        case .suggestionChanges: "sugerencias respondidas"
        }
    }

    public var decimals: Int {
        switch self {
        case .officeWait, .officeAttention, .chatServiceLevel, .chatEfficacy, .satisfaction: 1
        case .phoneServiceLevel, .phoneEfficacy, .phoneSpeedOfAnswer, .phoneAbandonment, .firstContactResolution: 1
        case .complaintIndex, .satisfactionAverage, .campaignSatisfaction: 2
        case .pqrOnTime: 1
        case .suggestionsAnswered: 1
        case .suggestionChanges: 0
        }
    }

    /// The largest value a chart's scale needs, when it is fixed (percentages, scores).
    public var scaleMaximum: Double? {
        switch self {
        case .chatServiceLevel, .chatEfficacy, .satisfaction, .phoneServiceLevel, .phoneEfficacy, .phoneAbandonment, .firstContactResolution: 100
        case .satisfactionAverage, .campaignSatisfaction: 5
        case .pqrOnTime: 100
        case .suggestionsAnswered: 100
        case .officeWait, .officeAttention, .complaintIndex, .phoneSpeedOfAnswer, .suggestionChanges: nil
        }
    }

    /// The value as a person reads it: `12,5 min`, `87,5 %`, `3,25`, `4,25 de 5`, or `sin datos`.
    public func display(_ value: Double?) -> String {
        guard let value else { return "sin datos" }
        let number = SpanishNumber.decimal(value, places: decimals)
        switch self {
        case .officeWait, .officeAttention: return number + " min"
        case .phoneSpeedOfAnswer: return number + " s"
        case .chatServiceLevel, .chatEfficacy, .satisfaction, .phoneServiceLevel, .phoneEfficacy, .phoneAbandonment, .firstContactResolution: return number + " %"
        case .complaintIndex: return number + " por 10.000 contratos"
        case .satisfactionAverage, .campaignSatisfaction: return number + " de 5"
        case .pqrOnTime: return number + " %"
        case .suggestionsAnswered: return number + " %"
        case .suggestionChanges: return value == 1 ? "1 cambio" : number + " cambios"
        }
    }

    /// The value alone with its shortest unit, for a chart's bar (the chart's title says what
    /// it counts).
    public func short(_ value: Double?) -> String {
        guard let value else { return "sin datos" }
        return self == .complaintIndex ? SpanishNumber.decimal(value, places: decimals) : display(value)
    }
}

/// What a figure is split by.
public enum IndicatorDimension: Hashable, Sendable {
    case total
    case office(String)
    case municipality(String)
    case segment(String)
    case kind(String)
    case channel(String)
    /// A phone line: its number as the contact centre writes it, and its name.
    case line(String, name: String)
    /// A contact centre queue.
    case queue(String)
    /// How a turn came: `TurnOrigin.rawValue`.
    case origin(String)
    /// An area that receives suggestions, by name.
    case area(String)
    /// A question of the periodic survey: its id and its text.
    case question(String, text: String)

    public static let noMunicipality = "Sin municipio"

    /// The order of the groups on the page and in the CSV.
    public var kind: Int {
        switch self {
        case .total: 0
        case .kind: 1
        case .channel: 2
        case .office: 3
        case .municipality: 4
        case .segment: 5
        case .line: 6
        case .queue: 7
        case .origin: 8
        case .area: 9
        case .question: 10
        }
    }

    /// The CSV's `dimension`: `total`, `oficina:Oficina Bello`, `segmento:hogares`, …
    public var csv: String {
        switch self {
        case .total: "total"
        case .office(let name): "oficina:" + name
        case .municipality(let name): "municipio:" + name
        case .segment(let name): "segmento:" + name
        case .kind(let name): "encuesta:" + name
        case .channel(let name): "canal:" + name
        case .line(let number, _): "linea:" + number
        case .queue(let name): "fila:" + name
        case .origin(let raw): "origen:" + raw
        case .area(let name): "area:" + name
        case .question(let id, _): "pregunta:" + id
        }
    }

    /// "Por oficina", for the page's groups.
    public var groupTitle: String {
        switch self {
        case .total: "Total"
        case .office: "Por oficina"
        case .municipality: "Por municipio"
        case .segment: "Por segmento"
        case .kind: "Por tipo de encuesta"
        case .channel: "Por canal"
        case .line: "Por línea"
        case .queue: "Por fila de atención"
        case .origin: "Por tipo de turno"
        case .area: "Por área"
        case .question: "Por pregunta"
        }
    }

    /// The name a person reads.
    public var label: String {
        switch self {
        case .total: "Total"
        case .office(let name), .municipality(let name), .queue(let name), .line(_, let name), .area(let name), .question(_, let name): name
        case .segment(let raw): Segment(rawValue: raw)?.displayName ?? raw
        case .origin(let raw): TurnOrigin(rawValue: raw)?.title ?? raw
        case .kind(let raw): SurveyKind(rawValue: raw)?.title ?? raw
        case .channel(let raw):
            switch raw {
            case "web": "Página web"
            case "kiosk": "Kiosco en oficina"
            case "whatsapp": "WhatsApp"
            case "telefono": "Línea telefónica"
            case "chat": "Chat con asesor"
            case "oficina": "Oficinas"
            case "pqr": "PQR escritas"
            default: raw
            }
        }
    }
}

/// The utility's own thresholds the rules are written with (`utility.json`).
public struct IndicatorRules: Sendable, Equatable {
    /// A call answered within this many seconds is in time (`phone.serviceLevelSeconds`).
    public var phoneThreshold: TimeInterval

    public init(phoneThreshold: TimeInterval = PhoneIndicators.defaultThreshold) {
        self.phoneThreshold = phoneThreshold
    }
}

/// One number of one indicator for one dimension.
public struct Figure: Sendable, Equatable {
    public let indicator: Indicator
    public let dimension: IndicatorDimension
    /// nil when there was nothing to measure.
    public let value: Double?
    /// How many facts the value stands on (turns, chats, quejas and reclamos, answers).
    public let cases: Int

    public init(indicator: Indicator, dimension: IndicatorDimension, value: Double?, cases: Int) {
        (self.indicator, self.dimension, self.value, self.cases) = (indicator, dimension, value, cases)
    }
}
