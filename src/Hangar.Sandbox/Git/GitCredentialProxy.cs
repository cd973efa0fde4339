using System.Net.Http.Headers;
using System.Text;
using Hangar.Tools;
using Hangar.Tools.Network;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Hangar.Sandbox.Git;

/// <summary>
/// One sandbox's host-side git credential proxy: Kestrel on a unix socket (bound into the sandbox and
/// relayed to <c>127.0.0.1:3129</c>) forwarding git smart-HTTP requests for <c>/&lt;repo key&gt;/…</c> to the
/// repository's real URL with <c>Authorization: Basic x-access-token:&lt;token&gt;</c> added. The token lives
/// only in this process; the sandbox's remote is the token-free relay URL. Only the three smart-HTTP
/// endpoints are forwarded, and the upstream connection goes through the SSRF guard.
/// </summary>
internal sealed class GitCredentialProxy : IAsyncDisposable
{
    private const int MaxUnixSocketPathBytes = 107;
    private readonly WebApplication app;
    private readonly HttpClient upstream;
    private readonly Dictionary<string, SandboxRepository> repositories;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> failures = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> failedStatuses = new();

    private GitCredentialProxy(WebApplication app, HttpClient upstream, IReadOnlyList<SandboxRepository> repositories, string socketPath)
    {
        this.app = app;
        this.upstream = upstream;
        this.repositories = repositories.ToDictionary(r => r.Key, StringComparer.Ordinal);
        SocketPath = socketPath;
    }

    public string SocketPath { get; }

    /// <summary>Why the last request for the repository failed upstream (refused address, 401…), for the clone's error; never the token.</summary>
    public string? LastFailure(string key) => failures.TryGetValue(key, out var failure) ? failure : null;

    /// <summary>The HTTP status (401, 403 or 404) of the last refused upstream request for the repository, if any.</summary>
    public int? LastFailedStatus(string key) => failedStatuses.TryGetValue(key, out var status) ? status : null;

    public static async Task<GitCredentialProxy> StartAsync(string socketPath, IReadOnlyList<SandboxRepository> repositories, PrivateEgressAllowlist allowPrivate, int? clientUid, CancellationToken ct)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("the git credential proxy needs unix sockets with file modes");
        if (Encoding.UTF8.GetByteCount(socketPath) > MaxUnixSocketPathBytes)
            throw new IOException($"the git proxy socket path {socketPath} is too long for a unix socket; use a shorter data directory");
        File.Delete(socketPath); // a stale socket from an earlier sandbox of this session
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.ListenUnixSocket(socketPath);
            k.Limits.MaxRequestBodySize = null; // pushes can be large; the workspace limit bounds them
        });
        var app = builder.Build();
        var client = new HttpClient(GuardedHttpHandler.Create(allowPrivate, TimeSpan.FromSeconds(15))) { Timeout = Timeout.InfiniteTimeSpan };
        var proxy = new GitCredentialProxy(app, client, repositories, socketPath);
        app.Run(proxy.ForwardAsync);
        await app.StartAsync(ct);
        // Owner-only, owned by the session's unprivileged uid: the sandbox (and root) can connect, no other user.
        Hangar.Sandbox.Bubblewrap.SocketGrant.Restrict(socketPath, clientUid);
        return proxy;
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var ct = context.RequestAborted;
        var path = context.Request.Path.Value ?? "";
        var slash = path.IndexOf('/', 1);
        if (slash < 0 || !repositories.TryGetValue(path[1..slash], out var repository))
        {
            await Refuse(context, StatusCodes.Status404NotFound, "no such repository on this sandbox's git proxy", ct);
            return;
        }
        var rest = path[slash..];
        var service = context.Request.Query["service"].ToString();
        var allowed = (context.Request.Method, rest) switch
        {
            ("GET", "/info/refs") => service is "git-upload-pack" or "git-receive-pack",
            ("POST", "/git-upload-pack" or "/git-receive-pack") => true,
            _ => false,
        };
        if (!allowed)
        {
            await Refuse(context, StatusCodes.Status403Forbidden, "only git smart-HTTP requests are forwarded", ct);
            return;
        }
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), repository.Url.TrimEnd('/') + rest + context.Request.QueryString.Value);
        if (context.Request.Method == "POST")
        {
            request.Content = new StreamContent(context.Request.Body);
            CopyHeader(context.Request.Headers, request.Content.Headers, "Content-Type");
            CopyHeader(context.Request.Headers, request.Content.Headers, "Content-Encoding");
            if (context.Request.ContentLength is { } length)
                request.Content.Headers.ContentLength = length;
        }
        CopyHeader(context.Request.Headers, request.Headers, "Accept");
        CopyHeader(context.Request.Headers, request.Headers, "Git-Protocol");
        request.Headers.UserAgent.ParseAdd("git/2 hangar-git-proxy");
        if (repository.Token is { } token)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("x-access-token:" + token)));
        HttpResponseMessage response;
        try
        {
            response = await upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            // The guard's message names the host and address, never the token.
            failures[repository.Key] = $"the remote could not be reached: {(e.InnerException ?? e).Message}";
            await Refuse(context, StatusCodes.Status502BadGateway, $"the git remote could not be reached: {(e.InnerException ?? e).Message}", ct);
            return;
        }
        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            if (response.StatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden or System.Net.HttpStatusCode.NotFound)
            {
                failures[repository.Key] = $"the remote answered {(int)response.StatusCode} {response.ReasonPhrase}";
                failedStatuses[repository.Key] = (int)response.StatusCode;
            }
            foreach (var name in new[] { "Content-Type", "Content-Encoding", "Cache-Control", "Expires", "Pragma" })
            {
                if (response.Content.Headers.TryGetValues(name, out var values) || response.Headers.TryGetValues(name, out values))
                    context.Response.Headers[name] = values.ToArray();
            }
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            await body.CopyToAsync(context.Response.Body, ct);
        }
    }

    private static void CopyHeader(IHeaderDictionary from, HttpHeaders to, string name)
    {
        if (from.TryGetValue(name, out var values))
            to.TryAddWithoutValidation(name, values.ToArray());
    }

    private static async Task Refuse(HttpContext context, int status, string message, CancellationToken ct)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync("hangar git proxy: " + message + "\n", ct);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
        upstream.Dispose();
        File.Delete(SocketPath);
    }
}
