using Hangar.Testing;

namespace Hangar.Chaos;

/// <summary>
/// The end-of-run checks, on what the database holds (read directly), what the clients were told,
/// what the SSE clients saw, what the tools did to the workspaces, and who wrote each event.
/// </summary>
public sealed class Verifier(ChaosReport report, Fleet fleet, Observer observer, StoredLog log, IReadOnlyList<Disruption> disruptions, Func<string, string> workspaceOf)
{
    public async Task VerifyAsync(IReadOnlyList<SessionDriver> drivers)
    {
        var sessions = drivers.Where(d => d.SessionId is not null).ToList();
        var ids = sessions.Select(d => d.SessionId!).ToList();
        var writes = await observer.WritesAsync(ids);
        var statuses = await observer.StatusesAsync(ids);
        report.Sessions = sessions.Count;
        foreach (var driver in drivers.Where(d => d.Failure is not null))
        {
            report.Violation($"client: {driver.Failure}");
        }
        foreach (var driver in sessions)
        {
            var events = await log.EventsAsync(driver.SessionId!);
            report.Events += events.Count;
            report.Turns += driver.TurnsDone;
            var name = $"{driver.Tag} ({driver.SessionId})";
            CheckLog(name, driver, events, statuses.GetValueOrDefault(driver.SessionId!));
            CheckAcknowledged(name, driver, events);
            CheckTools(name, driver.SessionId!, events, writes.GetValueOrDefault(driver.SessionId!) ?? []);
            CheckWriters(name, events, writes.GetValueOrDefault(driver.SessionId!) ?? []);
            if (driver.Watcher is { } watcher)
            {
                CheckStream(name, watcher, events);
            }
        }
        await WriteDisruptionsAsync();
        foreach (var disruption in disruptions)
        {
            report.Disruptions[disruption.Kind] = report.Disruptions.GetValueOrDefault(disruption.Kind) + 1;
            foreach (var affected in disruption.Affected)
            {
                if (affected.Takeover is { } takeover)
                {
                    (report.Takeover.TryGetValue(disruption.Kind, out var takeovers) ? takeovers : report.Takeover[disruption.Kind] = []).Add(takeover);
                }
                if (affected.NextEvent is { } time)
                {
                    (report.NextEvent.TryGetValue(disruption.Kind, out var list) ? list : report.NextEvent[disruption.Kind] = []).Add(time);
                }
                else
                {
                    report.Violation($"{affected.SessionId}: no event after {disruption} (seq {affected.SeqAtDisruption}) within 2 minutes");
                }
            }
        }
    }

