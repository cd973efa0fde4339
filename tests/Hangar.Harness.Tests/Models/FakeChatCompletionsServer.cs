using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hangar.Harness.Tests.Models;

/// <summary>
/// A tiny OpenAI-compatible <c>POST /v1/chat/completions</c> on loopback: answers each request
/// with the next queued reply, streamed as SSE <c>data:</c> chunks ending in <c>data: [DONE]</c>.
/// </summary>
internal sealed class FakeChatCompletionsServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ChatReply> _replies = new();
    private readonly ConcurrentQueue<JsonObject> _requests = new();

    private FakeChatCompletionsServer(WebApplication app) => _app = app;

    /// <summary>Like <c>http://127.0.0.1:41234/v1</c>: what <c>HANGAR_OPENAI_BASE_URL</c> should be.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    public IReadOnlyList<JsonObject> Requests => [.. _requests];

    public static async Task<FakeChatCompletionsServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeChatCompletionsServer(app);
        app.MapPost("/v1/chat/completions", server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseUrl = new Uri(address + "/v1");
        return server;
    }

    public void Enqueue(ChatReply reply) => _replies.Enqueue(reply);

    private async Task HandleAsync(HttpContext context)
    {
        var body = (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted))!.AsObject();
        _requests.Enqueue(body);
        if (!_replies.TryDequeue(out var reply))
        {
            context.Response.StatusCode = 500;
            await context.Response.WriteAsync("""{"error":{"message":"fake: no reply queued"}}""");
            return;
        }

        if (reply.Status != 200)
        {
            context.Response.StatusCode = reply.Status;
            if (reply.RetryAfterSeconds is { } seconds)
            {
                context.Response.Headers["retry-after"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($$$"""{"error":{"message":"fake: status {{{reply.Status}}}","type":"fake_error"}}""");
            return;
        }

        context.Response.ContentType = "text/event-stream";
        var written = 0;
        foreach (var chunk in reply.Chunks)
        {
            if (written == reply.DisconnectAfter)
            {
                context.Abort();
                return;
            }

            if (written > 0)
            {
                await Task.Delay(reply.Delay, context.RequestAborted);
            }

            chunk["id"] = "chatcmpl-fake";
            chunk["object"] = "chat.completion.chunk";
            chunk["created"] = 1700000000;
            chunk["model"] = (string?)body["model"];
            await context.Response.WriteAsync($"data: {chunk.ToJsonString()}\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            written++;
        }

        await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(new CancellationToken(canceled: true));
        await _app.DisposeAsync();
    }
}

/// <summary>One scripted chat completions answer: chunks to stream, or an HTTP error.</summary>
internal sealed record ChatReply(int Status, IReadOnlyList<JsonObject> Chunks)
{
    public int? RetryAfterSeconds { get; init; }
    public int? DisconnectAfter { get; init; }
    public TimeSpan Delay { get; init; }

    public static ChatReply Fault(int status, int? retryAfterSeconds = null) => new(status, []) { RetryAfterSeconds = retryAfterSeconds };

    /// <summary>Text split into word chunks, then a stop chunk and a usage chunk.</summary>
    public static ChatReply Text(string text, int promptTokens = 10, int completionTokens = 5) =>
        new(200, [
            Choice(new JsonObject { ["role"] = "assistant", ["content"] = "" }),
            .. text.Split(' ').Select((word, i) => Choice(new JsonObject { ["content"] = i == 0 ? word : " " + word })),
            Choice(new JsonObject(), "stop"),
            Usage(promptTokens, completionTokens),
        ]);

    public static JsonObject Choice(JsonObject delta, string? finishReason = null) => new()
    {
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finishReason }),
    };

    /// <summary>A tool call fragment; the first one for an index carries the id and name, later ones only arguments.</summary>
    public static JsonObject ToolCallDelta(int index, string? id, string? name, string arguments)
    {
        var function = new JsonObject();
        if (name is not null)
        {
            function["name"] = name;
        }

        function["arguments"] = arguments;
        var call = new JsonObject { ["index"] = index };
        if (id is not null)
        {
            call["id"] = id;
            call["type"] = "function";
        }

        call["function"] = function;
        return Choice(new JsonObject { ["tool_calls"] = new JsonArray(call) });
    }

    public static JsonObject Usage(int prompt, int completion) => new()
    {
        ["choices"] = new JsonArray(),
        ["usage"] = new JsonObject { ["prompt_tokens"] = prompt, ["completion_tokens"] = completion, ["total_tokens"] = prompt + completion },
    };
}
