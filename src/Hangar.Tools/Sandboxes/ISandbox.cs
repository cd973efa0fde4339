using System.Text.Json.Nodes;

namespace Hangar.Tools;

/// <summary>
/// Where built-in tools run for one session. Implementations: the bubblewrap sandbox (issue 5,
/// Hangar.Sandbox) and, until then, <c>LocalWorkspaceSandbox</c> (a plain directory, NOT isolated).
/// Provisioned lazily: the harness asks for it only when the first tool call needs it.
/// </summary>
public interface ISandboxProvider
{
    Task<ISandbox> AcquireAsync(SandboxRequest request, CancellationToken ct);
}

/// <summary>What a sandbox is for: the session, its environment's config JSON (packages, networking).</summary>
public sealed record SandboxRequest(string WorkspaceId, string SessionId, JsonObject EnvironmentConfig)
{
    /// <summary>
    /// The epoch of the lease the sandbox is acquired under. It fences the workspace handoff on a host: a
    /// sandbox acquired under an older epoch than the workspace's current owner is refused
    /// (<see cref="SandboxGoneException"/>), so a worker that lost the lease cannot evict its successor.
    /// </summary>
    public long LeaseEpoch { get; init; }

    /// <summary>The session's <c>file</c> resources, mounted read-only at their mount paths when the sandbox is created.</summary>
    public IReadOnlyList<SandboxFile> Files { get; init; } = [];

    /// <summary>
    /// The session's <c>github_repository</c> resources, cloned at their mount paths when the sandbox is created
    /// (through a host-side credential proxy: the token never enters the sandbox).
    /// </summary>
    public IReadOnlyList<SandboxRepository> Repositories { get; init; } = [];

    /// <summary>The session's <c>environment_variable</c> credentials: placeholders inside, values only at egress.</summary>
    public IReadOnlyList<SandboxSecret> Secrets { get; init; } = [];
}

/// <summary>
/// One session <c>file</c> resource: its content (loaded from the store only when the sandbox needs it;
/// null when the file no longer exists) and where it appears inside the sandbox.
/// </summary>
public sealed record SandboxFile(string FileId, string MountPath, Func<CancellationToken, Task<byte[]?>> LoadAsync);

public interface ISandbox : IAsyncDisposable
{
    /// <summary>
    /// Runs one built-in tool call (bash, read, write, edit, glob, grep). Tool failures (non-zero
    /// exit, missing file, timeout) are results with <c>IsError</c>, not exceptions.
    /// <paramref name="call"/>.IdempotencyKey is the <c>agent.tool_use</c> event id; a call
    /// re-run after a crash carries the same key.
    /// </summary>
    Task<ToolResult> ExecuteAsync(ToolCall call, CancellationToken ct);
}

public sealed record ToolCall(string Name, JsonObject Input, string IdempotencyKey);

/// <summary>A tool's output as content blocks (<c>[{type:"text",text}]</c>) and whether it failed.</summary>
public sealed record ToolResult(JsonArray Content, bool IsError)
{
    public static ToolResult Text(string text, bool isError = false) =>
        new([new JsonObject { ["type"] = "text", ["text"] = text }], isError);
}
