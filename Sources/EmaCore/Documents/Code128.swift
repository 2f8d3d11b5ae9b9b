/// Code 128 barcodes (ISO/IEC 15417), for the payment reference printed on a bill.
///
/// A reference of digits only is encoded in code set C (two digits a symbol; an odd last digit
/// in code set B); anything else in code set B (printable ASCII). The result is the list of
/// element widths in modules, bar first, ending with the stop pattern's final bar.
public enum Code128 {
    /// Element widths of symbol values 0…106 (106 is the stop pattern, seven elements).
    static let patterns: [String] = [
        "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
        "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
        "221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
        "212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
        "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
        "231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
        "314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
        "112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
        "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
        "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
        "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
    ]

    static let startB = 104
    static let startC = 105
    static let codeB = 100
    static let stop = 106

    public enum EncodingError: Error, Equatable {
        case empty
        case unsupportedCharacter(Character)
    }

    /// The symbol values, start and check symbol included, stop excluded.
    public static func values(for text: String) throws(EncodingError) -> [Int] {
        guard !text.isEmpty else { throw .empty }
        var values: [Int]
        let digits = Array(text.utf8)
        if digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), digits.count >= 2 {
            values = [startC]
            var index = 0
            while index + 1 < digits.count {
                values.append(Int(digits[index] - 0x30) * 10 + Int(digits[index + 1] - 0x30))
                index += 2
            }
            if index < digits.count {
                values.append(codeB)
                values.append(Int(digits[index]) - 32)
            }
        } else {
            values = [startB]
            for character in text {
                guard let ascii = character.asciiValue, (32...126).contains(ascii) else { throw .unsupportedCharacter(character) }
                values.append(Int(ascii) - 32)
            }
        }
        var checksum = values[0]
        for (position, value) in values.enumerated().dropFirst() { checksum += value * position }
        values.append(checksum % 103)
        return values
    }

    /// Element widths in modules, bar first, with the stop pattern.
    public static func widths(for text: String) throws(EncodingError) -> [Int] {
        (try values(for: text) + [stop]).flatMap { value in patterns[value].map { Int(String($0))! } }
    }
}
