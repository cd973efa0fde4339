using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Hangar.FakeModel;
using Hangar.Testing;

namespace Hangar.Chaos;

/// <summary>
/// A chaos run: a real PostgreSQL, API and worker processes, the fake model; sessions driven by
/// clients that retry across API processes, SSE clients that resume with Last-Event-ID, and a
/// disruptor killing (or partitioning) processes all along. Then the checks (<see cref="Verifier"/>).
/// </summary>
public static class ChaosRun
{
    private static readonly TimeSpan CatchUpPatience = TimeSpan.FromSeconds(60);

    /// <param name="log">Progress lines (kills, restarts), as they happen.</param>
    public static async Task<ChaosReport> RunAsync(ChaosOptions options, Action<string> log, CancellationToken ct = default)
    {
        var report = new ChaosReport(options);
        var clock = Stopwatch.StartNew();
        void Say(string line) => log($"[{clock.Elapsed.TotalSeconds,6:0.0}s] {line}");
        var artifacts = options.Artifacts ?? Path.Combine(Path.GetTempPath(), $"hangar-chaos-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}");
        Directory.CreateDirectory(artifacts);
        report.Artifacts = artifacts;
        var workerTemp = Path.Combine(artifacts, "tmp");
        Directory.CreateDirectory(workerTemp);
        Say($"{options.Describe()}; artifacts in {artifacts}");

        PostgresCluster? ownCluster = null;
        var cluster = options.Cluster;
        if (cluster is null)
        {
            ownCluster = cluster = new PostgresCluster();
            await cluster.InitializeAsync();
        }
        try
        {
            var database = await cluster.CreateDatabaseAsync(ct);
            var observer = new Observer(database);
            await using var model = await FakeMessagesServer.StartAsync(ct);
            model.Respond(request => ChaosModel.Reply(request, options));
            var key = "hgr_chaos_" + Guid.NewGuid().ToString("N");
            await using var fleet = new Fleet(options, database, model, key, workerTemp, Say);
            try
            {
                await fleet.StartAsync();
                // Before the first session: every event is audited.
                await observer.InstallAuditAsync();
                Say("fleet up");
                var stats = new ClientStats();
                using var api = new ApiPool(fleet, key, stats);
                var (disruptor, drivers) = await DriveAsync(options, fleet, api, observer, report, artifacts, Say, ct);
                report.Client = stats;
                foreach (var error in stats.ServerErrors)
                {
                    report.Violation($"client got a server error: {error}");
                }
                report.TerminatedConnections = disruptor.TerminatedConnections;

                await new Verifier(report, fleet, observer, StoredLog.Postgres(observer.ConnectionString), disruptor.Disruptions, WorkspaceOf).VerifyAsync(drivers);
            }
            finally
            {
                report.Elapsed = clock.Elapsed;
                CountProcessLog(fleet, report);
                await fleet.WriteTranscriptsAsync(artifacts);
            }
        }
        finally
        {
            if (ownCluster is not null)
            {
                await ((IAsyncDisposable)ownCluster).DisposeAsync();
            }
        }
        await File.WriteAllTextAsync(Path.Combine(artifacts, "report.txt"), report.Format(), CancellationToken.None);
        await File.WriteAllLinesAsync(Path.Combine(artifacts, "violations.txt"), report.Details, CancellationToken.None);
        await File.WriteAllLinesAsync(Path.Combine(artifacts, "reruns.txt"), report.ReRunDetails, CancellationToken.None);
        return report;

        string WorkspaceOf(string sessionId) => options.Sandbox == "local"
            ? Path.Combine(workerTemp, "hangar", "workspaces", sessionId)
            : Path.Combine(workerTemp, "hangar", "sandboxes", sessionId, "workspace");
    }