    /// <summary>
    /// disruptions.txt: every disruption and what became of the sessions its victim held; the five
    /// slowest recoveries with their sessions' claim and write timelines (database clock, UTC).
    /// </summary>
    private async Task WriteDisruptionsAsync()
    {
        var text = new System.Text.StringBuilder();
        foreach (var d in disruptions)
        {
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"{d.At:HH:mm:ss.fff} {d}");
            foreach (var a in d.Affected)
            {
                text.AppendLine(System.Globalization.CultureInfo.InvariantCulture,
                    $"    {a.SessionId} epoch {a.Epoch} seq {a.SeqAtDisruption}: takeover {a.Takeover?.TotalSeconds:0.00} s, next event {a.NextEvent?.TotalSeconds:0.00} s");
            }
        }
        var slowest = disruptions.SelectMany(d => d.Affected.Select(a => (Disruption: d, Affected: a)))
            .OrderByDescending(x => x.Affected.NextEvent ?? TimeSpan.MaxValue).Take(5).ToList();
        foreach (var (d, a) in slowest)
        {
            text.AppendLine().AppendLine(System.Globalization.CultureInfo.InvariantCulture,
                $"slow: {a.SessionId} after {d} at {d.At:HH:mm:ss.fff}: takeover {a.Takeover?.TotalSeconds:0.00} s, next event {a.NextEvent?.TotalSeconds:0.00} s");
            text.Append(await observer.TimelineAsync(a.SessionId));
        }
        await File.WriteAllTextAsync(Path.Combine(report.Artifacts, "disruptions.txt"), text.ToString());
    }

    /// <summary>The shared crash-test invariants (dense seqs, replies once, tool calls answered once, spans closed, turns ending idle{end_turn}) plus no session.error.</summary>
    private void CheckLog(string name, SessionDriver driver, List<StoredEvent> events, string? status)
    {
        var turns = driver.TurnsStarted;
        try
        {
            LogInvariants.AssertConsistent(events, [.. Enumerable.Range(1, turns).Select(t => ChaosModel.FinalReply(driver.Tag, t))], turns);
        }
        catch (Exception e)
        {
            report.Violation($"{name}: {FirstLine(e.Message)}", e.Message);
        }
        if (status != "idle")
        {
            report.Violation($"{name}: session status is '{status}', not idle", StoredLog.Describe(events));
        }
        foreach (var error in events.Where(e => e.Type == "session.error"))
        {
            report.Violation($"{name}: session.error at seq {error.Seq}: {error.Json["error"]?.ToJsonString()}", StoredLog.Describe(events));
        }
    }

    /// <summary>Every user event the API acknowledged is logged exactly once, in the order it was sent; no turn's message is logged twice.</summary>
    private void CheckAcknowledged(string name, SessionDriver driver, List<StoredEvent> events)
    {
        var bySeq = new List<long>();
        foreach (var acked in driver.Acked)
        {
            var logged = events.Where(e => e.Id == acked.Id).ToList();
            if (logged.Count != 1 || logged[0].Type != acked.Type || logged[0].Text != acked.Text)
            {
                report.Violation($"{name}: acknowledged {acked.Type} {acked.Id} (\"{acked.Text}\") is logged {logged.Count} times", StoredLog.Describe(events));
                continue;
            }
            bySeq.Add(logged[0].Seq);
        }
        if (!bySeq.SequenceEqual(bySeq.Order()))
        {
            report.Violation($"{name}: acknowledged events are logged out of order (seqs {string.Join(",", bySeq)})");
        }
        foreach (var group in events.Where(e => e.Type == "user.message").GroupBy(e => e.Text).Where(g => g.Count() > 1))
        {
            report.Violation($"{name}: user message \"{group.Key}\" is logged {group.Count()} times (a retried POST doubled it)", StoredLog.Describe(events));
        }
    }

    /// <summary>
    /// Every tool call ran (its token is in the workspace's runs file) and its result says so; a
    /// call ran more than once only if its session changed hands between its tool_use and its
    /// tool_result (each owner may run it once), and those re-runs are counted by what ended the
    /// first owner's lease. Nothing ran that was never logged as a tool_use.
    /// </summary>
    private void CheckTools(string name, string sessionId, List<StoredEvent> events, List<WriteRow> writes)
    {
        var runsFile = Path.Combine(workspaceOf(sessionId), ChaosModel.RunsFile);
        var runs = File.Exists(runsFile) ? File.ReadAllLines(runsFile).Where(l => l.Length > 0).GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count()) : [];
        var bySeq = writes.ToDictionary(w => w.Seq);
        var tokens = new HashSet<string>();
        foreach (var use in events.Where(e => e.Type == "agent.tool_use"))
        {
            report.ToolCalls++;
            var token = ChaosModel.TokenOf((string?)use.Json["input"]?["command"]);
            if (token is null)
            {
                report.Violation($"{name}: tool_use {use.Id} is not a chaos command: {use.Json["input"]?.ToJsonString()}");
                continue;
            }
            tokens.Add(token);
            var result = events.FirstOrDefault(e => e.Type == "agent.tool_result" && (string?)e.Json["tool_use_id"] == use.Id);
            if (result is null)
            {
                continue; // LogInvariants reports it.
            }
            if (result.Json["is_error"]?.GetValue<bool>() == true || !result.Text.Contains($"ran {token}", StringComparison.Ordinal))
            {
                report.Violation($"{name}: the result of {token} ({use.Id}) is not its output: {Abbreviate(result.Json.ToJsonString())}");
            }
            var count = runs.GetValueOrDefault(token);
            var useEpoch = bySeq.GetValueOrDefault(use.Seq)?.LeaseEpoch ?? 0;
            var resultEpoch = bySeq.GetValueOrDefault(result.Seq)?.LeaseEpoch ?? 0;
            if (count == 0)
            {
                report.Violation($"{name}: {token} has a result but never ran");
            }
            else if (count > 1 && resultEpoch <= useEpoch)
            {
                report.Violation($"{name}: {token} ran {count} times under one lease (epoch {useEpoch}): a tool ran twice without a takeover", StoredLog.Describe(events));
            }
            else if (count > resultEpoch - useEpoch + 1)
            {
                report.Violation($"{name}: {token} ran {count} times across epochs {useEpoch}..{resultEpoch}: more than once per owner");
            }
            else if (count > 1)
            {
                var owner = fleet.ByOwner(bySeq[use.Seq].LeaseOwner);
                // What ended the first owner's lease: a disruption of it that caught this session before the
                // result, else one that lasted a while (the session may have been claimed during it), else none.
                var cause = disruptions.LastOrDefault(d => d.Victim == owner && d.Affected.Any(a => a.SessionId == sessionId && a.SeqAtDisruption < result.Seq))?.Kind
                    ?? disruptions.LastOrDefault(d => d.Victim == owner && d.Kind is Disruption.Partition or Disruption.Stall or Disruption.Terminate)?.Kind
                    ?? "lease-lost";
                report.ReRuns[cause] = report.ReRuns.GetValueOrDefault(cause) + count - 1;
                report.ReRunDetails.Add($"{name}: {token} ran {count} times (epochs {useEpoch}..{resultEpoch}, first owner {owner?.Name}, {cause})");
            }
        }
        foreach (var (token, count) in runs.Where(r => !tokens.Contains(r.Key)))
        {
            report.Violation($"{name}: {token} ran {count} times but no tool_use for it is logged");
        }
    }

    /// <summary>
    /// Fencing, from the writer audit: every event a worker appended was appended while that very
    /// worker owned the session's lease, and per session the epochs of the workers' writes never go
    /// back: no former owner wrote after a newer owner's first event. API processes write only user events.
    /// </summary>
    private void CheckWriters(string name, List<StoredEvent> events, List<WriteRow> writes)
    {
        var bySeq = writes.ToDictionary(w => w.Seq);
        long epoch = 0;
        foreach (var e in events)
        {
            if (!bySeq.TryGetValue(e.Seq, out var write) || write.EventId != e.Id)
            {
                report.Violation($"{name}: event {e.Seq} {e.Type} has no writer audit row");
                continue;
            }
            var writer = fleet.ByApplicationName(write.Application);
            switch (writer?.Kind)
            {
                case ProcessKind.Worker:
                    if (writer.Owner != write.LeaseOwner)
                    {
                        report.Violation($"{name}: event {e.Seq} {e.Type} was written by {writer.Name} ({writer.Owner}) while the lease belonged to {write.LeaseOwner} (epoch {write.LeaseEpoch})",
                            StoredLog.Describe(events));
                    }
                    if (write.LeaseEpoch < epoch)
                    {
                        report.Violation($"{name}: event {e.Seq} {e.Type} was written at epoch {write.LeaseEpoch} after an event of epoch {epoch}", StoredLog.Describe(events));
                    }
                    epoch = Math.Max(epoch, write.LeaseEpoch);
                    if (!write.LeaseLive)
                    {
                        report.ExpiredLeaseWrites++;
                    }
                    break;
                case ProcessKind.Api:
                    if (!e.Type.StartsWith("user.", StringComparison.Ordinal))
                    {
                        report.Violation($"{name}: event {e.Seq} {e.Type} was written by API process {writer.Name}");
                    }
                    break;
                default:
                    report.Violation($"{name}: event {e.Seq} {e.Type} was written by an unknown connection '{write.Application}'");
                    break;
            }
        }
    }

    /// <summary>The SSE client saw every event of the log (from its start, or from its first frame after a late start) once, in order.</summary>
    private void CheckStream(string name, SseWatcher watcher, List<StoredEvent> events)
    {
        report.SseFrames += watcher.Seen.Count;
        report.SseReconnects += watcher.Reconnects;
        report.SseVoluntary += watcher.Voluntary;
        report.SseDropped += watcher.Dropped;
        foreach (var error in watcher.Errors)
        {
            report.Violation($"{name}: SSE: {error}");
        }
        var seen = watcher.Seen;
        var repeated = seen.GroupBy(f => f.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (repeated.Count > 0)
        {
            report.Violation($"{name}: the SSE client got {repeated.Count} events more than once (e.g. {repeated[0]})");
        }
        var start = 0;
        if (watcher.LateStart)
        {
            report.SseLateStarts++;
            start = seen.Count == 0 ? events.Count : events.FindIndex(e => e.Id == seen[0].Id);
        }
        var expected = start < 0 ? [] : events.Skip(start).Select(e => new SseFrame(e.Id, e.Type)).ToList();
        if (!seen.SequenceEqual(expected))
        {
            var at = Enumerable.Range(0, Math.Min(seen.Count, expected.Count)).FirstOrDefault(i => seen[i] != expected[i], Math.Min(seen.Count, expected.Count));
            report.Violation($"{name}: the SSE client saw {seen.Count} frames, the log from {start + 1} has {expected.Count}; first difference at frame {at + 1}: "
                + $"saw {(at < seen.Count ? seen[at] : "nothing")}, expected {(at < expected.Count ? expected[at] : "nothing")} ({watcher.Reconnects} reconnects)",
                StoredLog.Describe(events) + "\nseen:\n" + string.Join("\n", seen.Select(f => $"  {f.Id} {f.Type}")));
        }
    }

    private static string FirstLine(string text) => text.Split('\n')[0];

    private static string Abbreviate(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
