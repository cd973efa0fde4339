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

    /// <summary>A rough token estimate of a request body (about four characters per token).</summary>
    public static long Estimate(string json) => json.Length / 4;
}
