namespace Hangar.Bench;

/// <summary>The command line: <c>[--smoke] [--scenarios a,b] [--out DIR]</c>.</summary>
public sealed record BenchOptions(bool Smoke, IReadOnlyList<string> Scenarios, string OutputDirectory)
{
    /// <summary>Where a full run writes by default (the committed results), relative to the working directory.</summary>
    public const string DefaultOutput = "bench/results";

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var smoke = false;
        string? output = null;
        var scenarios = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--smoke":
                    smoke = true;
                    break;
                case "--scenarios":
                    scenarios.AddRange(Value(args, ref i).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "--out":
                    output = Value(args, ref i);
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'. Usage: [--smoke] [--scenarios a,b] [--out DIR], or --bdn [BenchmarkDotNet arguments]");
            }
        }
        // A smoke run must never overwrite the committed results: without --out it goes to a temp dir.
        output ??= smoke
            ? Path.Combine(Path.GetTempPath(), "hangar-bench-smoke-" + Guid.NewGuid().ToString("N")[..8])
            : DefaultOutput;
        return new BenchOptions(smoke, scenarios, output);
    }

    private static string Value(IReadOnlyList<string> args, ref int i) =>
        ++i < args.Count ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value.");
}
