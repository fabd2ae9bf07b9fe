import ArgumentParser

/// `-f PATH...` of the commands that read manifests (`apply`, `diff`).
struct ManifestOptions: ParsableArguments {
    @Option(
        name: [.short, .customLong("filename")], help: ArgumentHelp("A manifest file, a directory, or '-' (repeatable).", valueName: "path"),
        completion: Completions.manifestFiles)
    var files: [String] = []

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one manifest with -f PATH") }
    }
}
