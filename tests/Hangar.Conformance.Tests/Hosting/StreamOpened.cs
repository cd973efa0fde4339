namespace Hangar.Conformance.Tests.Hosting;

/// <summary>
/// Completes when the server has answered an SSE request with its headers. The SDK's streaming
/// iterator connects lazily, so this is how a test knows it is subscribed before it sends.
/// </summary>
public sealed class StreamOpened : DelegatingHandler
{
    private readonly TaskCompletionSource<HttpResponseMessage> _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<HttpResponseMessage> Task => _opened.Task;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (request.RequestUri?.AbsolutePath.EndsWith("/events/stream", StringComparison.Ordinal) == true)
        {
            _opened.TrySetResult(response);
        }
        return response;
    }
}
