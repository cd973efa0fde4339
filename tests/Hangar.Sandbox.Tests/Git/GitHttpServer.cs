using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Hangar.Sandbox.Tests.Git;

/// <summary>
/// A git smart-HTTP server on 127.0.0.1 standing in for GitHub: Kestrel running git-http-backend as CGI over
/// bare repositories in a temporary directory, answering 401 to any request without the expected token
/// (as <c>Basic x-access-token:&lt;token&gt;</c>).
/// </summary>
public sealed class GitHttpServer : IAsyncDisposable
{
    private const string Backend = "/usr/lib/git-core/git-http-backend";
    private readonly WebApplication app;

    private GitHttpServer(WebApplication app, string root, string token)
    {
        this.app = app;
        Root = root;
        Token = token;
    }

    public string Root { get; }

    public string Token { get; }

    public int Port { get; private set; }

    public string UrlOf(string repository) => $"http://127.0.0.1:{Port}/{repository}";

    public static async Task<GitHttpServer> StartAsync(string token)
    {
        var root = Path.Join(Path.GetTempPath(), "hangar-git-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new GitHttpServer(app, root, token);
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("x-access-token:" + token));
        app.Run(async context =>
        {
            if (context.Request.Headers.Authorization.ToString() != expected)
            {
                context.Response.StatusCode = 401;
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"test\"";
                return;
            }
            await server.RunBackendAsync(context);
        });
        await app.StartAsync();
        server.Port = new Uri(app.Urls.First()).Port;
        return server;
    }

    /// <summary>Creates a bare repository with one commit on <c>main</c> (README.md) and a <c>feature</c> branch (feature.txt).</summary>
    public async Task CreateRepositoryAsync(string name)
    {
        var work = Path.Join(Root, name + ".work");
        await RunGitAsync(Root, "init", "-q", "-b", "main", work);
        await File.WriteAllTextAsync(Path.Join(work, "README.md"), "hello from main\n");
        await RunGitAsync(work, "add", ".");
        await RunGitAsync(work, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "initial");
        await RunGitAsync(work, "checkout", "-qb", "feature");
        await File.WriteAllTextAsync(Path.Join(work, "feature.txt"), "feature work\n");
        await RunGitAsync(work, "add", ".");
        await RunGitAsync(work, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "feature commit");
        await RunGitAsync(Root, "clone", "-q", "--bare", work, Path.Join(Root, name));
        await RunGitAsync(Root, "--git-dir", Path.Join(Root, name), "symbolic-ref", "HEAD", "refs/heads/main");
    }

    public static async Task<string> RunGitAsync(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"git {string.Join(' ', args)} failed: {error}");
        return output.Trim();
    }

    private async Task RunBackendAsync(HttpContext context)
    {
        var request = context.Request;
        var start = new ProcessStartInfo(Backend)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["GIT_PROJECT_ROOT"] = Root;
        start.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
        start.Environment["REMOTE_USER"] = "x-access-token"; // enables receive-pack (push)
        start.Environment["PATH_INFO"] = request.Path.Value;
        start.Environment["QUERY_STRING"] = request.QueryString.Value?.TrimStart('?') ?? "";
        start.Environment["REQUEST_METHOD"] = request.Method;
        start.Environment["CONTENT_TYPE"] = request.ContentType ?? "";
        if (request.ContentLength is { } length)
            start.Environment["CONTENT_LENGTH"] = length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (request.Headers.ContentEncoding.ToString() is { Length: > 0 } encoding)
            start.Environment["HTTP_CONTENT_ENCODING"] = encoding;
        if (request.Headers["Git-Protocol"].ToString() is { Length: > 0 } protocol)
            start.Environment["GIT_PROTOCOL"] = protocol;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        await request.Body.CopyToAsync(process.StandardInput.BaseStream);
        process.StandardInput.Close();
        var output = process.StandardOutput.BaseStream;
        // CGI headers, up to the blank line; "Status:" sets the response code.
        var line = new List<byte>();
        while (true)
        {
            var b = output.ReadByte();
            if (b < 0)
                break;
            if (b != '\n')
            {
                line.Add((byte)b);
                continue;
            }
            var text = Encoding.ASCII.GetString([.. line]).TrimEnd('\r');
            line.Clear();
            if (text.Length == 0)
                break;
            var colon = text.IndexOf(':');
            var (name, value) = (text[..colon], text[(colon + 1)..].Trim());
            if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
                context.Response.StatusCode = int.Parse(value.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            else
                context.Response.Headers.Append(name, value);
        }
        await output.CopyToAsync(context.Response.Body);
        await process.WaitForExitAsync();
        await stderr;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
