namespace Hangar.Server.Http;

/// <summary>
/// How much one tenant may ask of the server: request rates per workspace, running sessions per
/// workspace, and open event streams. A null limit is unlimited. The defaults are the hosted
/// service's published rates (behaviour.md §8, the Sep 2026 row) and generous quotas; see
/// docs/operations.md "Limits" for every knob.
/// </summary>
public sealed record RequestLimits
{
    /// <summary>Requests per minute per workspace to the routes that create a resource (<see cref="RateLimits.CreateRoutes"/>).</summary>
    public int? CreatePerMinute { get; init; } = 300;

    /// <summary>Requests per minute per workspace to every other route an API key calls.</summary>
    public int? ReadPerMinute { get; init; } = 1200;

    /// <summary>
    /// Requests per minute per workspace made with environment keys and sessions tokens (self-hosted
    /// workers), counted apart from the API keys' so a tenant's reads cannot starve its workers' polls.
    /// </summary>
    public int? WorkPerMinute { get; init; } = 1200;

    /// <summary>Sessions of one workspace that may be running (or rescheduling) at once; input that would start one more is refused.</summary>
    public int? RunningSessionsPerWorkspace { get; init; } = 100;

    /// <summary>Open event streams (<c>/events/stream</c>) per session, in this process.</summary>
    public int? StreamsPerSession { get; init; } = 32;

    /// <summary>Open event streams per key (API key, environment key or sessions token), in this process.</summary>
    public int? StreamsPerKey { get; init; } = 256;

    /// <summary>No limit at all: for embedding and for tests that drive many requests through one workspace.</summary>
    public static RequestLimits Unlimited { get; } = new()
    {
        CreatePerMinute = null,
        ReadPerMinute = null,
        WorkPerMinute = null,
        RunningSessionsPerWorkspace = null,
        StreamsPerSession = null,
        StreamsPerKey = null,
    };

    /// <summary>Reads a limit as written on the command line or in the environment: a positive count or <c>unlimited</c>.</summary>
    public static int? Parse(string text, string name)
    {
        var trimmed = text.Trim();
        if (trimmed.Equals("unlimited", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        return int.TryParse(trimmed, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new FormatException($"{name}: '{text}' is not a positive whole number or 'unlimited'.");
    }
}
