using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hangar.Contracts;
using Hangar.Server.Http;
using Hangar.Vault;

namespace Hangar.Server.Resources.Vaults;

/// <summary>
/// A credential's <c>auth</c> split in two: <see cref="Wire"/> (what responses show and the resource row
/// stores) and <see cref="Secrets"/> (the write-only fields, which only ever go to the sealed secret).
/// <see cref="Key"/> is what must be unique among a vault's active credentials (the normalised MCP server
/// URL, or the secret name).
/// </summary>
public sealed partial record CredentialAuth(JsonObject Wire, Dictionary<string, string> Secrets, string Key)
{
    public const int MaxSecretLength = 65536;
    public const int MaxUrlLength = 2048;
    public const int MaxAllowedHosts = 16;
    public static readonly string[] Types = ["mcp_oauth", "static_bearer", "environment_variable"];
    public static readonly string[] EndpointAuthTypes = ["none", "client_secret_basic", "client_secret_post"];

    public static CredentialAuth Create(JsonObject auth)
    {
        var type = JsonFields.Discriminator(auth, "auth", Types);
        return type switch
        {
            "mcp_oauth" => McpOAuth(auth),
            "static_bearer" => StaticBearer(auth),
            _ => EnvironmentVariable(auth),
        };
    }

    private static CredentialAuth StaticBearer(JsonObject auth)
    {
        JsonFields.RejectUnknown(auth, "auth", "type", "mcp_server_url", "token");
        var url = ServerUrl(auth, "auth");
        var secrets = new Dictionary<string, string> { ["token"] = Secret(auth, "token", "auth") };
        return new(new JsonObject { ["type"] = "static_bearer", ["mcp_server_url"] = url }, secrets, KeyOf(url));
    }

    private static CredentialAuth McpOAuth(JsonObject auth)
    {
        JsonFields.RejectUnknown(auth, "auth", "type", "mcp_server_url", "access_token", "expires_at", "refresh");
        var url = ServerUrl(auth, "auth");
        var secrets = new Dictionary<string, string> { ["access_token"] = Secret(auth, "access_token", "auth") };
        JsonNode? refreshWire = null;
        if (JsonFields.OptionalObject(auth, "refresh", "auth") is { } refresh)
        {
            JsonFields.RejectUnknown(refresh, "auth.refresh", "client_id", "refresh_token", "token_endpoint", "token_endpoint_auth", "scope", "resource");
            secrets["refresh_token"] = Secret(refresh, "refresh_token", "auth.refresh");
            var endpointAuth = JsonFields.OptionalObject(refresh, "token_endpoint_auth", "auth.refresh")
                ?? throw new InvalidRequestException("auth.refresh.token_endpoint_auth: Field required.");
            var (authType, clientSecret) = EndpointAuth(endpointAuth, "auth.refresh.token_endpoint_auth", requireSecret: true);
            if (clientSecret is not null)
            {
                secrets["client_secret"] = clientSecret;
            }
            refreshWire = new JsonObject
            {
                ["client_id"] = JsonFields.RequiredString(refresh, "client_id", 1024, "auth.refresh"),
                ["token_endpoint"] = HttpUrl(refresh, "token_endpoint", "auth.refresh"),
                ["token_endpoint_auth"] = new JsonObject { ["type"] = authType },
                ["scope"] = JsonFields.OptionalString(refresh, "scope", 4096, "auth.refresh"),
                ["resource"] = JsonFields.OptionalString(refresh, "resource", MaxUrlLength, "auth.refresh"),
            };
        }
        var wire = new JsonObject
        {
            ["type"] = "mcp_oauth",
            ["mcp_server_url"] = url,
            ["expires_at"] = ExpiresAt(auth, "auth"),
            ["refresh"] = refreshWire,
        };
        return new(wire, secrets, KeyOf(url));
    }

    private static CredentialAuth EnvironmentVariable(JsonObject auth)
    {
        JsonFields.RejectUnknown(auth, "auth", "type", "secret_name", "secret_value", "networking", "injection_location");
        var name = JsonFields.RequiredString(auth, "secret_name", 256, "auth");
        if (!EnvironmentName().IsMatch(name))
        {
            throw new InvalidRequestException("auth.secret_name: must be an environment variable name (letters, digits and _, not starting with a digit).");
        }
        if (SandboxVariables.Contains(name))
        {
            // The sandbox sets these itself (its proxy, search path, loader): a placeholder there would break it.
            throw new InvalidRequestException($"auth.secret_name: '{name}' is a variable the sandbox sets itself and cannot carry a credential.");
        }
        var secrets = new Dictionary<string, string> { ["secret_value"] = Secret(auth, "secret_value", "auth") };
        var networking = JsonFields.OptionalObject(auth, "networking", "auth")
            ?? throw new InvalidRequestException("auth.networking: Field required.");
        var location = JsonFields.OptionalObject(auth, "injection_location", "auth");
        var wire = new JsonObject
        {
            ["type"] = "environment_variable",
            ["secret_name"] = name,
            ["networking"] = Networking(networking, "auth.networking"),
            // Omitted object: both on; a partial object: omitted locations off.
            ["injection_location"] = InjectionLocation(location, new JsonObject { ["header"] = location is null, ["body"] = location is null }),
        };
        return new(wire, secrets, "env:" + name);
    }

