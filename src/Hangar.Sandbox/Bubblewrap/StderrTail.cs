using System.Diagnostics;

namespace Hangar.Sandbox.Bubblewrap;

/// <summary>The last lines a launcher (sh, prlimit, setpriv, bwrap) wrote to stderr, for error messages.</summary>
internal sealed class StderrTail
{
    private readonly Queue<string> lines = new();

    public static StderrTail Attach(Process process)
    {
        var tail = new StderrTail();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (tail.lines)
            {
                tail.lines.Enqueue(e.Data);
                if (tail.lines.Count > 20)
                    tail.lines.Dequeue();
            }
        };
        process.BeginErrorReadLine();
        return tail;
    }

    public override string ToString()
    {
        lock (lines)
            return string.Join('\n', lines);
    }
}
