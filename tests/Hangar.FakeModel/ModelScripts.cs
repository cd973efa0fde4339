using System.Collections.Concurrent;
namespace Hangar.FakeModel;

/// <summary>
/// Lets tests share one fake model without taking each other's replies: each test gets a
/// <see cref="ModelScript"/> with a unique tag that goes into its agent's system prompt, and a
/// request is answered from the script whose tag its body contains.
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

    /// <summary>A new test's script, answering with <paramref name="replies"/> first (more with <see cref="ModelScript.Then"/>).</summary>
    public ModelScript New(params FakeReply[] replies)
    {
        var script = new ModelScript(_model, "test-" + Guid.NewGuid().ToString("N")).Then(replies);
        _scripts[script.Tag] = script;
        return script;
    }

    private FakeReply Answer(RecordedRequest request)
    {
        var script = _scripts.Values.FirstOrDefault(s => request.RawBody.Contains(s.Tag, StringComparison.Ordinal))
            ?? throw new InvalidOperationException("no test's tag in this request");
        return script.Next(request);
    }
}

/// <summary>One test's model: replies in order, then <see cref="Otherwise"/> (if set).</summary>
public sealed class ModelScript(FakeMessagesServer model, string tag)
{
    private readonly ConcurrentQueue<FakeReply> _replies = new();

    /// <summary>Goes into the agent's system prompt; it identifies this test's requests.</summary>
    public string Tag { get; } = tag;

    public string SystemPrompt => $"You are a test agent ({Tag}).";

    /// <summary>The reply once the queue is empty; unset, such a request fails with a 500.</summary>
    public Func<RecordedRequest, FakeReply>? Otherwise { get; set; }

    public ModelScript Then(params FakeReply[] replies)
    {
        foreach (var reply in replies)
        {
            _replies.Enqueue(reply);
        }
        return this;
    }

    /// <summary>What the model received for this test, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. model.Requests.Where(r => r.RawBody.Contains(Tag, StringComparison.Ordinal))];

    public async Task<IReadOnlyList<RecordedRequest>> WaitForRequestsAsync(int count, CancellationToken ct)
    {
        while (Requests.Count < count)
        {
            await Task.Delay(25, ct);
        }
        return Requests;
    }

    internal FakeReply Next(RecordedRequest request) =>
        _replies.TryDequeue(out var reply) ? reply
        : Otherwise?.Invoke(request) ?? throw new InvalidOperationException($"the script {Tag} has no reply left");
}
