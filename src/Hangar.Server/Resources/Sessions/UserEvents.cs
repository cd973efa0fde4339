using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;
using Hangar.Storage;

namespace Hangar.Server.Resources.Sessions;

/// <summary>
/// Turns the events a client sends (<c>POST …/events</c> or <c>initial_events</c>) into stored
/// events. Every event is validated before any is built, so a bad request appends nothing.
/// </summary>
public static class UserEvents
{
    public const int MaxPerRequest = 100;
    public const int MaxInitial = 50;
    private const string OutcomePrefix = "outc_";

    private static readonly string[] SendTypes =
        ["user.message", "user.interrupt", "user.tool_confirmation", "user.custom_tool_result", "user.tool_result",
         "user.define_outcome", "system.message"];

    private static readonly string[] InitialTypes = ["user.message", "user.define_outcome"];

    private static readonly string[] HarnessTypes =
        ["user.message", "user.interrupt", "user.tool_confirmation", "user.custom_tool_result", "user.tool_result", "user.define_outcome"];

    /// <summary>Whether an event of this type gives the harness work (it is appended with the work flag).</summary>
    public static bool NeedsHarness(string type) => HarnessTypes.Contains(type, StringComparer.Ordinal);

    /// <summary>What the session allows: <c>user.tool_result</c> only reaches self-hosted environments.</summary>
    public sealed record Context(bool SelfHosted);

    public static IReadOnlyList<NewEvent> ParseSend(JsonArray events, Context context, DateTimeOffset now) =>
        Parse(events, "events", SendTypes, MaxPerRequest, context, now);

    public static IReadOnlyList<NewEvent> ParseInitial(JsonArray events, DateTimeOffset now)
    {
        var parsed = Parse(events, "initial_events", InitialTypes, MaxInitial, new Context(SelfHosted: false), now);
        if (parsed.Count(e => e.Type == "user.define_outcome") > 1)
        {
            throw new InvalidRequestException("initial_events: at most one user.define_outcome is allowed.");
        }
        return parsed;
    }

    private static List<NewEvent> Parse(
        JsonArray events, string name, string[] allowed, int max, Context context, DateTimeOffset now)
    {
        if (events.Count > max)
        {
            throw new InvalidRequestException($"{name}: at most {max} events are allowed (got {events.Count}).");
        }
        var built = new List<JsonObject>(events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            var at = $"{name}[{i}]";
            var item = events[i] as JsonObject
                ?? throw new InvalidRequestException($"{at}: expected an event object, got {JsonFields.Describe(events[i])}.");
            var type = JsonFields.OptionalString(item, "type", 128, at)
                ?? throw new InvalidRequestException($"{at}.type: Field required.");
            if (!allowed.Contains(type, StringComparer.Ordinal))
            {
                throw new InvalidRequestException(
                    $"{at}.type: '{type}' is not an event type clients can send here; expected one of: {string.Join(", ", allowed)}.");
            }
            if (type == "user.tool_result" && !context.SelfHosted)
            {
                throw new InvalidRequestException($"{at}: user.tool_result is only accepted by sessions in a self_hosted environment.");
            }
            if (type == "system.message")
            {
                CheckSystemMessagePlace(events, i, at);
            }
            built.Add(Build(type, item, at, now));
        }
        return [.. built.Select(e => new NewEvent(
            (string)e["id"]!, (string)e["type"]!, e.ToJsonString(),
            e["processed_at"] is null ? null : now))];
    }

    /// <summary>A system message steers the next turn: one per request, last, right after a message or result.</summary>
    private static void CheckSystemMessagePlace(JsonArray events, int index, string at)
    {
        if (index != events.Count - 1)
        {
            throw new InvalidRequestException($"{at}: system.message must be the last event of the request (at most one).");
        }
        var previous = index > 0 ? (events[index - 1] as JsonObject)?["type"]?.GetValue<string>() : null;
        if (previous is not ("user.message" or "user.custom_tool_result" or "user.tool_result"))
        {
            throw new InvalidRequestException(
                $"{at}: system.message must directly follow a user.message, user.custom_tool_result or user.tool_result in the same request.");
        }
    }

