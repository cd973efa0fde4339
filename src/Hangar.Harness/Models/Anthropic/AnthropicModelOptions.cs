namespace Hangar.Harness.Models.Anthropic;

/// <summary>
/// Where and how to reach the Anthropic Messages API. Tests pass these explicitly;
/// <see cref="FromEnvironment"/> reads <c>ANTHROPIC_API_KEY</c> and <c>ANTHROPIC_BASE_URL</c>.
/// </summary>
/// <param name="BaseUrl">Null for the SDK's default (https://api.anthropic.com).</param>
/// <param name="Timeout">Per request, including the whole stream; null for the SDK's default.</param>
public sealed record AnthropicModelOptions(string? ApiKey, string? BaseUrl = null, TimeSpan? Timeout = null)
{
    public const string ApiKeyVariable = "ANTHROPIC_API_KEY";
    public const string BaseUrlVariable = "ANTHROPIC_BASE_URL";

    public static AnthropicModelOptions FromEnvironment() => new(
        NullIfEmpty(Environment.GetEnvironmentVariable(ApiKeyVariable)),
        NullIfEmpty(Environment.GetEnvironmentVariable(BaseUrlVariable)));

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
