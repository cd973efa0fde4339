using System.Text.Json;
using Hangar.Conformance.Tests.Hosting;

namespace Hangar.Conformance.Tests;

/// <summary>Checklist items 4–9 (api.md §18), checked on the raw JSON a client library parses.</summary>
[Collection(HangarCollection.Name)]
public sealed class WireShapeTests(HangarServers servers)
{
    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task Every_list_response_has_next_page_null_on_the_last_page_and_sessions_add_prev_page(StoreKind store)
    {
        var ct = Timeouts.Test();
        var hangar = await servers.For(store);
        var session = await hangar.Client().FreshSessionAsync(ct);
        using var http = hangar.Raw();
        var agentId = session.Agent.ID;

        var lists = new Dictionary<string, RawResponse>
        {
            ["agents"] = await http.GetJsonAsync("/v1/agents?limit=100", ct),
            ["versions"] = await http.GetJsonAsync($"/v1/agents/{agentId}/versions", ct),
            ["environments"] = await http.GetJsonAsync("/v1/environments?limit=100", ct),
            ["sessions"] = await http.GetJsonAsync($"/v1/sessions?agent_id={agentId}", ct),
            ["events"] = await http.GetJsonAsync($"/v1/sessions/{session.ID}/events", ct),
            ["resources"] = await http.GetJsonAsync($"/v1/sessions/{session.ID}/resources", ct),
            ["files"] = await http.GetJsonAsync("/v1/files?limit=1000", ct),
        };
        var moreThanOnePage = await http.GetJsonAsync("/v1/agents?limit=1", ct);

        Assert.All(lists, pair =>
        {
            Assert.True(pair.Value.Status == 200, $"{pair.Key}: status {pair.Value.Status}");
            Assert.Equal(JsonValueKind.Array, pair.Value.Body.Required("data").ValueKind);
            Assert.True(pair.Value.Body.Required("next_page").ValueKind == JsonValueKind.Null, $"{pair.Key}: next_page should be null on the last page");
        });
        Assert.True(lists["sessions"].Body.Required("prev_page").ValueKind is JsonValueKind.Null or JsonValueKind.String);
        Assert.Equal(JsonValueKind.String, moreThanOnePage.Body.Required("next_page").ValueKind);
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task Array_query_parameters_work_with_brackets_and_as_repeated_names(StoreKind store)
    {
        var ct = Timeouts.Test();
        var hangar = await servers.For(store);
        var session = await hangar.Client().FreshSessionAsync(ct);
        await hangar.Client().Beta.Sessions.Events.Send(session.ID, Messages.Send("hi"), ct);
        using var http = hangar.Raw();
        var byAgent = $"/v1/sessions?agent_id={session.Agent.ID}";

        int Count(RawResponse r) => r.Status == 200 ? r.Body.Required("data").GetArrayLength() : -r.Status;
        Assert.Equal(1, Count(await http.GetJsonAsync($"{byAgent}&statuses[]=idle", ct)));
        Assert.Equal(1, Count(await http.GetJsonAsync($"{byAgent}&statuses%5B%5D=idle&statuses%5B%5D=running", ct)));
        Assert.Equal(1, Count(await http.GetJsonAsync($"{byAgent}&statuses=idle&statuses=running", ct)));
        Assert.Equal(0, Count(await http.GetJsonAsync($"{byAgent}&statuses[]=terminated", ct)));
        Assert.Equal(0, Count(await http.GetJsonAsync($"{byAgent}&statuses=terminated", ct)));
        var events = $"/v1/sessions/{session.ID}/events";
        Assert.Equal(1, Count(await http.GetJsonAsync($"{events}?types[]=user.message", ct)));
        Assert.Equal(1, Count(await http.GetJsonAsync($"{events}?types=user.message", ct)));
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task An_agent_model_is_always_an_object_with_effort_as_an_object(StoreKind store)
    {
        var ct = Timeouts.Test();
        using var http = (await servers.For(store)).Raw();

        var plain = await http.PostJsonAsync("/v1/agents", "{\"name\":\"plain\",\"model\":\"claude-sonnet-4-6\"}", ct);
        var tuned = await http.PostJsonAsync("/v1/agents", "{\"name\":\"tuned\",\"model\":{\"id\":\"claude-opus-4-6\",\"effort\":\"high\"}}", ct);
        var fetched = await http.GetJsonAsync($"/v1/agents/{tuned.Body.Required("id").GetString()}", ct);

        Assert.Equal("claude-sonnet-4-6", plain.Body.Required("model").Required("id").GetString());
        var model = fetched.Body.Required("model");
        Assert.Equal(JsonValueKind.Object, model.ValueKind);
        Assert.Equal("high", model.Required("effort").Required("type").GetString());
        foreach (var key in new[] { "description", "system", "tools", "mcp_servers", "skills", "metadata", "created_at", "updated_at", "archived_at", "version" })
        {
            fetched.Body.Required(key);
        }
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task An_environment_has_all_six_package_arrays_and_every_limited_networking_field(StoreKind store)
    {
        var ct = Timeouts.Test();
        using var http = (await servers.For(store)).Raw();
        const string cloudConfig = """
            {"type":"cloud",
             "networking":{"type":"limited","allowed_hosts":["api.example.com"],"allow_package_managers":true},
             "packages":{"pip":["pandas==2.2.0"]}}
            """;
        var body = $"{{\"name\":\"{Arrange.Name("env")}\",\"config\":{cloudConfig}}}";

        var created = await http.PostJsonAsync("/v1/environments", body, ct);
        var fetched = await http.GetJsonAsync($"/v1/environments/{created.Body.Required("id").GetString()}", ct);

        var config = fetched.Body.Required("config");
        var packages = config.Required("packages");
        foreach (var manager in new[] { "apt", "cargo", "gem", "go", "npm", "pip" })
        {
            Assert.Equal(JsonValueKind.Array, packages.Required(manager).ValueKind);
        }
        var networking = config.Required("networking");
        Assert.Equal("limited", networking.Required("type").GetString());
        Assert.Equal(JsonValueKind.Array, networking.Required("allowed_hosts").ValueKind);
        Assert.False(networking.Required("allow_mcp_servers").GetBoolean());
        Assert.True(networking.Required("allow_package_managers").GetBoolean());
        Assert.Equal(JsonValueKind.Null, fetched.Body.Required("description").ValueKind);
        Assert.Equal(JsonValueKind.Null, fetched.Body.Required("archived_at").ValueKind);
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task A_session_always_has_its_collections_usage_stats_and_explicit_nulls(StoreKind store)
    {
        var ct = Timeouts.Test();
        var hangar = await servers.For(store);
        var session = await hangar.Client().FreshSessionAsync(ct);
        using var http = hangar.Raw();

        var body = (await http.GetJsonAsync($"/v1/sessions/{session.ID}", ct)).Body;

        Assert.Equal(JsonValueKind.Object, body.Required("usage").ValueKind);
        Assert.Equal(JsonValueKind.Object, body.Required("stats").ValueKind);
        Assert.Equal(JsonValueKind.Object, body.Required("metadata").ValueKind);
        Assert.Equal(JsonValueKind.Object, body.Required("agent").ValueKind);
        foreach (var array in new[] { "outcome_evaluations", "resources", "vault_ids" })
        {
            Assert.Equal(JsonValueKind.Array, body.Required(array).ValueKind);
        }
        foreach (var nullable in new[] { "budget", "title", "archived_at" })
        {
            Assert.Equal(JsonValueKind.Null, body.Required(nullable).ValueKind);
        }
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task Events_carry_event_ids_and_only_queued_user_events_may_lack_processed_at(StoreKind store)
    {
        var ct = Timeouts.Test();
        var hangar = await servers.For(store);
        var session = await hangar.Client().FreshSessionAsync(ct);
        using var http = hangar.Raw();

        var sent = await http.PostJsonAsync(
            $"/v1/sessions/{session.ID}/events",
            "{\"events\":[{\"type\":\"user.message\",\"content\":[{\"type\":\"text\",\"text\":\"Where is my order #1234?\"}]}]}",
            ct);
        var listed = await http.GetJsonAsync($"/v1/sessions/{session.ID}/events?limit=1000", ct);

        Assert.Equal(200, sent.Status);
        var echoed = Assert.Single(sent.Body.Required("data").EnumerateArray());
        Assert.Equal("user.message", echoed.Required("type").GetString());
        Assert.All(listed.Body.Required("data").EnumerateArray(), e =>
        {
            var type = e.Required("type").GetString()!;
            Assert.StartsWith("sevt_", e.Required("id").GetString());
            Assert.False(e.TryGetProperty("created_at", out _), "events have processed_at, not created_at");
            var mustBeProcessed = !(type.StartsWith("user.", StringComparison.Ordinal) && type != "user.define_outcome")
                && type != "system.message";
            if (mustBeProcessed)
            {
                Assert.Equal(JsonValueKind.String, e.Required("processed_at").ValueKind);
            }
        });
    }
}
