/// Whether an event is routine or needs attention, as Kubernetes events have it.
public enum EventType: String, Sendable, Codable, CaseIterable {
    /// Routine: created, replaced, adopted.
    case normal = "Normal"
    /// Needs attention: API errors, name conflicts, crash loops, guards.
    case warning = "Warning"
}

/// What an event is about.
public enum EventSubject: String, Sendable, Codable, CaseIterable {
    /// A logical sandbox (named, or a member of a set).
    case sandbox = "Sandbox"
    /// A volume.
    case volume = "Volume"
    /// The fleet as a whole.
    case fleet = "Fleet"
}

/// Why an event was recorded: every reason the controller emits, with its Kubernetes-style name.
public enum EventReason: String, Sendable, Codable, CaseIterable {
    /// A generation was created for a sandbox that had none live.
    case created = "Created"
    /// A generation was seen running.
    case running = "Running"
    /// A generation was created to replace a drifted one.
    case replacing = "Replacing"
    /// An older generation was terminated once its replacement ran.
    case replaced = "Replaced"
    /// A live generation differs from the desired spec.
    case drift = "Drift"
    /// A generation ended `terminated`.
    case terminated = "Terminated"
    /// A generation ended `succeeded`.
    case succeeded = "Succeeded"
    /// A generation ended `failed`.
    case failed = "Failed"
    /// A live sandbox whose logical name is no longer desired was terminated.
    case orphanTerminated = "OrphanTerminated"
    /// The next generation waits: crash-loop backoff.
    case crashLoopBackOff = "CrashLoopBackOff"
    /// A generation's name belongs to a sandbox porter-fleet does not own.
    case nameConflict = "NameConflict"
    /// A create that seemed to fail had taken effect; the sandbox was taken as ours.
    case adopted = "Adopted"
    /// A volume was created.
    case volumeCreated = "VolumeCreated"
    /// An existing volume was adopted (`adopt: true`).
    case volumeAdopted = "VolumeAdopted"
    /// A volume was deleted (`deletion_policy: delete`).
    case volumeDeleted = "VolumeDeleted"
    /// A volume no longer desired was kept and forgotten (`deletion_policy: retain`).
    case volumeRetained = "VolumeRetained"
    /// A volume with the desired name exists that porter-fleet did not create.
    case volumeNameTaken = "VolumeNameTaken"
    /// A volume exists under a name this fleet tried to create without an answer, and its name carries no
    /// fleet scope (``VolumeNaming/plain``): it may be another fleet's, so it is not taken as ours.
    case volumeOwnershipUnknown = "VolumeOwnershipUnknown"
    /// The desired state is empty while sandboxes of the fleet are live: nothing is pruned. Recorded by
    /// earlier versions; the prune guard now records ``pruneHeld``.
    case emptyDesiredState = "EmptyDesiredState"
    /// A pass would have terminated most of the fleet because it is no longer desired: those
    /// terminations were held (the prune guard; `--allow-prune` lifts it).
    case pruneHeld = "PruneHeld"
    /// A sandbox carries this fleet's tag but no logical name or generation: it is not porter-fleet's to
    /// manage, and is left alone.
    case incompleteOwnership = "IncompleteOwnership"
    /// A volume that existed before porter-fleet (adopted) is no longer desired: it is forgotten, never
    /// deleted, whatever its deletion policy.
    case adoptedVolumeKept = "AdoptedVolumeKept"
    /// The store had no record of a logical sandbox; its last generation was read from the API.
    case historyRecovered = "HistoryRecovered"
    /// Another fleet runs this logical sandbox under the names this fleet would create (a lost store
    /// applied again under a new fleet id, most likely): nothing is created for it.
    case otherFleetLive = "OtherFleetLive"
    /// An API call failed.
    case apiError = "APIError"
}
