using Microsoft.Extensions.Logging;

namespace Hangar.Sandbox.Bubblewrap;

/// <summary>The outcome of <see cref="HostRequirements.Check(SandboxOptions)"/>: every item, and what start-up does about it.</summary>
public sealed partial class HostReport(IReadOnlyList<HostRequirement> items)
{
    public IReadOnlyList<HostRequirement> Items => items;

    /// <summary>True when nothing required is missing (optional and on-demand items may be).</summary>
    public bool Usable => !MissingRequired.Any();

    public IEnumerable<HostRequirement> MissingRequired => items.Where(i => i.Need == HostNeed.Required && i.IsMissing);

    public IEnumerable<HostRequirement> MissingOptional => items.Where(i => i.Need == HostNeed.Optional && i.IsMissing);

    /// <summary>Throws <see cref="SandboxUnavailableException"/> naming each missing required item and its fix.</summary>
    public void ThrowIfUnusable()
    {
        if (Usable)
            return;
        var lines = MissingRequired.Select(i => "\n  - " + i.Describe());
        throw new SandboxUnavailableException("this host lacks what bubblewrap sandboxes need:" + string.Concat(lines));
    }

    /// <summary>Start-up: warns about each missing optional item (the feature it degrades, the fix), then <see cref="ThrowIfUnusable"/>.</summary>
    public void Enforce(ILogger logger)
    {
        foreach (var item in MissingOptional)
            LogOptionalMissing(logger, item.Describe());
        ThrowIfUnusable();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "This host lacks an optional sandbox requirement: {Requirement}")]
    private static partial void LogOptionalMissing(ILogger logger, string requirement);
}
