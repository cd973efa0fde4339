using System.Collections.Concurrent;
using Hangar.Harness.Models.Anthropic;
using Hangar.Harness.Models.OpenAi;
using Hangar.Harness.Models.Scripted;

namespace Hangar.Harness.Models;

/// <summary>
/// Model id → provider: <c>scripted…</c> → the built-in scripted model; the OpenAI prefix
/// (<c>openai/…</c>) → the configured OpenAI-compatible endpoint; anything else → Anthropic.
/// A provider that isn't configured fails with a message naming the variable to set.
/// Clients are built once and shared (they are safe for concurrent calls).
/// </summary>
public sealed class ModelRouter(ModelRoutingOptions options) : IModelRouter
{
    private readonly ScriptedModelClient _scripted = new(options.ScriptedWordDelay);
    private readonly Lazy<AnthropicModelClient?> _anthropic = new(
        () => string.IsNullOrEmpty(options.Anthropic.ApiKey) ? null : new AnthropicModelClient(options.Anthropic));
    private readonly ConcurrentDictionary<string, OpenAiCompatibleModelClient> _openAi = new(StringComparer.Ordinal);

    public IModelClient For(string modelId)
    {
        if (string.IsNullOrWhiteSpace(modelId))
        {
            throw new ModelException(ModelFailure.InvalidRequest, "The agent has no model id.");
        }

        if (modelId.StartsWith(ScriptedModelClient.ModelPrefix, StringComparison.Ordinal))
        {
            return _scripted;
        }

        if (!string.IsNullOrEmpty(options.OpenAiPrefix) && modelId.StartsWith(options.OpenAiPrefix, StringComparison.Ordinal))
        {
            var model = modelId[options.OpenAiPrefix.Length..];
            if (options.OpenAi is not { } openAi)
            {
                throw new ModelException(
                    ModelFailure.InvalidRequest,
                    $"Model '{modelId}' needs an OpenAI-compatible endpoint: set {OpenAiCompatibleOptions.BaseUrlVariable} (and {OpenAiCompatibleOptions.ApiKeyVariable} if it needs a key).");
            }

            if (model.Length == 0)
            {
                throw new ModelException(ModelFailure.InvalidRequest, $"Model '{modelId}' names no model after '{options.OpenAiPrefix}'.");
            }

            return _openAi.GetOrAdd(model, m => new OpenAiCompatibleModelClient(openAi, m));
        }

        return _anthropic.Value ?? throw new ModelException(
            ModelFailure.Authentication,
            $"Model '{modelId}' is served by Anthropic, but no API key is configured: set {AnthropicModelOptions.ApiKeyVariable} "
            + $"(and {AnthropicModelOptions.BaseUrlVariable} for another endpoint), or use a 'scripted' model for a demo.");
    }
}
