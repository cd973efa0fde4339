using Hangar.Bench;
using Hangar.Bench.Micro;
using Hangar.Bench.Scenarios;

// The benchmark runner: runs the chosen scenarios one after another, printing progress to
// stderr, then writes latest.json and latest.md to the output directory.
// `--bdn …` instead hands the micro benchmarks to BenchmarkDotNet's own command line.
if (args.Length > 0 && args[0] == BenchmarkDotNetCommand.Flag)
{
    return BenchmarkDotNetCommand.Run(args[1..]);
}
if (args.Length > 0 && args[0] == FakeModelProcess.ChildFlag)
{
    // Not a run: the fake model a scenario started in its own process (see FakeModelProcess).
    return await FakeModelProcess.RunChildAsync(args);
}
BenchOptions options;
IReadOnlyList<IScenario> scenarios;
try
{
    options = BenchOptions.Parse(args);
    scenarios = ScenarioCatalog.Select(options.Scenarios);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
var ct = cancel.Token;
// The servers scenarios start log to stdout; keep stdout for the table and send those to stderr.
var stdout = Console.Out;
Console.SetOut(Console.Error);
var started = DateTimeOffset.UtcNow;
var results = new List<Result>();
RunEnvironment environment;
await using (var context = new BenchContext(options.Smoke))
{
    context.Progress($"{(options.Smoke ? "smoke run" : "full run")}: {string.Join(", ", scenarios.Select(s => s.Name))}");
    foreach (var scenario in scenarios)
    {
        context.Progress($"{scenario.Name}: start");
        var rows = await scenario.RunAsync(context, ct);
        results.AddRange(rows);
        context.Progress($"{scenario.Name}: done ({rows.Count} rows)");
    }
    environment = RunEnvironment.Capture(context);
}

var report = new RunReport(started, (DateTimeOffset.UtcNow - started).TotalSeconds, options.Smoke, environment, results);
await ReportWriter.WriteAsync(report, options.OutputDirectory, ct);
Console.Error.WriteLine($"wrote {Path.Combine(options.OutputDirectory, "latest.json")} and latest.md");
stdout.Write(ReportWriter.Markdown(report));
stdout.Flush();
return 0;
