using System.Text.Json.Serialization;

namespace Hangar.Contracts.Work;

/// <summary>
/// A work item of a self-hosted environment (api.md §12): one residency of a session on a
/// worker. Every key is sent (nullable ones as null); <see cref="Secret"/> only on a poll.
/// </summary>
public sealed record Work(
    string Id,
    string EnvironmentId,
    WorkData Data,
    string State,
    IReadOnlyDictionary<string, string> Metadata,
    string? Secret,
    [property: JsonConverter(typeof(WireTimestamp))] DateTimeOffset CreatedAt,
    [property: JsonConverter(typeof(WireTimestamp))] DateTimeOffset? AcknowledgedAt,
    [property: JsonConverter(typeof(WireTimestamp))] DateTimeOffset? StartedAt,
    [property: JsonConverter(typeof(WireTimestamp))] DateTimeOffset? LatestHeartbeatAt,
    [property: JsonConverter(typeof(WireTimestamp))] DateTimeOffset? StopRequestedAt,
    [property: JsonConverter(typeof(WireTimestamp))] DateTimeOffset? StoppedAt)
{
    [JsonPropertyOrder(-1)]
    public string Type => "work";
}

/// <summary>What the work is about: <c>{type:"session", id}</c> (or <c>healthcheck</c>).</summary>
public sealed record WorkData(string Type, string Id);

/// <summary>The answer to a heartbeat; <see cref="LastHeartbeat"/> is echoed back by the next one.</summary>
public sealed record WorkHeartbeat(string LastHeartbeat, bool LeaseExtended, string State, int TtlSeconds)
{
    [JsonPropertyOrder(-1)]
    public string Type => "work_heartbeat";
}

/// <summary>The lease as the server holds it, in a 412's <c>details.current_state</c>.</summary>
public sealed record WorkLeaseState(string? LastHeartbeat, bool LeaseExtended, string State, int TtlSeconds);

public sealed record WorkQueueStats(
    long Depth,
    long Pending,
    [property: JsonConverter(typeof(WireTimestamp))] DateTimeOffset? OldestQueuedAt,
    long? WorkersPolling)
{
    [JsonPropertyOrder(-1)]
    public string Type => "work_queue_stats";
}

public sealed record WorkList(IReadOnlyList<Work> Data, string? NextPage);

/// <summary>The decoded <c>secret</c> of a polled item: base64url of this JSON.</summary>
public sealed record WorkSecret(string SessionsToken, string ApiBaseUrl);
