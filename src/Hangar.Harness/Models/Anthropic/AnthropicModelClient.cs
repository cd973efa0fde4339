using System.Text.Json;
using Anthropic;
using Anthropic.Core;
using Anthropic.Models.Messages;

namespace Hangar.Harness.Models.Anthropic;

/// <summary>
/// Anthropic Messages through the official SDK, streaming. The request body goes to the SDK as
/// raw JSON (<see cref="MessageCreateParams.FromRawUnchecked"/>), so every field the log built
/// (cache_control, tools, tool_result blocks, thinking…) reaches the API unchanged. The SDK
/// never retries: the harness owns retries so the session log shows each one.
/// </summary>
public sealed class AnthropicModelClient : IModelClient
{
    private static readonly IReadOnlyDictionary<string, JsonElement> None = new Dictionary<string, JsonElement>();

    private readonly AnthropicClient _client;

    public AnthropicModelClient(AnthropicModelOptions options)
    {
        if (string.IsNullOrEmpty(options.ApiKey))
        {
            throw new ModelException(
                ModelFailure.Authentication,
                $"No Anthropic API key: set {AnthropicModelOptions.ApiKeyVariable} (and {AnthropicModelOptions.BaseUrlVariable} for another endpoint).");
        }

        var sdkOptions = new ClientOptions
        {
            ApiKey = options.ApiKey,
            MaxRetries = 0,
            Handlers = [new ResponseHeadersCapture()],
        };
        if (options.BaseUrl is { } baseUrl)
        {
            sdkOptions.BaseUrl = baseUrl;
        }

        if (options.Timeout is { } timeout)
        {
            sdkOptions.Timeout = timeout;
        }

        _client = new AnthropicClient(sdkOptions);
    }

    public async Task<ModelResponse> StreamAsync(ModelRequest request, IModelStreamObserver observer, CancellationToken ct)
    {
        var parameters = MessageCreateParams.FromRawUnchecked(HeadersOf(request), None, BodyOf(request));
        var headers = ResponseHeadersCapture.Begin();
        var assembler = new MessageStreamAssembler(observer);
        try
        {
            await foreach (var e in _client.Messages.CreateStreaming(parameters, ct).WithCancellation(ct))
            {
                assembler.Add(e.Json);
            }
        }
        catch (Exception e) when (e is not ModelException && !(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            throw AnthropicFailures.From(e, headers.RetryAfter);
        }

        ct.ThrowIfCancellationRequested();
        if (!assembler.Stopped)
        {
            throw new ModelException(ModelFailure.Transient, "The model stream ended before message_stop.");
        }

        return assembler.Build();
    }

    // Fast mode is a beta on some models; the header is harmless on the others.
    private static IReadOnlyDictionary<string, JsonElement> HeadersOf(ModelRequest request) =>
        (string?)request.Body["speed"] == "fast"
            ? new Dictionary<string, JsonElement> { ["anthropic-beta"] = JsonSerializer.SerializeToElement(ModelSettings.FastModeBeta) }
            : None;

    // The SDK sets "stream" itself; everything else is passed through as the log built it.
    private static Dictionary<string, JsonElement> BodyOf(ModelRequest request)
    {
        using var document = JsonSerializer.SerializeToDocument(request.Body);
        return document.RootElement.EnumerateObject()
            .Where(p => p.Name != "stream")
            .ToDictionary(p => p.Name, p => p.Value.Clone());
    }
}
