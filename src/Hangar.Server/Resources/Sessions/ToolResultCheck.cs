using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Storage;

namespace Hangar.Server.Resources.Sessions;

/// <summary>
/// A client's tool result must answer a call of the right kind that is still open:
/// <c>user.tool_result</c> an <c>agent.tool_use</c> (self-hosted), <c>user.custom_tool_result</c> an
/// <c>agent.custom_tool_use</c>. Unknown or already answered → 400 and nothing is appended, so the
/// log holds exactly one result per call even when a worker that was presumed dead posts late.
/// This read-then-append check is not atomic; two results posted at the same instant are settled
/// by the database (<see cref="ToolResultGuard"/>: a unique index refuses the second append).
/// </summary>
public static class ToolResultCheck
{
    private static readonly Dictionary<string, (string IdField, string UseType)> Answers = new(StringComparer.Ordinal)
    {
        ["user.tool_result"] = ("tool_use_id", "agent.tool_use"),
        ["user.custom_tool_result"] = ("custom_tool_use_id", "agent.custom_tool_use"),
    };

    private static readonly string[] ResultTypes = ["agent.tool_result", "user.tool_result", "user.custom_tool_result"];

    public static async Task CheckAsync(IHangarStore store, string sessionId, IReadOnlyList<NewEvent> events, CancellationToken ct)
    {
        var answers = events.Where(e => Answers.ContainsKey(e.Type))
            .Select(e => (e.Type, UseId: (string)JsonNode.Parse(e.Json)![Answers[e.Type].IdField]!)).ToList();
        if (answers.Count == 0)
        {
            return;
        }
        var (uses, answered) = await ReadToolEventsAsync(store, sessionId, ct);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (type, useId) in answers)
        {
            var useType = Answers[type].UseType;
            if (!uses.TryGetValue(useId, out var actual) || actual != useType)
            {
                throw new InvalidRequestException($"{type}: {useId} is not an {useType} event of this session.");
            }
            if (answered.Contains(useId) || !seen.Add(useId))
            {
                throw new InvalidRequestException($"{type}: {useId} already has a result.");
            }
        }
    }

    /// <summary>The 400 for a request whose result lost the race to another one for the same call.</summary>
    public static InvalidRequestException AlreadyAnswered(IReadOnlyList<NewEvent> events)
    {
        var answers = events.Where(e => Answers.ContainsKey(e.Type))
            .Select(e => $"{e.Type}: {(string?)JsonNode.Parse(e.Json)![Answers[e.Type].IdField]}").ToList();
        return new InvalidRequestException($"{string.Join(", ", answers)} already has a result.");
    }

    private static async Task<(Dictionary<string, string> Uses, HashSet<string> Answered)> ReadToolEventsAsync(
        IHangarStore store, string sessionId, CancellationToken ct)
    {
        var uses = new Dictionary<string, string>(StringComparer.Ordinal);
        var answered = new HashSet<string>(StringComparer.Ordinal);
        var after = 0L;
        while (true)
        {
            var page = await store.Events.ListAsync(sessionId,
                new EventQuery(1000, after) { Types = ["agent.tool_use", "agent.custom_tool_use", .. ResultTypes] }, ct);
            foreach (var e in page.Items)
            {
                if (ResultTypes.Contains(e.Type))
                {
                    var json = JsonNode.Parse(e.Json)!;
                    if (((string?)json["tool_use_id"] ?? (string?)json["custom_tool_use_id"]) is { } id)
                    {
                        answered.Add(id);
                    }
                }
                else
                {
                    uses[e.Id] = e.Type;
                }
            }
            if (!page.HasMore || page.Items.Count == 0)
            {
                return (uses, answered);
            }
            after = page.Items[^1].Seq;
        }
    }
}
