using System.Text.Json.Nodes;
using Hangar.Harness.Mcp;
using Hangar.Harness.Models;
using Hangar.Tools;

namespace Hangar.Harness.Workers;

/// <summary>How the harness runs sessions: its pieces (models, sandboxes, tool definitions) and its timing.</summary>
public sealed record HarnessOptions
{
    public required IModelRouter Models { get; init; }

    public required ISandboxProvider Sandboxes { get; init; }

    /// <summary>Definitions (<c>{name, description, input_schema}</c>) of the built-in tools the sandbox runs.</summary>
    public required IReadOnlyList<JsonObject> BuiltInTools { get; init; }

    /// <summary>Runs web_fetch on the host; null: the tool answers that it is not configured.</summary>
    public IWebFetcher? WebFetcher { get; init; }

    /// <summary>Runs web_search; null (the default): the tool answers <see cref="WebSearch.NotConfiguredMessage"/>.</summary>
    public IWebSearchProvider? WebSearch { get; init; }

    /// <summary>
    /// Acquire the session's sandbox before its first model call instead of at its first tool call.
    /// Off by default: lazy provisioning keeps sandbox start-up out of time-to-first-token; this
    /// exists so the benchmark can measure what that saves.
    /// </summary>
    public bool EagerSandbox { get; init; }

    // The defaults, in one place: WorkerSettings (what `hangar serve`/`hangar worker` expose) uses them too.
    public const int DefaultConcurrency = 4;
    public const int DefaultMaxModelAttempts = 5;
    public static readonly TimeSpan DefaultLeaseTtl = TimeSpan.FromSeconds(1.5);
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan DefaultRetryBaseDelay = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan DefaultRetryMaxDelay = TimeSpan.FromSeconds(30);
    public const double DefaultCompactionThreshold = 0.8;

    /// <summary>Sessions one process runs at the same time.</summary>
    public int Concurrency { get; init; } = DefaultConcurrency;

    /// <summary>
    /// Sessions above <see cref="Concurrency"/> that only interrupted turns may use: sessions whose
    /// owner died mid-turn (lease expired, never released). Without it a surviving process that is
    /// full takes nothing until one of its own turns ends, so a crash costs its users a queue
    /// instead of about one lease ttl. Defaults to <see cref="Concurrency"/>: with two processes a
    /// survivor can absorb all of a dead peer's sessions at once, and with more, one dead peer's
    /// sessions spread over several survivors. The price is that during a takeover a process may run
    /// up to twice its concurrency (sandboxes, memory, model calls); 0 turns headroom off.
    /// </summary>
    public int TakeoverHeadroom
    {
        get => _takeoverHeadroom ?? Concurrency;
        init => _takeoverHeadroom = value;
    }

    private readonly int? _takeoverHeadroom;

    /// <summary>
    /// Lease length; renewed every third of it. A dead worker's sessions resume after at most
    /// ttl + poll (measured: docs/harness.md "Crash recovery, measured"); 1.5 s + 250 ms keeps that
    /// under 2 s while a renewal may still be a whole second late before the lease is lost.
    /// </summary>
    public TimeSpan LeaseTtl { get; init; } = DefaultLeaseTtl;

    /// <summary>How often idle workers look for claimable sessions without a wake-up signal (finds dead workers' sessions).</summary>
    public TimeSpan PollInterval { get; init; } = DefaultPollInterval;

    /// <summary>
    /// Events (across sessions) whose parsed logs the workers keep between leases, so a session
    /// woken again reads only its new events (<see cref="Log.SessionLogCache"/>); 0 turns it off.
    /// </summary>
    public int LogCacheEvents { get; init; } = 20_000;

    /// <summary>Model requests per turn before <c>retries_exhausted</c> (the first attempt counts).</summary>
    public int MaxModelAttempts { get; init; } = DefaultMaxModelAttempts;

    public TimeSpan RetryBaseDelay { get; init; } = DefaultRetryBaseDelay;

    public TimeSpan RetryMaxDelay { get; init; } = DefaultRetryMaxDelay;

    /// <summary>
    /// A step that met a passing store failure (<see cref="Storage.TransientFailures"/>: database
    /// down, overloaded, restarting) waits from this much…
    /// </summary>
    public TimeSpan StoreRetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>…up to this much between tries; it keeps trying for as long as it holds the lease.</summary>
    public TimeSpan StoreRetryMaxDelay { get; init; } = TimeSpan.FromSeconds(2);

    public int MaxTokens { get; init; } = 8192;

    /// <summary>Compact the context when its estimate passes this share of the model's window.</summary>
    public double CompactionThreshold { get; init; } = DefaultCompactionThreshold;

    /// <summary>Tool output longer than this goes to a file in the sandbox; the model sees head, tail and the path.</summary>
    public int MaxToolOutputChars { get; init; } = 100_000;

    /// <summary>Where MCP server credentials come from (the session's vaults); null: servers are called without credentials.</summary>
    public IMcpCredentials? McpCredentials { get; init; }

    /// <summary>How much of <c>/mnt/session/outputs</c> becomes Files when a turn ends (per file, per session, file count).</summary>
    public OutputLimits OutputLimits { get; init; } = new();

    /// <summary>Where sandboxes' <c>environment_variable</c> credentials come from; null: sandboxes get none.</summary>
    public Turns.ISandboxSecrets? SandboxSecrets { get; init; }

    /// <summary>
    /// Opens a repository resource's stored token (session id, resource id, the stored JSON: sealed under the
    /// master key, or a plain string); null: only plain strings are read. Throws when it cannot be opened.
    /// </summary>
    public Func<string, string, System.Text.Json.Nodes.JsonNode, string>? OpenResourceToken { get; init; }

    /// <summary>
    /// The operator's private-egress allowlist: host-side connections to MCP servers may reach the private
    /// ranges and names it lists (metadata addresses stay refused); <c>true</c> converts to every private range and loopback.
    /// </summary>
    public Hangar.Tools.Network.PrivateEgressAllowlist AllowPrivateEgress { get; init; } = Hangar.Tools.Network.PrivateEgressAllowlist.None;

    /// <summary>Connecting to an MCP server (TCP, TLS and the MCP handshake) takes at most this long.</summary>
    public TimeSpan McpConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>An MCP tool call (or tool listing) takes at most this long.</summary>
    public TimeSpan McpCallTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Names this process's claims (host:pid:guid); unique per pool.</summary>
    public string Owner { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
