namespace Hangar.Tools;

/// <summary>
/// <see cref="ISandboxProvider.AcquireAsync"/> could not give the session a sandbox for a reason retrying
/// the same tool call will not fix (e.g. an environment package failed to install). The message is for
/// the user: the harness ends the turn with a <c>session.error</c> carrying it.
/// </summary>
public class SandboxProvisioningException(string message, Exception? inner = null) : Exception(message, inner);
