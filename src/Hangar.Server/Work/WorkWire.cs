using System.Buffers.Text;
using System.Text.Json;
using Hangar.Contracts.Work;
using Hangar.Storage;
using WorkItem = Hangar.Contracts.Work.Work;

namespace Hangar.Server.Work;

/// <summary>Stored work items as the wire's <c>work</c> objects.</summary>
public static class WorkWire
{
    public static WorkItem ToWire(WorkItemRecord item, string? secret = null) => new(
        item.Id, item.EnvironmentId, new WorkData("session", item.SessionId), item.State, Metadata(item), secret,
        item.CreatedAt, item.AcknowledgedAt, item.StartedAt, item.LatestHeartbeatAt, item.StopRequestedAt, item.StoppedAt);

    public static Dictionary<string, string> Metadata(WorkItemRecord item) =>
        JsonSerializer.Deserialize(item.MetadataJson, WorkJsonContext.Default.DictionaryStringString) ?? [];

    public static WorkLeaseState LeaseState(WorkItemRecord item, bool extended) => new(
        item.LatestHeartbeatAt is { } at ? WireTimestamp.Format(at) : null, extended, item.State, item.TtlSeconds);

    /// <summary>The poll's <c>secret</c>: base64url (unpadded) of <c>{"sessions_token", "api_base_url"}</c>.</summary>
    public static string Secret(string sessionsToken, string apiBaseUrl) =>
        Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new WorkSecret(sessionsToken, apiBaseUrl), WorkJsonContext.Default.WorkSecret));
}
