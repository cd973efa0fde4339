using Hangar.Server.Tests.BadInput;

namespace Hangar.Server.Tests.Sessions;

/// <summary>
/// Requests to sessions, events and session resources that must be refused and change nothing:
/// the session object, its event list and its resources are compared before and after each row.
/// </summary>
public abstract class SessionBadInputTests(SessionServerFixture server) : IAsyncLifetime
{
    private readonly Dictionary<string, string> _ids = [];

    private static readonly string[] StatePaths =
    [
        "/v1/sessions/{session}", "/v1/sessions/{session}/events?limit=1000", "/v1/sessions/{session}/resources",
        "/v1/sessions/{archived}", "/v1/sessions/{archived}/events?limit=1000", "/v1/sessions?include_archived=true&limit=100",
        "/v1/environments/{env}",
    ];

    private const string Text = """{"type":"user.message","content":[{"type":"text","text":"hi"}]}""";

    public static TheoryData<BadInputCase> Cases => new()
    {
        new("missing agent", "POST", "/v1/sessions", 400, "invalid_request_error") { Json = """{"environment_id":"{env}"}""" },
        new("unknown agent", "POST", "/v1/sessions", 404, "not_found_error") { Json = """{"agent":"agent_011CZkYpogX7uDKUyvBTophP","environment_id":"{env}"}""" },
        new("agent version missing", "POST", "/v1/sessions", 404, "not_found_error") { Json = """{"agent":{"type":"agent","id":"{agent}","version":7},"environment_id":"{env}"}""" },
        new("archived agent", "POST", "/v1/sessions", 400, "invalid_request_error") { Json = """{"agent":"{archived_agent}","environment_id":"{env}"}""" },
        new("archived environment", "POST", "/v1/sessions", 400, "invalid_request_error") { Json = """{"agent":"{agent}","environment_id":"{archived_env}"}""", ErrorCode = "environment_archived" },
        new("environment of other workspace", "POST", "/v1/sessions", 404, "not_found_error") { Json = """{"agent":"{agent}","environment_id":"{other_env}"}""" },
        new("model override null", "POST", "/v1/sessions", 400, "invalid_request_error") { Json = """{"agent":{"type":"agent_with_overrides","id":"{agent}","model":null},"environment_id":"{env}"}""", ErrorCode = "agent_model_required" },
        new("override clears tools while skills are set", "POST", "/v1/sessions", 400, "invalid_request_error") { Json = """{"agent":{"type":"agent_with_overrides","id":"{agent}","skills":[{"type":"anthropic","skill_id":"xlsx"}],"tools":[]},"environment_id":"{env}"}""" },
        new("override mcp_toolset without its server", "POST", "/v1/sessions", 400, "invalid_request_error") { Json = """{"agent":{"type":"agent_with_overrides","id":"{agent}","tools":[{"type":"mcp_toolset","mcp_server_name":"gh"}]},"environment_id":"{env}"}""" },
        new("title too long", "POST", "/v1/sessions", 400, "invalid_request_error") { Json = """{"agent":"{agent}","environment_id":"{env}","title":"LONG"}""".Replace("LONG", new string('t', 501)) },
        new("bad budget currency", "POST", "/v1/sessions", 400, "invalid_request_error") { Json = """{"agent":"{agent}","environment_id":"{env}","budget":{"type":"limit","max_list_cost":{"amount":"100","currency":"EUR"}}}""" },
        new("too many initial events", "POST", "/v1/sessions", 400, "invalid_request_error") { Json = """{"agent":"{agent}","environment_id":"{env}","initial_events":[""" + string.Join(",", Enumerable.Repeat(Text, 51)) + "]}" },
        new("interrupt as initial event", "POST", "/v1/sessions", 400, "invalid_request_error") { Json = """{"agent":"{agent}","environment_id":"{env}","initial_events":[{"type":"user.interrupt"}]}""" },
        new("memory_store resource", "POST", "/v1/sessions", 400, "invalid_request_error") { Json = """{"agent":"{agent}","environment_id":"{env}","resources":[{"type":"memory_store","memory_store_id":"memstore_1"}]}""" },
        new("unknown file resource", "POST", "/v1/sessions", 404, "not_found_error") { Json = """{"agent":"{agent}","environment_id":"{env}","resources":[{"type":"file","file_id":"file_011CNha8iCJcU1wXNR6q4V8w"}]}""" },
        new("metadata too many keys", "POST", "/v1/sessions", 400, "invalid_request_error") { Json = """{"agent":"{agent}","environment_id":"{env}","metadata":{""" + string.Join(",", Enumerable.Range(0, 17).Select(i => $"\"k{i}\":\"v\"")) + "}}", ErrorCode = "invalid_metadata" },
        new("update vault_ids", "POST", "/v1/sessions/{session}", 400, "invalid_request_error") { Json = """{"vault_ids":["vlt_1"]}""" },
        new("update adds a budget", "POST", "/v1/sessions/{session}", 400, "invalid_request_error") { Json = """{"budget":{"type":"limit","max_list_cost":{"amount":"100","currency":"USD"}}}""", ErrorCode = "budget_create_only" },
        new("update agent model", "POST", "/v1/sessions/{session}", 400, "invalid_request_error") { Json = """{"agent":{"model":"claude-x"}}""" },
        new("update archived session", "POST", "/v1/sessions/{archived}", 409, "conflict_error") { Json = """{"title":"new"}""" },
        new("get unknown session", "GET", "/v1/sessions/sesn_011CZkZAtmR3yMPDzynEDxu7", 404, "not_found_error"),
        new("list bad status", "GET", "/v1/sessions?statuses[]=sleeping", 400, "invalid_request_error"),
        new("list limit too big", "GET", "/v1/sessions?limit=101", 400, "invalid_request_error"),
        new("events: empty list", "POST", "/v1/sessions/{session}/events", 400, "invalid_request_error") { Json = """{"events":[]}""" },
        new("events: unknown type", "POST", "/v1/sessions/{session}/events", 400, "invalid_request_error") { Json = """{"events":[{"type":"agent.message","content":[]}]}""" },
        new("events: second is bad", "POST", "/v1/sessions/{session}/events", 400, "invalid_request_error") { Json = "{\"events\":[" + Text + """,{"type":"user.message","content":[{"type":"text"}]}]}""" },
        new("events: confirmation with toolu id", "POST", "/v1/sessions/{session}/events", 400, "invalid_request_error") { Json = """{"events":[{"type":"user.tool_confirmation","tool_use_id":"toolu_1","result":"allow"}]}""" },
        new("events: bad confirmation result", "POST", "/v1/sessions/{session}/events", 400, "invalid_request_error") { Json = """{"events":[{"type":"user.tool_confirmation","tool_use_id":"sevt_011CZkZGOp0iBcp4kaQSihUm","result":"maybe"}]}""" },
        new("events: system message not last", "POST", "/v1/sessions/{session}/events", 400, "invalid_request_error") { Json = "{\"events\":[" + Text + """,{"type":"system.message","content":[{"type":"text","text":"s"}]},""" + Text + "]}" },
        new("events: tool_result to cloud session", "POST", "/v1/sessions/{session}/events", 400, "invalid_request_error") { Json = """{"events":[{"type":"user.tool_result","tool_use_id":"sevt_011CZkZGOp0iBcp4kaQSihUm"}]}""" },
        new("events: bad image media type", "POST", "/v1/sessions/{session}/events", 400, "invalid_request_error") { Json = """{"events":[{"type":"user.message","content":[{"type":"image","source":{"type":"base64","media_type":"image/bmp","data":"AAAA"}}]}]}""" },
        new("events: not JSON", "POST", "/v1/sessions/{session}/events", 400, "invalid_request_error") { Json = "{\"events\":[" },
        new("events: to archived session", "POST", "/v1/sessions/{archived}/events", 409, "conflict_error") { Json = "{\"events\":[" + Text + "]}" },
        new("events: to unknown session", "POST", "/v1/sessions/sesn_011CZkZAtmR3yMPDzynEDxu7/events", 404, "not_found_error") { Json = "{\"events\":[" + Text + "]}" },
        new("events: list bad order", "GET", "/v1/sessions/{session}/events?order=sideways", 400, "invalid_request_error"),
        new("events: list limit too big", "GET", "/v1/sessions/{session}/events?limit=1001", 400, "invalid_request_error"),
        new("stream: bad event_deltas", "GET", "/v1/sessions/{session}/events/stream?event_deltas[]=agent.tool_use", 400, "invalid_request_error"),
        new("stream: other workspace", "GET", "/v1/sessions/{session}/events/stream", 404, "not_found_error") { AsOtherWorkspace = true },
        new("resources: add memory store", "POST", "/v1/sessions/{session}/resources", 400, "invalid_request_error") { Json = """{"type":"memory_store","memory_store_id":"memstore_1"}""" },
        new("resources: add relative mount path", "POST", "/v1/sessions/{session}/resources", 400, "invalid_request_error") { Json = """{"type":"file","file_id":"{file}","mount_path":"../etc"}""" },
        new("resources: duplicate mount path", "POST", "/v1/sessions/{session}/resources", 400, "invalid_request_error") { Json = """{"type":"file","file_id":"{file}","mount_path":"/mnt/session/uploads/{file}"}""" },
        new("resources: token on a file resource", "POST", "/v1/sessions/{session}/resources/{file_resource}", 400, "invalid_request_error") { Json = """{"authorization_token":"ghp_x"}""" },
        new("resources: unknown resource", "GET", "/v1/sessions/{session}/resources/sesrsc_011CZkZBJq5dWxk9fVLNcPht", 404, "not_found_error"),
        new("resources: add to archived session", "POST", "/v1/sessions/{archived}/resources", 409, "conflict_error") { Json = """{"type":"file","file_id":"{file}","mount_path":"/data/x"}""" },
        new("delete environment used by sessions", "DELETE", "/v1/environments/{env}", 409, "conflict_error"),
        new("delete from other workspace", "DELETE", "/v1/sessions/{session}", 404, "not_found_error") { AsOtherWorkspace = true },
        new("archive from other workspace", "POST", "/v1/sessions/{session}/archive", 404, "not_found_error") { AsOtherWorkspace = true },
    };

