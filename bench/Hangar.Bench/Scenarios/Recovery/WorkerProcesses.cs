using Hangar.FakeModel;
using Hangar.Testing;

namespace Hangar.Bench.Scenarios.Recovery;

/// <summary>
/// Real <c>hangar worker</c> processes on one PostgreSQL database, their model the fake Messages
/// server in this process: what the recovery scenario SIGKILLs (as tests/Hangar.Cli.Tests/Crash
/// does). Local sandboxes (<c>--sandbox local</c>, workspaces under <c>temp</c>): what is
/// measured is the harness's takeover, and a turn that only streams never starts a sandbox.
/// <paramref name="concurrency"/>: <c>--concurrency</c> (null: the default); takeover headroom is
/// always the default.
/// </summary>
public sealed class WorkerProcesses(string database, FakeMessagesServer model, string temp, int? concurrency = null) : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly List<HangarProcess> _live = [];

    /// <summary>Starts workers until <paramref name="count"/> are alive; returns once every new one announced it is running.</summary>
    public async Task KeepAsync(int count)
    {
        List<HangarProcess> started;
        lock (_live)
        {
            started = [.. Enumerable.Range(0, Math.Max(0, count - _live.Count(w => !w.HasExited))).Select(_ => HangarProcess.Start(
                ["worker", "--database", database, "--sandbox", "local", .. concurrency is { } n ? new[] { "--concurrency", $"{n}" } : []],
                new Dictionary<string, string?>
                {
                    ["ANTHROPIC_BASE_URL"] = model.BaseUrl.ToString(),
                    ["ANTHROPIC_API_KEY"] = model.ApiKey,
                    ["TMPDIR"] = temp,
                }))];
            _live.AddRange(started);
        }
        await Task.WhenAll(started.Select(w => w.WaitForOutputAsync(@"Hangar worker \S+ running", StartTimeout)));
    }

    /// <summary>The live workers' pids.</summary>
    public IReadOnlyList<int> Pids
    {
        get
        {
            lock (_live)
            {
                return [.. _live.Where(w => !w.HasExited).Select(w => w.Pid)];
            }
        }
    }

    /// <summary>The live worker with this pid (the pid in a lease owner, <c>host:pid:guid</c>).</summary>
    public HangarProcess ByPid(int? pid)
    {
        lock (_live)
        {
            return _live.SingleOrDefault(w => w.Pid == pid && !w.HasExited)
                ?? throw new InvalidOperationException($"No live worker has pid {pid}.\n{Transcripts()}");
        }
    }

    /// <summary>Forgets a worker that was killed (it no longer counts towards <see cref="KeepAsync"/>).</summary>
    public async Task BuryAsync(HangarProcess worker)
    {
        lock (_live)
        {
            _live.Remove(worker);
        }
        await worker.DisposeAsync();
    }

    /// <summary>What the live workers said, for failure messages.</summary>
    public string Transcripts()
    {
        lock (_live)
        {
            return string.Join("\n", _live.Select(w => $"=== worker {w.Pid}\n{Tail(w.Transcript)}"));
        }
    }

    private static string Tail(string text) => text.Length <= 3000 ? text : "…" + text[^3000..];

    public async ValueTask DisposeAsync()
    {
        List<HangarProcess> all;
        lock (_live)
        {
            all = [.. _live];
            _live.Clear();
        }
        foreach (var worker in all)
        {
            await worker.DisposeAsync();
        }
    }
}
