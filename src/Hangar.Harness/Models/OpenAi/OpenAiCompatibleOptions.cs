namespace Hangar.Harness.Models.OpenAi;

/// <summary>
/// An OpenAI-compatible chat completions endpoint (OpenAI, vLLM, Ollama, LiteLLM…).
/// <see cref="BaseUrl"/> includes the version segment, e.g. <c>http://localhost:11434/v1</c>.
/// </summary>
/// <param name="ApiKey">Many local servers need none; a placeholder is sent then.</param>
/// <param name="Timeout">Per request, including the whole stream.</param>
public sealed record OpenAiCompatibleOptions(Uri BaseUrl, string? ApiKey, TimeSpan? Timeout = null)
{
    public const string BaseUrlVariable = "HANGAR_OPENAI_BASE_URL";
    public const string ApiKeyVariable = "HANGAR_OPENAI_API_KEY";

    /// <summary>Null when <c>HANGAR_OPENAI_BASE_URL</c> is unset.</summary>
    /// <param name="variable">The value of an environment variable, or null (the caller owns where they come from).</param>
    public static OpenAiCompatibleOptions? FromEnvironment(Func<string, string?> variable)
    {
        var baseUrl = variable(BaseUrlVariable);
        if (string.IsNullOrWhiteSpace(baseUrl))
        {
            return null;
        }

        var key = variable(ApiKeyVariable);
        return new OpenAiCompatibleOptions(new Uri(baseUrl), string.IsNullOrWhiteSpace(key) ? null : key);
    }
}
