namespace Hangar.Tools;

/// <summary>
/// Collects command output keeping only the last <c>capacity</c> bytes, so a command printing
/// gigabytes costs bounded memory and the model sees how it ended (where errors usually are).
/// </summary>
public sealed class OutputTail(int capacity)
{
    private readonly List<byte> bytes = [];

    public bool Truncated { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        bytes.AddRange(data);
        // Trim in batches so a stream of small chunks does not shift the buffer every time.
        if (bytes.Count > 2 * capacity)
            Trim();
    }

    public byte[] ToArray()
    {
        Trim();
        return [.. bytes];
    }

    private void Trim()
    {
        if (bytes.Count <= capacity)
            return;
        bytes.RemoveRange(0, bytes.Count - capacity);
        Truncated = true;
    }
}
