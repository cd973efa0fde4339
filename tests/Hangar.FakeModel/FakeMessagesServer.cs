using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hangar.FakeModel;

/// <summary>
/// A scripted stand-in for the Anthropic Messages API on a free loopback port. Point the
/// official SDK at <see cref="BaseUrl"/> with <see cref="ApiKey"/>; each <c>POST /v1/messages</c>
/// takes the next <see cref="Enqueue">queued</see> reply, else asks the <see cref="Respond"/>
/// function, else fails with a 500 naming the request.
/// </summary>
public sealed class FakeMessagesServer : IAsyncDisposable
{
    private const string Key = "fake-key";

    private readonly WebApplication _app;
    private readonly Script _script;

    private FakeMessagesServer(WebApplication app, Script script, Uri baseUrl)
    {
        _app = app;
        _script = script;
        BaseUrl = baseUrl;
    }

    /// <summary>Like <c>http://127.0.0.1:41234</c>: what <c>ANTHROPIC_BASE_URL</c> should be.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Requests must carry it as <c>x-api-key</c> or <c>Authorization: Bearer</c>, else 401.</summary>
    public string ApiKey => Key;

    /// <summary>Every request received, in arrival order (including rejected ones).</summary>
    public IReadOnlyList<RecordedRequest> Requests => _script.Requests;

    public static async Task<FakeMessagesServer> StartAsync(CancellationToken ct = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var script = new Script();
        var messages = new MessagesEndpoint(script, Key);
        app.MapPost("/v1/messages", messages.HandleAsync);
        app.MapFallback(context =>
        {
            context.Response.Headers["request-id"] = FakeIds.Request();
            return ReplyWriter.ErrorAsync(
                context, 404, "not_found_error", $"fake model: no route {context.Request.Method} {context.Request.Path}", shouldRetry: false);
        });
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new FakeMessagesServer(app, script, new Uri(address));
    }

    /// <summary>
    /// Called on the server's thread right after the first content delta of a streamed reply was
    /// flushed (the model's first token byte on the wire), with its <see cref="System.Diagnostics.Stopwatch"/> timestamp.
    /// </summary>
    public Action<RecordedRequest, long>? FirstDeltaWritten
    {
        get => _script.FirstDeltaWritten;
        set => _script.FirstDeltaWritten = value;
    }

    /// <summary>The next unanswered request gets this reply (first in, first out).</summary>
    public void Enqueue(FakeReply reply) => _script.Enqueue(reply);

    /// <summary>
    /// Computes replies once the queue is empty, e.g. to loop a tool call until a result shows up
    /// in the request. Null removes it. It runs on the server's request thread.
    /// </summary>
    public void Respond(Func<RecordedRequest, FakeReply>? respond) => _script.Respond(respond);

    /// <summary>Waits until at least <paramref name="count"/> requests arrived; throws <see cref="TimeoutException"/> otherwise.</summary>
    public Task<IReadOnlyList<RecordedRequest>> WaitForRequestsAsync(int count, TimeSpan timeout, CancellationToken ct = default) =>
        _script.WaitForRequestsAsync(count, timeout, ct);

    /// <summary>Stops at once: streams still being written (a slow script) are aborted, not awaited.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(new CancellationToken(canceled: true));
        await _app.DisposeAsync();
    }
}
