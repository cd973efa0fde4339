using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json.Nodes;

namespace Hangar.Cli;

/// <summary>
/// The HTTP client every client command shares: sends the headers the hosted API expects and
/// turns the API's error envelope into <see cref="ApiRequestException"/>.
/// </summary>
public sealed class ApiClient : IDisposable
{
    public const string Version = "2023-06-01";
    public const string Beta = "managed-agents-2026-04-01";

    private readonly HttpClient _http;

    public ApiClient(Uri baseUrl, string? apiKey)
    {
        // Streams stay open for as long as the user watches; individual calls are short.
        _http = new HttpClient { BaseAddress = baseUrl, Timeout = Timeout.InfiniteTimeSpan };
        if (!string.IsNullOrEmpty(apiKey))
        {
            _http.DefaultRequestHeaders.Add("x-api-key", apiKey);
        }
        _http.DefaultRequestHeaders.Add("anthropic-version", Version);
        _http.DefaultRequestHeaders.Add("anthropic-beta", Beta);
    }

    public Uri BaseUrl => _http.BaseAddress!;

    public Task<ApiResponse> GetAsync(string path, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, path), ct);

    public Task<ApiResponse> PostAsync(string path, JsonNode body, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        }, ct);

    /// <summary>
    /// Connects to an SSE route and returns once the response headers arrived, i.e. once the
    /// server is following the log: events appended after this point will be delivered.
    /// </summary>
    public async Task<EventStream> OpenStreamAsync(string path, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw await ApiRequestException.FromResponseAsync(response, ct);
            }
        }
        return new EventStream(response);
    }

    private async Task<ApiResponse> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        using (var response = await _http.SendAsync(request, ct))
        {
            if (!response.IsSuccessStatusCode)
            {
                throw await ApiRequestException.FromResponseAsync(response, ct);
            }
            return new ApiResponse(await response.Content.ReadAsStringAsync(ct));
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A successful response body; <see cref="Json"/> parses it on demand.</summary>
public sealed record ApiResponse(string Body)
{
    public JsonNode Json => JsonNode.Parse(Body) ?? throw new InvalidDataException("The server returned an empty body.");
}

/// <summary>An open SSE response. Frames are yielded as they arrive, pings included.</summary>
public sealed class EventStream(HttpResponseMessage response) : IAsyncDisposable
{
    public async IAsyncEnumerable<SseItem<string>> ReadAsync(
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        await foreach (var item in SseParser.Create(body).EnumerateAsync(ct))
        {
            yield return item;
        }
    }

    public ValueTask DisposeAsync()
    {
        response.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>The server answered with an error: its <c>error.type</c> and message, or the bare status.</summary>
public sealed class ApiRequestException(int status, string errorType, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string ErrorType { get; } = errorType;

    public static async Task<ApiRequestException> FromResponseAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync(ct);
        try
        {
            if (JsonNode.Parse(body)?["error"] is JsonObject error)
            {
                return new ApiRequestException(status,
                    error["type"]?.GetValue<string>() ?? "error",
                    error["message"]?.GetValue<string>() ?? body);
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not the API's envelope (a proxy's page, say): report the raw body below.
        }
        var text = string.IsNullOrWhiteSpace(body) ? response.ReasonPhrase ?? "no body" : body.Trim();
        return new ApiRequestException(status, $"http_{status}", text);
    }
}
