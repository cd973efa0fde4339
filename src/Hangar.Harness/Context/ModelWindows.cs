using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hangar.Harness.Context;

/// <summary>Context window sizes by model id prefix (longest prefix wins); unknown models get 200k.</summary>
public static class ModelWindows
{
    public const long Default = 200_000;

    private static readonly (string Prefix, long Tokens)[] Table =
    [
        ("claude-", 200_000),
        ("scripted", 200_000),
        ("openai/gpt-4.1", 1_000_000),
        ("openai/gpt-4o", 128_000),
        ("openai/gpt-5", 400_000),
    ];

    public static long For(string modelId) =>
        Table.Where(e => modelId.StartsWith(e.Prefix, StringComparison.Ordinal))
            .OrderByDescending(e => e.Prefix.Length)
            .Select(e => e.Tokens)
            .DefaultIfEmpty(Default)
            .First();

    /// <summary>A rough token estimate of a request body (about four bytes of JSON per token).</summary>
    public static long Estimate(JsonNode body)
    {
        // Counted, not kept: a long session's body as a string is big enough to cost full GCs.
        var counter = new ByteCounter();
        using (var writer = new Utf8JsonWriter(counter))
        {
            body.WriteTo(writer);
        }
        return counter.Length / 4;
    }

    /// <summary>A buffer writer that only counts what is written into its one reused scratch buffer.</summary>
    private sealed class ByteCounter : IBufferWriter<byte>
    {
        private byte[] _scratch = new byte[4096];

        public long Length { get; private set; }

        public void Advance(int count) => Length += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => Scratch(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => Scratch(sizeHint);

        private byte[] Scratch(int sizeHint)
        {
            if (sizeHint > _scratch.Length)
            {
                _scratch = new byte[sizeHint];
            }
            return _scratch;
        }
    }
}
