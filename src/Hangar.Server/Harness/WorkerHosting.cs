using Hangar.Harness.Models;
using Hangar.Harness.Tools;
using Hangar.Harness.Workers;
using Hangar.Storage;

namespace Hangar.Server.Harness;

/// <summary>Builds the harness worker pool of a process (<c>hangar serve</c> or <c>hangar worker</c>).</summary>
public static class WorkerHosting
{
    public static WorkerPool CreatePool(IHangarStore store, StoreOptions storeOptions, WorkerSettings settings, TimeProvider time, ILoggerFactory loggers)
    {
        var workspaces = settings.WorkspacesDirectory
            ?? Path.Combine(storeOptions.DataDirectory is { } data && storeOptions.ConnectionString is null ? data : Path.GetTempPath(), "workspaces");
        var options = new HarnessOptions
        {
            Models = settings.Models ?? new ModelRouter(ModelRoutingOptions.FromEnvironment()),
            Sandboxes = settings.Sandboxes ?? new LocalWorkspaceSandboxProvider(workspaces, loggers.CreateLogger<LocalWorkspaceSandboxProvider>()),
            BuiltInTools = BuiltInTools.Definitions(),
            Concurrency = settings.Concurrency,
            LeaseTtl = settings.LeaseTtl,
            PollInterval = settings.PollInterval,
            MaxModelAttempts = settings.MaxModelAttempts,
            RetryBaseDelay = settings.RetryBaseDelay,
            RetryMaxDelay = settings.RetryMaxDelay,
            Time = time,
        };
        return new WorkerPool(store, options, loggers);
    }
}

/// <summary>Runs the worker pool with the web host: started after the server, stopped (leases released) before the store closes.</summary>
internal sealed class WorkerPoolService(WorkerPool pool) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        pool.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => pool.StopAsync();
}
