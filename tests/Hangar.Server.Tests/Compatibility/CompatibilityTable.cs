using System.Text.RegularExpressions;

namespace Hangar.Server.Tests.Compatibility;

/// <summary>One route row of docs/api-compatibility.md.</summary>
public sealed record CompatibilityRoute(string Method, string Path, string Status, int Line)
{
    public bool Served => Status is "done" or "partial";

    public override string ToString() => $"{Method} {Path} ({Status}, line {Line})";
}

/// <summary>
/// Reads the route tables of docs/api-compatibility.md: every row whose second cell is a
/// <c>/v1/</c> path. A row with another status than done / partial / not yet is an error, so a
/// typo cannot take a route out of the check.
/// </summary>
public static partial class CompatibilityTable
{
    public static string DocumentPath()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Hangar.slnx")))
            {
                return Path.Combine(directory.FullName, "docs", "api-compatibility.md");
            }
        }
        throw new InvalidOperationException($"No Hangar.slnx above {AppContext.BaseDirectory}.");
    }

    public static IReadOnlyList<CompatibilityRoute> Read(string path)
    {
        var routes = new List<CompatibilityRoute>();
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var cells = lines[i].Split('|').Select(c => c.Trim().Trim('`')).ToArray();
            // "| METHOD | /v1/... | status | notes |" splits into 6 cells with empty ends.
            if (cells.Length < 5 || !cells[2].StartsWith("/v1/", StringComparison.Ordinal))
            {
                continue;
            }
            var (method, route, status) = (cells[1], cells[2], cells[3]);
            if (method is not ("GET" or "POST" or "DELETE" or "PUT" or "PATCH") || status is not ("done" or "partial" or "not yet"))
            {
                throw new FormatException($"{path}:{i + 1}: expected 'METHOD | /v1/... | done|partial|not yet', got '{lines[i]}'.");
            }
            routes.Add(new CompatibilityRoute(method, route, status, i + 1));
        }
        return routes;
    }

    /// <summary>The path with every <c>{placeholder}</c> replaced by an id no resource has.</summary>
    public static string Concrete(string path) => Placeholder().Replace(path, match =>
        match.Groups[1].Value == "version" ? "1" : "compat_missing_" + match.Groups[1].Value);

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Placeholder();
}
