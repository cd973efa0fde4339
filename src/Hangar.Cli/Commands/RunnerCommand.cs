using System.CommandLine;
using System.Globalization;
using Hangar.Cli.Runner;
using Hangar.Sandbox.Bubblewrap;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar runner</c>: a self-hosted environment's worker. Holds only the environment key and reaches the
/// API outbound over HTTP(S); runs each claimed session's built-in tools in a sandbox on this host.
/// </summary>
internal static class RunnerCommand
{
    public static Command Create()
    {
        var environment = new Option<string>("--environment") { Description = "The self_hosted environment to serve (env_…)", Required = true };
        var key = new Option<string?>("--key") { Description = "The environment key (sk-ant-oat01-…) [env: HANGAR_ENVIRONMENT_KEY]" };
        var apiUrl = new Option<string>("--api-url")
        {
            Description = "The Hangar API [env: HANGAR_URL]",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("HANGAR_URL") is { Length: > 0 } url ? url : ClientOptions.DefaultUrl,
        };
        var concurrency = new Option<int>("--concurrency") { Description = "Sessions served at once", DefaultValueFactory = _ => 4 };
        var maxIdle = new Option<string>("--max-idle") { Description = "Release a session idle this long after its turn (e.g. 60s, 5m)", DefaultValueFactory = _ => "60s" };
        var ttl = new Option<int?>("--lease-ttl") { Description = "Seconds a lease lasts without a heartbeat (desired_ttl_seconds; default: the server's)" };
        var data = new Option<string>("--data")
        {
            Description = "Where session workspaces are kept, by session id, across residencies",
            DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "hangar-runner"),
        };
        var sandbox = StoreArguments.Sandbox();
        var sandboxArguments = new SandboxArguments();
        var command = new Command("runner", "Serve a self-hosted environment: claim its sessions' work and run their tools on this host")
        {
            environment, key, apiUrl, concurrency, maxIdle, ttl, data, sandbox,
        };
        sandboxArguments.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var secret = parse.GetValue(key) ?? Environment.GetEnvironmentVariable("HANGAR_ENVIRONMENT_KEY");
            if (string.IsNullOrEmpty(secret))
            {
                Terminal.Error("--key (or HANGAR_ENVIRONMENT_KEY) is required: create one with `hangar env-keys create ENV_ID`.");
                return 2;
            }
            if (!Uri.TryCreate(parse.GetValue(apiUrl), UriKind.Absolute, out var url))
            {
                Terminal.Error($"--api-url must be an absolute URL, got '{parse.GetValue(apiUrl)}'.");
                return 2;
            }
            if (ParseDuration(parse.GetValue(maxIdle)!) is not { } idle)
            {
                Terminal.Error($"--max-idle must be a duration like 60s, 5m or 1h, got '{parse.GetValue(maxIdle)}'.");
                return 2;
            }
            if (parse.GetValue(concurrency) < 1 || parse.GetValue(ttl) is < 1 or > 3600)
            {
                Terminal.Error("--concurrency must be at least 1 and --lease-ttl between 1 and 3600.");
                return 2;
            }
            Hangar.Server.Harness.WorkerSettings sandboxSettings;
            try
            {
                sandboxSettings = sandboxArguments.Apply(parse, new Hangar.Server.Harness.WorkerSettings());
            }
            catch (StoreArgumentException e)
            {
                Terminal.Error(e.Message);
                return 2;
            }
            var settings = new RunnerSettings(url, parse.GetValue(environment)!, secret, parse.GetValue(concurrency), idle, parse.GetValue(ttl));
            var root = sandboxSettings.WorkspacesDirectory ?? Path.GetFullPath(parse.GetValue(data)!);
            return await RunAsync(settings, parse.GetValue(sandbox), root, sandboxSettings, ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(
        RunnerSettings settings, Hangar.Server.Harness.SandboxKind kind, string root, Hangar.Server.Harness.WorkerSettings sandboxSettings, CancellationToken ct)
    {
        using var loggers = LoggerFactory.Create(logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
        RunnerSandboxes sandboxes;
        try
        {
            Directory.CreateDirectory(root);
            sandboxes = await RunnerSandboxes.CreateAsync(kind, root, sandboxSettings, loggers, ct);
        }
        catch (SandboxUnavailableException e)
        {
            SandboxChecks.Explain(e);
            return 1;
        }
        await using (sandboxes)
        {
            var runner = new WorkRunner(settings, sandboxes.Provider, loggers);
            // Plain stdout line: scripts and tests wait for it.
            Console.Out.WriteLine($"Hangar runner {runner.WorkerId} serving {settings.EnvironmentId} at {settings.ApiUrl} ({settings.Concurrency} at once)");
            Terminal.Err.MarkupLine($"Workspaces: {Markup.Escape(root)}. [grey]Press Ctrl-C to stop.[/]");
            var exit = await runner.RunAsync(ct);
            Terminal.Err.MarkupLine("Hangar runner stopped (work items released).");
            return exit;
        }
    }

    /// <summary>"90", "90s", "5m", "1h" → a duration; null when unreadable.</summary>
    internal static TimeSpan? ParseDuration(string text)
    {
        text = text.Trim();
        var (number, unit) = text.Length > 0 && char.IsLetter(text[^1]) ? (text[..^1], text[^1]) : (text, 's');
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            return null;
        }
        return unit switch
        {
            's' => TimeSpan.FromSeconds(value),
            'm' => TimeSpan.FromMinutes(value),
            'h' => TimeSpan.FromHours(value),
            _ => null,
        };
    }
}
