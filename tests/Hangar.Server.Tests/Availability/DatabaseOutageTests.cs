using System.Net;
using System.Text.Json.Nodes;
using Hangar.Storage;
using Hangar.Testing;

namespace Hangar.Server.Tests.Availability;

/// <summary>
/// A request that meets a database that is down (a real PostgreSQL stopped under a running
/// server) is told to retry — 529 <c>overloaded_error</c> with <c>retry-after</c>, api.md §2 —
/// never a 500 that reads like a bug; once the database is back, the same request succeeds.
/// </summary>
public sealed class DatabaseOutageTests(OwnPostgresCluster own) : IClassFixture<OwnPostgresCluster>
{
    [Fact]
    public async Task A_request_during_a_database_outage_answers_529_overloaded_with_retry_after()
    {
        var cluster = own.Cluster;
        var key = ApiKeys.Generate();
        var app = await HangarServer.BuildAsync(new HangarServerOptions
        {
            Port = 0,
            Store = new StoreOptions(ConnectionString: await cluster.CreateDatabaseAsync()),
            BootstrapApiKey = key,
            RunWorkers = false,
        }, CancellationToken.None);
        await app.StartAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = ServerAddresses.Of(app), Timeout = TimeSpan.FromSeconds(60) };
            client.DefaultRequestHeaders.Add("x-api-key", key);
            using (var before = await client.GetAsync("/v1/agents"))
            {
                Assert.Equal(HttpStatusCode.OK, before.StatusCode);
            }

            await cluster.StopServerAsync();
            using var response = await client.GetAsync("/v1/agents");

            var text = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode == 529, $"{(int)response.StatusCode} {text}");
            Assert.Equal("2", response.Headers.GetValues("retry-after").Single());
            Assert.Equal("true", response.Headers.GetValues("x-should-retry").Single());
            var requestId = response.Headers.GetValues("request-id").Single();
            var envelope = Assert.IsType<JsonObject>(JsonNode.Parse(text));
            Assert.Equal("error", (string?)envelope["type"]);
            Assert.Equal("overloaded_error", (string?)envelope["error"]!["type"]);
            Assert.Contains("retry", (string?)envelope["error"]!["message"]);
            Assert.Equal(requestId, (string?)envelope["request_id"]);

            // Back up: a client that retries (as the SDKs do on 529) gets its answer. Connections
            // pooled before the restart fail once each (529 again) before fresh ones are opened.
            await cluster.StartServerAsync();
            var statuses = new List<int>();
            for (var attempt = 0; attempt < 30 && statuses.LastOrDefault() != 200; attempt++)
            {
                using var retry = await client.GetAsync("/v1/agents");
                statuses.Add((int)retry.StatusCode);
            }
            Assert.Equal(200, statuses[^1]);
            Assert.All(statuses[..^1], s => Assert.Equal(529, s));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
