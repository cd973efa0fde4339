using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Hangar.Cli;

/// <summary>
/// Renders session events as a readable transcript: who said what, which tools ran with what
/// result, and how the session's status changed. Unknown types still get a line, so nothing
/// the server sends is silently lost.
/// </summary>
public sealed class EventRenderer(IAnsiConsole console)
{
    // Show text as typed (quotes, apostrophes), not as \u escapes.
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const int MaxPreview = 400;

    public void Render(JsonNode ev)
    {
        var type = Str(ev["type"]) ?? "?";
        switch (type)
        {
            case "user.message":
                Line("blue", "user", Content(ev["content"]));
                break;
            case "system.message":
                Line("blue", "system", Content(ev["content"]));
                break;
            case "agent.message":
                Line("green", "agent", Content(ev["content"]));
                break;
            case "agent.thinking":
                console.MarkupLine("[grey]  (thinking)[/]");
                break;
            case "agent.tool_use" or "agent.mcp_tool_use" or "agent.custom_tool_use":
                var server = Str(ev["mcp_server_name"]) is { } s ? $"{s}/" : "";
                var permission = Str(ev["evaluated_permission"]) is { } p && p != "allow" ? $" [yellow]({p})[/]" : "";
                console.MarkupLine($"[yellow]  ▶ {Markup.Escape(server + Str(ev["name"]))}[/] " +
                    $"{Markup.Escape(Preview(ev["input"]?.ToJsonString(Readable)))}{permission}");
                break;
            case "agent.tool_result" or "agent.mcp_tool_result" or "user.tool_result" or "user.custom_tool_result":
                var isError = ev["is_error"] is JsonValue v && v.TryGetValue<bool>(out var e) && e;
                var who = type.StartsWith("user.", StringComparison.Ordinal) ? "result (client)" : "result";
                console.MarkupLine($"[{(isError ? "red" : "yellow")}]  ◀ {who}[/] {Markup.Escape(Preview(Content(ev["content"])))}");
                break;
            case "user.tool_confirmation":
                console.MarkupLine($"[blue]  confirmation:[/] {Markup.Escape(Str(ev["result"]) ?? "?")} " +
                    Markup.Escape(Str(ev["deny_message"]) ?? ""));
                break;
            case "user.interrupt":
                console.MarkupLine("[blue]  interrupt[/]");
                break;
            case "session.status_running":
                console.MarkupLine("[grey]● running[/]");
                break;
            case "session.status_idle":
                console.MarkupLine($"[grey]○ idle[/] (stop reason: [bold]{Markup.Escape(StopReason(ev) ?? "none")}[/])");
                break;
            case "session.status_rescheduled":
                console.MarkupLine("[yellow]↻ rescheduled[/]");
                break;
            case "session.status_terminated":
                console.MarkupLine("[red]■ terminated[/]");
                break;
            case "session.error":
                var error = ev["error"];
                console.MarkupLine($"[red]✖ {Markup.Escape(Str(error?["type"]) ?? "error")}: {Markup.Escape(Str(error?["message"]) ?? "")}" +
                    $" ({Markup.Escape(Str(error?["retry_status"]?["type"]) ?? "?")})[/]");
                break;
            case "error":
                console.MarkupLine($"[red]✖ stream error {Markup.Escape(Str(ev["error"]?["type"]) ?? "")}: " +
                    $"{Markup.Escape(Str(ev["error"]?["message"]) ?? "")}[/]");
                break;
            case "session.deleted":
                console.MarkupLine("[red]session deleted[/]");
                break;
            case "session.updated":
                console.MarkupLine("[grey]session updated[/]");
                break;
            case "session.usage":
                var usage = ev["usage"];
                console.MarkupLine($"[grey]usage: {Markup.Escape(Str(usage?["input_tokens"]) ?? "0")} in, " +
                    $"{Markup.Escape(Str(usage?["output_tokens"]) ?? "0")} out[/]");
                break;
            case "event_start" or "event_delta":
                break; // previews only arrive when asked for; the buffered event follows anyway
            default:
                console.MarkupLine($"[grey]{Markup.Escape(type)}[/]");
                break;
        }
    }

    /// <summary>The stop reason of a <c>session.status_idle</c> event, with the ids it waits on.</summary>
    public static string? StopReason(JsonNode ev)
    {
        var reason = ev["stop_reason"];
        var type = Str(reason?["type"]);
        return reason?["event_ids"] is JsonArray ids && ids.Count > 0
            ? $"{type} {string.Join(", ", ids.Select(Str))}"
            : type;
    }

    private void Line(string colour, string who, string text) =>
        console.MarkupLine($"[bold {colour}]{who}:[/] {Markup.Escape(text)}");

    private static string Content(JsonNode? content) => content switch
    {
        JsonArray blocks => string.Join("\n", blocks.Select(b => Str(b?["type"]) switch
        {
            "text" => Str(b?["text"]) ?? "",
            var other => $"[{other}]",
        })),
        JsonValue value => Str(value) ?? "",
        _ => "",
    };

    private static string Preview(string? text) =>
        text is null ? "" : text.Length <= MaxPreview ? text : text[..MaxPreview] + "…";

    private static string? Str(JsonNode? node) => node switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(Readable),
    };
}
