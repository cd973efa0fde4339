namespace Hangar.Sandbox.Bubblewrap;

/// <summary>This host cannot run bubblewrap sandboxes; the message says what to change. Never fall back to unsandboxed tools.</summary>
public sealed class SandboxUnavailableException(string message) : Exception(message);
