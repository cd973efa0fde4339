using System.Text;

namespace Hangar.Chaos;

/// <summary>One complete SSE frame with an id (pings have none).</summary>
public sealed record SseFrame(string Id, string Type);

/// <summary>
/// A client following one session's <c>GET /v1/sessions/{id}/events/stream</c>: whenever the
/// connection ends (its API process was killed, or the client hangs up by itself every few
/// seconds) it connects to another live process with <c>Last-Event-ID</c> set to the last
/// complete frame it read. What it saw must be the session's log, each event once, in order.
/// </summary>
public sealed class SseWatcher(ApiPool api, string sessionId, int seed)
{
    private readonly List<SseFrame> _seen = [];
    private readonly Random _random = new(seed);
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _connectedOnce;

    public string SessionId => sessionId;

    /// <summary>Set once the first stream answered 200: from then on no event can slip past this client.</summary>
    public Task Connected => _connected.Task;

    /// <summary>Connections after the first.</summary>
    public int Reconnects { get; private set; }

    /// <summary>Reconnects because the client hung up by itself.</summary>
    public int Voluntary { get; private set; }

    /// <summary>Reconnects because the stream broke (its process died).</summary>
    public int Dropped { get; private set; }

    /// <summary>
    /// The stream broke before the client had read any event, so it resumed without
    /// <c>Last-Event-ID</c> (from the log's end): its frames are then a suffix of the log.
    /// </summary>
    public bool LateStart { get; private set; }

    /// <summary>Answers other than 200 and 503/529 (defects).</summary>
    public List<string> Errors { get; } = [];

    public IReadOnlyList<SseFrame> Seen
    {
        get
        {
            lock (_seen)
            {
                return [.. _seen];
            }
        }
    }

    public string? LastId
    {
        get
        {
            lock (_seen)
            {
                return _seen.Count > 0 ? _seen[^1].Id : null;
            }
        }
    }

    public async Task RunAsync(CancellationToken ct)
    {
        FleetSlot? last = null;
        while (!ct.IsCancellationRequested)
        {
            var slot = api.Pick(last);
            last = slot;
            using var hangUp = CancellationTokenSource.CreateLinkedTokenSource(ct);
            hangUp.CancelAfter(TimeSpan.FromMilliseconds(_random.Next(2000, 8000)));
            var voluntary = false;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/sessions/{sessionId}/events/stream");
                var resumeAfter = LastId;
                if (resumeAfter is not null)
                {
                    request.Headers.Add("Last-Event-ID", resumeAfter);
                }
                else if (_connectedOnce)
                {
                    LateStart = true;
                }
                using var response = await api.ClientFor(slot, stream: true).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, hangUp.Token);
                if (!response.IsSuccessStatusCode)
                {
                    var status = (int)response.StatusCode;
                    if (status is not (503 or 529 or 429))
                    {
                        Errors.Add($"GET stream on api slot {slot.Index} → {status}: {await response.Content.ReadAsStringAsync(ct)}");
                    }
                    await Task.Delay(500, ct);
                    continue;
                }
                _connectedOnce = true;
                _connected.TrySetResult();
                await using var body = await response.Content.ReadAsStreamAsync(hangUp.Token);
                await ReadFramesAsync(body, hangUp.Token);
            }
            catch (OperationCanceledException) when (hangUp.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                voluntary = true;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                // The process went away (refused, reset, or ended mid-frame), or the hang-up surfaced as an I/O error.
                voluntary = hangUp.IsCancellationRequested;
                await Task.Delay(50, CancellationToken.None);
            }
            if (ct.IsCancellationRequested)
            {
                return;
            }
            if (_connectedOnce)
            {
                Reconnects++;
                if (voluntary)
                {
                    Voluntary++;
                }
                else
                {
                    Dropped++;
                }
            }
        }
    }

    /// <summary>Reads frames until the stream ends; only frames completed by their blank line count.</summary>
    private async Task ReadFramesAsync(Stream body, CancellationToken ct)
    {
        using var reader = new StreamReader(body, Encoding.UTF8);
        string? type = null, id = null;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                if (id is not null && type is not null && type != "ping")
                {
                    lock (_seen)
                    {
                        _seen.Add(new SseFrame(id, type));
                    }
                }
                type = id = null;
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                type = line["event:".Length..].Trim();
            }
            else if (line.StartsWith("id:", StringComparison.Ordinal))
            {
                id = line["id:".Length..].Trim();
            }
        }
    }
}
