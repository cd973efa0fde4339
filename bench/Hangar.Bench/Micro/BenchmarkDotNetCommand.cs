using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace Hangar.Bench.Micro;

/// <summary>
/// <c>--bdn [BenchmarkDotNet arguments]</c>: the micro benchmarks under BenchmarkDotNet's own
/// command line (<c>--filter</c>, <c>--job</c>, <c>--inProcess</c>, <c>--list</c>…) and its own
/// defaults and console output, for looking closer at one path. Artifacts go to a temp directory
/// unless <c>--artifacts</c> is given, so nothing lands in the repository.
/// </summary>
public static class BenchmarkDotNetCommand
{
    public const string Flag = "--bdn";

    public static int Run(string[] args)
    {
        var artifacts = Path.Combine(Path.GetTempPath(), "hangar-bdn-" + Guid.NewGuid().ToString("N")[..8]);
        var config = args.Contains("--artifacts") ? DefaultConfig.Instance : DefaultConfig.Instance.WithArtifactsPath(artifacts);
        var summaries = BenchmarkSwitcher.FromTypes(MicroConfig.BenchmarkTypes()).Run(args, config);
        if (Directory.Exists(artifacts))
        {
            Console.Error.WriteLine($"BenchmarkDotNet artifacts: {artifacts}");
        }
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
