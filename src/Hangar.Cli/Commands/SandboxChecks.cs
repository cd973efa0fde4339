using Hangar.Sandbox.Bubblewrap;
using Hangar.Server;
using Hangar.Storage;
using Hangar.Vault;
using Microsoft.AspNetCore.Builder;
using Spectre.Console;

namespace Hangar.Cli.Commands;

/// <summary>Turns start-up refusals (bubblewrap can't run here; stored secrets or the database can't be opened) into messages that say what to do.</summary>
internal static class SandboxChecks
{
    /// <summary>The built server, or null after printing why sandboxes can't run and how to fix it.</summary>
    public static async Task<WebApplication?> BuildAsync(HangarServerOptions options, CancellationToken ct)
    {
        try
        {
            return await HangarServer.BuildAsync(options, ct);
        }
        catch (SandboxUnavailableException e)
        {
            Explain(e);
            return null;
        }
        catch (VaultKeyException e)
        {
            Terminal.Error($"refusing to start: {e.Message}");
            return null;
        }
        catch (StoreUnusableException e)
        {
            Terminal.Error(e.Message);
            return null;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Terminal.Err.MarkupLine("Stopped while waiting for the database.");
            return null;
        }
    }

    public static void Explain(SandboxUnavailableException e)
    {
        Terminal.Error($"sandboxes can't run on this machine: {e.Message}");
        Terminal.Err.MarkupLine(
            "Apply the fix above ([bold]hangar doctor[/] checks everything sandboxes need on this host), "
            + "or start with [bold]--sandbox local[/] to run tools in plain directories on this host ([red]not isolated[/]).");
    }
}
