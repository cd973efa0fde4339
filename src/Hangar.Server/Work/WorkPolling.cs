using Hangar.Contracts;
using Hangar.Storage;

namespace Hangar.Server.Work;

/// <summary>
/// A poll: claim now, or (with <c>block_ms</c>) wait for an enqueue and claim again until the
/// deadline. Waiting holds no thread and no database connection: it awaits the queue's
/// notification (in-process, or PostgreSQL LISTEN/NOTIFY from other processes).
/// </summary>
public static class WorkPolling
{
    public const int MaxBlockMs = 999;
    public const int DefaultReclaimOlderThanMs = 5000;

    /// <summary>Validates <c>block_ms</c> (1–999, or absent: non-blocking) and <c>reclaim_older_than_ms</c>.</summary>
    public static (TimeSpan Block, TimeSpan ReclaimOlderThan) ReadQuery(HttpRequest request)
    {
        var block = Integer(request, "block_ms", 1, MaxBlockMs,
            "block_ms: must be an integer from 1 to 999 milliseconds (omit it for a non-blocking poll).");
        var reclaim = Integer(request, "reclaim_older_than_ms", 0, 86_400_000,
            "reclaim_older_than_ms: must be a non-negative integer of milliseconds (at most one day).");
        return (TimeSpan.FromMilliseconds(block ?? 0), TimeSpan.FromMilliseconds(reclaim ?? DefaultReclaimOlderThanMs));
    }

    public static async Task<WorkItemRecord?> ClaimAsync(
        IWorkQueue queue, Func<WorkClaim> claim, TimeSpan block, TimeProvider time, CancellationToken ct)
    {
        if (block <= TimeSpan.Zero)
        {
            return await queue.ClaimAsync(claim(), ct);
        }
        // Subscribed before the first try, so an enqueue between the try and the wait still wakes us.
        using var wakeUps = queue.Subscribe(claim().EnvironmentId);
        var deadline = time.GetTimestamp() + (long)(block.TotalSeconds * time.TimestampFrequency);
        while (true)
        {
            if (await queue.ClaimAsync(claim(), ct) is { } item)
            {
                return item;
            }
            var left = time.GetElapsedTime(time.GetTimestamp(), deadline);
            if (left <= TimeSpan.Zero || !await wakeUps.WaitAsync(left, ct))
            {
                return null;
            }
        }
    }

    private static int? Integer(HttpRequest request, string name, int min, int max, string message)
    {
        var values = request.Query[name];
        if (values.Count == 0)
        {
            return null;
        }
        // Given twice, which one counts is ambiguous (and a poll that guessed would claim work): refuse.
        return values.Count == 1 && int.TryParse(values[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            && value >= min && value <= max
            ? value
            : throw new InvalidRequestException(message);
    }
}
