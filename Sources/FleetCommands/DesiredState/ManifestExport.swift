import FleetModel
import FleetStore
import Foundation
import Yams

/// Turns stored resources back into manifests that `apply` reproduces exactly.
enum ManifestExport {
    /// The manifest of one resource as a JSON-like object (keys sorted).
    static func object(_ resource: DesiredResource) throws -> [String: Any] {
        var object: [String: Any] = [
            "apiVersion": ManifestParser.apiVersion,
            "kind": resource.kind.rawValue,
            "name": resource.name,
            "spec": typed(try JSONSerialization.jsonObject(with: Data(resource.spec.utf8))),
        ]
        let tags = resource.tagMap
        if !tags.isEmpty { object["tags"] = tags }
        return object
    }

    /// JSON numbers as Int, Double or Bool, so YAML shows `3`, not `3e+0`.
    static func typed(_ value: Any) -> Any {
        switch value {
        case let number as NSNumber:
            if String(describing: type(of: number)).contains("Boolean") { return number.boolValue }
            let kind = String(cString: number.objCType)
            return kind == "d" || kind == "f" ? number.doubleValue : number.intValue
        case let array as [Any]:
            return array.map(typed)
        case let object as [String: Any]:
            return object.mapValues(typed)
        default:
            return value
        }
    }

    /// Multi-document YAML.
    static func yaml(_ resources: [DesiredResource], statuses: [[String: Any]]? = nil) throws -> String {
        try resources.enumerated().map { index, resource in
            var document = try object(resource)
            if let statuses { document["status"] = statuses[index] }
            return try Yams.dump(object: document, width: -1, sortKeys: true)
        }.joined(separator: "---\n")
    }

    /// A JSON array of manifests (apply accepts a list document).
    static func json(_ resources: [DesiredResource]) throws -> String {
        let data = try JSONSerialization.data(
            withJSONObject: try resources.map(object), options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
