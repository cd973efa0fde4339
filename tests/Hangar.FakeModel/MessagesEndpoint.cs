using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Hangar.FakeModel;

/// <summary><c>POST /v1/messages</c>: authenticate, record, pick the scripted reply, write it.</summary>
internal sealed class MessagesEndpoint(Script script, string apiKey)
{
    public async Task HandleAsync(HttpContext context)
    {
        context.Response.Headers["request-id"] = FakeIds.Request();
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var rawBody = Encoding.UTF8.GetString(buffer.ToArray());
        var body = TryParse(rawBody);
        var authorized = IsAuthorized(context.Request);
        var wellFormed = body is JsonObject;
        var (request, queued, respond) = script.Record(
            number => new RecordedRequest(
                number,
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                rawBody,
                body,
                body?["stream"]?.GetValueKind() == JsonValueKind.True),
            answer: authorized && wellFormed);

        if (!authorized)
        {
            await ReplyWriter.ErrorAsync(context, 401, "authentication_error", "invalid x-api-key");
            return;
        }
        if (!wellFormed)
        {
            await ReplyWriter.ErrorAsync(context, 400, "invalid_request_error", "fake model: the request body is not a JSON object");
            return;
        }

        FakeReply? reply;
        try
        {
            reply = queued ?? respond?.Invoke(request);
        }
        catch (Exception e)
        {
            await ReplyWriter.ErrorAsync(
                context, 500, "api_error", $"fake model: the reply function failed for request #{request.Number}: {e}", shouldRetry: false);
            return;
        }
        if (reply is null)
        {
            await ReplyWriter.ErrorAsync(
                context, 500, "api_error", $"fake model: no scripted reply for request #{request.Number}", shouldRetry: false);
            return;
        }
        if (reply.Failure is { } fault)
        {
            await ReplyWriter.ErrorAsync(context, fault.Status, fault.ErrorType, fault.MessageOrDefault, fault.RetryAfterSeconds);
            return;
        }

        var message = ScriptedMessage.For(reply, request);
        if (request.IsStreaming)
        {
            await ReplyWriter.StreamAsync(context, message, reply, () => script.FirstDeltaWritten?.Invoke(request, System.Diagnostics.Stopwatch.GetTimestamp()));
        }
        else
        {
            await ReplyWriter.MessageAsync(context, message, reply);
        }
    }

    private bool IsAuthorized(HttpRequest request) =>
        request.Headers["x-api-key"].ToString() == apiKey
        || request.Headers.Authorization.ToString() == "Bearer " + apiKey;

    private static JsonNode? TryParse(string rawBody)
    {
        try
        {
            return JsonNode.Parse(rawBody);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
