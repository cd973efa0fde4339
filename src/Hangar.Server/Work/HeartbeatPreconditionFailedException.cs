using System.Text.Json;
using Hangar.Contracts;
using Hangar.Contracts.Work;

namespace Hangar.Server.Work;

/// <summary>
/// 412 <c>heartbeat_precondition_failed</c>: the stored heartbeat is not the one the worker last
/// saw, so the lease went back to the queue (and maybe to another worker). The SDK worker reads
/// <c>details.current_state</c> and stops serving the item. Retrying cannot help.
/// </summary>
public sealed class HeartbeatPreconditionFailedException(WorkLeaseState current)
    : ApiException(412, "invalid_request_error",
        "expected_last_heartbeat does not match the work item's last heartbeat; the lease is no longer yours.",
        "heartbeat_precondition_failed")
{
    public override bool ShouldRetry => false;

    public override Dictionary<string, JsonElement>? MoreDetails =>
        new() { ["current_state"] = JsonSerializer.SerializeToElement(current, WorkJsonContext.Default.WorkLeaseState) };
}
