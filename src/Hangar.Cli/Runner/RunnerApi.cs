using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Hangar.Cli.Runner;

/// <summary>
/// The runner's HTTP calls, each made with one bearer credential: the environment key (poll, ack) or an
/// item's sessions token (heartbeat, stop, the session's events). Errors become <see cref="ApiRequestException"/>.
/// </summary>
public sealed class RunnerApi : IDisposable
{
    private readonly HttpClient http;

    public RunnerApi(Uri baseUrl, string credential, string workerId)
    {
        // Polls block up to a second; the rest are short. A hung connection must not hold a lease forever.
        http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        http.DefaultRequestHeaders.Add("anthropic-version", ApiClient.Version);
        http.DefaultRequestHeaders.Add("anthropic-beta", ApiClient.Beta);
        http.DefaultRequestHeaders.Add("Anthropic-Worker-ID", workerId);
    }

    /// <summary>Claims an item (long-polls up to a second); null when the queue had none.</summary>
    public async Task<JsonObject?> PollAsync(string environmentId, CancellationToken ct) =>
        await SendAsync(HttpMethod.Get, $"/v1/environments/{environmentId}/work/poll?block_ms=999", null, ct) as JsonObject;

    public Task AckAsync(string environmentId, string workId, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"/v1/environments/{environmentId}/work/{workId}/ack", null, ct);

    public async Task<JsonObject> HeartbeatAsync(string environmentId, string workId, string? lastHeartbeat, int? desiredTtl, CancellationToken ct)
    {
        var path = $"/v1/environments/{environmentId}/work/{workId}/heartbeat?expected_last_heartbeat="
            + Uri.EscapeDataString(lastHeartbeat ?? "NO_HEARTBEAT")
            + (desiredTtl is { } ttl ? $"&desired_ttl_seconds={ttl}" : "");
        return await SendAsync(HttpMethod.Post, path, null, ct) as JsonObject
            ?? throw new InvalidDataException("The heartbeat answer was empty.");
    }

    public Task StopAsync(string environmentId, string workId, bool force, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"/v1/environments/{environmentId}/work/{workId}/stop", new JsonObject { ["force"] = force }, ct);

    /// <summary>Every event of the session so far, oldest first (all pages).</summary>
    public async Task<List<JsonObject>> EventsAsync(string sessionId, CancellationToken ct)
    {
        var events = new List<JsonObject>();
        string? page = null;
        do
        {
            var path = $"/v1/sessions/{sessionId}/events?limit=1000" + (page is null ? "" : "&page=" + Uri.EscapeDataString(page));
            var answer = await SendAsync(HttpMethod.Get, path, null, ct);
            events.AddRange(answer?["data"]?.AsArray().OfType<JsonObject>() ?? []);
            page = (string?)answer?["next_page"];
        }
        while (page is not null);
        return events;
    }

    /// <summary>
    /// Opens the session's SSE stream; returns once the headers arrived, i.e. the server follows the log and
    /// every event appended from now on will come through it (the stream never replays older ones).
    /// </summary>
    public async Task<EventStream> OpenStreamAsync(string sessionId, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/sessions/{sessionId}/events/stream");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        // Only sending is bounded by the client's timeout; reading the body afterwards is not.
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await ApiRequestException.FromResponseAsync(response, ct);
            }
        }
        return new EventStream(response);
    }

    public Task PostEventAsync(string sessionId, JsonObject @event, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, $"/v1/sessions/{sessionId}/events", new JsonObject { ["events"] = new JsonArray(@event) }, ct);

    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw await ApiRequestException.FromResponseAsync(response, ct);
        }
        var text = await response.Content.ReadAsStringAsync(ct);
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    /// <summary>
    /// 4xx answers other than 408/409/429 will not get better by retrying (the SDK workers treat them as fatal):
    /// a revoked key, a wrong environment, an item that is gone.
    /// </summary>
    public static bool IsFatal(ApiRequestException e) =>
        e.Status is >= 400 and < 500 and not (408 or 409 or 429);

    public void Dispose() => http.Dispose();
}
