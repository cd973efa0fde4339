using Hangar.Harness.Models.Anthropic;
using Hangar.Harness.Models.OpenAi;

namespace Hangar.Harness.Models;

/// <summary>Which providers are configured, and how model ids pick one.</summary>
/// <param name="OpenAi">Null when no OpenAI-compatible endpoint is configured.</param>
/// <param name="OpenAiPrefix">Model ids with it go to <paramref name="OpenAi"/>, prefix removed.</param>
/// <param name="ScriptedWordDelay">Streaming pace of the scripted model; null for its default.</param>
public sealed record ModelRoutingOptions(
    AnthropicModelOptions Anthropic,
    OpenAiCompatibleOptions? OpenAi = null,
    string OpenAiPrefix = ModelRoutingOptions.DefaultOpenAiPrefix,
    TimeSpan? ScriptedWordDelay = null)
{
    public const string DefaultOpenAiPrefix = "openai/";

    /// <summary><c>ANTHROPIC_API_KEY</c>, <c>ANTHROPIC_BASE_URL</c>, <c>HANGAR_OPENAI_BASE_URL</c>, <c>HANGAR_OPENAI_API_KEY</c>.</summary>
    public static ModelRoutingOptions FromEnvironment(Func<string, string?> variable) =>
        new(AnthropicModelOptions.FromEnvironment(variable), OpenAiCompatibleOptions.FromEnvironment(variable));

    /// <summary>No provider configured: every model call fails with what to set.</summary>
    public static ModelRoutingOptions None { get; } = new(new AnthropicModelOptions(ApiKey: null));
}
