using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Storage;

namespace Hangar.Server.Resources.Environments;

/// <summary>
/// What a self_hosted environment cannot do (behaviour.md, "Self-hosted"): Hangar never reaches
/// the worker's filesystem, so it cannot mount files or clone repositories there. Such resources
/// are a 400; pass pointers in the session's metadata and let the worker fetch them.
/// </summary>
public static class SelfHostedRules
{
    public static async Task RefuseMountedResourcesAsync(
        IHangarStore store, string workspaceId, string? environmentId, IEnumerable<JsonNode?> resources, string at, CancellationToken ct)
    {
        var mounted = resources.Select(r => (string?)r?["type"]).FirstOrDefault(t => t is "file" or "github_repository");
        if (mounted is null || environmentId is null)
        {
            return;
        }
        var environment = await store.Resources.GetAsync(ResourceKind.Environment, workspaceId, environmentId, ct);
        if (environment is not null && (string?)JsonNode.Parse(environment.Json)?["config"]?["type"] == EnvironmentConfig.SelfHosted)
        {
            throw new InvalidRequestException(
                $"{at}{(at.Length > 0 ? ": " : "")}{mounted} resources are not supported in a self_hosted environment "
                + "(Hangar cannot mount them on the worker's host); pass a pointer in the session's metadata instead.");
        }
    }
}
