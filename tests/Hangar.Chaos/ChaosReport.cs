using System.Globalization;
using System.Text;

namespace Hangar.Chaos;

/// <summary>What a chaos run did and found. <see cref="Violations"/> empty means nothing was lost, doubled or misordered.</summary>
public sealed class ChaosReport(ChaosOptions options)
{
    public ChaosOptions Options => options;
    public TimeSpan Elapsed { get; set; }
    public string Artifacts { get; set; } = "";
    public int Sessions { get; set; }
    public int Turns { get; set; }
    public int Events { get; set; }
    public int ToolCalls { get; set; }
    public SortedDictionary<string, int> Disruptions { get; } = new(StringComparer.Ordinal);

    /// <summary>Tool calls that ran more than once, by what ended their first owner's lease (a disruption kind, or lease-lost: none).</summary>
    public SortedDictionary<string, int> ReRuns { get; } = new(StringComparer.Ordinal);

    public List<string> ReRunDetails { get; } = [];
    public ClientStats Client { get; set; } = new();
    public int SseClients { get; set; }
    public int SseFrames { get; set; }
    public int SseReconnects { get; set; }
    public int SseVoluntary { get; set; }
    public int SseDropped { get; set; }
    public int SseLateStarts { get; set; }

    /// <summary>Disruption → next event of each session the victim held, by disruption kind.</summary>
    public SortedDictionary<string, List<TimeSpan>> NextEvent { get; } = new(StringComparer.Ordinal);

    /// <summary>Disruption → another worker's claim (a newer epoch) of each session the victim held, by disruption kind.</summary>
    public SortedDictionary<string, List<TimeSpan>> Takeover { get; } = new(StringComparer.Ordinal);

    /// <summary>Events a worker appended after its lease had expired but before anyone claimed it (allowed: the fence is the epoch).</summary>
    public int ExpiredLeaseWrites { get; set; }

    public int TerminatedConnections { get; set; }

    /// <summary>What the processes logged about trouble: worker lease losses, harness failures, loop errors, API 500s.</summary>
    public SortedDictionary<string, int> ProcessLog { get; } = new(StringComparer.Ordinal);

    /// <summary>Broken invariants, one line each; <see cref="Details"/> has the evidence (logs).</summary>
    public List<string> Violations { get; } = [];

    public List<string> Details { get; } = [];

    public void Violation(string summary, string? detail = null)
    {
        lock (Violations)
        {
            Violations.Add(summary);
            Details.Add(detail is null ? summary : summary + "\n" + detail);
        }
    }

    public string Format()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"chaos: {Options.Describe()}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  elapsed        {Elapsed.TotalSeconds:0.0} s");
        text.AppendLine(CultureInfo.InvariantCulture, $"  sessions       {Sessions}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  turns          {Turns}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  events         {Events} ({ToolCalls} tool calls)");
        text.AppendLine(CultureInfo.InvariantCulture, $"  disruptions    {Disruptions.Values.Sum()}: {Join(Disruptions)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  re-runs        {ReRuns.Values.Sum()}{(ReRuns.Count > 0 ? $" (after {Join(ReRuns)})" : "")}");
        foreach (var (kind, times) in NextEvent)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {kind} → next event of each held session: {Stats(times)}");
            if (Takeover.TryGetValue(kind, out var takeovers))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {new string(' ', kind.Length)}   (→ takeover by another worker: {Stats(takeovers)})");
            }
        }
        text.AppendLine(CultureInfo.InvariantCulture,
            $"  clients        {Client.Requests} requests; retried after refused {Client.Refused}, busy (503/529) {Client.Busy}; "
            + $"ambiguous {Client.Ambiguous} (POST /events found logged {Client.AmbiguousCommitted}, resent {Client.AmbiguousResent}); 5xx {Client.ServerErrors.Count}");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"  SSE            {SseClients} clients, {SseFrames} frames, {SseReconnects} reconnects with Last-Event-ID ({SseDropped} after a dropped stream, {SseVoluntary} hang-ups), {SseLateStarts} late starts");
        text.AppendLine(CultureInfo.InvariantCulture, $"  fencing        {ExpiredLeaseWrites} writes under an expired, unclaimed lease; {TerminatedConnections} connections terminated");
        text.AppendLine(CultureInfo.InvariantCulture, $"  process logs   {(ProcessLog.Count == 0 ? "nothing notable" : Join(ProcessLog))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  violations     {Violations.Count}");
        foreach (var violation in Violations.Take(30))
        {
            text.AppendLine("    - " + violation);
        }
        if (Violations.Count > 30)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    … {Violations.Count - 30} more in {Path.Combine(Artifacts, "violations.txt")}");
        }
        text.AppendLine("  artifacts      " + Artifacts);
        return text.ToString();
    }

    public static string Stats(IReadOnlyCollection<TimeSpan> times)
    {
        if (times.Count == 0)
        {
            return "n=0";
        }
        var sorted = times.Order().ToList();
        TimeSpan At(double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
        return string.Create(CultureInfo.InvariantCulture,
            $"n={sorted.Count} p50 {At(0.5).TotalSeconds:0.00} s, p99 {At(0.99).TotalSeconds:0.00} s, max {sorted[^1].TotalSeconds:0.00} s");
    }

    private static string Join(IEnumerable<KeyValuePair<string, int>> counts) => string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"));
}
