using System.CommandLine;
using Hangar.Server;
using Hangar.Server.Harness;
using Microsoft.Extensions.Hosting;
using Spectre.Console;

namespace Hangar.Cli.Commands;

/// <summary><c>hangar serve</c>: runs the API server in the foreground until Ctrl-C.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "TCP port (0 picks a free one)", DefaultValueFactory = _ => 8080 };
        var host = new Option<string>("--host") { Description = "Address to listen on", DefaultValueFactory = _ => "127.0.0.1" };
        var data = StoreArguments.Data();
        var database = StoreArguments.Database();
        var poolSize = StoreArguments.PoolSize();
        var noWorkers = new Option<bool>("--no-workers") { Description = "Serve the API only; run sessions with separate `hangar worker` processes" };
        var headroom = WorkerArguments.TakeoverHeadroom();
        var sandbox = StoreArguments.Sandbox();
        var sandboxing = new SandboxArguments();
        var limits = new LimitArguments();

        var command = new Command("serve", "Run the Hangar API server");
        command.Options.Add(port);
        command.Options.Add(host);
        command.Options.Add(data);
        command.Options.Add(database);
        command.Options.Add(poolSize);
        command.Options.Add(noWorkers);
        command.Options.Add(headroom);
        command.Options.Add(sandbox);
        sandboxing.AddTo(command);
        limits.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            if (StoreArguments.ResolveOrExplain(parse, data, database, poolSize) is not { } store)
            {
                return 2;
            }
            WorkerSettings workers;
            HangarServerOptions limited;
            try
            {
                workers = sandboxing.Apply(parse, new WorkerSettings { Sandbox = parse.GetValue(sandbox), TakeoverHeadroom = parse.GetValue(headroom) });
                limited = limits.Apply(parse, new HangarServerOptions());
            }
            catch (StoreArgumentException e)
            {
                Terminal.Error(e.Message);
                return 2;
            }
            var options = limited with
            {
                Port = parse.GetValue(port),
                ListenAddress = parse.GetValue(host)!,
                Store = store,
                // A database that is down or full at start is waited for, like one that goes away later.
                WaitForStore = wait => StoreArguments.ReportWaiting(store, wait),
                BootstrapApiKey = Environment.GetEnvironmentVariable("HANGAR_API_KEY") is { Length: > 0 } key ? key : null,
                RunWorkers = !parse.GetValue(noWorkers),
                Workers = workers,
            };
            return await RunAsync(options, ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(HangarServerOptions options, CancellationToken ct)
    {
        await using var app = await SandboxChecks.BuildAsync(options, ct);
        if (app is null)
        {
            return 1;
        }
        await app.StartAsync(ct);

        // Plain stdout line: scripts and tests read the port from it (--port 0).
        Console.Out.WriteLine($"Hangar listening on {ServerAddresses.Of(app).ToString().TrimEnd('/')}");
        Terminal.Err.MarkupLine($"Store: {Markup.Escape(StoreArguments.Describe(options.Store))}");
        if (options.BootstrapApiKey is null)
        {
            Terminal.Err.MarkupLine(
                "[yellow]No HANGAR_API_KEY set.[/] Requests need a key: set HANGAR_API_KEY before starting, " +
                "or run [bold]hangar keys create --workspace default[/] with the same --data/--database.");
        }
        Terminal.Err.MarkupLine("[grey]Press Ctrl-C to stop.[/]");

        try
        {
            await app.WaitForShutdownAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl-C: WaitForShutdownAsync has already stopped the host.
        }
        Terminal.Err.MarkupLine("Hangar stopped.");
        return 0;
    }
}
