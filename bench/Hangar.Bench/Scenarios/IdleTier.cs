namespace Hangar.Bench.Scenarios;

/// <summary>The process's footprint at rest, and the share of a core it used meanwhile (workers polling, sweeps).</summary>
public sealed record IdleMeasurement(ProcessFootprint Footprint, double IdleCpu);

/// <summary>
/// The footprint with <paramref name="Sessions"/> idle sessions (the first <paramref name="ToolSessions"/>
/// of which ran a tool turn in bubblewrap, the rest a text-only turn), as one results row: its
/// growth over the baseline per idle session. No ratio to the first tier: at 10 sessions the growth
/// is within the measurement's noise (a few hundred KB of heap, a few MB of RSS), so dividing by
/// it would mean nothing; the per-session figures of the tiers side by side show the growth.
/// </summary>
public sealed record IdleTier(int Sessions, int ToolSessions, IdleMeasurement At)
{
    public Result Row(string scenario, IdleMeasurement baseline)
    {
        var managed = PerSessionKb(baseline, f => f.ManagedBytes);
        var resident = PerSessionKb(baseline, f => f.ResidentBytes);
        var (f, b) = (At.Footprint, baseline.Footprint);
        var turns = ToolSessions == Sessions
            ? "each ran one tool turn (bash in bubblewrap)"
            : $"{ToolSessions} ran a tool turn (bash in bubblewrap), {Sessions - ToolSessions} a text-only turn (no tool call: time budget)";
        return new Result(scenario, $"{Sessions} idle sessions: memory", Sessions, Note:
            $"{managed:0.0} KB per idle session of managed heap (after a full GC), {resident:0.0} KB per idle session of RSS " +
            $"(process totals {FootprintScenario.Mb(f.ManagedBytes)} MB heap, {FootprintScenario.Mb(f.ResidentBytes)} MB RSS; " +
            $"baseline {FootprintScenario.Mb(b.ManagedBytes)} / {FootprintScenario.Mb(b.ResidentBytes)} MB); {turns}; " +
            $"left behind: {f.Bwraps} bwrap processes, {f.Descendants} child processes, {f.OpenFiles} open fds (baseline {b.OpenFiles}); " +
            $"process CPU at rest {At.IdleCpu * 100:0.0} % of a core (baseline {baseline.IdleCpu * 100:0.0} %)");
    }

    private double PerSessionKb(IdleMeasurement baseline, Func<ProcessFootprint, long> measure) =>
        (measure(At.Footprint) - measure(baseline.Footprint)) / 1024.0 / Sessions;
}
