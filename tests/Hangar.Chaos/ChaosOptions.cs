using System.Globalization;
using Hangar.Testing;

namespace Hangar.Chaos;

/// <summary>What a chaos run starts, drives and breaks. <see cref="Parse"/> reads the command line.</summary>
public sealed record ChaosOptions
{
    /// <summary>Sessions driven at the same time, each by its own client loop.</summary>
    public int Sessions { get; init; } = 50;

    /// <summary>User turns per session (ignored with <see cref="Duration"/>: turns then go on until it is over).</summary>
    public int Turns { get; init; } = 4;

    /// <summary>Tool calls (bash) the fake model asks for in every turn before its final answer.</summary>
    public int ToolCalls { get; init; } = 2;

    /// <summary><c>hangar serve --no-workers</c> processes.</summary>
    public int ApiProcesses { get; init; } = 3;

    /// <summary><c>hangar worker</c> processes.</summary>
    public int Workers { get; init; } = 3;

    /// <summary>Sessions each worker process runs at once (<c>hangar worker --concurrency</c>).</summary>
    public int Concurrency { get; init; } = 20;

    /// <summary>SSE clients, one per session (the first sessions), that drop and resume with <c>Last-Event-ID</c>.</summary>
    public int SseClients { get; init; } = 20;

    /// <summary>Mean time between disruptions (each waits this ±25 %).</summary>
    public TimeSpan KillEvery { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>Null: run until every session did its <see cref="Turns"/>. Else: disrupt and start new turns until it is over.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Besides SIGKILLs, partition workers from PostgreSQL, kill their connections, and stall them (SIGSTOP).</summary>
    public bool Partition { get; init; }

    /// <summary>How long a partition or a stall lasts: longer than the lease TTL (1.5 s), so another worker takes over.</summary>
    public TimeSpan PartitionFor { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The workers' <c>--sandbox</c>: local (plain directories) or bubblewrap.</summary>
    public string Sandbox { get; init; } = "local";

    /// <summary>How long a bash call of the fake model sleeps after writing its side effect.</summary>
    public TimeSpan ToolSleep { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>The fake model's delay between streamed chunks.</summary>
    public TimeSpan TokenDelay { get; init; } = TimeSpan.FromMilliseconds(15);

    /// <summary>A turn that does not end within this is reported as stuck.</summary>
    public TimeSpan TurnTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Seeds the disruptor's and the clients' choices.</summary>
    public int Seed { get; init; } = Environment.TickCount & 0x7fffffff;

    /// <summary>Where the report and every process's output go; null: a new directory under the temp directory.</summary>
    public string? Artifacts { get; init; }

    /// <summary>A running cluster to create the database in (tests pass the shared one); null: the run starts its own.</summary>
    public PostgresCluster? Cluster { get; init; }

    /// <summary>The CI version: 2 API + 2 workers, 10 sessions × 2 turns, 5 SSE clients, a disruption every ~2 s.</summary>
    public static ChaosOptions Short { get; } = new()
    {
        Sessions = 10,
        Turns = 2,
        ApiProcesses = 2,
        Workers = 2,
        Concurrency = 10,
        SseClients = 5,
        KillEvery = TimeSpan.FromSeconds(2),
        PartitionFor = TimeSpan.FromSeconds(4),
        TurnTimeout = TimeSpan.FromSeconds(90),
    };

    public const string Usage = """
        dotnet run --project tests/Hangar.Chaos -- [options]

          --short               the CI version (2 API + 2 workers, 10 sessions x 2 turns, 5 SSE clients, kill every 2s)
          --sessions N          concurrent sessions (50)
          --turns N             user turns per session (4)
          --tool-calls N        bash calls per turn (2)
          --api N               hangar serve --no-workers processes (3)
          --workers N           hangar worker processes (3)
          --concurrency N       sessions per worker process (20)
          --sse-clients N       SSE clients resuming with Last-Event-ID (20)
          --kill-every T        mean time between disruptions, e.g. 4s, 1.5s, 500ms (4s)
          --duration T          keep starting turns and disrupting for T instead of --turns
          --until-done          run until every session did its turns (the default)
          --partition           also partition workers from PostgreSQL, kill their connections, SIGSTOP them
          --partition-for T     how long a partition or stall lasts (5s)
          --sandbox KIND        local (default) or bubblewrap
          --tool-sleep T        how long each bash call sleeps (300ms)
          --turn-timeout T      a turn slower than this is a stuck session (3m)
          --seed N              seed for the random choices
          --artifacts DIR       where the report and process logs go (a new temp directory)
        """;

    /// <summary>Reads the command line; throws <see cref="ArgumentException"/> with the problem.</summary>
    public static ChaosOptions Parse(IReadOnlyList<string> args)
    {
        var options = args.Contains("--short") ? Short : new ChaosOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            options = name switch
            {
                "--short" => options,
                "--sessions" => options with { Sessions = Count(name, Value(), 1) },
                "--turns" => options with { Turns = Count(name, Value(), 1) },
                "--tool-calls" => options with { ToolCalls = Count(name, Value(), 0) },
                "--api" => options with { ApiProcesses = Count(name, Value(), 1) },
                "--workers" => options with { Workers = Count(name, Value(), 1) },
                "--concurrency" => options with { Concurrency = Count(name, Value(), 1) },
                "--sse-clients" => options with { SseClients = Count(name, Value(), 0) },
                "--kill-every" => options with { KillEvery = Time(name, Value()) },
                "--duration" => options with { Duration = Time(name, Value()) },
                "--until-done" => options with { Duration = null },
                "--partition" => options with { Partition = true },
                "--partition-for" => options with { PartitionFor = Time(name, Value()) },
                "--sandbox" => options with { Sandbox = SandboxKind(Value()) },
                "--tool-sleep" => options with { ToolSleep = Time(name, Value()) },
                "--turn-timeout" => options with { TurnTimeout = Time(name, Value()) },
                "--seed" => options with { Seed = Count(name, Value(), 0) },
                "--artifacts" => options with { Artifacts = Value() },
                _ => throw new ArgumentException($"Unknown option {name}."),
            };
        }
        return options with { SseClients = Math.Min(options.SseClients, options.Sessions) };
    }

    /// <summary>One line for the report.</summary>
    public string Describe() =>
        $"{Sessions} sessions x {(Duration is { } d ? $"turns for {Seconds(d)}" : $"{Turns} turns")} x {ToolCalls} tool calls, "
        + $"{ApiProcesses} API + {Workers} workers (concurrency {Concurrency}, --sandbox {Sandbox}), {SseClients} SSE clients, "
        + $"a {(Partition ? "kill/partition/stall" : "kill")} every ~{Seconds(KillEvery)}{(Partition ? $" (partitions last {Seconds(PartitionFor)})" : "")}, seed {Seed}";

    public static string Seconds(TimeSpan time) => $"{time.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture)}s";

    private static int Count(string name, string text, int min) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min
            ? value
            : throw new ArgumentException($"{name}: expected a whole number of at least {min} (got '{text}').");

    private static string SandboxKind(string text) =>
        text is "local" or "bubblewrap" ? text : throw new ArgumentException($"--sandbox: expected local or bubblewrap (got '{text}').");

    /// <summary>500ms, 1.5s, 2m, or plain seconds.</summary>
    public static TimeSpan Time(string name, string text)
    {
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : (text, 1.0);
        return double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value > 0
            ? TimeSpan.FromSeconds(value * unit)
            : throw new ArgumentException($"{name}: expected a time such as 4s, 1.5s, 500ms or 2m (got '{text}').");
    }
}
