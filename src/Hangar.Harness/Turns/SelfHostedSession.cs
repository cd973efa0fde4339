using System.Text.Json.Nodes;
using Hangar.Storage;

namespace Hangar.Harness.Turns;

/// <summary>Whether a session's environment is <c>self_hosted</c>: its built-in tools run on the environment's workers.</summary>
public static class SelfHostedSession
{
    public static async Task<bool> IsAsync(IHangarStore store, string workspaceId, string? environmentId, CancellationToken ct)
    {
        if (environmentId is null)
        {
            return false;
        }
        var environment = await store.Resources.GetAsync(ResourceKind.Environment, workspaceId, environmentId, ct);
        return environment is not null && (string?)JsonNode.Parse(environment.Json)?["config"]?["type"] == "self_hosted";
    }
}
