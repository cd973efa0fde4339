using Hangar.Chaos;

// dotnet run --project tests/Hangar.Chaos -- [options]: see ChaosOptions.Usage. Exit code 0: no violation.
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(ChaosOptions.Usage);
    return 0;
}
ChaosOptions options;
try
{
    options = ChaosOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(ChaosOptions.Usage);
    return 2;
}
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
var output = new Lock();
var report = await ChaosRun.RunAsync(options, line =>
{
    lock (output)
    {
        Console.WriteLine(line);
    }
}, cancel.Token);
Console.WriteLine();
Console.WriteLine(report.Format());
return report.Violations.Count == 0 ? 0 : 1;
