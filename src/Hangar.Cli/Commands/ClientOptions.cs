using System.CommandLine;

namespace Hangar.Cli.Commands;

/// <summary>
/// Options every client command takes (server URL, key, --json), and the one place that turns
/// API and connection failures into a message on stderr and a non-zero exit code.
/// </summary>
internal static class ClientOptions
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    // Recursive: `hangar agents --url X list` and `hangar agents list --url X` both work.
    public static readonly Option<string> Url = new("--url")
    {
        Description = "Hangar server URL [env: HANGAR_URL]",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("HANGAR_URL") is { Length: > 0 } url ? url : DefaultUrl,
        Recursive = true,
    };

    public static readonly Option<string?> ApiKey = new("--api-key")
    {
        // No DefaultValueFactory: --help prints defaults, and this one is a secret.
        Description = "API key [env: HANGAR_API_KEY]",
        Recursive = true,
    };

    public static Option<bool> Json() => new("--json") { Description = "Print the server's raw JSON" };

    public static void AddTo(Command command)
    {
        command.Options.Add(Url);
        command.Options.Add(ApiKey);
    }

    /// <summary>Runs a client action with an <see cref="ApiClient"/>; failures become exit code 1.</summary>
    public static void SetClientAction(this Command command, Func<ParseResult, ApiClient, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parse, ct) =>
        {
            if (!Uri.TryCreate(parse.GetValue(Url), UriKind.Absolute, out var url))
            {
                Terminal.Error($"--url must be an absolute URL, got '{parse.GetValue(Url)}'.");
                return 2;
            }
            using var api = new ApiClient(url, parse.GetValue(ApiKey) ?? Environment.GetEnvironmentVariable("HANGAR_API_KEY"));
            try
            {
                return await action(parse, api, ct);
            }
            catch (ApiRequestException e)
            {
                Terminal.Error($"{e.ErrorType} ({e.Status}): {e.Message}");
                return 1;
            }
            catch (HttpRequestException e)
            {
                Terminal.Error($"cannot reach {url}: {e.Message}. Is `hangar serve` running?");
                return 1;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return 130;
            }
        });
}
