using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hangar.Contracts;
using Hangar.Server.Http;

namespace Hangar.Server.Resources.Agents;

/// <summary>The extra settings of <c>web_fetch</c> and <c>web_search</c>: domain filters, URL sources, location.</summary>
public static partial class WebToolOptions
{
    private const int MaxDomains = 64;
    private static readonly string[] SourceKeys = ["user_input", "client_tool_results", "server_tool_results"];

    /// <summary><c>allowed_domains</c> xor <c>blocked_domains</c>: 1–64 plain host names (search may add a path).</summary>
    public static void AddDomains(JsonObject entry, JsonObject result, string path, bool allowPath)
    {
        var allowed = ReadDomains(entry, "allowed_domains", path, allowPath);
        var blocked = ReadDomains(entry, "blocked_domains", path, allowPath);
        if (allowed is not null && blocked is not null)
        {
            throw new InvalidRequestException($"{path}: give allowed_domains or blocked_domains, not both.");
        }
        if (allowed is not null)
        {
            result["allowed_domains"] = new JsonArray([.. allowed.Select(d => (JsonNode)d)]);
        }
        if (blocked is not null)
        {
            result["blocked_domains"] = new JsonArray([.. blocked.Select(d => (JsonNode)d)]);
        }
    }

    private static List<string>? ReadDomains(JsonObject entry, string name, string path, bool allowPath)
    {
        var domains = JsonFields.OptionalStringArray(entry, name, MaxDomains, 253, path);
        if (domains is null)
        {
            return null;
        }
        if (domains.Count == 0)
        {
            throw new InvalidRequestException($"{path}.{name}: give 1 to {MaxDomains} domains, or omit the field.");
        }
        foreach (var domain in domains)
        {
            var host = allowPath ? domain.Split('/', 2)[0] : domain;
            if (!HostName().IsMatch(host) || host is "localhost" || host.EndsWith(".local", StringComparison.Ordinal)
                || host.EndsWith(".internal", StringComparison.Ordinal) || (!allowPath && domain.Contains('/')))
            {
                throw new InvalidRequestException(
                    $"{path}.{name}: '{domain}' is not a plain host name (no scheme, port, wildcard, IP or local name).");
            }
        }
        return domains;
    }

    /// <summary><c>url_sources</c> in object form (null = every source allowed).</summary>
    public static JsonNode? UrlSources(JsonNode? node, string path)
    {
        if (node is null)
        {
            return null;
        }
        var obj = node as JsonObject
            ?? throw new InvalidRequestException($"{path}: expected an object, got {JsonFields.Describe(node)}.");
        JsonFields.RejectUnknown(obj, path, SourceKeys);
        var result = new JsonObject();
        foreach (var key in SourceKeys)
        {
            result[key] = Source(obj[key], $"{path}.{key}");
        }
        return result;
    }

    private static JsonObject Source(JsonNode? node, string path)
    {
        switch (node)
        {
            case null:
                return new JsonObject { ["type"] = "all" };
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                var text = v.GetValue<string>();
                return text is "all" or "none"
                    ? new JsonObject { ["type"] = text }
                    : throw new InvalidRequestException($"{path}: expected \"all\" or \"none\" (got '{text}').");
            case JsonObject obj:
                var type = JsonFields.Discriminator(obj, path, "all", "none", "only", "except");
                if (type is "all" or "none")
                {
                    JsonFields.RejectUnknown(obj, path, "type");
                    return new JsonObject { ["type"] = type };
                }
                JsonFields.RejectUnknown(obj, path, "type", "tools");
                var tools = JsonFields.OptionalArray(obj, "tools", 256, path)
                    ?? throw new InvalidRequestException($"{path}.tools: Field required for type '{type}'.");
                var references = new JsonArray();
                for (var i = 0; i < tools.Count; i++)
                {
                    var reference = tools[i] as JsonObject
                        ?? throw new InvalidRequestException($"{path}.tools[{i}]: expected {{\"type\":\"tool_reference\",\"name\":…}}.");
                    JsonFields.RejectUnknown(reference, $"{path}.tools[{i}]", "type", "name");
                    JsonFields.Discriminator(reference, $"{path}.tools[{i}]", "tool_reference");
                    references.Add(new JsonObject
                    {
                        ["type"] = "tool_reference",
                        ["name"] = JsonFields.RequiredString(reference, "name", 128, $"{path}.tools[{i}]"),
                    });
                }
                return new JsonObject { ["type"] = type, ["tools"] = references };
            default:
                throw new InvalidRequestException($"{path}: expected \"all\", \"none\" or an object, got {JsonFields.Describe(node)}.");
        }
    }

    /// <summary><c>user_location</c> of web_search: <c>{type:"approximate", city?, region?, country?, timezone?}</c>.</summary>
    public static JsonObject? UserLocation(JsonObject entry, string path)
    {
        var location = JsonFields.OptionalObject(entry, "user_location", path);
        if (location is null)
        {
            return null;
        }
        var locationPath = $"{path}.user_location";
        JsonFields.RejectUnknown(location, locationPath, "type", "city", "region", "country", "timezone");
        JsonFields.Discriminator(location, locationPath, "approximate");
        var result = new JsonObject { ["type"] = "approximate" };
        foreach (var key in new[] { "city", "region", "country", "timezone" })
        {
            result[key] = JsonFields.OptionalString(location, key, 255, locationPath);
        }
        return result;
    }

    [GeneratedRegex(@"^(?=.{1,253}$)(?!\d+(\.\d+){3}$)([A-Za-z0-9-]{1,63}\.)+[A-Za-z0-9-]{1,63}$")]
    private static partial Regex HostName();
}
