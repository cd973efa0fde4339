namespace Hangar.Conformance.Tests.Hosting;

/// <summary>Counts the HTTP attempts the SDK makes, to observe its retry decisions.</summary>
public sealed class RequestCounter : DelegatingHandler
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _count);
        return base.SendAsync(request, cancellationToken);
    }
}
