using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Hangar.Chaos;

/// <summary>An event the API acknowledged (POST /events answered 2xx), or found logged after an ambiguous POST.</summary>
public sealed record AckedEvent(string Id, string Type, string Text, bool ReadBack);

/// <summary>
/// One client driving one session through the API: a user message per turn, then polling until
/// the turn's idle shows up. A POST whose fate is unknown (the connection broke) is looked up in
/// the log before it is sent again, so a retry never doubles a message.
/// </summary>
public sealed class SessionDriver(ApiPool api, string tag)
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(400);

    public string Tag => tag;

    public string? SessionId { get; private set; }

    /// <summary>The SSE client following this session, if it has one.</summary>
    public SseWatcher? Watcher { get; set; }

    public int TurnsDone { get; private set; }

    public int TurnsStarted { get; private set; }

    public List<AckedEvent> Acked { get; } = [];

    /// <summary>Why the driver stopped early (stuck turn, rejected request), null when it finished.</summary>
    public string? Failure { get; private set; }

    public Task CreateAsync(JsonNode agentId, JsonNode environmentId, CancellationToken ct) => CreateCoreAsync(agentId, environmentId, ct);

    private async Task CreateCoreAsync(JsonNode agentId, JsonNode environmentId, CancellationToken ct)
    {
        // A retried create may leave an orphan session behind; the run only checks the one it got.
        var session = await api.SendAsync(HttpMethod.Post, "/v1/sessions", new JsonObject
        {
            ["agent"] = agentId.DeepClone(),
            ["environment_id"] = environmentId.DeepClone(),
            ["title"] = $"chaos {tag}",
        }, ct);
        SessionId = session["id"]!.GetValue<string>();
    }

    /// <param name="another">Asked before every turn after the first: start it?</param>
    /// <param name="turnTimeout">A turn not idle by then is stuck: the driver stops and says so.</param>
    public async Task RunAsync(Func<int, bool> another, TimeSpan turnTimeout, CancellationToken ct)
    {
        try
        {
            for (var turn = 1; turn == 1 || another(turn); turn++)
            {
                TurnsStarted = turn;
                await SendTurnAsync(turn, ct);
                await WaitForIdlesAsync(turn, turnTimeout, ct);
                TurnsDone = turn;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Failure = $"{tag} ({SessionId}) turn {TurnsStarted}: {e.GetType().Name}: {e.Message}";
        }
    }

    private async Task SendTurnAsync(int turn, CancellationToken ct)
    {
        var text = ChaosModel.TurnText(tag, turn);
        var body = new JsonObject
        {
            ["events"] = new JsonArray(new JsonObject
            {
                ["type"] = "user.message",
                ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = text }),
            }),
        };
        var path = $"/v1/sessions/{SessionId}/events";
        FleetSlot? last = null;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var slot = api.Pick(last);
            last = slot;
            var attempt = await api.TryAsync(slot, HttpMethod.Post, path, body, ct);
            switch (attempt.Outcome)
            {
                case AttemptOutcome.Ok:
                    foreach (var e in attempt.Body!["data"]!.AsArray())
                    {
                        Acked.Add(new AckedEvent(e!["id"]!.GetValue<string>(), e["type"]!.GetValue<string>(), text, ReadBack: false));
                    }
                    return;
                case AttemptOutcome.Rejected:
                    throw new InvalidOperationException(attempt.Detail);
                case AttemptOutcome.Busy:
                    await Task.Delay(attempt.RetryAfter, ct);
                    break;
                case AttemptOutcome.Ambiguous:
                    // Let a commit the dead process sent settle, then look before sending again.
                    await Task.Delay(300, ct);
                    if (await FindLoggedAsync(text, ct) is { } logged)
                    {
                        Interlocked.Increment(ref api.Stats.AmbiguousCommitted);
                        Acked.Add(logged);
                        return;
                    }
                    Interlocked.Increment(ref api.Stats.AmbiguousResent);
                    break;
                default:
                    await Task.Delay(50 + Random.Shared.Next(100), ct);
                    break;
            }
            if (clock.Elapsed > TimeSpan.FromMinutes(3))
            {
                throw new TimeoutException($"POST {path} found no live API process for 3 minutes: {attempt.Detail}");
            }
        }
    }

    /// <summary>The user.message with <paramref name="text"/> if the log has it.</summary>
    private async Task<AckedEvent?> FindLoggedAsync(string text, CancellationToken ct)
    {
        var page = await api.GetAsync($"/v1/sessions/{SessionId}/events?types=user.message&limit=1000", ct);
        var found = page["data"]!.AsArray().FirstOrDefault(e => e?["content"]?[0]?["text"]?.GetValue<string>() == text);
        return found is null ? null : new AckedEvent(found["id"]!.GetValue<string>(), "user.message", text, ReadBack: true);
    }

    private async Task WaitForIdlesAsync(int count, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await Task.Delay(Random.Shared.Next(200, 600), ct);
        while (true)
        {
            var page = await api.GetAsync($"/v1/sessions/{SessionId}/events?types=session.status_idle&types=session.error&limit=1000", ct);
            var events = page["data"]!.AsArray();
            if (events.Count(e => (string?)e?["type"] == "session.status_idle") >= count)
            {
                return;
            }
            if (clock.Elapsed > timeout)
            {
                var errors = events.Where(e => (string?)e?["type"] == "session.error").Select(e => e!.ToJsonString());
                throw new TimeoutException($"turn {count} not idle after {timeout.TotalSeconds:0} s (stuck){string.Concat(errors.Select(e => "; " + e))}");
            }
            await Task.Delay(PollEvery, ct);
        }
    }
}
