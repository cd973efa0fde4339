namespace Hangar.Bench;

/// <summary>Every <see cref="IScenario"/> in this assembly, in run order.</summary>
public static class ScenarioCatalog
{
    public static IReadOnlyList<IScenario> All() =>
        [.. typeof(IScenario).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IScenario).IsAssignableFrom(t))
            .Select(t => (IScenario)Activator.CreateInstance(t)!)
            .OrderBy(s => s.Order)
            .ThenBy(s => s.Name, StringComparer.Ordinal)];

    /// <summary>The scenarios named (all when <paramref name="names"/> is empty); unknown names are an error.</summary>
    public static IReadOnlyList<IScenario> Select(IReadOnlyList<string> names)
    {
        var all = All();
        if (names.Count == 0)
        {
            return all;
        }
        var unknown = names.Where(n => all.All(s => s.Name != n)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException(
                $"Unknown scenario(s): {string.Join(", ", unknown)}. Known: {string.Join(", ", all.Select(s => s.Name))}.");
        }
        return [.. all.Where(s => names.Contains(s.Name))];
    }
}
