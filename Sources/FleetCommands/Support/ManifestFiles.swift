import FleetModel
import Foundation

/// Reads manifests from the paths given to `-f`: files, directories (every `*.yaml`, `*.yml` and
/// `*.json` inside, in name order) and `-` for standard input.
enum ManifestFiles {
    /// The manifests with the file each came from, and the sources to record; throws every problem.
    static func read(_ paths: [String]) throws -> (manifests: [(manifest: Manifest, source: String)], sources: [String]) {
        var manifests: [(Manifest, String)] = []
        var errors: [String] = []
        var sources: [String] = []
        for path in paths {
            if path == "-" {
                let data = FileHandle.standardInput.readDataToEndOfFile()
                sources.append("-")
                do {
                    manifests += try ManifestParser.parse(data: data, file: "-").map { ($0, "-") }
                } catch {
                    errors += error.errors.map(\.description)
                }
                continue
            }
            let url = URL(fileURLWithPath: path).standardizedFileURL
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                errors.append("\(path): no such file or directory")
                continue
            }
            sources.append(url.path)
            var files: [(display: String, url: URL)] = []
            if isDirectory.boolValue {
                let names = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted()
                for name in names where [".yaml", ".yml", ".json"].contains(where: name.hasSuffix) {
                    files.append(((path.hasSuffix("/") ? path : path + "/") + name, url.appendingPathComponent(name)))
                }
                if files.isEmpty { errors.append("\(path): no *.yaml, *.yml or *.json files in this directory") }
            } else {
                files.append((path, url))
            }
            for file in files {
                do {
                    let data = try Data(contentsOf: file.url)
                    manifests += try ManifestParser.parse(data: data, file: file.display).map { ($0, file.url.path) }
                } catch let error as ManifestErrors {
                    errors += error.errors.map(\.description)
                } catch {
                    errors.append("\(file.display): cannot read: \(error.localizedDescription)")
                }
            }
        }
        guard errors.isEmpty else { throw CommandFailure(errors) }
        return (manifests, sources)
    }
}
