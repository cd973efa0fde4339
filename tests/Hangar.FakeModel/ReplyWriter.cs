using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Hangar.FakeModel;

/// <summary>Writes a reply onto the wire: an error, a JSON message, or a message as SSE frames.</summary>
internal static class ReplyWriter
{
    public static async Task ErrorAsync(
        HttpContext context, int status, string errorType, string message, int? retryAfterSeconds = null, bool shouldRetry = true)
    {
        context.Response.StatusCode = status;
        if (retryAfterSeconds is { } seconds)
        {
            context.Response.Headers["retry-after"] = seconds.ToString(CultureInfo.InvariantCulture);
        }
        if (!shouldRetry)
        {
            // The SDK honours this: a script mistake fails the test at once instead of being retried.
            context.Response.Headers["x-should-retry"] = "false";
        }
        var body = new JsonObject
        {
            ["type"] = "error",
            ["error"] = new JsonObject { ["type"] = errorType, ["message"] = message },
            ["request_id"] = context.Response.Headers["request-id"].ToString(),
        };
        await WriteJsonAsync(context, body);
    }

    public static async Task MessageAsync(HttpContext context, ScriptedMessage message, FakeReply reply)
    {
        var ct = context.RequestAborted;
        var deltas = message.Blocks.Sum(b => ScriptedMessage.DeltasOf(b).Count);
        // Same total latency as streaming the message would take.
        await Task.Delay(reply.TimeToFirstToken + (reply.TokenDelay * Math.Max(0, deltas - 1)), ct);
        if (reply.DisconnectAfter is not null)
        {
            context.Abort();
            return;
        }
        await WriteJsonAsync(context, message.ToJson());
    }

    /// <param name="onFirstDelta">Called once the first content delta has been flushed to the client.</param>
    public static async Task StreamAsync(HttpContext context, ScriptedMessage message, FakeReply reply, Action? onFirstDelta = null)
    {
        var ct = context.RequestAborted;
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        var frames = 0;

        // Returns false once the scripted disconnect has happened: the caller stops writing.
        async Task<bool> FrameAsync(string type, JsonObject data)
        {
            if (reply.DisconnectAfter == frames)
            {
                context.Abort();
                return false;
            }
            data["type"] = type;
            var frame = $"event: {type}\ndata: {data.ToJsonString()}\n\n";
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(frame), ct);
            await context.Response.Body.FlushAsync(ct);
            frames++;
            return true;
        }

        if (!await FrameAsync("message_start", new JsonObject { ["message"] = message.ToJson(started: true) })
            || !await FrameAsync("ping", []))
        {
            return;
        }
        await Task.Delay(reply.TimeToFirstToken, ct);
        var firstDelta = true;
        for (var index = 0; index < message.Blocks.Count; index++)
        {
            var block = message.Blocks[index];
            if (!await FrameAsync("content_block_start", new JsonObject { ["index"] = index, ["content_block"] = ScriptedMessage.Empty(block) }))
            {
                return;
            }
            foreach (var delta in ScriptedMessage.DeltasOf(block))
            {
                if (!firstDelta)
                {
                    await Task.Delay(reply.TokenDelay, ct);
                }
                var wasFirst = firstDelta;
                firstDelta = false;
                if (!await FrameAsync("content_block_delta", new JsonObject { ["index"] = index, ["delta"] = delta }))
                {
                    return;
                }
                if (wasFirst)
                {
                    onFirstDelta?.Invoke();
                }
            }
            if (!await FrameAsync("content_block_stop", new JsonObject { ["index"] = index }))
            {
                return;
            }
        }
        var messageDelta = new JsonObject
        {
            ["delta"] = new JsonObject { ["stop_reason"] = message.StopReason, ["stop_sequence"] = null },
            ["usage"] = message.UsageJson(message.Usage.OutputTokens),
        };
        if (await FrameAsync("message_delta", messageDelta))
        {
            await FrameAsync("message_stop", []);
        }
    }

    private static async Task WriteJsonAsync(HttpContext context, JsonObject body)
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
