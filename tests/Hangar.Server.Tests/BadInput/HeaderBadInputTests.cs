namespace Hangar.Server.Tests.BadInput;

/// <summary>
/// Refusals decided by the request line and headers rather than a body: credentials, workspace
/// headers, content types, methods, and hostile bytes (NUL, encoded slashes, dot segments) in the
/// ids of every route's path. (A %00 in the path never reaches Hangar: Kestrel answers a bare 400.)
/// </summary>
public abstract class HeaderBadInputTests(BadInputSeed server)
{
    private const string Bad = "invalid_request_error";
    private const string NotFound = "not_found_error";
    private const string Unauthenticated = "authentication_error";
    private const string Newline = "%0A";

    public static TheoryData<BadInputCase> Cases() =>
    [
        // Credentials.
        new("no credential", "GET", "/v1/agents", 401, Unauthenticated) { Authorization = "" },
        new("no credential on a write", "POST", "/v1/agents", 401, Unauthenticated) { Authorization = "", Json = """{"name":"a","model":"m"}""" },
        new("empty bearer", "GET", "/v1/agents", 401, Unauthenticated) { Authorization = "Bearer " },
        new("basic scheme", "GET", "/v1/agents", 401, Unauthenticated) { Authorization = "Basic YWRtaW46YWRtaW4=" },
        new("unknown api key", "GET", "/v1/agents", 401, Unauthenticated) { Authorization = "", Headers = [("x-api-key", "sk-ant-api03-nope")] },
        new("8 KB api key", "GET", "/v1/agents", 401, Unauthenticated) { Authorization = "", Headers = [("x-api-key", new string('k', 8192))] },
        new("api key with trailing garbage", "GET", "/v1/agents", 401, Unauthenticated) { Authorization = "Bearer {env_key}x" },
        new("api key hash as key", "GET", "/v1/agents", 401, Unauthenticated) { Authorization = "Bearer 0000000000000000000000000000000000000000000000000000000000000000" },
        new("env key id as key", "GET", "/v1/agents", 401, Unauthenticated) { Authorization = "Bearer {env_key_id}" },
        new("workspace header does not switch workspace", "GET", "/v1/agents/{agent}", 404, NotFound)
        {
            AsOtherWorkspace = true,
            Headers = [("anthropic-workspace-id", "{workspace}")],
        },
        new("workspace header on a write", "POST", "/v1/agents/{agent}", 404, NotFound)
        {
            AsOtherWorkspace = true,
            Headers = [("anthropic-workspace-id", "{workspace}")],
            Json = """{"name":"stolen"}""",
        },
        // Bodies the content type rules out.
        new("form body to a JSON route", "POST", "/v1/agents", 400, Bad) { RawBody = "name=a&model=m"u8.ToArray(), ContentType = "application/x-www-form-urlencoded" },
        new("multipart without boundary", "POST", "/v1/files", 400, Bad) { RawBody = "--x\r\n"u8.ToArray(), ContentType = "multipart/form-data" },
        new("multipart never closed", "POST", "/v1/files", 400, Bad)
        {
            RawBody = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nabc"u8.ToArray(),
            ContentType = "multipart/form-data; boundary=b",
        },
        new("UTF-16 JSON", "POST", "/v1/vaults", 400, Bad) { RawBody = System.Text.Encoding.Unicode.GetBytes("{\"display_name\":\"a\"}"), ContentType = "application/json; charset=utf-16" },
        new("BOM then garbage", "POST", "/v1/vaults", 400, Bad) { RawBody = [0xEF, 0xBB, 0xBF, 0xFF, 0xFE], ContentType = "application/json" },
        new("last-event-id not an event", "GET", "/v1/sessions/{session}/events/stream", 400, Bad) { Headers = [("Last-Event-ID", "../../etc/passwd")] },
        new("last-event-id of other session", "GET", "/v1/sessions/{archived}/events/stream", 400, Bad) { Headers = [("Last-Event-ID", "{event}")] },
        // Methods and routes.
        new("PUT an agent", "PUT", "/v1/agents/{agent}", 400, Bad) { Json = """{"name":"x"}""" },
        new("PATCH a session", "PATCH", "/v1/sessions/{session}", 400, Bad) { Json = """{"title":"x"}""" },
        new("DELETE an agent", "DELETE", "/v1/agents/{agent}", 400, Bad),
        new("unknown route", "GET", "/v1/agentz", 404, NotFound),
        new("v2 route", "GET", "/v2/agents", 404, NotFound),
        // Hostile bytes in path ids.
        new("agent id with newline", "GET", $"/v1/agents/agent_{Newline}", 404, NotFound),
        new("agent update id with newline", "POST", $"/v1/agents/{{agent}}{Newline}", 404, NotFound) { Json = """{"name":"x"}""" },
        new("environment id with newline", "GET", $"/v1/environments/env_{Newline}x", 404, NotFound),
        new("session id with newline", "GET", $"/v1/sessions/sesn_{Newline}", 404, NotFound),
        new("session events id with newline", "GET", $"/v1/sessions/{{session}}{Newline}/events", 404, NotFound),
        new("session resource id with newline", "GET", $"/v1/sessions/{{session}}/resources/sesrsc_{Newline}", 404, NotFound),
        new("vault id with newline", "GET", $"/v1/vaults/vlt_{Newline}", 404, NotFound),
        new("credential id with newline", "GET", $"/v1/vaults/{{vault}}/credentials/vcrd_{Newline}", 404, NotFound),
        new("file id with newline", "GET", $"/v1/files/file_{Newline}/content", 404, NotFound),
        new("work id with newline", "GET", $"/v1/environments/{{sh_env}}/work/work_{Newline}", 404, NotFound),
        new("work ack id with newline", "POST", $"/v1/environments/{{sh_env}}/work/work_{Newline}/ack", 404, NotFound) { Authorization = "Bearer {env_key}" },
        new("work environment id with newline", "GET", $"/v1/environments/env_{Newline}/work/stats", 404, NotFound),
        new("agent id with lone surrogate bytes", "GET", "/v1/agents/agent_%ED%A0%80", 404, NotFound),
        new("agent id overlong", "GET", "/v1/agents/agent_" + new string('1', 4000), 404, NotFound),
        new("agent id dot segments", "GET", "/v1/agents/%2e%2e/%2e%2e/v1/vaults/{other_vault}", 404, NotFound),
        new("file id with encoded slash", "GET", "/v1/files/..%2F{other_file}/content", 404, NotFound),
        new("other workspace's file by id", "GET", "/v1/files/{other_file}/content", 404, NotFound),
        new("list filter with NUL", "GET", "/v1/sessions?agent_id=agent_%00", 400, Bad),
        new("files scope with NUL", "GET", "/v1/files?scope_id=sesn_%00", 400, Bad),
        new("files ids with NUL", "GET", "/v1/files?ids[]=file_%00", 400, Bad),
        new("limit given twice", "GET", "/v1/agents?limit=1&limit=2", 400, Bad),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Refused_request_changes_nothing(BadInputCase row) => row.RunAsync(server, server.Ids, []);
}

[Collection(SqliteBadInput.Name)]
public sealed class SqliteHeaderBadInputTests(BadInputSeed server) : HeaderBadInputTests(server);

[Collection(PostgresBadInput.Name)]
public sealed class PostgresHeaderBadInputTests(PostgresBadInputSeed server) : HeaderBadInputTests(server);
