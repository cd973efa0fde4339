using System.Collections.Concurrent;
using Hangar.Harness.Models;

namespace Hangar.Harness.Tests.Models;

/// <summary>Keeps what a stream reported, in order, to assert on live progress.</summary>
internal sealed class RecordingObserver : IModelStreamObserver
{
    private readonly ConcurrentQueue<string> _events = new();

    public IReadOnlyList<string> Events => [.. _events];

    public string Text => string.Concat(_events.Where(e => e.StartsWith("text:", StringComparison.Ordinal)).Select(e => e["text:".Length..]));

    public TaskCompletionSource FirstDelta { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void OnBlockStart(int index, string type) => _events.Enqueue($"start:{index}:{type}");

    public void OnTextDelta(int index, string text)
    {
        _events.Enqueue($"text:{text}");
        FirstDelta.TrySetResult();
    }
}
