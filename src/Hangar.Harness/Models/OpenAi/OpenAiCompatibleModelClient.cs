using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;
using OpenAI.Chat;

namespace Hangar.Harness.Models.OpenAi;

/// <summary>
/// Chat completions on an OpenAI-compatible endpoint, streaming, through the official
/// <c>OpenAI</c> SDK. Requests and responses are translated from and to the Anthropic shapes.
/// The SDK never retries: the harness owns retries so the session log shows each one.
/// </summary>
/// <param name="model">The model id as the endpoint knows it (any routing prefix already removed).</param>
public sealed class OpenAiCompatibleModelClient(OpenAiCompatibleOptions options, string model) : IModelClient
{
    private readonly ChatClient _chat = new(
        model,
        new ApiKeyCredential(options.ApiKey ?? "none"),
        new OpenAIClientOptions
        {
            Endpoint = options.BaseUrl,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = options.Timeout ?? TimeSpan.FromMinutes(10),
        });

    public async Task<ModelResponse> StreamAsync(ModelRequest request, IModelStreamObserver observer, CancellationToken ct)
    {
        var messages = ChatRequestMapper.Messages(request.Body);
        var chatOptions = ChatRequestMapper.Options(request.Body);
        var assembler = new ChatStreamAssembler(observer);
        try
        {
            await foreach (var update in _chat.CompleteChatStreamingAsync(messages, chatOptions, ct).WithCancellation(ct))
            {
                assembler.Add(update);
            }
        }
        catch (Exception e) when (e is not ModelException && !(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            throw OpenAiFailures.From(e);
        }

        ct.ThrowIfCancellationRequested();
        if (!assembler.Finished)
        {
            throw new ModelException(ModelFailure.Transient, "The chat completion stream ended without a finish reason.");
        }

        return assembler.Build();
    }
}
