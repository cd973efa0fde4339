using System.Collections.Concurrent;

namespace Hangar.Conformance.Tests.Harness.Vaults;

/// <summary>Keeps the body of every API response a client received, for the secret-leak sweep.</summary>
public sealed class ResponseRecorder(ConcurrentQueue<string> bodies) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        // Buffered so the caller can still read it; these tests never open event streams.
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        bodies.Enqueue($"{request.Method} {request.RequestUri} → {(int)response.StatusCode}\n{await response.Content.ReadAsStringAsync(cancellationToken)}");
        return response;
    }
}
