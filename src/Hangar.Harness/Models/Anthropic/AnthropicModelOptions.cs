namespace Hangar.Harness.Models.Anthropic;

/// <summary>
/// Where and how to reach the Anthropic Messages API. Tests pass these explicitly; the command line's
/// composition root builds them with <see cref="FromEnvironment"/> from <c>ANTHROPIC_API_KEY</c> and <c>ANTHROPIC_BASE_URL</c>.
/// </summary>
/// <param name="BaseUrl">Null for the SDK's default (https://api.anthropic.com).</param>
/// <param name="Timeout">Per request, including the whole stream; null for the SDK's default.</param>
public sealed record AnthropicModelOptions(string? ApiKey, string? BaseUrl = null, TimeSpan? Timeout = null)
{
    public const string ApiKeyVariable = "ANTHROPIC_API_KEY";
    public const string BaseUrlVariable = "ANTHROPIC_BASE_URL";

    /// <param name="variable">The value of an environment variable, or null (the caller owns where they come from).</param>
    public static AnthropicModelOptions FromEnvironment(Func<string, string?> variable) => new(
        NullIfEmpty(variable(ApiKeyVariable)),
        NullIfEmpty(variable(BaseUrlVariable)));

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
