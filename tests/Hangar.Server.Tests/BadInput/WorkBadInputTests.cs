using static Hangar.Server.Tests.BadInput.Hostile;

namespace Hangar.Server.Tests.BadInput;

/// <summary>
/// Refused requests to the self-hosted work protocol, with the environment key where a worker
/// would use one and the API key where an operator would. No refused poll may claim the queued
/// item, no refused stop may stop it, no refused update may touch its metadata.
/// </summary>
public abstract class WorkBadInputTests(BadInputSeed server)
{
    private const string Bad = "invalid_request_error";
    private const string NotFound = "not_found_error";
    private const string Forbidden = "permission_error";
    private const string Work = "/v1/environments/{sh_env}/work";
    private const string Item = Work + "/{work}";
    private const string EnvKey = "Bearer {env_key}";
    private const string UnknownWork = "work_011CZkZEMt8gZan2iYPQfSkw";

    private static readonly string[] StatePaths = [Work + "/{work}", Work + "/stats"];

    public static TheoryData<BadInputCase> Cases() =>
    [
        // Poll (environment key): every refusal comes before the claim.
        new("poll block_ms 0", "GET", Work + "/poll?block_ms=0", 400, Bad) { Authorization = EnvKey },
        new("poll block_ms 1000", "GET", Work + "/poll?block_ms=1000", 400, Bad) { Authorization = EnvKey },
        new("poll block_ms negative", "GET", Work + "/poll?block_ms=-1", 400, Bad) { Authorization = EnvKey },
        new("poll block_ms text", "GET", Work + "/poll?block_ms=soon", 400, Bad) { Authorization = EnvKey },
        new("poll block_ms overflow", "GET", Work + "/poll?block_ms=99999999999999999999", 400, Bad) { Authorization = EnvKey },
        new("poll block_ms twice", "GET", Work + "/poll?block_ms=5&block_ms=6", 400, Bad) { Authorization = EnvKey },
        new("poll reclaim negative", "GET", Work + "/poll?reclaim_older_than_ms=-5", 400, Bad) { Authorization = EnvKey },
        new("poll reclaim huge", "GET", Work + "/poll?reclaim_older_than_ms=999999999999", 400, Bad) { Authorization = EnvKey },
        new("poll with an API key", "GET", Work + "/poll", 403, Forbidden),
        new("poll other environment with the key", "GET", "/v1/environments/{env}/work/poll", 404, NotFound) { Authorization = EnvKey },
        new("poll other workspace's environment", "GET", "/v1/environments/{other_sh_env}/work/poll", 404, NotFound) { Authorization = EnvKey },
        new("poll traversal to other environment", "GET", "/v1/environments/{sh_env}%2F..%2F{other_sh_env}/work/poll", 404, NotFound) { Authorization = EnvKey },
        new("poll with a revoked-looking key", "GET", Work + "/poll", 401, "authentication_error") { Authorization = "Bearer sk-ant-oat01-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
        new("poll with a sessions-token-looking key", "GET", Work + "/poll", 401, "authentication_error") { Authorization = "Bearer sk-ant-req-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
        // Ack and heartbeat.
        new("ack a queued item", "POST", Item + "/ack", 409, "conflict_error") { Authorization = EnvKey },
        new("ack unknown item", "POST", Work + $"/{UnknownWork}/ack", 404, NotFound) { Authorization = EnvKey },
        new("ack with an API key", "POST", Item + "/ack", 403, Forbidden),
        new("ack traversal item id", "POST", Work + "/..%2F{work}/ack", 404, NotFound) { Authorization = EnvKey },
        new("heartbeat without expected", "POST", Item + "/heartbeat", 400, Bad) { Authorization = EnvKey },
        new("heartbeat bad expected", "POST", Item + "/heartbeat?expected_last_heartbeat=yesterday", 400, Bad) { Authorization = EnvKey },
        new("heartbeat ttl zero", "POST", Item + "/heartbeat?expected_last_heartbeat=NO_HEARTBEAT&desired_ttl_seconds=0", 400, Bad) { Authorization = EnvKey },
        new("heartbeat ttl huge", "POST", Item + "/heartbeat?expected_last_heartbeat=NO_HEARTBEAT&desired_ttl_seconds=86400000", 400, Bad) { Authorization = EnvKey },
        new("heartbeat ttl text", "POST", Item + "/heartbeat?expected_last_heartbeat=NO_HEARTBEAT&desired_ttl_seconds=long", 400, Bad) { Authorization = EnvKey },
        new("heartbeat unknown item", "POST", Work + $"/{UnknownWork}/heartbeat?expected_last_heartbeat=NO_HEARTBEAT", 404, NotFound) { Authorization = EnvKey },
        new("heartbeat with an API key", "POST", Item + "/heartbeat?expected_last_heartbeat=NO_HEARTBEAT", 403, Forbidden),
        // Stop.
        new("stop body not JSON", "POST", Item + "/stop", 400, Bad) { Json = "{force:true}" },
        new("stop body an array", "POST", Item + "/stop", 400, Bad) { Json = "[true]" },
        new("stop force a string", "POST", Item + "/stop", 400, Bad) { Json = """{"force":"true"}""" },
        new("stop unknown field", "POST", Item + "/stop", 400, Bad) { Json = """{"force":true,"now":true}""" },
        new("stop deep JSON", "POST", Item + "/stop", 400, Bad) { Json = DeepArrays(10_000), Or413 = true },
        new("stop duplicate force", "POST", Item + "/stop", 400, Bad) { Json = """{"force":false,"force":true}""" },
        new("stop lone surrogate key", "POST", Item + "/stop", 400, Bad) { Json = $"{{\"{LoneSurrogate}\":true}}" },
        new("stop other workspace's", "POST", Item + "/stop", 404, NotFound) { Json = "{}", AsOtherWorkspace = true },
        new("stop unknown item", "POST", Work + $"/{UnknownWork}/stop", 404, NotFound) { Json = "{}" },
        new("stop by key in other environment", "POST", "/v1/environments/{env}/work/{work}/stop", 404, NotFound) { Authorization = EnvKey },
        // List, stats, retrieve, update.
        new("list with an API key", "GET", Work, 403, Forbidden),
        new("list limit zero", "GET", Work + "?limit=0", 400, Bad) { Authorization = EnvKey },
        new("list limit 101", "GET", Work + "?limit=101", 400, Bad) { Authorization = EnvKey },
        new("list garbage page", "GET", Work + "?page=!!", 400, Bad) { Authorization = EnvKey },
        new("stats with the key", "GET", Work + "/stats", 403, Forbidden) { Authorization = EnvKey },
        new("stats of other workspace", "GET", Work + "/stats", 404, NotFound) { AsOtherWorkspace = true },
        new("stats of a cloud environment id typo", "GET", "/v1/environments/env_nope/work/stats", 404, NotFound),
        new("retrieve with the key", "GET", Item, 403, Forbidden) { Authorization = EnvKey },
        new("retrieve other workspace's", "GET", Item, 404, NotFound) { AsOtherWorkspace = true },
        new("retrieve through other environment", "GET", "/v1/environments/{env}/work/{work}", 404, NotFound),
        new("retrieve session id as work id", "GET", Work + "/{sh_session}", 404, NotFound),
        new("update metadata not an object", "POST", Item, 400, Bad) { Json = """{"metadata":"k=v"}""" },
        new("update metadata value a number", "POST", Item, 400, Bad) { Json = """{"metadata":{"k":1}}""", ErrorCode = "invalid_metadata" },
        new("update metadata 17 keys", "POST", Item, 400, Bad) { Json = "{\"metadata\":{" + string.Join(",", Enumerable.Range(0, 17).Select(i => $"\"k{i}\":\"v\"")) + "}}", ErrorCode = "invalid_metadata" },
        new("update metadata value NUL", "POST", Item, 400, Bad) { Json = $"{{\"metadata\":{{\"k\":\"{Nul}\"}}}}" },
        new("update metadata value lone surrogate", "POST", Item, 400, Bad) { Json = $"{{\"metadata\":{{\"k\":\"{LoneSurrogate}\"}}}}" },
        new("update unknown field", "POST", Item, 400, Bad) { Json = """{"state":"stopped"}""" },
        new("update with the key", "POST", Item, 403, Forbidden) { Json = """{"metadata":{"k":"v"}}""", Authorization = EnvKey },
        new("update other workspace's", "POST", Item, 404, NotFound) { Json = """{"metadata":{"k":"v"}}""", AsOtherWorkspace = true },
        // The key outside the work routes.
        new("key on agents", "GET", "/v1/agents", 403, Forbidden) { Authorization = EnvKey },
        new("key creating a session", "POST", "/v1/sessions", 403, Forbidden) { Json = """{"agent":"{agent}","environment_id":"{sh_env}"}""", Authorization = EnvKey },
        new("key on an unclaimed session", "GET", "/v1/sessions/{sh_session}", 404, NotFound) { Authorization = EnvKey },
        new("key sending to an unclaimed session", "POST", "/v1/sessions/{sh_session}/events", 404, NotFound)
        {
            Json = """{"events":[{"type":"user.message","content":[{"type":"text","text":"hi"}]}]}""",
            Authorization = EnvKey,
        },
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Refused_request_changes_nothing(BadInputCase row) => row.RunAsync(server, server.Ids, StatePaths);
}

[Collection(SqliteBadInput.Name)]
public sealed class SqliteWorkBadInputTests(BadInputSeed server) : WorkBadInputTests(server);

[Collection(PostgresBadInput.Name)]
public sealed class PostgresWorkBadInputTests(PostgresBadInputSeed server) : WorkBadInputTests(server);
