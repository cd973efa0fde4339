using System.Diagnostics;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Hangar.Bench.Micro;

/// <summary>
/// How the runner drives BenchmarkDotNet: in this process (no project generation or child build,
/// so the whole set fits the run's time budget) with a short job, allocations measured. A smoke
/// run uses a dry job (one invocation per benchmark) and accepts a Debug build: it only proves
/// that every benchmark still runs.
/// </summary>
public static class MicroConfig
{
    /// <summary>Whether this assembly was compiled without optimizations (a Debug build).</summary>
    public static bool IsDebugBuild =>
        typeof(MicroConfig).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true;

    public static IConfig Create(bool smoke, string artifacts, ProgressLogger logger)
    {
        var job = smoke
            ? Job.Dry.WithToolchain(InProcessEmitToolchain.DontLogOutput).WithId("smoke")
            // 100 ms iterations (default 500 ms), 3 warm-ups and 15 measured: ≈3 s per case, and
            // 15 iteration means make a usable median and p95.
            : Job.Default.WithToolchain(InProcessEmitToolchain.DontLogOutput).WithId("short")
                .WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(15)
                .WithIterationTime(TimeInterval.FromMilliseconds(100));
        var options = ConfigOptions.DisableLogFile | ConfigOptions.JoinSummary;
        if (smoke)
        {
            options |= ConfigOptions.DisableOptimizationsValidator;
        }
        return ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(logger)
            .WithArtifactsPath(artifacts)
            .WithOptions(options);
    }

    /// <summary>The benchmark classes of <c>Micro/</c>: public classes with a <c>[Benchmark]</c> method.</summary>
    public static Type[] BenchmarkTypes() =>
        [.. typeof(MicroConfig).Assembly.GetTypes()
            .Where(t => t is { IsPublic: true, IsClass: true, IsAbstract: false }
                && t.GetMethods().Any(m => m.GetCustomAttribute<BenchmarkDotNet.Attributes.BenchmarkAttribute>() is not null))
            .OrderBy(t => t.Name, StringComparer.Ordinal)];
}
