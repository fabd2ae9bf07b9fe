import WireFormats

/// The limits on sandbox tags: the Sandbox API's rule, shared with manifests (``SandboxTagRules``).
typealias TagRules = SandboxTagRules
