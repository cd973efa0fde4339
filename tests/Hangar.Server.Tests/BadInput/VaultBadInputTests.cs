using static Hangar.Server.Tests.BadInput.Hostile;

namespace Hangar.Server.Tests.BadInput;

/// <summary>
/// Refused requests to vaults, their credentials and <c>mcp_oauth_validate</c>. The dump covers the
/// encrypted secrets and the audit rows too, so a refused credential update cannot re-seal a secret.
/// </summary>
public abstract class VaultBadInputTests(BadInputSeed server)
{
    private const string Bad = "invalid_request_error";
    private const string NotFound = "not_found_error";
    private const string Vault = "/v1/vaults/{vault}";
    private const string Credentials = "/v1/vaults/{vault}/credentials";
    private const string UnknownVault = "vlt_011CZkZDLs7fYzm1hXNPeRjv";

    private static readonly string[] StatePaths =
    [
        "/v1/vaults?include_archived=true&limit=100", "/v1/vaults/{vault}/credentials?include_archived=true&limit=100",
    ];

    private static string Bearer(string url) => $"{{\"auth\":{{\"type\":\"static_bearer\",\"mcp_server_url\":{url},\"token\":\"t\"}}}}";

    private static string EnvVar(string name, string networking = """{"type":"unrestricted"}""") =>
        $"{{\"auth\":{{\"type\":\"environment_variable\",\"secret_name\":{name},\"secret_value\":\"v\",\"networking\":{networking}}}}}";

