namespace Hangar.Tools;

/// <summary>
/// bash{command?, restart?, timeout_ms?} read and checked once for every shell (the local one and
/// the sandbox's): a command is required unless restarting; the timeout is capped at 10 minutes.
/// </summary>
public sealed record BashRequest(string? Command, bool Restart, int TimeoutMs)
{
    public const int DefaultTimeoutMs = 120_000;
    public const int MaxTimeoutMs = 600_000;

    public static BashRequest Read(ToolInput input)
    {
        var command = input.OptionalString("command");
        var restart = input.OptionalBool("restart");
        var timeoutMs = input.OptionalInteger("timeout_ms") ?? DefaultTimeoutMs;
        if (timeoutMs <= 0)
            throw new ToolInputException("bash: timeout_ms must be a positive number of milliseconds");
        if (!restart && string.IsNullOrWhiteSpace(command))
            throw new ToolInputException("bash: 'command' is required (or pass restart: true to restart the shell)");
        return new BashRequest(command, restart, (int)Math.Min(timeoutMs, MaxTimeoutMs));
    }

    /// <summary>Only a restart, nothing to run afterwards.</summary>
    public bool RestartOnly => Restart && string.IsNullOrWhiteSpace(Command);
}