    private static async Task<(Disruptor Disruptor, List<SessionDriver> Drivers)> DriveAsync(
        ChaosOptions options, Fleet fleet, ApiPool api, Observer observer, ChaosReport report, string artifacts, Action<string> say, CancellationToken ct)
    {
        var agent = await api.SendAsync(HttpMethod.Post, "/v1/agents", new JsonObject
        {
            ["name"] = "chaos",
            ["model"] = "claude-sonnet-4-5",
            ["system"] = "You are a chaos test agent.",
            ["tools"] = new JsonArray(new JsonObject { ["type"] = "agent_toolset_20260401" }),
        }, ct);
        var environment = await api.SendAsync(HttpMethod.Post, "/v1/environments", new JsonObject
        {
            ["name"] = "chaos-" + Guid.NewGuid().ToString("N")[..8],
            ["config"] = new JsonObject { ["type"] = "cloud" },
        }, ct);
        var drivers = Enumerable.Range(0, options.Sessions).Select(i => new SessionDriver(api, $"s{i:00}")).ToList();
        await Task.WhenAll(drivers.Select(d => d.CreateAsync(agent["id"]!, environment["id"]!, ct)));
        foreach (var driver in drivers.Take(options.SseClients))
        {
            driver.Watcher = new SseWatcher(api, driver.SessionId!, options.Seed + drivers.IndexOf(driver));
        }
        report.SseClients = options.SseClients;
        say($"{drivers.Count} sessions created");

        using var stopWatchers = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watching = drivers.Where(d => d.Watcher is not null).Select(d => d.Watcher!.RunAsync(stopWatchers.Token)).ToList();
        await Task.WhenAll(drivers.Where(d => d.Watcher is not null).Select(d => d.Watcher!.Connected.WaitAsync(TimeSpan.FromSeconds(60), ct)));

        var disruptor = new Disruptor(options, fleet, observer, options.Seed, say, artifacts);
        using var stopDisrupting = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var started = Stopwatch.StartNew();
        if (options.Duration is { } duration)
        {
            stopDisrupting.CancelAfter(duration);
        }
        var disrupting = disruptor.RunAsync(stopDisrupting.Token);
        bool Another(int turn) => options.Duration is { } d ? started.Elapsed < d : turn <= options.Turns;
        var driving = drivers.Select(d => d.RunAsync(Another, options.TurnTimeout, ct)).ToList();
        using var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var progress = ReportProgressAsync(drivers, say, stopProgress.Token);
        await Task.WhenAll(driving);
        await stopProgress.CancelAsync();
        say($"all sessions done ({drivers.Sum(d => d.TurnsDone)} turns); stopping the disruptor");
        await stopDisrupting.CancelAsync();
        await disrupting;
        await progress;
        await fleet.SettleAsync();

        // Every SSE client must reach its log's end; give stragglers time to reconnect and read.
        var last = await observer.ProgressAsync([.. drivers.Select(d => d.SessionId!)]);
        var log = StoredLog.Postgres(observer.ConnectionString);
        var deadline = Stopwatch.StartNew();
        foreach (var driver in drivers.Where(d => d.Watcher is not null))
        {
            var events = await log.EventsAsync(driver.SessionId!);
            var lastId = events.Count > 0 ? events[^1].Id : null;
            while (driver.Watcher!.LastId != lastId && deadline.Elapsed < CatchUpPatience)
            {
                await Task.Delay(50, ct);
            }
        }
        await stopWatchers.CancelAsync();
        await Task.WhenAll(watching);
        say($"SSE clients stopped; {last.Values.Sum(p => p.Seq)} events in all; verifying");
        return (disruptor, drivers);
    }

    /// <summary>Lines worth counting in the processes' output (the full output is in the artifacts).</summary>
    private static readonly (string Label, string Text)[] Notable =
    [
        ("worker lease lost", "Lost the lease on session"),
        ("worker session failed", "failed in the harness"),
        ("worker loop error", "Worker loop error"),
        ("API unhandled error", "Unhandled error for request"),
    ];

    private static void CountProcessLog(Fleet fleet, ChaosReport report)
    {
        foreach (var process in fleet.All)
        {
            var transcript = process.Process.Transcript;
            foreach (var (label, text) in Notable)
            {
                var count = 0;
                for (var at = transcript.IndexOf(text, StringComparison.Ordinal); at >= 0; at = transcript.IndexOf(text, at + text.Length, StringComparison.Ordinal))
                {
                    count++;
                }
                if (count > 0)
                {
                    report.ProcessLog[label] = report.ProcessLog.GetValueOrDefault(label) + count;
                }
            }
        }
    }

    private static async Task ReportProgressAsync(IReadOnlyList<SessionDriver> drivers, Action<string> say, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(15), ct);
                say(string.Create(CultureInfo.InvariantCulture,
                    $"progress: {drivers.Sum(d => d.TurnsDone)} turns done, {drivers.Count(d => d.Failure is not null)} sessions failed"));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
