using System.Text;
using System.Text.Json.Nodes;
using static Hangar.Server.Tests.BadInput.Hostile;

namespace Hangar.Server.Tests.BadInput;

/// <summary>
/// Every refused request to agents, environments and files: right status, error type and code,
/// and nothing stored changes (agents with versions, environments, files compared before/after).
/// </summary>
public abstract class ResourceBadInputTests(BadInputSeed server)
{
    private const string Bad = "invalid_request_error";
    private const string NotFound = "not_found_error";
    private const string Model = "\"model\":\"claude-sonnet-4-6\"";
    private const string UnknownAgent = "agent_011CZkYpogX7uDKUyvBTophP";

    private static readonly string[] StatePaths =
    [
        "/v1/agents?include_archived=true&limit=100",
        "/v1/agents/{agent}/versions",
        "/v1/agents/{archived_agent}/versions",
        "/v1/environments?include_archived=true&limit=100",
        "/v1/files?limit=1000",
        "/v1/files/{file}/content",
    ];

    public static TheoryData<BadInputCase> Cases() =>
    [
        // Agents: body shape.
        new("malformed JSON", "POST", "/v1/agents", 400, Bad) { Json = "{\"name\":" },
        new("body is an array", "POST", "/v1/agents", 400, Bad) { Json = "[]" },
        new("empty body", "POST", "/v1/agents", 400, Bad) { Json = "" },
        new("missing name", "POST", "/v1/agents", 400, Bad) { Json = $"{{{Model}}}" },
        new("missing model", "POST", "/v1/agents", 400, Bad) { Json = """{"name":"a"}""" },
        new("name is a number", "POST", "/v1/agents", 400, Bad) { Json = $"{{\"name\":5,{Model}}}" },
        new("empty name", "POST", "/v1/agents", 400, Bad) { Json = $"{{\"name\":\"\",{Model}}}" },
        new("name over 256", "POST", "/v1/agents", 400, Bad) { Json = $"{{\"name\":\"{new string('n', 257)}\",{Model}}}" },
        new("system over 100k", "POST", "/v1/agents", 400, Bad) { Json = $"{{\"name\":\"a\",{Model},\"system\":\"{new string('s', 100_001)}\"}}" },
        new("description over 2048", "POST", "/v1/agents", 400, Bad) { Json = $"{{\"name\":\"a\",{Model},\"description\":\"{new string('d', 2049)}\"}}" },
        new("unknown field", "POST", "/v1/agents", 400, Bad) { Json = $"{{\"nmae\":\"a\",\"name\":\"a\",{Model}}}" },
        new("model id is a number", "POST", "/v1/agents", 400, Bad) { Json = """{"name":"a","model":{"id":5}}""" },
        new("model is an array", "POST", "/v1/agents", 400, Bad) { Json = """{"name":"a","model":[]}""" },
        new("unknown effort", "POST", "/v1/agents", 400, Bad) { Json = """{"name":"a","model":{"id":"m","effort":{"type":"extreme"}}}""" },
        new("unknown speed", "POST", "/v1/agents", 400, Bad) { Json = """{"name":"a","model":{"id":"m","speed":"warp"}}""" },
        new("too many tools", "POST", "/v1/agents", 400, Bad) { Json = $"{{\"name\":\"a\",{Model},\"tools\":{CustomTools(257)}}}" },
        new("too many metadata keys", "POST", "/v1/agents", 400, Bad)
        {
            Json = $"{{\"name\":\"a\",{Model},\"metadata\":{{{string.Join(",", Enumerable.Range(0, 17).Select(i => $"\"k{i}\":\"v\""))}}}}}",
            ErrorCode = "invalid_metadata",
        },
        new("metadata key over 64", "POST", "/v1/agents", 400, Bad)
        {
            Json = $"{{\"name\":\"a\",{Model},\"metadata\":{{\"{new string('k', 65)}\":\"v\"}}}}",
            ErrorCode = "invalid_metadata",
        },
        new("invalid custom tool name", "POST", "/v1/agents", 400, Bad) { Json = $"{{\"name\":\"a\",{Model},\"tools\":[{CustomTool("bad name!")}]}}" },
        new("custom tool shadows bash", "POST", "/v1/agents", 400, Bad) { Json = $"{{\"name\":\"a\",{Model},\"tools\":[{CustomTool("bash")}]}}" },
        new("duplicate custom tool", "POST", "/v1/agents", 400, Bad) { Json = $"{{\"name\":\"a\",{Model},\"tools\":[{CustomTool("t")},{CustomTool("t")}]}}" },
        new("unknown toolset tool", "POST", "/v1/agents", 400, Bad)
        {
            Json = $"{{\"name\":\"a\",{Model},\"tools\":[{{\"type\":\"agent_toolset_20260401\",\"configs\":[{{\"name\":\"teleport\"}}]}}]}}",
        },
        new("unknown tool type", "POST", "/v1/agents", 400, Bad) { Json = $"{{\"name\":\"a\",{Model},\"tools\":[{{\"type\":\"laser\"}}]}}" },
        new("bad permission policy", "POST", "/v1/agents", 400, Bad)
        {
            Json = $"{{\"name\":\"a\",{Model},\"tools\":[{{\"type\":\"agent_toolset_20260401\",\"default_config\":{{\"permission_policy\":{{\"type\":\"sometimes\"}}}}}}]}}",
        },
        new("mcp_toolset with unknown server", "POST", "/v1/agents", 400, Bad)
        {
            Json = $"{{\"name\":\"a\",{Model},\"tools\":[{{\"type\":\"mcp_toolset\",\"mcp_server_name\":\"gh\"}}]}}",
        },
        new("duplicate mcp server names", "POST", "/v1/agents", 400, Bad)
        {
            Json = $"{{\"name\":\"a\",{Model},\"tools\":[{{\"type\":\"mcp_toolset\",\"mcp_server_name\":\"gh\"}}],\"mcp_servers\":[{Server("gh")},{Server("gh")}]}}",
        },
        new("mcp server without toolset", "POST", "/v1/agents", 400, Bad) { Json = $"{{\"name\":\"a\",{Model},\"mcp_servers\":[{Server("gh")}]}}" },
        new("too many skills", "POST", "/v1/agents", 400, Bad)
        {
            Json = $"{{\"name\":\"a\",{Model},\"skills\":[{string.Join(",", Enumerable.Range(0, 21).Select(i => $"{{\"type\":\"custom\",\"skill_id\":\"s{i}\"}}"))}]}}",
        },
        new("oversized body", "POST", "/v1/agents", 413, "request_too_large") { Json = $"{{\"name\":\"a\",{Model},\"system\":\"{new string('s', 600_000)}\"}}" },
        // Agents: update, read, list.
        new("version mismatch", "POST", "/v1/agents/{agent}", 409, "conflict_error") { Json = """{"version":7,"name":"changed"}""" },
        new("version is a string", "POST", "/v1/agents/{agent}", 400, Bad) { Json = """{"version":"1","name":"changed"}""" },
        new("clear name", "POST", "/v1/agents/{agent}", 400, Bad) { Json = """{"name":null}""" },
        new("clear model", "POST", "/v1/agents/{agent}", 400, Bad) { Json = """{"model":null}""" },
        new("update archived agent", "POST", "/v1/agents/{archived_agent}", 400, Bad) { Json = """{"name":"again"}""", ErrorCode = "agent_archived" },
        new("update unknown agent", "POST", $"/v1/agents/{UnknownAgent}", 404, NotFound) { Json = """{"name":"x"}""" },
        new("update other workspace's agent", "POST", "/v1/agents/{agent}", 404, NotFound) { Json = """{"name":"x"}""", AsOtherWorkspace = true },
        new("get other workspace's agent", "GET", "/v1/agents/{agent}", 404, NotFound) { AsOtherWorkspace = true },
        new("archive other workspace's agent", "POST", "/v1/agents/{agent}/archive", 404, NotFound) { AsOtherWorkspace = true },
        new("malformed agent id", "GET", "/v1/agents/not-an-id", 404, NotFound),
        new("missing version", "GET", "/v1/agents/{agent}?version=99", 404, NotFound),
        new("version zero", "GET", "/v1/agents/{agent}?version=0", 400, Bad),
        new("limit zero", "GET", "/v1/agents?limit=0", 400, Bad),
        new("limit over 100", "GET", "/v1/agents?limit=101", 400, Bad),
        new("limit not a number", "GET", "/v1/agents?limit=ten", 400, Bad),
        new("garbage page", "GET", "/v1/agents?page=zzz", 400, Bad),
        new("page of another list", "GET", "/v1/agents?page=" + Http.PageToken.Encode("environments", "env_x"), 400, Bad),
        new("bad created_at", "GET", "/v1/agents?created_at[gte]=yesterday", 400, Bad),
        new("bad include_archived", "GET", "/v1/agents?include_archived=maybe", 400, Bad),
        // Agents: hostile text and structure.
        new("name of 257 emoji", "POST", "/v1/agents", 400, Bad) { Json = $"{{\"name\":\"{Emoji(257)}\",{Model}}}" },
        new("name with lone surrogate", "POST", "/v1/agents", 400, Bad) { Json = $"{{\"name\":\"a{LoneSurrogate}\",{Model}}}" },
        new("name with NUL", "POST", "/v1/agents", 400, Bad) { Json = $"{{\"name\":\"a{Nul}\",{Model}}}" },
        new("system with reversed surrogates", "POST", "/v1/agents", 400, Bad) { Json = $"{{\"name\":\"a\",{Model},\"system\":\"{ReversedPair}\"}}" },
        new("metadata value with NUL", "POST", "/v1/agents", 400, Bad) { Json = $"{{\"name\":\"a\",{Model},\"metadata\":{{\"k\":\"{Nul}\"}}}}" },
        new("metadata key RTL and over 64", "POST", "/v1/agents", 400, Bad) { Json = $"{{\"name\":\"a\",{Model},\"metadata\":{{\"{RtlOverride}{new string('k', 64)}\":\"v\"}}}}", ErrorCode = "invalid_metadata" },
        new("duplicate name key", "POST", "/v1/agents", 400, Bad) { Json = $"{{\"name\":\"a\",\"name\":\"b\",{Model}}}" },
        new("duplicate metadata key", "POST", "/v1/agents", 400, Bad) { Json = $"{{\"name\":\"a\",{Model},\"metadata\":{{\"k\":\"1\",\"k\":\"2\"}}}}" },
        new("10k nested arrays", "POST", "/v1/agents", 400, Bad) { Json = $"{{\"name\":\"a\",{Model},\"tools\":{DeepArrays(10_000)}}}", Or413 = true },
        new("10k nested objects", "POST", "/v1/agents", 400, Bad) { Json = $"{{\"name\":\"a\",{Model},\"metadata\":{DeepObjects(10_000)}}}", Or413 = true },
        new("invalid UTF-8 in name", "POST", "/v1/agents", 400, Bad) { RawBody = InvalidUtf8("{\"name\":\"", "\",\"model\":\"m\"}") },
        new("update duplicate version key", "POST", "/v1/agents/{agent}", 400, Bad) { Json = """{"version":1,"version":99,"name":"changed"}""" },
        new("update name with lone surrogate", "POST", "/v1/agents/{agent}", 400, Bad) { Json = $"{{\"name\":\"{LoneSurrogate}\"}}" },
        new("update version huge", "POST", "/v1/agents/{agent}", 400, Bad) { Json = """{"version":1e400,"name":"changed"}""" },
        new("versions of other workspace's agent", "GET", "/v1/agents/{other_agent}/versions", 404, NotFound),
        new("get agent by traversal", "GET", "/v1/agents/..%2F{other_agent}", 404, NotFound),
        new("get agent version negative", "GET", "/v1/agents/{agent}?version=-1", 400, Bad),
        new("get agent version overflow", "GET", "/v1/agents/{agent}?version=99999999999999999999", 400, Bad),
        new("list limit negative", "GET", "/v1/agents?limit=-20", 400, Bad),
        new("list limit huge", "GET", "/v1/agents?limit=4294967297", 400, Bad),
        // Environments.
        new("env missing name", "POST", "/v1/environments", 400, Bad) { Json = "{}" },
        new("env unknown config type", "POST", "/v1/environments", 400, Bad) { Json = """{"name":"e","config":{"type":"kubernetes"}}""" },
        new("env limited packages without package managers", "POST", "/v1/environments", 400, Bad)
        {
            Json = """{"name":"e","config":{"type":"cloud","networking":{"type":"limited"},"packages":{"pip":["pandas"]}}}""",
        },
        new("env allowed host with scheme", "POST", "/v1/environments", 400, Bad)
        {
            Json = """{"name":"e","config":{"type":"cloud","networking":{"type":"limited","allowed_hosts":["https://x.com"]}}}""",
        },
        new("env packages not a list", "POST", "/v1/environments", 400, Bad) { Json = """{"name":"e","config":{"type":"cloud","packages":{"pip":"pandas"}}}""" },
        new("env duplicate name", "POST", "/v1/environments", 409, "conflict_error") { Json = """{"name":"seed-env"}""" },
        new("env rename to taken name", "POST", "/v1/environments/{env}", 409, "conflict_error") { Json = """{"name":"{other_env_name}"}""" },
        new("env config type change", "POST", "/v1/environments/{env}", 400, Bad)
        {
            Json = """{"config":{"type":"self_hosted"}}""",
            ErrorCode = "invalid_config_type_change",
        },
        new("env update archived", "POST", "/v1/environments/{archived_env}", 400, Bad) { Json = """{"description":"x"}""", ErrorCode = "environment_archived" },
        new("env metadata value not a string", "POST", "/v1/environments/{env}", 400, Bad) { Json = """{"metadata":{"k":5}}""" },
        new("env delete other workspace's", "DELETE", "/v1/environments/{env}", 404, NotFound) { AsOtherWorkspace = true },
        new("env get malformed id", "GET", "/v1/environments/env_nope", 404, NotFound),
        new("env name with NUL", "POST", "/v1/environments", 400, Bad) { Json = $"{{\"name\":\"e{Nul}\"}}" },
        new("env name with lone surrogate", "POST", "/v1/environments", 400, Bad) { Json = $"{{\"name\":\"{LoneSurrogate}\"}}" },
        new("env pip package with NUL", "POST", "/v1/environments", 400, Bad) { Json = $"{{\"name\":\"e\",\"config\":{{\"type\":\"cloud\",\"packages\":{{\"pip\":[\"pandas{Nul}\"]}}}}}}" },
        new("env apt package as an option", "POST", "/v1/environments", 400, Bad) { Json = """{"name":"e-apt","config":{"type":"cloud","packages":{"apt":["-oAPT::Update::Pre-Invoke::=id"]}}}""" },
        new("env npm package traversal", "POST", "/v1/environments", 400, Bad) { Json = """{"name":"e-npm","config":{"type":"cloud","packages":{"npm":["../../etc"]}}}""" },
        new("env allowed host with CR LF", "POST", "/v1/environments", 400, Bad) { Json = $"{{\"name\":\"e\",\"config\":{{\"type\":\"cloud\",\"networking\":{{\"type\":\"limited\",\"allowed_hosts\":[\"{HeaderInjection}\"]}}}}}}" },
        new("env duplicate config key", "POST", "/v1/environments", 400, Bad) { Json = """{"name":"e","config":{"type":"cloud"},"config":{"type":"self_hosted"}}""" },
        new("env deep config", "POST", "/v1/environments", 400, Bad) { Json = $"{{\"name\":\"e\",\"config\":{DeepObjects(10_000)}}}", Or413 = true },
        new("env update other workspace's", "POST", "/v1/environments/{other_env}", 404, NotFound) { Json = """{"description":"mine"}""" },
        new("env archive other workspace's", "POST", "/v1/environments/{other_env}/archive", 404, NotFound),
        new("env list limit negative", "GET", "/v1/environments?limit=-1", 400, Bad),
        // Files.
        new("upload without file part", "POST", "/v1/files", 400, Bad) { Content = () => ExpiresOnly() },
        new("upload as JSON", "POST", "/v1/files", 400, Bad) { Json = """{"file":"aGVsbG8="}""" },
        new("upload expiry too short", "POST", "/v1/files", 400, Bad) { Content = () => WithExpiry("10") },
        new("upload expiry not a number", "POST", "/v1/files", 400, Bad) { Content = () => WithExpiry("soon") },
        new("upload over file limit", "POST", "/v1/files", 413, "request_too_large")
        {
            Content = () => BadInputSeed.Multipart(new byte[ServerFixture.MaxFileBytes + 1], "big.bin"),
        },
        new("file of other workspace", "GET", "/v1/files/{file}", 404, NotFound) { AsOtherWorkspace = true },
        new("file content of other workspace", "GET", "/v1/files/{file}/content", 404, NotFound) { AsOtherWorkspace = true },
        new("delete file of other workspace", "DELETE", "/v1/files/{file}", 404, NotFound) { AsOtherWorkspace = true },
        new("unknown file content", "GET", "/v1/files/file_011CNha8iCJcU1wXNR6q4V8w/content", 404, NotFound),
        new("files limit over 1000", "GET", "/v1/files?limit=1001", 400, Bad),
        new("too many ids", "GET", "/v1/files?" + string.Join("&", Enumerable.Range(0, 101).Select(i => $"ids[]=file_{i}")), 400, Bad),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Refused_request_changes_nothing(BadInputCase row) => row.RunAsync(server, server.Ids, StatePaths);

    private static string CustomTool(string name) =>
        new JsonObject
        {
            ["type"] = "custom",
            ["name"] = name,
            ["description"] = "d",
            ["input_schema"] = new JsonObject { ["type"] = "object" },
        }.ToJsonString();

    private static string CustomTools(int count) => "[" + string.Join(",", Enumerable.Range(0, count).Select(i => CustomTool($"t{i}"))) + "]";

    private static string Server(string name) => $"{{\"type\":\"url\",\"name\":\"{name}\",\"url\":\"https://mcp.example.com/{name}\"}}";

    private static MultipartFormDataContent ExpiresOnly() =>
        new() { { new StringContent("3600"), "expires_in_seconds" } };

    private static MultipartFormDataContent WithExpiry(string seconds)
    {
        var content = BadInputSeed.Multipart(Encoding.UTF8.GetBytes("x"), "x.txt");
        content.Add(new StringContent(seconds), "expires_in_seconds");
        return content;
    }
}

[Collection(SqliteBadInput.Name)]
public sealed class SqliteResourceBadInputTests(BadInputSeed server) : ResourceBadInputTests(server);

[Collection(PostgresBadInput.Name)]
public sealed class PostgresResourceBadInputTests(PostgresBadInputSeed server) : ResourceBadInputTests(server);
