namespace Hangar.FakeModel;

/// <summary>Token counts a reply reports in <c>usage</c>, in both the JSON body and the stream.</summary>
public sealed record FakeUsage(long InputTokens, long OutputTokens, long CacheReadInputTokens, long CacheCreationInputTokens);
