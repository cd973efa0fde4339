namespace Hangar.Sandbox.Network;

/// <summary>The outcome of checking a destination against the policy (before any DNS lookup).</summary>
public sealed record EgressDecision(bool Allowed, string Reason)
{
    public static readonly EgressDecision Allow = new(true, "allowed");

    public static EgressDecision Refuse(string reason) => new(false, reason);
}

/// <summary>
/// Name/port half of the policy: which destinations a sandbox may ask for. The address half (no
/// private, loopback or metadata addresses) is <see cref="Hangar.Tools.Network.EgressAddressGuard"/>, applied after resolution.
/// </summary>
public sealed class EgressRules
{
    private readonly NetworkPolicy _policy;
    private readonly List<EgressAllowRule> _rules = [];

    /// <param name="mcpServerHosts">The agent's MCP endpoints (allowlist syntax), opened when the policy allows MCP servers.</param>
    public EgressRules(NetworkPolicy policy, IEnumerable<string>? mcpServerHosts = null)
    {
        _policy = policy;
        if (policy is not NetworkPolicy.Limited limited)
        {
            return;
        }

        Add(limited.AllowedHosts);
        if (limited.AllowPackageManagers)
        {
            Add(PackageRegistryHosts.All);
        }

        if (limited.AllowMcpServers && mcpServerHosts is not null)
        {
            Add(mcpServerHosts);
        }
    }

    /// <summary>Decides on a destination; the reason names the host and the policy that refused it.</summary>
    public EgressDecision Decide(EgressTarget target)
    {
        switch (_policy)
        {
            case NetworkPolicy.Unrestricted:
                return EgressDecision.Allow;
            case NetworkPolicy.None:
                return EgressDecision.Refuse($"host '{target.Host}' refused: this environment's networking policy allows no network access");
        }

        var hostMatches = _rules.Where(rule => rule.MatchesHost(target)).ToList();
        if (hostMatches.Count == 0)
        {
            var kind = target.Literal is null ? "host" : "IP address";
            return EgressDecision.Refuse(
                $"{kind} '{target.Host}' refused by the environment's networking policy (type: limited): " +
                $"it is not in allowed_hosts{DescribeExtras()}");
        }

        if (hostMatches.Any(rule => rule.MatchesPort(target.Port)))
        {
            return EgressDecision.Allow;
        }

        return EgressDecision.Refuse(
            $"port {target.Port} of host '{target.Host}' refused by the environment's networking policy (type: limited): " +
            "entries without an explicit port allow only ports 80 and 443");
    }

    private string DescribeExtras()
    {
        var limited = (NetworkPolicy.Limited)_policy;
        var extras = new List<string>();
        extras.Add(limited.AllowPackageManagers ? "nor a package registry" : "and allow_package_managers is false");
        if (limited.AllowMcpServers)
        {
            extras.Add("nor an MCP server of the agent");
        }

        return " " + string.Join(", ", extras);
    }

    /// <summary>Entries that do not parse (schemes, paths) are skipped: the API validates them on input.</summary>
    private void Add(IEnumerable<string> entries)
    {
        foreach (var entry in entries)
        {
            if (EgressAllowRule.TryParse(entry, out var rule))
            {
                _rules.Add(rule!);
            }
        }
    }
}
