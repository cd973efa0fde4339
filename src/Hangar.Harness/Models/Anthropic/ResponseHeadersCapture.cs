namespace Hangar.Harness.Models.Anthropic;

/// <summary>
/// The SDK's typed exceptions don't carry response headers, yet a 429's <c>retry-after</c> is
/// what the harness should wait. This handler sits in the SDK's pipeline and records the
/// headers of the last response into a per-call slot that flows with the async context, so
/// concurrent calls on one client don't see each other's headers.
/// </summary>
internal sealed class ResponseHeadersCapture : DelegatingHandler
{
    private static readonly AsyncLocal<Slot?> Current = new();

    /// <summary>Starts capturing for the calling async flow; read the result from the slot.</summary>
    public static Slot Begin()
    {
        var slot = new Slot();
        Current.Value = slot;
        return slot;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (Current.Value is { } slot)
        {
            slot.RetryAfter = RetryAfter.From(response.Headers);
        }

        return response;
    }

    internal sealed class Slot
    {
        public TimeSpan? RetryAfter { get; set; }
    }
}
