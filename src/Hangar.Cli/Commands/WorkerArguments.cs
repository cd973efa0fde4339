using System.CommandLine;
using Hangar.Harness.Models;
using Hangar.Sandbox.Bubblewrap;
using Hangar.Server.Harness;
using Hangar.Tools.Network;
using Spectre.Console;

namespace Hangar.Cli.Commands;

/// <summary>Options about the harness workers that <c>hangar worker</c> and <c>hangar serve</c> share.</summary>
internal static class WorkerArguments
{
    /// <summary><c>--takeover-headroom N</c>; unset: as many as <c>--concurrency</c> (HarnessOptions.TakeoverHeadroom says why).</summary>
    public static Option<int?> TakeoverHeadroom()
    {
        var option = new Option<int?>("--takeover-headroom")
        {
            Description = "Sessions above --concurrency that only turns interrupted by a dead worker may use (default: as many as --concurrency; 0: none)",
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 0)
            {
                result.AddError("--takeover-headroom must be at least 0.");
            }
        });
        return option;
    }
}

/// <summary>
/// The sandbox-hardening options <c>hangar serve</c> and <c>hangar worker</c> share, and the ONLY place their
/// environment variables are read (everything below receives them as settings): the private state directory,
/// the private-egress allowlist, how unrestricted sandboxes reach the network, and the unlimited-memory opt-in.
/// </summary>
internal sealed class SandboxArguments
{
    public const string StateDirectoryVariable = "HANGAR_STATE_DIR";
    public const string UnlimitedMemoryVariable = "HANGAR_ALLOW_UNLIMITED_MEMORY";
    public const string DiskQuotaVariable = "HANGAR_SANDBOX_DISK_QUOTA";

    private readonly Option<string?> stateDirectory = new("--state-dir")
    {
        Description = "Private directory for sandbox state (workspaces, runner, sockets); created 0711 and refused when "
            + "owned by another user or a symlink (default: the SQLite data directory, else /var/lib/hangar as root) [env: HANGAR_STATE_DIR]",
    };

    private readonly Option<string?> allowPrivateEgress = new(EgressAddressGuard.AllowlistFlag)
    {
        Description = "Private CIDR ranges and host names that sandboxes, web_fetch, MCP and token endpoints may reach, comma-separated "
            + "(e.g. 10.0.0.0/8,db.internal; loopback only when listed, e.g. 127.0.0.1); cloud metadata addresses are always refused "
            + $"[env: {EgressAddressGuard.AllowlistVariable}]",
    };

    private readonly Option<long?> diskQuota = new("--sandbox-disk-quota")
    {
        Description = $"Hard per-session disk quota in bytes (a loop-mounted ext4 image; needs root and loop devices; off by default) [env: {DiskQuotaVariable}]",
    };

    private readonly Option<bool> allowUnlimitedMemory = new("--allow-unlimited-memory")
    {
        Description = "Start sandboxes even when their memory cannot be capped (no usable cgroup); one session could exhaust the host "
            + $"[env: {UnlimitedMemoryVariable}]",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(stateDirectory);
        command.Options.Add(allowPrivateEgress);
        command.Options.Add(allowUnlimitedMemory);
        command.Options.Add(diskQuota);
    }

    /// <summary>
    /// <paramref name="settings"/> with the options and their variables applied; throws
    /// <see cref="StoreArgumentException"/> naming the bad value.
    /// </summary>
    public WorkerSettings Apply(ParseResult parse, WorkerSettings settings)
    {
        var state = parse.GetValue(stateDirectory) ?? Variable(StateDirectoryVariable);
        return settings with
        {
            Models = settings.Models ?? new ModelRouter(ModelRoutingOptions.FromEnvironment(Variable)),
            WorkspacesDirectory = state is null ? settings.WorkspacesDirectory : Path.GetFullPath(state),
            AllowPrivateEgress = Allowlist(parse.GetValue(allowPrivateEgress)),
            UnrestrictedNetwork = Parse(UnrestrictedNetworkSetting.Variable, () => UnrestrictedNetworkSetting.Parse(Variable(UnrestrictedNetworkSetting.Variable))),
            AllowUnlimitedMemory = parse.GetValue(allowUnlimitedMemory) || IsTrue(UnlimitedMemoryVariable),
            SandboxLimits = DiskQuota(parse.GetValue(diskQuota)) is { } quota
                ? (settings.SandboxLimits ?? new SandboxLimits()) with { DiskBytes = quota }
                : settings.SandboxLimits,
        };
    }

    private static long? DiskQuota(long? flag) =>
        flag ?? Parse(DiskQuotaVariable, () => Variable(DiskQuotaVariable) is { } text
            ? long.Parse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture)
            : (long?)null);

    private static PrivateEgressAllowlist Allowlist(string? flag)
    {
        var listed = flag ?? Variable(EgressAddressGuard.AllowlistVariable);
        if (IsTrue(EgressAddressGuard.AllowPrivateVariable))
        {
            // Deprecated all-or-nothing switch: private ranges, but no longer host loopback (docs/security.md).
            Terminal.Err.MarkupLine(Markup.Escape(
                $"{EgressAddressGuard.AllowPrivateVariable}=true is deprecated and no longer includes loopback: "
                + $"it now means {EgressAddressGuard.AllowlistVariable}={PrivateEgressAllowlist.PrivateRanges}. "
                + $"List exactly what sandboxes need with {EgressAddressGuard.AllowlistFlag}."));
            listed = listed is null ? PrivateEgressAllowlist.PrivateRanges : $"{listed},{PrivateEgressAllowlist.PrivateRanges}";
        }
        return Parse(EgressAddressGuard.AllowlistFlag, () => PrivateEgressAllowlist.Parse(listed));
    }

    private static T Parse<T>(string what, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new StoreArgumentException($"{what}: {e.Message}");
        }
    }

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static bool IsTrue(string name) => Variable(name)?.Trim().ToLowerInvariant() is "true" or "1";
}
