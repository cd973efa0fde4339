using Hangar.Server.Harness;
using Hangar.Storage;
using Hangar.Vault;

namespace Hangar.Server;

/// <summary>Everything `hangar serve` can be told. Tests use the same options.</summary>
public sealed record HangarServerOptions
{
    /// <summary>TCP port; 0 picks a free one (read it back from <see cref="HangarServer"/>).</summary>
    public int Port { get; init; } = 8080;

    public string ListenAddress { get; init; } = "127.0.0.1";

    public StoreOptions Store { get; init; } = new(StoreOptions.DefaultDataDirectory);

    /// <summary>A key accepted for the "default" workspace (from HANGAR_API_KEY); stored hashed on start.</summary>
    public string? BootstrapApiKey { get; init; }

    /// <summary>How often an idle SSE stream sends a <c>ping</c> so proxies don't cut it.</summary>
    public TimeSpan StreamHeartbeat { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Largest accepted request body on every route but file upload (the hosted service's limit is 32 MB).</summary>
    public long MaxRequestBodyBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>Largest accepted file upload (the hosted service's limit is 500 MB); the upload body may add multipart framing.</summary>
    public long MaxFileBytes { get; init; } = 500L * 1024 * 1024;

    /// <summary>The clock for timestamps and expiry; tests substitute one they can move.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// When true, managed-agents requests without <c>anthropic-beta: managed-agents-2026-04-01</c> are refused
    /// with 400 (off by default: api.md §1 says not to hard-fail, and SDKs vary). See <see cref="Http.BetaHeaderRule"/>.
    /// </summary>
    public bool RequireBetaHeader { get; init; }

    /// <summary>Request rates, the running-sessions quota and stream caps; <see cref="Http.RequestLimits.Unlimited"/> turns them off.</summary>
    public Http.RequestLimits Limits { get; init; } = new();

    /// <summary>Run harness workers in this process (<c>hangar serve --no-workers</c> turns them off: API only).</summary>
    public bool RunWorkers { get; init; } = true;

    public WorkerSettings Workers { get; init; } = new();

    /// <summary>
    /// When set, a database that is unreachable or overloaded at start is waited for (each failed
    /// attempt reported here) instead of failing the start; null (tests, embedding) fails at once.
    /// </summary>
    public Action<StoreUnavailable>? WaitForStore { get; init; }

    /// <summary>
    /// The master keys that seal vault credential secrets and repository tokens; null reads <c>HANGAR_MASTER_KEY</c>,
    /// <c>HANGAR_MASTER_KEY_FILE</c> and <c>HANGAR_MASTER_KEY_PREVIOUS</c> from the environment on start and, for
    /// SQLite without one, uses the key generated in the data directory (<see cref="Vault.MasterKeys.ForStore"/>).
    /// </summary>
    public SecretCipher? MasterKeys { get; init; }
}
