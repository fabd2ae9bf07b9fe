/// The exit statuses of every command (docs/cli.md, "Exit codes"). A usage error is not 2: `plan`,
/// `apply --dry-run` and friends use 2 for "changes pending", and a typo in CI must not look like drift.
public enum ExitStatus {
    /// Done; in sync.
    public static let ok: Int32 = 0
    /// An error, explained on stderr.
    public static let failure: Int32 = 1
    /// Not in sync: changes are pending (`plan`).
    public static let changesPending: Int32 = 2
    /// The command line was wrong (an unknown flag, a bad value): `EX_USAGE` of sysexits.h.
    public static let usage: Int32 = 64
    /// The output pipe was closed by its reader (128 + SIGPIPE).
    public static let closedPipe: Int32 = 141
}
