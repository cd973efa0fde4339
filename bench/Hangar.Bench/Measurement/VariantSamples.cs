namespace Hangar.Bench;

/// <summary>
/// What one variant measured across the interleaved rounds: every operation's latency, the units
/// (events) it moved and the time it took, and the throughput of each round on its own, so that
/// a ratio to another variant can pair rounds that ran side by side.
/// </summary>
public sealed class VariantSamples(string name)
{
    private readonly Lock _gate = new();
    private readonly List<double> _latenciesMs = [];
    private readonly List<double> _roundRates = [];
    private long _units;
    private double _seconds;

    public string Name { get; } = name;

    public void AddLatency(double ms)
    {
        lock (_gate)
        {
            _latenciesMs.Add(ms);
        }
    }

    /// <summary>Records a finished round: <paramref name="units"/> moved in <paramref name="elapsed"/>.</summary>
    public void AddRound(long units, TimeSpan elapsed)
    {
        lock (_gate)
        {
            _units += units;
            _seconds += elapsed.TotalSeconds;
            _roundRates.Add(units / Math.Max(elapsed.TotalSeconds, 1e-9));
        }
    }

    public int Operations => _latenciesMs.Count;

    public long Units => _units;

    public Latency Latency() => Bench.Latency.Of(_latenciesMs);

    public double Rate => _units / Math.Max(_seconds, 1e-9);

    /// <summary>The median over rounds of this variant's round throughput over the baseline's in the same round.</summary>
    public Ratio RateRatioTo(VariantSamples baseline, string unit, string baselineLabel)
    {
        var pairs = _roundRates.Zip(baseline._roundRates, (mine, theirs) => mine / theirs).Order().ToList();
        return new Ratio(baselineLabel, unit, pairs.Count == 0 ? double.NaN : Bench.Latency.Percentile(pairs, 50));
    }

    /// <summary>This variant's p50 latency over the baseline's (both collected interleaved).</summary>
    public Ratio P50RatioTo(VariantSamples baseline, string baselineLabel) =>
        new(baselineLabel, "p50", Latency().P50Ms / baseline.Latency().P50Ms);
}
