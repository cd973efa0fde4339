using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Hangar.Chaos;

/// <summary>What clients went through: retries, ambiguous writes, server errors.</summary>
public sealed class ClientStats
{
    public int Requests;
    public int Refused;
    public int Busy;
    public int Ambiguous;
    public int AmbiguousCommitted;
    public int AmbiguousResent;

    /// <summary>5xx answers other than 503/529 (defects): what was asked and what came back.</summary>
    public ConcurrentQueue<string> ServerErrors { get; } = new();
}

/// <summary>How one attempt at one API process ended.</summary>
public enum AttemptOutcome
{
    /// <summary>2xx: <see cref="Attempt.Body"/> is the answer.</summary>
    Ok,

    /// <summary>Nothing reached the process (connection refused): safe to send again.</summary>
    Refused,

    /// <summary>503/529/429 with retry-after: the process said no; send again after the delay.</summary>
    Busy,

    /// <summary>The connection broke or timed out after the request may have been received, or a 500: it may or may not have been applied.</summary>
    Ambiguous,

    /// <summary>4xx: the request itself is wrong; sending it again will not help.</summary>
    Rejected,
}

public sealed record Attempt(AttemptOutcome Outcome, JsonNode? Body, string Detail, TimeSpan RetryAfter);

/// <summary>
/// The clients' view of the API: a fixed list of processes (one address per slot); each request
/// goes to a random live one and, when that one is down (refused, reset) or busy (503/529 with
/// retry-after), to another. Writes whose fate is unknown are the caller's to resolve.
/// </summary>
public sealed class ApiPool(Fleet fleet, string apiKey, ClientStats stats) : IDisposable
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(3);
    private readonly ConcurrentDictionary<(int Slot, int Port, bool Stream), HttpClient> _clients = new();

    public ClientStats Stats => stats;

    /// <summary>A random API slot whose process is up (any slot while none is), avoiding <paramref name="avoid"/> when there is a choice.</summary>
    public FleetSlot Pick(FleetSlot? avoid = null)
    {
        var live = fleet.ApiSlots.Where(s => s.Current is { Ready: true, Killed: false }).ToList();
        var choices = live.Count > 1 && avoid is not null ? live.Where(s => s != avoid).ToList() : live;
        return choices.Count > 0 ? choices[Random.Shared.Next(choices.Count)] : fleet.ApiSlots[Random.Shared.Next(fleet.ApiSlots.Count)];
    }

    /// <summary>The client for a slot's current address; <paramref name="stream"/>: no timeout (SSE).</summary>
    public HttpClient ClientFor(FleetSlot slot, bool stream = false) => _clients.GetOrAdd((slot.Index, slot.Port, stream), key =>
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromSeconds(30),
        };
        var http = new HttpClient(handler)
        {
            BaseAddress = new Uri($"http://127.0.0.1:{key.Port}"),
            Timeout = stream ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(30),
        };
        http.DefaultRequestHeaders.Add("x-api-key", apiKey);
        http.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        http.DefaultRequestHeaders.Add("anthropic-beta", "managed-agents-2026-04-01");
        return http;
    });

    /// <summary>One request to one process, classified.</summary>
    public async Task<Attempt> TryAsync(FleetSlot slot, HttpMethod method, string path, JsonNode? body, CancellationToken ct)
    {
        Interlocked.Increment(ref stats.Requests);
        try
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = JsonContent.Create(body);
            }
            using var response = await ClientFor(slot).SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return new Attempt(AttemptOutcome.Ok, JsonNode.Parse(text), "", TimeSpan.Zero);
            }
            var detail = $"{method} {path} on api slot {slot.Index} → {status}: {text}";
            if (status is 503 or 529 or 429)
            {
                Interlocked.Increment(ref stats.Busy);
                var after = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                return new Attempt(AttemptOutcome.Busy, null, detail, after > TimeSpan.FromSeconds(5) ? TimeSpan.FromSeconds(5) : after);
            }
            if (status >= 500)
            {
                stats.ServerErrors.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {detail} (request-id {response.Headers.GetValues("request-id").FirstOrDefault()})");
                return new Attempt(AttemptOutcome.Ambiguous, null, detail, TimeSpan.Zero);
            }
            return new Attempt(AttemptOutcome.Rejected, null, detail, TimeSpan.Zero);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused } || e.HttpRequestError == HttpRequestError.ConnectionError && e.InnerException is SocketException)
        {
            Interlocked.Increment(ref stats.Refused);
            return new Attempt(AttemptOutcome.Refused, null, e.Message, TimeSpan.Zero);
        }
        catch (Exception e) when (e is HttpRequestException or IOException || e is TaskCanceledException && !ct.IsCancellationRequested)
        {
            Interlocked.Increment(ref stats.Ambiguous);
            return new Attempt(AttemptOutcome.Ambiguous, null, $"{method} {path} on api slot {slot.Index}: {e.GetType().Name}: {e.Message}", TimeSpan.Zero);
        }
    }

    /// <summary>
    /// Sends until a process answers 2xx, moving to another on every failure; ambiguous failures
    /// are retried too, so use it for reads and for writes whose repetition is harmless.
    /// </summary>
    public async Task<JsonNode> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken ct)
    {
        var started = DateTime.UtcNow;
        FleetSlot? last = null;
        while (true)
        {
            var slot = Pick(last);
            last = slot;
            var attempt = await TryAsync(slot, method, path, body, ct);
            switch (attempt.Outcome)
            {
                case AttemptOutcome.Ok:
                    return attempt.Body!;
                case AttemptOutcome.Rejected:
                    throw new InvalidOperationException(attempt.Detail);
            }
            if (DateTime.UtcNow - started > GiveUpAfter)
            {
                throw new TimeoutException($"No API process answered within {GiveUpAfter}: {attempt.Detail}");
            }
            await Task.Delay(attempt.Outcome == AttemptOutcome.Busy ? attempt.RetryAfter : TimeSpan.FromMilliseconds(50 + Random.Shared.Next(100)), ct);
        }
    }

    public Task<JsonNode> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }
}