    public async Task InitializeAsync()
    {
        var store = server.Store;
        var workspace = server.WorkspaceId;
        _ids["agent"] = await SessionSeed.AgentAsync(store, workspace);
        _ids["archived_agent"] = await SessionSeed.AgentAsync(store, workspace, archived: true);
        _ids["env"] = await SessionSeed.EnvironmentAsync(store, workspace);
        _ids["archived_env"] = await SessionSeed.EnvironmentAsync(store, workspace, archived: true);
        _ids["other_env"] = await SessionSeed.EnvironmentAsync(store, server.OtherWorkspaceId);
        _ids["file"] = await SessionSeed.FileAsync(store, workspace);
        var create = $$"""{"agent":"{{_ids["agent"]}}","environment_id":"{{_ids["env"]}}","resources":[{"type":"file","file_id":"{{_ids["file"]}}"}],"initial_events":[{{Text}}]}""";
        var session = await server.OkAsync(HttpMethod.Post, "/v1/sessions", create);
        _ids["session"] = (string)session["id"]!;
        _ids["file_resource"] = (string)session["resources"]![0]!["id"]!;
        var archived = await server.OkAsync(HttpMethod.Post, "/v1/sessions", create);
        _ids["archived"] = (string)archived["id"]!;
        await server.OkAsync(HttpMethod.Post, $"/v1/sessions/{_ids["archived"]}/archive");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Bad_request_is_refused_and_changes_nothing(BadInputCase row) => row.RunAsync(server, _ids, StatePaths);
}

public sealed class SqliteSessionBadInputTests(SessionServerFixture server) : SessionBadInputTests(server), IClassFixture<SessionServerFixture>;

public sealed class PostgresSessionBadInputTests(PostgresSessionServerFixture server) : SessionBadInputTests(server), IClassFixture<PostgresSessionServerFixture>;
