using BenchmarkDotNet.Attributes;
using Hangar.Contracts;

namespace Hangar.Bench.Micro;

/// <summary>Every event and resource gets an id (<see cref="Ids.New(string)"/>); ids from clients are checked.</summary>
[BenchmarkCategory("ids")]
public class IdBenchmarks
{
    private readonly string _id = Ids.New(Ids.Event);

    [Benchmark(Description = "Ids.New (event id)")]
    public string New() => Ids.New(Ids.Event);

    [Benchmark(Description = "Ids.IsWellFormed")]
    public bool IsWellFormed() => Ids.IsWellFormed(_id, Ids.Event);
}
