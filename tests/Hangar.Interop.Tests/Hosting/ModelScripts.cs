using System.Collections.Concurrent;
using Hangar.FakeModel;

namespace Hangar.Interop.Tests.Hosting;

/// <summary>
/// Lets tests share one fake model: each test's agent carries a unique tag in its system prompt,
/// and a model request is answered from the script whose tag the request contains.
/// </summary>
public sealed class ModelScripts
{
    private readonly FakeMessagesServer _model;
    private readonly ConcurrentDictionary<string, ModelScript> _scripts = new();

    public ModelScripts(FakeMessagesServer model)
    {
        _model = model;
        model.Respond(Answer);
    }

    public ModelScript New(params FakeReply[] replies)
    {
        var script = new ModelScript(_model, "interop-" + Guid.NewGuid().ToString("N"));
        foreach (var reply in replies)
        {
            script.Replies.Enqueue(reply);
        }
        _scripts[script.Tag] = script;
        return script;
    }

    private FakeReply Answer(RecordedRequest request)
    {
        var script = _scripts.Values.FirstOrDefault(s => request.RawBody.Contains(s.Tag, StringComparison.Ordinal))
            ?? throw new InvalidOperationException("no test's tag in this request");
        return script.Replies.TryDequeue(out var reply) ? reply
            : throw new InvalidOperationException($"the script {script.Tag} has no reply left");
    }
}

/// <summary>One test's model: its replies in order, and what it was asked.</summary>
public sealed class ModelScript(FakeMessagesServer model, string tag)
{
    internal ConcurrentQueue<FakeReply> Replies { get; } = new();

    public string Tag { get; } = tag;

    /// <summary>The agent's system prompt; it routes this test's model requests here.</summary>
    public string SystemPrompt => $"You are an interop test agent ({Tag}).";

    public IReadOnlyList<RecordedRequest> Requests => [.. model.Requests.Where(r => r.RawBody.Contains(Tag, StringComparison.Ordinal))];

    /// <summary>The environment a flow needs to build its agent with this script's prompt.</summary>
    public Dictionary<string, string> Env() => new() { ["HANGAR_SYSTEM_PROMPT"] = SystemPrompt };
}
