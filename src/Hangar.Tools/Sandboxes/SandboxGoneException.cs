namespace Hangar.Tools;

/// <summary>
/// The sandbox was torn down before or while a call used it: the session was released, the worker lost
/// its lease, another worker took over the session's workspace, or the host is stopping. Not the tool's
/// failure and never a tool result: the harness runs the call again in a fresh sandbox while it still
/// holds the lease, and otherwise stops.
/// </summary>
public sealed class SandboxGoneException(string message, Exception? inner = null) : Exception(message, inner);
