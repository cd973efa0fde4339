using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Hangar.Testing;

namespace Hangar.Cli.Tests;

/// <summary><c>hangar serve</c> as a separate process on a free port, ready to take requests.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private RunningServer(HangarProcess process, Uri url)
    {
        Process = process;
        Url = url;
    }

    public HangarProcess Process { get; }
    public Uri Url { get; }

    /// <summary>
    /// Starts the server with <paramref name="storeArgs"/> (<c>--data DIR</c> or <c>--database CS</c>)
    /// and waits until <c>GET /v1/sessions</c> answers, authenticated with <paramref name="probeKey"/>.
    /// API-only (<c>--no-workers</c>) unless <paramref name="workers"/>; <paramref name="env"/> adds
    /// variables (e.g. the model's base URL for the in-process workers).
    /// </summary>
    public static async Task<RunningServer> StartAsync(
        string[] storeArgs, string probeKey, string? bootstrapKey = null, bool workers = false, IReadOnlyDictionary<string, string?>? env = null)
    {
        var variables = new Dictionary<string, string?>(env ?? new Dictionary<string, string?>()) { ["HANGAR_API_KEY"] = bootstrapKey };
        string[] mode = workers ? [] : ["--no-workers"];
        var process = HangarProcess.Start(["serve", "--port", "0", .. mode, .. storeArgs], variables);
        try
        {
            var match = await process.WaitForOutputAsync(@"Hangar listening on (http://\S+)", StartTimeout);
            var server = new RunningServer(process, new Uri(match.Groups[1].Value));
            await server.WaitUntilReadyAsync(probeKey);
            return server;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public HttpClient Client(string apiKey)
    {
        var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("x-api-key", apiKey);
        http.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        http.DefaultRequestHeaders.Add("anthropic-beta", "managed-agents-2026-04-01");
        return http;
    }

    private async Task WaitUntilReadyAsync(string key)
    {
        using var http = Client(key);
        var deadline = DateTime.UtcNow + StartTimeout;
        var last = "no answer";
        while (DateTime.UtcNow < deadline && !Process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync("/v1/sessions?limit=1");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The server at {Url} never answered GET /v1/sessions with 200 (last: {last}).\n{Process.Transcript}");
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}

/// <summary>Tiny JSON-over-HTTP calls for test setup; failures carry the server's answer.</summary>
public static class Api
{
    public static async Task<JsonNode> PostAsync(this HttpClient http, string path, JsonNode body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        return await ReadAsync(response, $"POST {path}");
    }

    public static async Task<JsonNode> GetJsonAsync(this HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        return await ReadAsync(response, $"GET {path}");
    }

    /// <summary>Creates an agent, an environment and a session; returns their ids.</summary>
    public static async Task<(string Agent, string Environment, string Session)> CreateSessionAsync(this HttpClient http, string name)
    {
        var agent = (await http.PostAsync("/v1/agents", new JsonObject { ["name"] = name, ["model"] = "claude-sonnet-4-5" }))["id"]!.GetValue<string>();
        var environment = (await http.PostAsync("/v1/environments", new JsonObject { ["name"] = name }))["id"]!.GetValue<string>();
        var session = (await http.PostAsync("/v1/sessions", new JsonObject { ["agent"] = agent, ["environment_id"] = environment }))["id"]!.GetValue<string>();
        return (agent, environment, session);
    }

    public static JsonObject UserMessages(params string[] texts) => new()
    {
        ["events"] = new JsonArray(texts.Select(text => (JsonNode)new JsonObject
        {
            ["type"] = "user.message",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = text }),
        }).ToArray()),
    };

    private static async Task<JsonNode> ReadAsync(HttpResponseMessage response, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{what} → {(int)response.StatusCode}: {body}", null, response.StatusCode);
        }
        return JsonNode.Parse(body)!;
    }
}