    /// <summary>The keys each event type defines; anything else is refused rather than silently dropped.</summary>
    private static readonly Dictionary<string, string[]> KnownFields = new(StringComparer.Ordinal)
    {
        ["user.message"] = ["type", "content"],
        ["system.message"] = ["type", "content"],
        ["user.interrupt"] = ["type", "session_thread_id"],
        ["user.tool_confirmation"] = ["type", "tool_use_id", "result", "deny_message", "session_thread_id"],
        ["user.custom_tool_result"] = ["type", "custom_tool_use_id", "content", "is_error", "session_thread_id"],
        ["user.tool_result"] = ["type", "tool_use_id", "content", "is_error", "session_thread_id"],
        ["user.define_outcome"] = ["type", "description", "rubric", "max_iterations"],
    };

    private static JsonObject Build(string type, JsonObject item, string at, DateTimeOffset now)
    {
        JsonFields.RejectUnknown(item, at, KnownFields[type]);
        var stored = new JsonObject { ["type"] = type, ["id"] = Ids.New(Ids.Event) };
        switch (type)
        {
            case "user.message":
            case "system.message":
                if (type == "system.message")
                {
                    ContentBlocks.RequireTextList(item, "content", at);
                }
                else
                {
                    ContentBlocks.RequireList(item, "content", at);
                }
                stored["content"] = item["content"]!.DeepClone();
                break;
            case "user.interrupt":
                if (JsonFields.OptionalString(item, "session_thread_id", 100, at) is { } thread)
                {
                    stored["session_thread_id"] = thread;
                }
                break;
            case "user.tool_confirmation":
                stored["tool_use_id"] = EventId(item, "tool_use_id", at);
                var result = JsonFields.RequiredString(item, "result", 16, at);
                if (result is not ("allow" or "deny"))
                {
                    throw new InvalidRequestException($"{at}.result: expected 'allow' or 'deny' (got '{result}').");
                }
                stored["result"] = result;
                var denyMessage = JsonFields.OptionalString(item, "deny_message", 10_000, at);
                if (denyMessage is not null && result != "deny")
                {
                    throw new InvalidRequestException($"{at}.deny_message: only allowed when result is 'deny'.");
                }
                stored["deny_message"] = denyMessage;
                break;
            case "user.custom_tool_result":
            case "user.tool_result":
                var idField = type == "user.tool_result" ? "tool_use_id" : "custom_tool_use_id";
                stored[idField] = EventId(item, idField, at);
                ContentBlocks.OptionalList(item, "content", at);
                stored["content"] = item["content"]?.DeepClone() ?? new JsonArray();
                stored["is_error"] = JsonFields.OptionalBool(item, "is_error", at) ?? false;
                break;
            default:
                DefineOutcome(item, stored, at);
                // processed_at is required on this type (the SDKs reject null), so it is stamped at append.
                stored["processed_at"] = WireJson.Timestamp(now);
                return stored;
        }
        stored["processed_at"] = null;
        return stored;
    }

    private static void DefineOutcome(JsonObject item, JsonObject stored, string at)
    {
        stored["outcome_id"] = Ids.New(OutcomePrefix);
        stored["description"] = JsonFields.RequiredString(item, "description", 10_000, at);
        var rubricAt = JsonFields.Path(at, "rubric");
        var rubric = JsonFields.OptionalObject(item, "rubric", at)
            ?? throw new InvalidRequestException($"{rubricAt}: Field required.");
        if (JsonFields.Discriminator(rubric, rubricAt, "text", "file") == "text")
        {
            JsonFields.RejectUnknown(rubric, rubricAt, "type", "content");
            stored["rubric"] = new JsonObject
            {
                ["type"] = "text",
                ["content"] = JsonFields.RequiredString(rubric, "content", ContentBlocks.MaxTextLength, rubricAt),
            };
        }
        else
        {
            JsonFields.RejectUnknown(rubric, rubricAt, "type", "file_id");
            var fileId = JsonFields.RequiredString(rubric, "file_id", 100, rubricAt);
            if (!Ids.IsWellFormed(fileId, Ids.File))
            {
                throw new InvalidRequestException($"{rubricAt}.file_id: '{fileId}' is not a file id (file_…).");
            }
            stored["rubric"] = new JsonObject { ["type"] = "file", ["file_id"] = fileId };
        }
        stored["max_iterations"] = JsonFields.OptionalInteger(item, "max_iterations", 1, 20, at) ?? 3;
    }

    private static string EventId(JsonObject item, string name, string at)
    {
        var id = JsonFields.RequiredString(item, name, 100, at);
        return Ids.IsWellFormed(id, Ids.Event)
            ? id
            : throw new InvalidRequestException($"{JsonFields.Path(at, name)}: '{id}' is not an event id; pass the sevt_… id of the tool-use event.");
    }
}