    public static TheoryData<BadInputCase> Cases() =>
    [
        // Vaults.
        new("vault without display_name", "POST", "/v1/vaults", 400, Bad) { Json = "{}" },
        new("vault display_name empty", "POST", "/v1/vaults", 400, Bad) { Json = """{"display_name":""}""" },
        new("vault display_name over 255", "POST", "/v1/vaults", 400, Bad) { Json = $"{{\"display_name\":\"{new string('v', 256)}\"}}" },
        new("vault display_name of 256 emoji", "POST", "/v1/vaults", 400, Bad) { Json = $"{{\"display_name\":\"{Emoji(256)}\"}}" },
        new("vault display_name a number", "POST", "/v1/vaults", 400, Bad) { Json = """{"display_name":1}""" },
        new("vault display_name lone surrogate", "POST", "/v1/vaults", 400, Bad) { Json = $"{{\"display_name\":\"{LoneSurrogate}\"}}" },
        new("vault display_name NUL", "POST", "/v1/vaults", 400, Bad) { Json = $"{{\"display_name\":\"{Nul}\"}}" },
        new("vault duplicate display_name key", "POST", "/v1/vaults", 400, Bad) { Json = """{"display_name":"a","display_name":"b"}""" },
        new("vault metadata 17 keys", "POST", "/v1/vaults", 400, Bad) { Json = "{\"display_name\":\"a\",\"metadata\":{" + string.Join(",", Enumerable.Range(0, 17).Select(i => $"\"k{i}\":\"v\"")) + "}}", ErrorCode = "invalid_metadata" },
        new("vault metadata is a list", "POST", "/v1/vaults", 400, Bad) { Json = """{"display_name":"a","metadata":["k"]}""" },
        new("vault deep JSON", "POST", "/v1/vaults", 400, Bad) { Json = "{\"display_name\":\"a\",\"metadata\":" + DeepObjects(10_000) + "}", Or413 = true },
        new("vault update archived", "POST", "/v1/vaults/{archived_vault}", 400, Bad) { Json = """{"display_name":"x"}""", ErrorCode = "vault_archived" },
        new("vault update unknown field", "POST", Vault, 400, Bad) { Json = """{"owner":"mallory"}""" },
        new("vault update metadata value over 512", "POST", Vault, 400, Bad) { Json = $"{{\"metadata\":{{\"k\":\"{new string('v', 513)}\"}}}}", ErrorCode = "invalid_metadata" },
        new("vault update other workspace's", "POST", "/v1/vaults/{other_vault}", 404, NotFound) { Json = """{"display_name":"mine"}""" },
        new("vault get other workspace's", "GET", "/v1/vaults/{other_vault}", 404, NotFound),
        new("vault delete other workspace's", "DELETE", "/v1/vaults/{other_vault}", 404, NotFound),
        new("vault archive other workspace's", "POST", "/v1/vaults/{other_vault}/archive", 404, NotFound),
        new("vault get by credential id", "GET", "/v1/vaults/{bearer}", 404, NotFound),
        new("vault get traversal", "GET", "/v1/vaults/..%2Fvaults%2F{other_vault}", 404, NotFound),
        new("vault get unknown", "GET", $"/v1/vaults/{UnknownVault}", 404, NotFound),
        new("vault list limit 0", "GET", "/v1/vaults?limit=0", 400, Bad),
        new("vault list limit 101", "GET", "/v1/vaults?limit=101", 400, Bad),
        new("vault list include_archived=2", "GET", "/v1/vaults?include_archived=2", 400, Bad),
        new("vault audit of other workspace's", "GET", "/v1/vaults/{other_vault}/audit", 404, NotFound),
        new("vault audit limit negative", "GET", Vault + "/audit?limit=-5", 400, Bad),
        // Credentials: create.
        new("credential without auth", "POST", Credentials, 400, Bad) { Json = """{"display_name":"x"}""" },
        new("credential auth a string", "POST", Credentials, 400, Bad) { Json = """{"auth":"static_bearer"}""" },
        new("credential unknown auth type", "POST", Credentials, 400, Bad) { Json = """{"auth":{"type":"password","password":"p"}}""" },
        new("credential bearer without token", "POST", Credentials, 400, Bad) { Json = """{"auth":{"type":"static_bearer","mcp_server_url":"https://m.example.com"}}""" },
        new("credential bearer url not a url", "POST", Credentials, 400, Bad) { Json = Bearer("\"not a url\"") },
        new("credential bearer file url", "POST", Credentials, 400, Bad) { Json = Bearer("\"file:///etc/passwd\"") },
        new("credential bearer url with user info", "POST", Credentials, 400, Bad) { Json = Bearer("\"https://user:pw@m.example.com/\"") },
        new("credential bearer url with CRLF", "POST", Credentials, 400, Bad) { Json = Bearer($"\"https://m.example.com/{HeaderInjection}\"") },
        new("credential bearer url a number", "POST", Credentials, 400, Bad) { Json = Bearer("42") },
        new("credential bearer token with NUL", "POST", Credentials, 400, Bad) { Json = $"{{\"auth\":{{\"type\":\"static_bearer\",\"mcp_server_url\":\"https://m2.example.com\",\"token\":\"a{Nul}\"}}}}" },
        new("credential bearer token lone surrogate", "POST", Credentials, 400, Bad) { Json = $"{{\"auth\":{{\"type\":\"static_bearer\",\"mcp_server_url\":\"https://m2.example.com\",\"token\":\"{LoneSurrogate}\"}}}}" },
        new("credential duplicate server", "POST", Credentials, 409, "conflict_error") { Json = Bearer("\"https://mcp.example.com/sse\"") },
        new("credential env var bad name", "POST", Credentials, 400, Bad) { Json = EnvVar("\"1BAD-NAME\"") },
        new("credential env var name with =", "POST", Credentials, 400, Bad) { Json = EnvVar("\"A=B\"") },
        new("credential env var name PATH", "POST", Credentials, 400, Bad) { Json = EnvVar("\"PATH\"") },
        new("credential env var name traversal", "POST", Credentials, 400, Bad) { Json = EnvVar("\"../../etc\"") },
        new("credential env var without networking", "POST", Credentials, 400, Bad) { Json = """{"auth":{"type":"environment_variable","secret_name":"K","secret_value":"v"}}""" },
        new("credential env var 17 hosts", "POST", Credentials, 400, Bad) { Json = EnvVar("\"K\"", "{\"type\":\"limited\",\"allowed_hosts\":[" + string.Join(",", Enumerable.Range(0, 17).Select(i => $"\"h{i}.example.com\"")) + "]}") },
        new("credential env var host with path", "POST", Credentials, 400, Bad) { Json = EnvVar("\"K\"", """{"type":"limited","allowed_hosts":["example.com/../x"]}""") },
        new("credential env var injection nowhere", "POST", Credentials, 400, Bad) { Json = """{"auth":{"type":"environment_variable","secret_name":"K","secret_value":"v","networking":{"type":"unrestricted"},"injection_location":{"header":false,"body":false}}}""" },
        new("credential oauth bad expires_at", "POST", Credentials, 400, Bad) { Json = """{"auth":{"type":"mcp_oauth","mcp_server_url":"https://o.example.com","access_token":"a","expires_at":"next week"}}""" },
        new("credential oauth refresh without endpoint auth", "POST", Credentials, 400, Bad) { Json = """{"auth":{"type":"mcp_oauth","mcp_server_url":"https://o.example.com","access_token":"a","refresh":{"client_id":"c","refresh_token":"r","token_endpoint":"https://o.example.com/token"}}}""" },
        new("credential oauth token endpoint file url", "POST", Credentials, 400, Bad) { Json = """{"auth":{"type":"mcp_oauth","mcp_server_url":"https://o.example.com","access_token":"a","refresh":{"client_id":"c","refresh_token":"r","token_endpoint":"file:///etc/passwd","token_endpoint_auth":{"type":"none"}}}}""" },
        new("credential in archived vault", "POST", "/v1/vaults/{archived_vault}/credentials", 400, Bad) { Json = Bearer("\"https://new.example.com\""), ErrorCode = "vault_archived" },
        new("credential in other workspace's vault", "POST", "/v1/vaults/{other_vault}/credentials", 404, NotFound) { Json = Bearer("\"https://new.example.com\"") },
        new("credential display_name over 255", "POST", Credentials, 400, Bad) { Json = $"{{\"display_name\":\"{new string('d', 256)}\",\"auth\":{{\"type\":\"static_bearer\",\"mcp_server_url\":\"https://d.example.com\",\"token\":\"t\"}}}}" },
        // Credentials: update, read, delete, list.
        new("credential update changes type", "POST", Credentials + "/{bearer}", 400, Bad) { Json = """{"auth":{"type":"mcp_oauth","access_token":"a"}}""" },
        new("credential update changes url", "POST", Credentials + "/{bearer}", 400, Bad) { Json = """{"auth":{"type":"static_bearer","mcp_server_url":"https://evil.example.com","token":"t"}}""" },
        new("credential update changes secret_name", "POST", Credentials + "/{env_var}", 400, Bad) { Json = """{"auth":{"type":"environment_variable","secret_name":"OTHER"}}""" },
        new("credential update token a number", "POST", Credentials + "/{bearer}", 400, Bad) { Json = """{"auth":{"type":"static_bearer","token":5}}""" },
        new("credential update archived", "POST", Credentials + "/{archived_bearer}", 400, Bad) { Json = """{"display_name":"x"}""", ErrorCode = "vault_credential_archived" },
        new("credential update through other vault", "POST", "/v1/vaults/{archived_vault}/credentials/{bearer}", 404, NotFound) { Json = """{"display_name":"x"}""" },
        new("credential of other workspace via own vault", "GET", Credentials + "/{other_credential}", 404, NotFound),
        new("credential get via other workspace", "GET", Credentials + "/{bearer}", 404, NotFound) { AsOtherWorkspace = true },
        new("credential delete via other workspace", "DELETE", Credentials + "/{bearer}", 404, NotFound) { AsOtherWorkspace = true },
        new("credential archive via other workspace", "POST", Credentials + "/{bearer}/archive", 404, NotFound) { AsOtherWorkspace = true },
        new("credential get by vault id", "GET", Credentials + "/{vault}", 404, NotFound),
        new("credential list limit 1000", "GET", Credentials + "?limit=1000", 400, Bad),
        new("credential list garbage page", "GET", Credentials + "?page=" + new string('A', 4096), 400, Bad),
        // mcp_oauth_validate.
        new("validate a bearer credential", "POST", Credentials + "/{bearer}/mcp_oauth_validate", 400, Bad),
        new("validate an archived credential", "POST", Credentials + "/{archived_bearer}/mcp_oauth_validate", 400, Bad),
        new("validate via other workspace", "POST", Credentials + "/{oauth}/mcp_oauth_validate", 404, NotFound) { AsOtherWorkspace = true },
        new("validate through other vault", "POST", "/v1/vaults/{archived_vault}/credentials/{oauth}/mcp_oauth_validate", 404, NotFound),
        new("validate unknown credential", "POST", Credentials + "/vcrd_011CZkZEMt8gZan2iYPQfSkw/mcp_oauth_validate", 404, NotFound),
        new("validate other workspace's credential", "POST", "/v1/vaults/{other_vault}/credentials/{other_credential}/mcp_oauth_validate", 404, NotFound),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public Task Refused_request_changes_nothing(BadInputCase row) => row.RunAsync(server, server.Ids, StatePaths);
}

[Collection(SqliteBadInput.Name)]
public sealed class SqliteVaultBadInputTests(BadInputSeed server) : VaultBadInputTests(server);

[Collection(PostgresBadInput.Name)]
public sealed class PostgresVaultBadInputTests(PostgresBadInputSeed server) : VaultBadInputTests(server);
