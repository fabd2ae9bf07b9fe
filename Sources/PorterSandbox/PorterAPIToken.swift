import Foundation

/// Reads the project id out of a Porter API token (a JWT), as the official SDKs do.
///
/// The signature is not checked: verifying it is the server's job. Reference §1.2.
public enum PorterAPIToken {
    /// The positive integer `project_id` in the token's payload.
    ///
    /// - Throws: ``PorterError`` of kind `invalidConfiguration` when the key is not three dot-separated
    ///   segments, the payload is not base64url JSON, or `project_id` is missing, not an integer, or not positive.
    public static func projectID(fromToken token: String) throws -> Int {
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3 else { throw notAToken("it does not have three dot-separated segments") }
        guard let payload = base64URLDecode(String(segments[1])) else {
            throw notAToken("its payload is not base64url")
        }
        guard let json = try? JSONSerialization.jsonObject(with: payload),
            let object = json as? [String: Any]
        else { throw notAToken("its payload is not a JSON object") }
        guard let raw = object["project_id"] else { throw notAToken("its payload has no project_id") }
        guard let number = raw as? NSNumber, !isBoolean(number), let projectID = integralValue(number) else {
            throw notAToken("its project_id is not an integer")
        }
        guard projectID > 0 else { throw notAToken("its project_id is not positive") }
        return projectID
    }

    /// Decodes base64url, tolerating missing `=` padding.
    static func base64URLDecode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        let remainder = base64.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { base64 += String(repeating: "=", count: 4 - remainder) }
        return Data(base64Encoded: base64)
    }

    /// JSON booleans arrive as `NSNumber` too; the official SDK rejects them.
    private static func isBoolean(_ number: NSNumber) -> Bool {
        String(describing: type(of: number)).contains("Boolean")
    }

    /// The value when it is a JSON integer; floats (even `7.0`) are rejected like the Python SDK does.
    private static func integralValue(_ number: NSNumber) -> Int? {
        let type = String(cString: number.objCType)
        guard type != "d", type != "f" else { return nil }
        return number.intValue
    }

    private static func notAToken(_ why: String) -> PorterError {
        PorterError(
            kind: .invalidConfiguration,
            message: "The API key does not look like a Porter API token (\(why)). Create one under Settings > API tokens in the Porter dashboard."
        )
    }
}
