using static Hangar.Server.Tests.BadInput.Hostile;

namespace Hangar.Server.Tests.BadInput;

/// <summary>
/// Refused requests to a session's events: send (<c>POST …/events</c>), list and stream. A refused
/// send must store no event at all, not even the valid ones before the bad one.
/// </summary>
public abstract class EventBadInputTests(BadInputSeed server)
{
    private const string Bad = "invalid_request_error";
    private const string NotFound = "not_found_error";
    private const string Events = "/v1/sessions/{session}/events";
    private const string Text = """{"type":"user.message","content":[{"type":"text","text":"hi"}]}""";

    private static string Send(string events) => "{\"events\":[" + events + "]}";

    private static string Message(string textJson) => $"{{\"type\":\"user.message\",\"content\":[{{\"type\":\"text\",\"text\":{textJson}}}]}}";

    public static TheoryData<BadInputCase> Cases() =>
    [
        // Send: body shape.
        new("not JSON", "POST", Events, 400, Bad) { Json = "{\"events\":[" },
        new("events missing", "POST", Events, 400, Bad) { Json = "{}" },
        new("events not a list", "POST", Events, 400, Bad) { Json = "{\"events\":" + Text + "}" },
        new("empty list", "POST", Events, 400, Bad) { Json = Send("") },
        new("event is a string", "POST", Events, 400, Bad) { Json = Send("\"user.message\"") },
        new("event without type", "POST", Events, 400, Bad) { Json = Send("""{"content":[{"type":"text","text":"hi"}]}""") },
        new("unknown type", "POST", Events, 400, Bad) { Json = Send("""{"type":"agent.message","content":[]}""") },
        new("second is bad", "POST", Events, 400, Bad) { Json = Send(Text + """,{"type":"user.message","content":[{"type":"text"}]}""") },
        new("content not a list", "POST", Events, 400, Bad) { Json = Send("""{"type":"user.message","content":"hi"}""") },
        new("empty content", "POST", Events, 400, Bad) { Json = Send("""{"type":"user.message","content":[]}""") },
        new("text is a number", "POST", Events, 400, Bad) { Json = Send(Message("42")) },
        new("text with lone surrogate", "POST", Events, 400, Bad) { Json = Send(Message($"\"a{LoneSurrogate}\"")) },
        new("text with reversed surrogates", "POST", Events, 400, Bad) { Json = Send(Text + "," + Message($"\"{ReversedPair}\"")) },
        new("text with NUL", "POST", Events, 400, Bad) { Json = Send(Message($"\"a{Nul}b\"")) },
        new("invalid UTF-8 bytes", "POST", Events, 400, Bad) { RawBody = InvalidUtf8("{\"events\":[{\"type\":\"user.message\",\"content\":[{\"type\":\"text\",\"text\":\"", "\"}]}]}") },
        new("duplicate type key", "POST", Events, 400, Bad) { Json = Send("""{"type":"user.message","type":"user.interrupt","content":[{"type":"text","text":"hi"}]}""") },
        new("duplicate events key", "POST", Events, 400, Bad) { Json = "{\"events\":[" + Text + "],\"events\":[]}" },
        new("10k nested arrays", "POST", Events, 400, Bad) { Json = "{\"events\":" + DeepArrays(10_000) + "}", Or413 = true },
        new("deep objects in a text block", "POST", Events, 400, Bad) { Json = Send(Message(DeepObjects(5_000))), Or413 = true },
        new("too many events", "POST", Events, 400, Bad) { Json = Send(string.Join(",", Enumerable.Repeat(Text, 10_001))), Or413 = true },
        new("body over the request limit", "POST", Events, 413, "request_too_large") { Json = Send(Message($"\"{new string('x', (int)ServerFixture.MaxRequestBodyBytes)}\"")) },
        // Send: event rules.
        new("confirmation with toolu id", "POST", Events, 400, Bad) { Json = Send("""{"type":"user.tool_confirmation","tool_use_id":"toolu_1","result":"allow"}""") },
        new("bad confirmation result", "POST", Events, 400, Bad) { Json = Send("""{"type":"user.tool_confirmation","tool_use_id":"sevt_011CZkZGOp0iBcp4kaQSihUm","result":"maybe"}""") },
        new("custom result without id", "POST", Events, 400, Bad) { Json = Send("""{"type":"user.custom_tool_result","content":[]}""") },
        new("custom result is_error a string", "POST", Events, 400, Bad) { Json = Send("""{"type":"user.custom_tool_result","custom_tool_use_id":"sevt_011CZkZGOp0iBcp4kaQSihUm","is_error":"yes"}""") },
        new("system message not last", "POST", Events, 400, Bad) { Json = Send(Text + """,{"type":"system.message","content":[{"type":"text","text":"s"}]},""" + Text) },
        new("system message alone", "POST", Events, 400, Bad) { Json = Send("""{"type":"system.message","content":[{"type":"text","text":"s"}]}""") },
        new("tool_result to cloud session", "POST", Events, 400, Bad) { Json = Send("""{"type":"user.tool_result","tool_use_id":"sevt_011CZkZGOp0iBcp4kaQSihUm"}""") },
        new("bad image media type", "POST", Events, 400, Bad) { Json = Send("""{"type":"user.message","content":[{"type":"image","source":{"type":"base64","media_type":"image/bmp","data":"AAAA"}}]}""") },
        new("image data not base64", "POST", Events, 400, Bad) { Json = Send("""{"type":"user.message","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"!!not base64!!"}}]}""") },
        new("image from other workspace's file", "POST", Events, 404, NotFound) { Json = Send("""{"type":"user.message","content":[{"type":"image","source":{"type":"file","file_id":"{other_file}"}}]}""") },
        new("document url with file scheme", "POST", Events, 400, Bad) { Json = Send("""{"type":"user.message","content":[{"type":"document","source":{"type":"url","url":"file:///etc/passwd"}}]}""") },
        new("outcome rubric file of other workspace", "POST", Events, 404, NotFound) { Json = Send("""{"type":"user.define_outcome","description":"d","rubric":{"type":"file","file_id":"{other_file}"}}""") },
        new("outcome max_iterations negative", "POST", Events, 400, Bad) { Json = Send("""{"type":"user.define_outcome","description":"d","rubric":{"type":"text","content":"r"},"max_iterations":-3}""") },
        // Send: whose session.
        new("to archived session", "POST", "/v1/sessions/{archived}/events", 409, "conflict_error") { Json = Send(Text) },
        new("to unknown session", "POST", "/v1/sessions/sesn_011CZkZAtmR3yMPDzynEDxu7/events", 404, NotFound) { Json = Send(Text) },
        new("to other workspace's session", "POST", "/v1/sessions/{other_session}/events", 404, NotFound) { Json = Send(Text) },
        new("to a session by agent id", "POST", "/v1/sessions/{agent}/events", 404, NotFound) { Json = Send(Text) },
        new("to a traversal path", "POST", "/v1/sessions/..%2F{other_session}/events", 404, NotFound) { Json = Send(Text) },
        // List.
        new("list bad order", "GET", Events + "?order=sideways", 400, Bad),
        new("list limit too big", "GET", Events + "?limit=1001", 400, Bad),
        new("list limit zero", "GET", Events + "?limit=0", 400, Bad),
        new("list limit negative", "GET", Events + "?limit=-100", 400, Bad),
        new("list limit a float", "GET", Events + "?limit=1.5", 400, Bad),
        new("list bad created_at", "GET", Events + "?created_at[gte]=0000-00-00", 400, Bad),
        new("list garbage page", "GET", Events + "?page=....", 400, Bad),
        new("list other workspace's", "GET", "/v1/sessions/{other_session}/events", 404, NotFound),
        // Stream.
        new("stream bad event_deltas", "GET", Events + "/stream?event_deltas[]=agent.tool_use", 400, Bad),
        new("stream other workspace", "GET", Events + "/stream", 404, NotFound) { AsOtherWorkspace = true },
        new("stream unknown session", "GET", "/v1/sessions/sesn_011CZkZAtmR3yMPDzynEDxu7/events/stream", 404, NotFound),
        new("stream archived agent's id", "GET", "/v1/sessions/{archived_agent}/events/stream", 404, NotFound),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Refused_request_changes_nothing(BadInputCase row) => row.RunAsync(server, server.Ids, SessionBadInputTests.StatePaths);
}

[Collection(SqliteBadInput.Name)]
public sealed class SqliteEventBadInputTests(BadInputSeed server) : EventBadInputTests(server);

[Collection(PostgresBadInput.Name)]
public sealed class PostgresEventBadInputTests(PostgresBadInputSeed server) : EventBadInputTests(server);
