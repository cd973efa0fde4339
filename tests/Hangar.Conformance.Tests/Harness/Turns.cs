using Anthropic;
using Anthropic.Models.Beta.Agents;
using Anthropic.Models.Beta.Sessions;
using Anthropic.Models.Beta.Sessions.Events;
using Hangar.Conformance.Tests.Hosting;
using Hangar.FakeModel;
using Tool = Anthropic.Models.Beta.Agents.Tool;

namespace Hangar.Conformance.Tests.Harness;

/// <summary>Setting up and watching sessions that run, through the SDK only.</summary>
public static class Turns
{
    /// <summary>The built-in toolset, every tool allowed without asking (the default policy).</summary>
    public static Tool Toolset() => new BetaManagedAgentsAgentToolset20260401Params();

    /// <summary>The built-in toolset where every call waits for a <c>user.tool_confirmation</c>.</summary>
    public static Tool AskingToolset() => new BetaManagedAgentsAgentToolset20260401Params
    {
        DefaultConfig = new BetaManagedAgentsAgentToolsetDefaultConfigParams { PermissionPolicy = new BetaManagedAgentsAlwaysAskPolicy() },
    };

    /// <summary>An agent whose system prompt carries the script's tag, an environment and a session.</summary>
    public static async Task<BetaManagedAgentsSession> SessionAsync(
        this AnthropicClient client, ModelScript script, CancellationToken ct, params Tool[] tools)
    {
        var agent = await client.Beta.Agents.Create(
            new AgentCreateParams
            {
                Name = Arrange.Name("agent"),
                Model = BetaManagedAgentsModel.ClaudeSonnet4_6,
                System = script.SystemPrompt,
                Tools = tools.Length == 0 ? [Toolset()] : tools,
            },
            ct);
        agent.Validate();
        var environment = await client.CloudEnvironmentAsync(ct);
        return await client.SessionAsync(agent.ID, environment.ID, ct);
    }

    /// <summary>Sends events and checks the response deserializes.</summary>
    public static async Task<IReadOnlyList<Data>> SendAsync(
        this AnthropicClient client, string sessionId, CancellationToken ct, params BetaManagedAgentsEventParams[] events)
    {
        var sent = await client.Beta.Sessions.Events.Send(sessionId, new EventSendParams { Events = events }, ct);
        sent.Validate();
        return Messages.Stored(sent);
    }

    public static BetaManagedAgentsEventParams Message(string text) => new BetaManagedAgentsUserMessageEventParams
    {
        Content = [new BetaManagedAgentsTextBlock { Text = text }],
    };

    /// <summary>The whole log, every event validated.</summary>
    public static async Task<List<BetaManagedAgentsSessionEvent>> LogAsync(this AnthropicClient client, string sessionId, CancellationToken ct)
    {
        var page = await client.Beta.Sessions.Events.List(sessionId, new EventListParams { Limit = 500 }, ct);
        page.Validate();
        var events = await page.Paginate(ct).ToListAsync(ct);
        events.ForEach(e => e.Validate());
        return events;
    }

    /// <summary>Polls the log until it holds <paramref name="idles"/> <c>session.status_idle</c> events.</summary>
    public static async Task<List<BetaManagedAgentsSessionEvent>> WaitForIdleAsync(
        this AnthropicClient client, string sessionId, CancellationToken ct, int idles = 1)
    {
        while (true)
        {
            var events = await client.LogAsync(sessionId, ct);
            if (events.Count(e => TypeOf(e) == "session.status_idle") >= idles)
            {
                return events;
            }
            await Task.Delay(50, ct);
        }
    }

    public static async Task<BetaManagedAgentsSession> RetrieveAsync(this AnthropicClient client, string sessionId, CancellationToken ct)
    {
        var session = await client.Beta.Sessions.Retrieve(sessionId, cancellationToken: ct);
        session.Validate();
        return session;
    }

    public static string TypeOf(BetaManagedAgentsSessionEvent e) => e.Type.Raw();

    public static List<string> Types(IEnumerable<BetaManagedAgentsSessionEvent> events) => [.. events.Select(TypeOf)];

    public static List<T> All<T>(IEnumerable<BetaManagedAgentsSessionEvent> events) => [.. events.Select(e => e.Value).OfType<T>()];

    /// <summary>The text of an <c>agent.message</c> (its text blocks joined).</summary>
    public static string TextOf(BetaManagedAgentsAgentMessageEvent message) =>
        string.Concat(message.Content.Select(c => c.TryPickBetaManagedAgentsTextBlock(out var text) ? text.Text : ""));

    /// <summary>The stop reason of the last <c>session.status_idle</c>.</summary>
    public static StopReason LastStop(IEnumerable<BetaManagedAgentsSessionEvent> events) =>
        All<BetaManagedAgentsSessionStatusIdleEvent>(events)[^1].StopReason;

    /// <summary>
    /// What the model needs of a log: every tool use answered by exactly one result, after it,
    /// and every model request span closed by the end that names it.
    /// </summary>
    public static void AssertConsistent(IReadOnlyList<BetaManagedAgentsSessionEvent> events)
    {
        var positions = events.Select((e, i) => (e, i)).ToList();
        foreach (var (use, at) in positions.Where(p => p.e.Value is BetaManagedAgentsAgentToolUseEvent))
        {
            var results = positions.Where(p => p.e.Value is BetaManagedAgentsAgentToolResultEvent r && r.ToolUseID == use.ID).ToList();
            Assert.True(results.Count == 1, $"tool use {use.ID} has {results.Count} results");
            Assert.True(results[0].i > at, $"the result of {use.ID} comes before it");
        }
        var starts = All<BetaManagedAgentsSpanModelRequestStartEvent>(events).Select(s => s.ID).ToList();
        var ends = All<BetaManagedAgentsSpanModelRequestEndEvent>(events).Select(s => s.ModelRequestStartID).ToList();
        Assert.Equal(starts, ends);
        var spans = events.Where(e => TypeOf(e).StartsWith("span.model_request_", StringComparison.Ordinal)).Select(TypeOf).ToList();
        for (var i = 0; i < spans.Count; i++)
        {
            Assert.Equal(i % 2 == 0 ? "span.model_request_start" : "span.model_request_end", spans[i]);
        }
    }
}
