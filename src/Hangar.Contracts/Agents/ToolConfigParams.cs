using System.Text.Json.Serialization;
using Hangar.Contracts.Serialization;
using Hangar.Contracts.Validation;

namespace Hangar.Contracts.Agents;

/// <summary>
/// A built-in tool's entry as sent: <c>{name, type?, enabled?, permission_policy?}</c> plus the web
/// tools' extras, which other tools refuse. Omitted <c>enabled</c> and policy inherit the toolset's.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ToolConfigParams(string? Name, string? Type, bool? Enabled, PermissionPolicyParams? PermissionPolicy)
{
    public IReadOnlyList<string>? AllowedDomains { get; init; }

    public IReadOnlyList<string>? BlockedDomains { get; init; }

    public long? MaxContentTokens { get; init; }

    public UrlSourcesParams? UrlSources { get; init; }

    public long? MaxUses { get; init; }

    public UserLocationParams? UserLocation { get; init; }

    public ToolConfig Validate(string path, ToolDefaultConfig defaults)
    {
        var name = Check.Required(Name, $"{path}.name", 64);
        if (!AgentToolset.ToolNames.Contains(name, StringComparer.Ordinal))
        {
            throw new InvalidRequestException(
                $"{path}.name: unknown tool '{name}' in {AgentToolset.TypeName}; expected one of: {string.Join(", ", AgentToolset.ToolNames)}.");
        }
        if (Type is not null && Type != name)
        {
            throw new InvalidRequestException($"{path}.type: must equal the tool name '{name}' (got '{Type}').");
        }
        RefuseExtrasOf(name, path);
        var config = new ToolConfig(
            name,
            name,
            Enabled ?? defaults.Enabled,
            PermissionPolicy?.Validate($"{path}.permission_policy") ?? defaults.PermissionPolicy);
        return name switch
        {
            "web_fetch" => WithDomains(config, path, allowPath: false) with
            {
                MaxContentTokens = (int?)Check.Range(MaxContentTokens, $"{path}.max_content_tokens", 1, 1_000_000),
                UrlSources = new Optional<UrlSources?>(UrlSources?.Validate($"{path}.url_sources")),
            },
            "web_search" => WithDomains(config, path, allowPath: true) with
            {
                MaxUses = (int?)Check.Range(MaxUses, $"{path}.max_uses", 1, 1000),
                UserLocation = UserLocation?.Validate($"{path}.user_location"),
            },
            _ => config,
        };
    }

    private ToolConfig WithDomains(ToolConfig config, string path, bool allowPath)
    {
        var allowed = WebDomains.Validate(AllowedDomains, $"{path}.allowed_domains", allowPath);
        var blocked = WebDomains.Validate(BlockedDomains, $"{path}.blocked_domains", allowPath);
        return allowed is not null && blocked is not null
            ? throw new InvalidRequestException($"{path}: give allowed_domains or blocked_domains, not both.")
            : config with { AllowedDomains = allowed, BlockedDomains = blocked };
    }

    private void RefuseExtrasOf(string name, string path)
    {
        var isFetch = name == "web_fetch";
        var isSearch = name == "web_search";
        var refused =
            (AllowedDomains ?? BlockedDomains) is not null && !(isFetch || isSearch) ? "allowed_domains/blocked_domains"
            : MaxContentTokens is not null && !isFetch ? "max_content_tokens"
            : UrlSources is not null && !isFetch ? "url_sources"
            : MaxUses is not null && !isSearch ? "max_uses"
            : UserLocation is not null && !isSearch ? "user_location"
            : null;
        if (refused is not null)
        {
            throw new InvalidRequestException($"{path}.{refused}: unknown field for the tool '{name}'.");
        }
    }
}
