using System.CommandLine;
using Hangar.Harness.Workers;
using Hangar.Sandbox.Bubblewrap;
using Hangar.Server.Harness;
using Hangar.Storage;
using Hangar.Vault;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Hangar.Cli.Commands;

/// <summary>
/// <c>hangar worker</c>: runs harness workers only (no HTTP) against a shared store, so sessions
/// can be run by several processes next to <c>hangar serve --no-workers</c>.
/// </summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var data = StoreArguments.Data();
        var database = StoreArguments.Database();
        var poolSize = StoreArguments.PoolSize();
        var concurrency = new Option<int>("--concurrency") { Description = "Sessions this process runs at once", DefaultValueFactory = _ => 4 };
        var headroom = WorkerArguments.TakeoverHeadroom();
        var sandbox = StoreArguments.Sandbox();
        var sandboxing = new SandboxArguments();
        var command = new Command("worker", "Run harness workers (no HTTP) that execute sessions from the store");
        command.Options.Add(data);
        command.Options.Add(database);
        command.Options.Add(poolSize);
        command.Options.Add(concurrency);
        command.Options.Add(headroom);
        command.Options.Add(sandbox);
        sandboxing.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            if (StoreArguments.ResolveOrExplain(parse, data, database, poolSize) is not { } store)
            {
                return 2;
            }
            var count = parse.GetValue(concurrency);
            if (count < 1)
            {
                Terminal.Error("--concurrency must be at least 1.");
                return 2;
            }
            WorkerSettings settings;
            try
            {
                settings = sandboxing.Apply(parse, new WorkerSettings { Concurrency = count, Sandbox = parse.GetValue(sandbox), TakeoverHeadroom = parse.GetValue(headroom) });
            }
            catch (StoreArgumentException e)
            {
                Terminal.Error(e.Message);
                return 2;
            }
            return await RunAsync(store, settings, ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(StoreOptions storeOptions, WorkerSettings settings, CancellationToken ct)
    {
        // A database that is down or full at start is waited for, like one that goes away later.
        IHangarStore opened;
        try
        {
            opened = await HangarStore.OpenPatientlyAsync(
                storeOptions, wait => StoreArguments.ReportWaiting(storeOptions, wait), TimeProvider.System, ct);
        }
        catch (StoreUnusableException e)
        {
            Terminal.Error(e.Message);
            return 1;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Terminal.Err.MarkupLine("Stopped while waiting for the database.");
            return 1;
        }
        await using var store = opened;
        using var loggers = LoggerFactory.Create(logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
        HarnessHost host;
        try
        {
            // Like `hangar serve`: refuse to run when stored secrets can't be opened with the keys given.
            var cipher = MasterKeys.ForStore(storeOptions, notice => Terminal.Err.MarkupLine(Markup.Escape(notice)));
            await VaultStartup.CheckAsync(store.Vaults, cipher, ct);
            host = await WorkerHosting.CreateAsync(store, storeOptions, settings, cipher, TimeProvider.System, loggers, ct);
        }
        catch (SandboxUnavailableException e)
        {
            SandboxChecks.Explain(e);
            return 1;
        }
        catch (VaultKeyException e)
        {
            Terminal.Error(e.Message);
            return 1;
        }
        var pool = host.Pool;
        host.Start();
        // Plain stdout line: scripts and tests wait for it ("Hangar worker <owner> running").
        Console.Out.WriteLine($"Hangar worker {pool.Owner} running {pool.Slots.Capacity(SlotKind.Concurrency)} workers "
            + $"(+{pool.Slots.Capacity(SlotKind.Headroom)} for takeovers)");
        Terminal.Err.MarkupLine($"Store: {Markup.Escape(StoreArguments.Describe(storeOptions))}. [grey]Press Ctrl-C to stop.[/]");
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        await host.DisposeAsync();
        Terminal.Err.MarkupLine("Hangar worker stopped (leases released).");
        return 0;
    }
}
