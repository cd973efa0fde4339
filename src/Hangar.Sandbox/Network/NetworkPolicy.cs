using System.Text.Json.Nodes;

namespace Hangar.Sandbox.Network;

/// <summary>
/// What a sandbox may reach, from the environment's <c>config.networking</c> (api.md: <c>{"type":"unrestricted"}</c>
/// or <c>{"type":"limited","allowed_hosts":[…],"allow_package_managers":b,"allow_mcp_servers":b}</c>).
/// None is Hangar-internal (no network namespace access at all, e.g. self-hosted or tests).
/// </summary>
public abstract record NetworkPolicy
{
    private NetworkPolicy()
    {
    }

    /// <summary>Loopback only, inside the sandbox's own network namespace.</summary>
    public sealed record None : NetworkPolicy;

    /// <summary>
    /// Only through the egress proxy: hosts in <paramref name="AllowedHosts"/> (a plain host also
    /// allows its subdomains; <c>*.x</c> allows subdomains only), plus the well-known package
    /// registries when <paramref name="AllowPackageManagers"/>, plus the agent's MCP server hosts when
    /// <paramref name="AllowMcpServers"/>.
    /// </summary>
    public sealed record Limited(IReadOnlyList<string> AllowedHosts, bool AllowPackageManagers, bool AllowMcpServers) : NetworkPolicy
    {
        public bool Equals(Limited? other) =>
            other is not null && AllowPackageManagers == other.AllowPackageManagers && AllowMcpServers == other.AllowMcpServers
            && AllowedHosts.SequenceEqual(other.AllowedHosts, StringComparer.OrdinalIgnoreCase);

        public override int GetHashCode() => HashCode.Combine(AllowPackageManagers, AllowMcpServers, AllowedHosts.Count);
    }

    /// <summary>Own network namespace with user-mode networking (never the host's namespace).</summary>
    public sealed record Unrestricted : NetworkPolicy;

    /// <summary>
    /// The policy of an environment config (the environment's <c>config</c> object, or an object holding
    /// it under "config"). No networking object means unrestricted, as the API defaults it; an
    /// unknown type is refused rather than guessed.
    /// </summary>
    public static NetworkPolicy FromEnvironmentConfig(JsonObject? config)
    {
        if (config?["config"] is JsonObject inner)
            config = inner;
        if (config?["networking"] is not JsonObject networking)
            return new Unrestricted();
        var type = networking["type"]?.GetValue<string>();
        return type switch
        {
            "unrestricted" => new Unrestricted(),
            "none" => new None(),
            "limited" => new Limited(
                (networking["allowed_hosts"] as JsonArray ?? []).Select(h => h?.GetValue<string>()).OfType<string>().ToList(),
                networking["allow_package_managers"]?.GetValue<bool>() ?? false,
                networking["allow_mcp_servers"]?.GetValue<bool>() ?? false),
            _ => throw new ArgumentException($"unknown networking type '{type}'", nameof(config)),
        };
    }
}
