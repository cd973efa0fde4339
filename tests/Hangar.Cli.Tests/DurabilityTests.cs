using System.Text.Json.Nodes;
using Hangar.Testing;
using Xunit;

namespace Hangar.Cli.Tests;

/// <summary>
/// An event the server acknowledged is on disk: SIGKILL the server (no graceful shutdown),
/// restart it on the same store, and every acknowledged event is listed, in order, same ids.
/// </summary>
public sealed class DurabilityTests
{
    private const int BatchSize = 3;

    [Fact]
    public async Task Acknowledged_events_survive_SIGKILL_of_a_SQLite_server()
    {
        using var data = new TempDirectory();
        await AssertAcknowledgedEventsSurviveKillAsync(["--data", data.Path]);
    }

    [Fact]
    public async Task Acknowledged_events_survive_SIGKILL_of_a_PostgreSQL_server()
    {
        var cluster = await PostgresCluster.SharedAsync();
        var database = await cluster.CreateDatabaseAsync();
        await AssertAcknowledgedEventsSurviveKillAsync(["--database", database]);
    }

    private static async Task AssertAcknowledgedEventsSurviveKillAsync(string[] storeArgs)
    {
        var key = "hgr_durability_" + Guid.NewGuid().ToString("N");
        var acknowledged = new List<(string Id, string Text)>();
        string session;
        string? inFlight = null;

        await using (var server = await RunningServer.StartAsync(storeArgs, key, bootstrapKey: key))
        {
            using var http = server.Client(key);
            (_, _, session) = await http.CreateSessionAsync("durability");

            for (var batch = 0; batch < 5; batch++)
            {
                acknowledged.AddRange(await PostBatchAsync(http, session, batch));
            }

            // Keep writing while the process dies, so the kill lands between or during appends.
            using var writerHttp = server.Client(key);
            var writer = Task.Run(async () =>
            {
                for (var batch = 5; batch < 10_000; batch++)
                {
                    inFlight = $"b{batch}";
                    try
                    {
                        var stored = await PostBatchAsync(writerHttp, session, batch);
                        lock (acknowledged)
                        {
                            acknowledged.AddRange(stored);
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                    {
                        return;
                    }
                }
            });
            await Task.Delay(300);
            await server.Process.KillHardAsync();
            await writer;
        }

        await using (var restarted = await RunningServer.StartAsync(storeArgs, key, bootstrapKey: key))
        {
            using var http = restarted.Client(key);
            var listed = (await ListUserMessagesAsync(http, session)).ToList();

            List<(string Id, string Text)> acked;
            lock (acknowledged)
            {
                acked = [.. acknowledged];
            }
            Assert.True(acked.Count >= 5 * BatchSize);
            Assert.True(listed.Count >= acked.Count, $"{acked.Count} acknowledged but {listed.Count} listed after restart");
            Assert.Equal(acked, listed.Take(acked.Count));

            // Beyond the acknowledged events only the batch in flight at the kill may appear, and
            // only whole: an append is all or nothing.
            var extra = listed.Skip(acked.Count).ToList();
            Assert.True(extra.Count is 0 or BatchSize, $"a partial batch survived: {string.Join(", ", extra)}");
            Assert.All(extra, e => Assert.StartsWith(inFlight + "e", e.Text));
        }
    }

    private static async Task<List<(string Id, string Text)>> PostBatchAsync(HttpClient http, string session, int batch)
    {
        var texts = Enumerable.Range(0, BatchSize).Select(i => $"b{batch}e{i}").ToArray();
        var response = await http.PostAsync($"/v1/sessions/{session}/events", Api.UserMessages(texts));
        var stored = response["data"]!.AsArray().Select(e => (e!["id"]!.GetValue<string>(), TextOf(e))).ToList();
        Assert.Equal(texts, stored.Select(s => s.Item2));
        return stored;
    }

    private static async Task<IEnumerable<(string Id, string Text)>> ListUserMessagesAsync(HttpClient http, string session)
    {
        var events = new List<JsonNode>();
        string? page = null;
        for (var pages = 0; pages < 100; pages++)
        {
            var query = $"/v1/sessions/{session}/events?limit=1000" + (page is null ? "" : $"&page={Uri.EscapeDataString(page)}");
            var response = await http.GetJsonAsync(query);
            events.AddRange(response["data"]!.AsArray().Select(e => e!));
            page = response["next_page"]?.GetValue<string>();
            if (string.IsNullOrEmpty(page))
            {
                break;
            }
        }
        return events
            .Where(e => e["type"]!.GetValue<string>() == "user.message")
            .Select(e => (e["id"]!.GetValue<string>(), TextOf(e)));
    }

    private static string TextOf(JsonNode ev) => ev["content"]![0]!["text"]!.GetValue<string>();
}