    internal static string KeyOf(string url) => "mcp:" + (McpServerUrl.Normalize(url) ?? url);

    internal static string ServerUrl(JsonObject obj, string path) => HttpUrl(obj, "mcp_server_url", path);

    internal static string HttpUrl(JsonObject obj, string name, string path)
    {
        var url = JsonFields.RequiredString(obj, name, MaxUrlLength, path);
        // Whitespace and control characters (CR/LF) are no part of a URL; Uri would quietly escape them.
        return McpServerUrl.Normalize(url) is not null && !url.Contains('@', StringComparison.Ordinal)
            && !url.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))
            ? url
            : throw new InvalidRequestException($"{JsonFields.Path(path, name)}: expected an absolute http(s) URL without user info or whitespace.");
    }

    internal static string Secret(JsonObject obj, string name, string path) =>
        JsonFields.RequiredString(obj, name, MaxSecretLength, path);

    internal static string? ExpiresAt(JsonObject obj, string path)
    {
        var text = JsonFields.OptionalString(obj, "expires_at", 64, path);
        if (text is null)
        {
            return null;
        }
        return DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var time)
            ? WireJson.Timestamp(time)
            : throw new InvalidRequestException($"{JsonFields.Path(path, "expires_at")}: expected an RFC 3339 timestamp.");
    }

    internal static (string Type, string? ClientSecret) EndpointAuth(JsonObject endpointAuth, string path, bool requireSecret)
    {
        var type = JsonFields.Discriminator(endpointAuth, path, EndpointAuthTypes);
        if (type == "none")
        {
            JsonFields.RejectUnknown(endpointAuth, path, "type");
            return (type, null);
        }
        JsonFields.RejectUnknown(endpointAuth, path, "type", "client_secret");
        var secret = requireSecret
            ? Secret(endpointAuth, "client_secret", path)
            : JsonFields.OptionalString(endpointAuth, "client_secret", MaxSecretLength, path, minLength: 1);
        return (type, secret);
    }

    internal static JsonObject Networking(JsonObject networking, string path)
    {
        var type = JsonFields.Discriminator(networking, path, "unrestricted", "limited");
        if (type == "unrestricted")
        {
            JsonFields.RejectUnknown(networking, path, "type");
            return new JsonObject { ["type"] = "unrestricted" };
        }
        JsonFields.RejectUnknown(networking, path, "type", "allowed_hosts");
        var hosts = JsonFields.OptionalStringArray(networking, "allowed_hosts", MaxAllowedHosts, 253, path)
            ?? throw new InvalidRequestException($"{path}.allowed_hosts: Field required.");
        for (var i = 0; i < hosts.Count; i++)
        {
            // The egress proxy matches credentials by host name or IP literal, as environment allowlists do.
            if (!Hangar.Sandbox.Network.EgressAllowRule.TryParse(hosts[i], out _))
            {
                throw new InvalidRequestException(
                    $"{path}.allowed_hosts[{i}]: '{hosts[i]}' is not a host name (example.com, *.example.com) or IP literal; no scheme or path.");
            }
        }
        return new JsonObject { ["type"] = "limited", ["allowed_hosts"] = new JsonArray([.. hosts.Select(h => (JsonNode)h)]) };
    }

    /// <summary>Applies the given locations over <paramref name="current"/>; both off is refused.</summary>
    internal static JsonObject InjectionLocation(JsonObject? update, JsonObject current)
    {
        var next = (JsonObject)current.DeepClone();
        if (update is not null)
        {
            JsonFields.RejectUnknown(update, "auth.injection_location", "header", "body");
            foreach (var name in new[] { "header", "body" })
            {
                if (JsonFields.OptionalBool(update, name, "auth.injection_location") is { } on)
                {
                    next[name] = on;
                }
            }
        }
        return (bool)next["header"]! || (bool)next["body"]!
            ? next
            : throw new InvalidRequestException("auth.injection_location: at least one of header and body must be true.");
    }

    private static readonly HashSet<string> SandboxVariables = new(StringComparer.OrdinalIgnoreCase)
    {
        "PATH", "HOME", "LANG", "TERM", "USER", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
        "GIT_TERMINAL_PROMPT", "LD_PRELOAD", "LD_LIBRARY_PATH", "DOTNET_ROOT",
    };

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentName();
}
