namespace Hangar.Bench;

/// <summary>
/// One benchmark scenario. Scenarios are discovered by reflection (<see cref="ScenarioCatalog"/>),
/// so adding one is adding one file with a class that implements this interface.
/// </summary>
public interface IScenario
{
    /// <summary>The name used by <c>--scenarios</c> and in the results, e.g. <c>log-append</c>.</summary>
    string Name { get; }

    /// <summary>Where it appears in a run and in the table (lower first).</summary>
    int Order { get; }

    /// <summary>Measures and returns one row per variant. In smoke mode, tiny sizes and no claims about speed.</summary>
    Task<IReadOnlyList<Result>> RunAsync(BenchContext context, CancellationToken ct);
}
