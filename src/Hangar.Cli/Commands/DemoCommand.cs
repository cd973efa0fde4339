using System.CommandLine;
using System.Text.Json.Nodes;
using Hangar.Harness.Models;
using Hangar.Sandbox.Bubblewrap;
using Hangar.Server;
using Hangar.Server.Harness;
using Hangar.Storage;
using Microsoft.AspNetCore.Builder;
using Spectre.Console;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar demo</c>: the whole flow in one command. Starts a server in-process on a throwaway
/// SQLite store, creates an agent, an environment and a session through the public API (as any
/// client would), sends a task and streams the session until it settles.
/// </summary>
internal static class DemoCommand
{
    private const string Task = "Write a haiku about hangars to haiku.txt, then read the file back to me.";
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(60);

    private const string ScriptedModel = "scripted";

    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "TCP port (0 picks a free one)", DefaultValueFactory = _ => 0 };
        var model = new Option<string>("--model") { Description = "Model the demo agent uses", DefaultValueFactory = _ => "claude-sonnet-4-5" };
        var command = new Command("demo", "Start a throwaway server and run one session end to end") { port, model };
        command.SetAction(async (parse, ct) =>
        {
            var dataDirectory = Path.Combine(Path.GetTempPath(), $"hangar-demo-{Guid.NewGuid():N}");
            try
            {
                return await RunAsync(parse.GetValue(port), ChooseModel(parse.GetValue(model)!), dataDirectory, ct);
            }
            catch (ApiRequestException e)
            {
                Terminal.Error($"{e.ErrorType} ({e.Status}): {e.Message}");
                return 1;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return 130;
            }
            finally
            {
                TryDelete(dataDirectory);
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(int port, string model, string dataDirectory, CancellationToken ct)
    {
        var key = ApiKeys.Generate();
        var options = new HangarServerOptions
        {
            Port = port,
            Store = new StoreOptions(DataDirectory: dataDirectory),
            BootstrapApiKey = key,
            Workers = new WorkerSettings { Models = new ModelRouter(ModelRoutingOptions.FromEnvironment(Environment.GetEnvironmentVariable)) },
        };
        await using var app = await BuildWithSandboxAsync(options, ct);
        await app.StartAsync(ct);
        try
        {
            var url = ServerAddresses.Of(app);
            Terminal.Err.MarkupLine($"[bold]Hangar demo[/]: server on {Markup.Escape(url.ToString())}, store in {Markup.Escape(dataDirectory)} (deleted afterwards)");
            using var api = new ApiClient(url, key);
            return await RunSessionAsync(api, model, ct);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Bubblewrap sandboxes when this machine can run them; otherwise says so and uses a plain directory.</summary>
    private static async Task<WebApplication> BuildWithSandboxAsync(HangarServerOptions options, CancellationToken ct)
    {
        try
        {
            return await HangarServer.BuildAsync(options, ct);
        }
        catch (SandboxUnavailableException e)
        {
            Terminal.Err.MarkupLine(
                $"[yellow]Bubblewrap sandboxes can't run here ({Markup.Escape(e.Message)}).[/] The demo runs its tools in a plain, "
                + "[red]not isolated[/] directory instead; `hangar serve` refuses to do that unless told --sandbox local.");
            return await HangarServer.BuildAsync(options with { Workers = options.Workers with { Sandbox = SandboxKind.Local } }, ct);
        }
    }

    private static async Task<int> RunSessionAsync(ApiClient api, string model, CancellationToken ct)
    {
        var agent = await Created(api, "/v1/agents", new JsonObject
        {
            ["name"] = "Demo agent",
            ["model"] = model,
            ["system"] = "You are a concise assistant working in a sandbox.",
            ["tools"] = new JsonArray(new JsonObject { ["type"] = "agent_toolset_20260401" }),
        }, ct);
        var environment = await Created(api, "/v1/environments", new JsonObject
        {
            ["name"] = "demo",
            ["config"] = new JsonObject { ["type"] = "cloud", ["networking"] = new JsonObject { ["type"] = "unrestricted" } },
        }, ct);
        var session = await Created(api, "/v1/sessions", new JsonObject
        {
            ["agent"] = agent,
            ["environment_id"] = environment,
            ["title"] = "Hangar demo",
        }, ct);
        Terminal.Err.MarkupLine($"agent [bold]{agent}[/], environment [bold]{environment}[/], session [bold]{session}[/]");

        // Connect before sending: the stream carries only events appended after it opened.
        await using var stream = await SessionCommands.OpenAsync(api, session, ct);
        await SessionCommands.SendMessageAsync(api, session, Task, ct);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(SettleTimeout);
        try
        {
            var end = await SessionCommands.FollowAsync(stream, new EventRenderer(Terminal.Out), IsSettled, timeout.Token);
            var endTurn = end is not null && SessionCommands.Type(end) == "session.status_idle"
                && end["stop_reason"]?["type"]?.GetValue<string>() == "end_turn";
            Terminal.Err.MarkupLine(endTurn ? "[green]Demo finished: the agent ended its turn.[/]" : "[yellow]The session stopped without finishing its turn.[/]");
            return endTurn ? 0 : 1;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            Terminal.Error($"the session did not settle within {SettleTimeout.TotalSeconds:0} s.");
            return 1;
        }
    }

    /// <summary>Claude when an Anthropic key is set; otherwise the built-in scripted model, said out loud.</summary>
    private static string ChooseModel(string requested)
    {
        if (requested.StartsWith(ScriptedModel, StringComparison.Ordinal)
            || Environment.GetEnvironmentVariable("ANTHROPIC_API_KEY") is { Length: > 0 })
        {
            return requested;
        }
        Terminal.Err.MarkupLine(
            "[yellow]ANTHROPIC_API_KEY is not set[/]: using the built-in [bold]scripted[/] model (no network, a fixed tool-using turn) instead of "
            + Markup.Escape(requested) + ".");
        return ScriptedModel;
    }

    /// <summary>The session is done with the task: idle for a reason other than waiting on us, or gone.</summary>
    private static bool IsSettled(JsonNode ev) => SessionCommands.Type(ev) switch
    {
        "session.status_idle" => ev["stop_reason"]?["type"]?.GetValue<string>() != "requires_action",
        "session.status_terminated" or "session.deleted" or "error" => true,
        _ => false,
    };

    private static async Task<string> Created(ApiClient api, string path, JsonObject body, CancellationToken ct) =>
        (await api.PostAsync(path, body, ct)).Json["id"]!.GetValue<string>();

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless; don't turn a finished demo into a failure.
        }
    }
}
