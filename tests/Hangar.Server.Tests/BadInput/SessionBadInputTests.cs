using static Hangar.Server.Tests.BadInput.Hostile;

namespace Hangar.Server.Tests.BadInput;

/// <summary>
/// Refused requests to <c>/v1/sessions</c> (create, update, get, list, archive, delete): right
/// status and error, and nothing stored changes.
/// </summary>
public abstract class SessionBadInputTests(BadInputSeed server)
{
    private const string Bad = "invalid_request_error";
    private const string NotFound = "not_found_error";
    private const string Unknown = "sesn_011CZkZAtmR3yMPDzynEDxu7";
    private const string Text = """{"type":"user.message","content":[{"type":"text","text":"hi"}]}""";

    public static readonly string[] StatePaths =
    [
        "/v1/sessions/{session}", "/v1/sessions/{session}/events?limit=1000", "/v1/sessions/{session}/resources",
        "/v1/sessions/{archived}", "/v1/sessions?include_archived=true&limit=100",
    ];

    /// <summary>A create body for the seed's agent and environment with <paramref name="extra"/> fields.</summary>
    private static string Create(string extra = "") =>
        """{"agent":"{agent}","environment_id":"{env}" """ + (extra.Length > 0 ? "," + extra : "") + "}";

    public static TheoryData<BadInputCase> Cases() =>
    [
        // Create: references.
        new("missing agent", "POST", "/v1/sessions", 400, Bad) { Json = """{"environment_id":"{env}"}""" },
        new("missing environment", "POST", "/v1/sessions", 400, Bad) { Json = """{"agent":"{agent}"}""" },
        new("unknown agent", "POST", "/v1/sessions", 404, NotFound) { Json = """{"agent":"agent_011CZkYpogX7uDKUyvBTophP","environment_id":"{env}"}""" },
        new("agent of other workspace", "POST", "/v1/sessions", 404, NotFound) { Json = """{"agent":"{other_agent}","environment_id":"{env}"}""" },
        new("agent id with environment prefix", "POST", "/v1/sessions", 404, NotFound) { Json = """{"agent":"{env}","environment_id":"{env}"}""" },
        new("agent id path traversal", "POST", "/v1/sessions", 404, NotFound) { Json = """{"agent":"../agents/{agent}","environment_id":"{env}"}""" },
        new("agent version missing", "POST", "/v1/sessions", 404, NotFound) { Json = """{"agent":{"type":"agent","id":"{agent}","version":7},"environment_id":"{env}"}""" },
        new("agent version negative", "POST", "/v1/sessions", 400, Bad) { Json = """{"agent":{"type":"agent","id":"{agent}","version":-1},"environment_id":"{env}"}""" },
        new("agent version huge", "POST", "/v1/sessions", 400, Bad) { Json = """{"agent":{"type":"agent","id":"{agent}","version":99999999999999999999},"environment_id":"{env}"}""" },
        new("agent version a string", "POST", "/v1/sessions", 400, Bad) { Json = """{"agent":{"type":"agent","id":"{agent}","version":"1"},"environment_id":"{env}"}""" },
        new("agent is a number", "POST", "/v1/sessions", 400, Bad) { Json = """{"agent":5,"environment_id":"{env}"}""" },
        new("agent object without id", "POST", "/v1/sessions", 400, Bad) { Json = """{"agent":{"type":"agent"},"environment_id":"{env}"}""" },
        new("agent object of unknown type", "POST", "/v1/sessions", 400, Bad) { Json = """{"agent":{"type":"robot","id":"{agent}"},"environment_id":"{env}"}""" },
        new("archived agent", "POST", "/v1/sessions", 400, Bad) { Json = """{"agent":"{archived_agent}","environment_id":"{env}"}""" },
        new("archived environment", "POST", "/v1/sessions", 400, Bad) { Json = """{"agent":"{agent}","environment_id":"{archived_env}"}""", ErrorCode = "environment_archived" },
        new("environment of other workspace", "POST", "/v1/sessions", 404, NotFound) { Json = """{"agent":"{agent}","environment_id":"{other_env}"}""" },
        new("environment id is an array", "POST", "/v1/sessions", 400, Bad) { Json = """{"agent":"{agent}","environment_id":["{env}"]}""" },
        new("environment id with encoded slash", "POST", "/v1/sessions", 404, NotFound) { Json = """{"agent":"{agent}","environment_id":"env_%2F..%2F{env}"}""" },
        new("vault of other workspace", "POST", "/v1/sessions", 404, NotFound) { Json = Create("""  "vault_ids":["{other_vault}"]""") },
        new("vault_ids not a list", "POST", "/v1/sessions", 400, Bad) { Json = Create("""  "vault_ids":"{vault}" """) },
        new("vault id is a credential id", "POST", "/v1/sessions", 400, Bad) { Json = Create("""  "vault_ids":["{bearer}"]""") },
        new("archived vault", "POST", "/v1/sessions", 400, Bad) { Json = Create("""  "vault_ids":["{archived_vault}"]""") },
        // Create: overrides, budget, title, metadata, initial events, resources.
        new("model override null", "POST", "/v1/sessions", 400, Bad) { Json = """{"agent":{"type":"agent_with_overrides","id":"{agent}","model":null},"environment_id":"{env}"}""", ErrorCode = "agent_model_required" },
        new("override clears tools while skills are set", "POST", "/v1/sessions", 400, Bad) { Json = """{"agent":{"type":"agent_with_overrides","id":"{agent}","skills":[{"type":"anthropic","skill_id":"xlsx"}],"tools":[]},"environment_id":"{env}"}""" },
        new("override mcp_toolset without its server", "POST", "/v1/sessions", 400, Bad) { Json = """{"agent":{"type":"agent_with_overrides","id":"{agent}","tools":[{"type":"mcp_toolset","mcp_server_name":"gh"}]},"environment_id":"{env}"}""" },
        new("override system over 100k", "POST", "/v1/sessions", 400, Bad) { Json = """{"agent":{"type":"agent_with_overrides","id":"{agent}","system":"S"},"environment_id":"{env}"}""".Replace("\"S\"", "\"" + new string('s', 100_001) + "\"") },
        new("title too long", "POST", "/v1/sessions", 400, Bad) { Json = Create($"\"title\":\"{new string('t', 501)}\"") },
        new("title of 501 emoji", "POST", "/v1/sessions", 400, Bad) { Json = Create($"\"title\":\"{Emoji(501)}\"") },
        new("title with a lone surrogate", "POST", "/v1/sessions", 400, Bad) { Json = Create($"\"title\":\"a{LoneSurrogate}b\"") },
        new("title with NUL", "POST", "/v1/sessions", 400, Bad) { Json = Create($"\"title\":\"a{Nul}b\"") },
        new("title is an object", "POST", "/v1/sessions", 400, Bad) { Json = Create("\"title\":{}") },
        new("duplicate agent key", "POST", "/v1/sessions", 400, Bad) { Json = """{"agent":"{agent}","agent":"{other_agent}","environment_id":"{env}"}""" },
        new("deep JSON", "POST", "/v1/sessions", 400, Bad) { Json = Create($"\"title\":{DeepArrays(10_000)}"), Or413 = true },
        new("bad budget currency", "POST", "/v1/sessions", 400, Bad) { Json = Create("""  "budget":{"type":"limit","max_list_cost":{"amount":"100","currency":"EUR"}}""") },
        new("budget amount negative", "POST", "/v1/sessions", 400, Bad) { Json = Create("""  "budget":{"type":"limit","max_list_cost":{"amount":"-5","currency":"USD"}}""") },
        new("budget amount not digits", "POST", "/v1/sessions", 400, Bad) { Json = Create("""  "budget":{"type":"limit","max_list_cost":{"amount":"1e9","currency":"USD"}}""") },
        new("budget amount a number", "POST", "/v1/sessions", 400, Bad) { Json = Create("""  "budget":{"type":"limit","max_list_cost":{"amount":100,"currency":"USD"}}""") },
        new("budget amount huge", "POST", "/v1/sessions", 400, Bad) { Json = Create("""  "budget":{"type":"limit","max_list_cost":{"amount":"99999999999999999999999999","currency":"USD"}}""") },
        new("too many initial events", "POST", "/v1/sessions", 400, Bad) { Json = Create("\"initial_events\":[" + string.Join(",", Enumerable.Repeat(Text, 51)) + "]") },
        new("interrupt as initial event", "POST", "/v1/sessions", 400, Bad) { Json = Create("""  "initial_events":[{"type":"user.interrupt"}]""") },
        new("initial event text with lone surrogate", "POST", "/v1/sessions", 400, Bad) { Json = Create($"\"initial_events\":[{{\"type\":\"user.message\",\"content\":[{{\"type\":\"text\",\"text\":\"{ReversedPair}\"}}]}}]") },
        new("memory_store resource", "POST", "/v1/sessions", 400, Bad) { Json = Create("""  "resources":[{"type":"memory_store","memory_store_id":"memstore_1"}]""") },
        new("unknown file resource", "POST", "/v1/sessions", 404, NotFound) { Json = Create("""  "resources":[{"type":"file","file_id":"file_011CNha8iCJcU1wXNR6q4V8w"}]""") },
        new("file resource of other workspace", "POST", "/v1/sessions", 404, NotFound) { Json = Create("""  "resources":[{"type":"file","file_id":"{other_file}"}]""") },
        new("file resource mounted by traversal", "POST", "/v1/sessions", 400, Bad) { Json = Create("""  "resources":[{"type":"file","file_id":"{file}","mount_path":"/mnt/../../etc/passwd"}]""") },
        new("github resource with file url", "POST", "/v1/sessions", 400, Bad) { Json = Create("""  "resources":[{"type":"github_repository","url":"file:///etc/passwd"}]""") },
        new("metadata too many keys", "POST", "/v1/sessions", 400, Bad) { Json = Create("\"metadata\":{" + string.Join(",", Enumerable.Range(0, 17).Select(i => $"\"k{i}\":\"v\"")) + "}"), ErrorCode = "invalid_metadata" },
        new("metadata value over 512", "POST", "/v1/sessions", 400, Bad) { Json = Create($"\"metadata\":{{\"k\":\"{new string('v', 513)}\"}}"), ErrorCode = "invalid_metadata" },
        new("metadata key of 65 emoji", "POST", "/v1/sessions", 400, Bad) { Json = Create($"\"metadata\":{{\"{Emoji(65)}\":\"v\"}}"), ErrorCode = "invalid_metadata" },
        new("metadata value a number", "POST", "/v1/sessions", 400, Bad) { Json = Create("""  "metadata":{"k":1}""") },
        new("metadata key with lone surrogate", "POST", "/v1/sessions", 400, Bad) { Json = Create($"\"metadata\":{{\"{LoneSurrogate}\":\"v\"}}") },
        new("unknown field", "POST", "/v1/sessions", 400, Bad) { Json = Create("""  "agnet":"x" """) },
        // Update.
        new("update vault_ids", "POST", "/v1/sessions/{session}", 400, Bad) { Json = """{"vault_ids":["vlt_1"]}""" },
        new("update adds a budget", "POST", "/v1/sessions/{session}", 400, Bad) { Json = """{"budget":{"type":"limit","max_list_cost":{"amount":"100","currency":"USD"}}}""", ErrorCode = "budget_create_only" },
        new("update agent model", "POST", "/v1/sessions/{session}", 400, Bad) { Json = """{"agent":{"model":"claude-x"}}""" },
        new("update archived session", "POST", "/v1/sessions/{archived}", 409, "conflict_error") { Json = """{"title":"new"}""" },
        new("update title a number", "POST", "/v1/sessions/{session}", 400, Bad) { Json = """{"title":7}""" },
        new("update title with NUL", "POST", "/v1/sessions/{session}", 400, Bad) { Json = $"{{\"title\":\"{Nul}\"}}" },
        new("update metadata header injection key", "POST", "/v1/sessions/{session}", 400, Bad) { Json = $"{{\"metadata\":{{\"{new string('k', 60)}{HeaderInjection}\":\"v\"}}}}", ErrorCode = "invalid_metadata" },
        new("update body is a string", "POST", "/v1/sessions/{session}", 400, Bad) { Json = "\"title\"" },
        new("update other workspace's session", "POST", "/v1/sessions/{other_session}", 404, NotFound) { Json = """{"title":"mine"}""" },
        // Read, list, archive, delete.
        new("get unknown session", "GET", $"/v1/sessions/{Unknown}", 404, NotFound),
        new("get other workspace's session", "GET", "/v1/sessions/{other_session}", 404, NotFound),
        new("get with agent prefix", "GET", "/v1/sessions/{agent}", 404, NotFound),
        new("get by encoded traversal", "GET", "/v1/sessions/%2e%2e%2fagents%2f{agent}", 404, NotFound),
        new("get with lone surrogate id", "GET", "/v1/sessions/sesn_%ED%A0%80", 404, NotFound),
        new("list bad status", "GET", "/v1/sessions?statuses[]=sleeping", 400, Bad),
        new("list limit too big", "GET", "/v1/sessions?limit=101", 400, Bad),
        new("list limit negative", "GET", "/v1/sessions?limit=-1", 400, Bad),
        new("list limit overflow", "GET", "/v1/sessions?limit=99999999999999999999", 400, Bad),
        new("list bad order", "GET", "/v1/sessions?order=random", 400, Bad),
        new("list agent_version zero", "GET", "/v1/sessions?agent_id={agent}&agent_version=0", 400, Bad),
        new("list created_at not a time", "GET", "/v1/sessions?created_at[lt]=tomorrow", 400, Bad),
        new("list garbage page", "GET", "/v1/sessions?page=%00%ff", 400, Bad),
        new("list page from other order", "GET", "/v1/sessions?order=asc&page=" + Http.PageToken.Encode("sessionsdesc", "sesn_x"), 400, Bad),
        new("delete from other workspace", "DELETE", "/v1/sessions/{session}", 404, NotFound) { AsOtherWorkspace = true },
        new("archive from other workspace", "POST", "/v1/sessions/{session}/archive", 404, NotFound) { AsOtherWorkspace = true },
        new("delete unknown", "DELETE", $"/v1/sessions/{Unknown}", 404, NotFound),
        new("delete environment used by sessions", "DELETE", "/v1/environments/{env}", 409, "conflict_error"),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Refused_request_changes_nothing(BadInputCase row) => row.RunAsync(server, server.Ids, StatePaths);
}

[Collection(SqliteBadInput.Name)]
public sealed class SqliteSessionBadInputTests(BadInputSeed server) : SessionBadInputTests(server);

[Collection(PostgresBadInput.Name)]
public sealed class PostgresSessionBadInputTests(PostgresBadInputSeed server) : SessionBadInputTests(server);
