using System.Net;
using BenchmarkDotNet.Attributes;
using Hangar.Sandbox.Network;
using Hangar.Tools.Network;

namespace Hangar.Bench.Micro;

/// <summary>
/// What the egress proxy does for each connection a sandbox opens: parse the CONNECT authority and
/// decide it against a limited policy (<see cref="EgressRules"/>: a handful of allowed hosts, the
/// package registries and an MCP server), then check the resolved addresses (<see cref="EgressAddressGuard"/>).
/// </summary>
[BenchmarkCategory("egress")]
public class EgressBenchmarks
{
    private static readonly IPAddress[] Resolved = [IPAddress.Parse("140.82.112.6"), IPAddress.Parse("2606:50c0:8000::154")];

    private readonly EgressRules _rules = new(
        new NetworkPolicy.Limited(["api.github.com", "*.githubusercontent.com", "nuget.org", "internal.example.com:8443", "10.20.0.5"],
            AllowPackageManagers: true, AllowMcpServers: true),
        ["mcp.linear.app"]);

    [Benchmark(Description = "CONNECT allowed (registry host, last rules)")]
    public bool Allowed() => Decide("files.pythonhosted.org:443");

    [Benchmark(Description = "CONNECT refused (unknown host)")]
    public bool Refused() => Decide("exfil.example.net:443");

    [Benchmark(Description = "address guard (IPv4 + IPv6)")]
    public bool Addresses() => EgressAddressGuard.Check(Resolved[0], false) is null && EgressAddressGuard.Check(Resolved[1], false) is null;

    private bool Decide(string authority) =>
        EgressTarget.TryParseAuthority(authority, defaultPort: null, out var target) && _rules.Decide(target!).Allowed;
}
