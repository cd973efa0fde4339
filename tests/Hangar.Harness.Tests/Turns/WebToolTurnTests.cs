using System.Net;
using System.Text.Json.Nodes;
using Hangar.FakeModel;
using Hangar.Sandbox.Network;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Hangar.Harness.Tests.Turns;

/// <summary>web_fetch and web_search run on the host, through a real session with the fake model.</summary>
public sealed class WebToolTurnTests
{
    [Fact]
    public async Task The_model_fetches_a_loopback_page_and_gets_its_text_and_web_search_says_it_is_not_configured()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var site = builder.Build();
        site.MapGet("/", () => Results.Content("<html><head><title>Docs</title><script>hidden()</script></head><body><p>The answer is 42.</p></body></html>", "text/html"));
        await site.StartAsync();
        var url = site.Urls.Single() + "/";

        using var fetcher = new HttpWebFetcher(new WebFetchOptions { AllowPrivateEgress = true });
        await using var host = await HarnessHost.StartAsync(configure: s => s with { WebFetcher = fetcher });
        host.Model.Enqueue(FakeReply.ToolUse("web_fetch", new { url }));
        host.Model.Enqueue(FakeReply.ToolUse("web_search", new { query = "hangar" }));
        host.Model.Enqueue(FakeReply.Text("It says 42."));
        var session = await host.CreateSessionAsync();

        await host.SendTextAsync(session, "what does the page say?");
        var events = await host.WaitForIdleAsync(session);

        var results = events.Where(e => Events.TypeOf(e) == "agent.tool_result").ToList();
        Assert.Equal(2, results.Count);
        var fetched = results[0]["content"]!.ToJsonString();
        Assert.False((bool?)results[0]["is_error"] ?? false, fetched);
        Assert.Contains("The answer is 42.", fetched);
        Assert.DoesNotContain("hidden()", fetched);
        Assert.True((bool?)results[1]["is_error"]);
        Assert.Contains("web_search is not configured on this Hangar server", results[1]["content"]!.ToJsonString());
        // The model was offered both tools and saw the page text.
        var offered = (host.Model.Requests[0].Body?["tools"] as JsonArray ?? []).Select(t => (string?)t?["name"]).ToList();
        Assert.Contains("web_fetch", offered);
        Assert.Contains("web_search", offered);
        Assert.Contains("The answer is 42.", host.Model.Requests[1].Messages[^1]!.ToJsonString());
    }

    [Fact]
    public async Task A_fetch_outside_the_agents_allowed_domains_is_url_not_allowed()
    {
        using var fetcher = new HttpWebFetcher(new WebFetchOptions { AllowPrivateEgress = true });
        await using var host = await HarnessHost.StartAsync(configure: s => s with { WebFetcher = fetcher });
        host.Model.Enqueue(FakeReply.ToolUse("web_fetch", new { url = "http://127.0.0.1:9/" }));
        host.Model.Enqueue(FakeReply.Text("Blocked."));
        var session = await host.CreateSessionAsync(new JsonArray(new JsonObject
        {
            ["type"] = "agent_toolset_20260401",
            ["configs"] = new JsonArray(new JsonObject { ["name"] = "web_fetch", ["allowed_domains"] = new JsonArray("example.com") }),
        }));

        await host.SendTextAsync(session, "fetch it");
        var events = await host.WaitForIdleAsync(session);

        var result = Events.Single(events, "agent.tool_result");
        Assert.True((bool?)result["is_error"]);
        Assert.Contains("url_not_allowed", result["content"]!.ToJsonString());
    }
}
