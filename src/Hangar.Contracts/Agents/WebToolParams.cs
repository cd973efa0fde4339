using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Hangar.Contracts.Serialization;
using Hangar.Contracts.Validation;

namespace Hangar.Contracts.Agents;

/// <summary><c>allowed_domains</c> / <c>blocked_domains</c>: 1–64 plain host names (web_search may add a path).</summary>
public static partial class WebDomains
{
    private const int MaxDomains = 64;

    public static IReadOnlyList<string>? Validate(IReadOnlyList<string>? domains, string path, bool allowPath)
    {
        if (domains is null)
        {
            return null;
        }
        if (domains.Count is 0 or > MaxDomains)
        {
            throw new InvalidRequestException($"{path}: give 1 to {MaxDomains} domains, or omit the field.");
        }
        for (var i = 0; i < domains.Count; i++)
        {
            var domain = Check.Required(domains[i], $"{path}[{i}]", 253);
            var host = allowPath ? domain.Split('/', 2)[0] : domain;
            if (!HostName().IsMatch(host) || host is "localhost" || host.EndsWith(".local", StringComparison.Ordinal)
                || host.EndsWith(".internal", StringComparison.Ordinal) || (!allowPath && domain.Contains('/')))
            {
                throw new InvalidRequestException(
                    $"{path}: '{domain}' is not a plain host name (no scheme, port, wildcard, IP or local name).");
            }
        }
        return domains;
    }

    [GeneratedRegex(@"^(?=.{1,253}$)(?!\d+(\.\d+){3}$)([A-Za-z0-9-]{1,63}\.)+[A-Za-z0-9-]{1,63}$")]
    private static partial Regex HostName();
}

/// <summary>web_fetch's <c>url_sources</c> as sent; an omitted source allows all.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UrlSourcesParams(UrlSourceParams? UserInput, UrlSourceParams? ClientToolResults, UrlSourceParams? ServerToolResults)
{
    public UrlSources Validate(string path) => new(
        UserInput?.Validate($"{path}.user_input") ?? new UrlSource("all"),
        ClientToolResults?.Validate($"{path}.client_tool_results") ?? new UrlSource("all"),
        ServerToolResults?.Validate($"{path}.server_tool_results") ?? new UrlSource("all"));
}

/// <summary>One URL source as sent: <c>"all"|"none"</c> or the object form.</summary>
[JsonConverter(typeof(Converter))]
public sealed record UrlSourceParams(UrlSourceFields Fields)
{
    public UrlSource Validate(string path)
    {
        var type = Check.OneOf(Fields.Type, Fields.Type is null ? $"{path}.type" : path, "all", "none", "only", "except");
        if (type is "all" or "none")
        {
            return Fields.Tools is null
                ? new UrlSource(type)
                : throw new InvalidRequestException($"{path}.tools: only allowed with type 'only' or 'except'.");
        }
        var tools = Check.Count(Fields.Tools, $"{path}.tools", 256);
        if (Fields.Tools is null)
        {
            throw new InvalidRequestException($"{path}.tools: Field required for type '{type}'.");
        }
        var references = new List<ToolReference>(tools.Count);
        for (var i = 0; i < tools.Count; i++)
        {
            var reference = Check.Required(tools[i], $"{path}.tools[{i}]");
            Check.OneOf(reference.Type, $"{path}.tools[{i}].type", "tool_reference");
            references.Add(new ToolReference(Check.Required(reference.Name, $"{path}.tools[{i}].name", 128)));
        }
        return new UrlSource(type) { Tools = references };
    }

    public sealed class Converter : ShorthandConverter<UrlSourceParams, UrlSourceFields>
    {
        protected override string Expected => "\"all\", \"none\" or an object";

        protected override UrlSourceParams FromString(string value) => new(new UrlSourceFields(value, null));

        protected override UrlSourceParams FromBody(UrlSourceFields body) => new(body);

        protected override UrlSourceFields ToBody(UrlSourceParams value) => value.Fields;
    }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UrlSourceFields(string? Type, IReadOnlyList<ToolReferenceParams>? Tools);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ToolReferenceParams(string? Type, string? Name);

/// <summary>web_search's <c>user_location</c> as sent.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UserLocationParams(string? Type, string? City, string? Region, string? Country, string? Timezone)
{
    public UserLocation Validate(string path)
    {
        Check.OneOf(Type, $"{path}.type", "approximate");
        return new UserLocation(
            Check.Length(City, $"{path}.city", 255),
            Check.Length(Region, $"{path}.region", 255),
            Check.Length(Country, $"{path}.country", 255),
            Check.Length(Timezone, $"{path}.timezone", 255));
    }
}
