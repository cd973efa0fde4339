using System.Text.Json.Nodes;
using Hangar.Server.Http;

namespace Hangar.Server.Resources.Agents;

/// <summary>
/// A toolset's <c>default_config</c> ({enabled, permission_policy}) and the per-tool entries that
/// inherit from it: an entry that omits <c>enabled</c> or the policy gets the toolset default, so the
/// response always carries both (the SDK requires them).
/// </summary>
public sealed record ToolDefaults(bool Enabled, JsonObject Policy)
{
    public static ToolDefaults Parse(JsonObject toolset, string path, string defaultPolicy)
    {
        var config = JsonFields.OptionalObject(toolset, "default_config", path);
        if (config is null)
        {
            return new ToolDefaults(true, PermissionPolicy.Of(defaultPolicy));
        }
        var configPath = JsonFields.Path(path, "default_config");
        JsonFields.RejectUnknown(config, configPath, "enabled", "permission_policy");
        return new ToolDefaults(
            JsonFields.OptionalBool(config, "enabled", configPath) ?? true,
            PermissionPolicy.Parse(config["permission_policy"], JsonFields.Path(configPath, "permission_policy"))
                ?? PermissionPolicy.Of(defaultPolicy));
    }

    public JsonObject ToJson() => new() { ["enabled"] = Enabled, ["permission_policy"] = Policy.DeepClone() };

    /// <summary>Reads an entry's <c>enabled</c> and policy, falling back to these defaults.</summary>
    public (bool Enabled, JsonObject Policy) ForEntry(JsonObject entry, string path) =>
        (JsonFields.OptionalBool(entry, "enabled", path) ?? Enabled,
         PermissionPolicy.Parse(entry["permission_policy"], JsonFields.Path(path, "permission_policy"))
            ?? (JsonObject)Policy.DeepClone());
}
