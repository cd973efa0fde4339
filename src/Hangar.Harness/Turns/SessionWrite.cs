using Hangar.Storage;

namespace Hangar.Harness.Turns;

/// <summary>One write of a running session (<see cref="SessionWriter.WriteAsync"/>): its events and what changes with them.</summary>
/// <param name="Events">Built with <see cref="SessionWriter.Now"/> or shortly before.</param>
public sealed record SessionWrite(IReadOnlyList<NewEvent> Events)
{
    /// <summary>The row's new status; null keeps it.</summary>
    public string? Status { get; init; }

    /// <summary>The user events this write answers: marked processed.</summary>
    public IReadOnlyList<string>? Processed { get; init; }

    /// <summary>Nothing is left to do for now: the work flag is cleared, unless something arrived meanwhile.</summary>
    public bool WorkDone { get; init; }
}
