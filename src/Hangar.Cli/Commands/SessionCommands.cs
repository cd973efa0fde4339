using System.CommandLine;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Hangar.Cli.Commands;

/// <summary><c>hangar sessions list|get|create|send|stream</c>.</summary>
internal static class SessionCommands
{
    public static Command Create()
    {
        var command = new Command("sessions", "Sessions: a running conversation of an agent in an environment");
        ClientOptions.AddTo(command);
        command.Subcommands.Add(ResourceCommands.List("/v1/sessions", [
            Column.Field("ID", "id"), Column.Field("STATUS", "status"), Column.Field("TITLE", "title"),
            Column.Field("AGENT", "agent.id"), Column.Field("CREATED", "created_at")]));
        command.Subcommands.Add(ResourceCommands.Get("/v1/sessions", "session"));

        var agent = new Option<string>("--agent") { Description = "Agent id (its latest version)", Required = true };
        var environment = new Option<string>("--environment") { Description = "Environment id", Required = true };
        var title = new Option<string?>("--title") { Description = "Session title" };
        command.Subcommands.Add(ResourceCommands.Create("/v1/sessions", "session", [agent, environment, title], parse => new JsonObject
        {
            ["agent"] = parse.GetValue(agent),
            ["environment_id"] = parse.GetValue(environment),
            ["title"] = parse.GetValue(title),
        }));
        command.Subcommands.Add(Send());
        command.Subcommands.Add(Stream());
        return command;
    }

    private static Command Send()
    {
        var id = new Argument<string>("id") { Description = "Session id" };
        var text = new Argument<string>("text") { Description = "The message" };
        var json = ClientOptions.Json();
        var command = new Command("send", "Send a user message to a session") { id, text, json };
        command.SetClientAction(async (parse, api, ct) =>
        {
            var response = await SendMessageAsync(api, parse.GetValue(id)!, parse.GetValue(text)!, ct);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(response.Body);
            }
            else
            {
                Console.Out.WriteLine(response.Json["data"]?[0]?["id"]?.GetValue<string>());
            }
            return 0;
        });
        return command;
    }

    private static Command Stream()
    {
        var id = new Argument<string>("id") { Description = "Session id" };
        var command = new Command("stream", "Follow a session's events live until it is deleted (Ctrl-C to stop)") { id };
        command.SetClientAction(async (parse, api, ct) =>
        {
            var sessionId = parse.GetValue(id)!;
            await using var stream = await OpenAsync(api, sessionId, ct);
            // Only events appended from now on arrive (the API does not replay).
            Terminal.Err.MarkupLine($"[grey]Streaming events of {Markup.Escape(sessionId)} (Ctrl-C to stop)[/]");
            var renderer = new EventRenderer(Terminal.Out);
            var last = await FollowAsync(stream, renderer, ev => Type(ev) is "session.deleted" or "error", ct);
            if (last is null)
            {
                Terminal.Error("the server closed the stream.");
                return 1;
            }
            return Type(last) == "error" ? 1 : 0;
        });
        return command;
    }

    public static Task<ApiResponse> SendMessageAsync(ApiClient api, string sessionId, string text, CancellationToken ct) =>
        api.PostAsync($"/v1/sessions/{Uri.EscapeDataString(sessionId)}/events", new JsonObject
        {
            ["events"] = new JsonArray(new JsonObject
            {
                ["type"] = "user.message",
                ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = text }),
            }),
        }, ct);

    public static Task<EventStream> OpenAsync(ApiClient api, string sessionId, CancellationToken ct) =>
        api.OpenStreamAsync($"/v1/sessions/{Uri.EscapeDataString(sessionId)}/events/stream", ct);

    /// <summary>
    /// Renders every event until <paramref name="isEnd"/> accepts one (returned) or the server
    /// closes the stream (null). Keep-alive pings are skipped.
    /// </summary>
    public static async Task<JsonNode?> FollowAsync(EventStream stream, EventRenderer renderer, Func<JsonNode, bool> isEnd, CancellationToken ct)
    {
        await foreach (var item in stream.ReadAsync(ct))
        {
            if (item.EventType == "ping" || string.IsNullOrWhiteSpace(item.Data))
            {
                continue;
            }
            var ev = JsonNode.Parse(item.Data);
            if (ev is null)
            {
                continue;
            }
            renderer.Render(ev);
            if (isEnd(ev))
            {
                return ev;
            }
        }
        return null;
    }

    public static string? Type(JsonNode ev) => ev["type"]?.GetValue<string>();
}
