using System.Text.Json.Serialization;
using Hangar.Contracts.Serialization;

namespace Hangar.Contracts.Agents;

/// <summary>The object form of a value named only by its <c>type</c>: <c>{"type":"high"}</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TypeParams(string? Type);

/// <summary>A permission policy as sent: <c>"always_ask"</c> or <c>{"type":"always_ask"}</c>.</summary>
[JsonConverter(typeof(Converter))]
public sealed record PermissionPolicyParams(string? Type)
{
    public PermissionPolicy Validate(string path) => Type is null
        ? throw new InvalidRequestException($"{path}.type: Field required.")
        : PermissionPolicy.Types.Contains(Type, StringComparer.Ordinal)
            ? new PermissionPolicy(Type)
            : throw new InvalidRequestException($"{path}.type: unknown policy '{Type}'; expected one of: {string.Join(", ", PermissionPolicy.Types)}.");

    public sealed class Converter : ShorthandConverter<PermissionPolicyParams, TypeParams>
    {
        protected override string Expected => "{\"type\": \"always_allow\"|\"always_ask\"|\"auto\"}";

        protected override PermissionPolicyParams FromString(string value) => new(value);

        protected override PermissionPolicyParams FromBody(TypeParams body) => new(body.Type);

        protected override TypeParams ToBody(PermissionPolicyParams value) => new(value.Type);
    }
}

/// <summary>A toolset's <c>default_config</c> as sent; omitted parts take the toolset's defaults.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ToolDefaultConfigParams(bool? Enabled, PermissionPolicyParams? PermissionPolicy)
{
    public static ToolDefaultConfig Validate(ToolDefaultConfigParams? config, string path, string defaultPolicy) =>
        new(config?.Enabled ?? true,
            config?.PermissionPolicy?.Validate($"{path}.default_config.permission_policy") ?? new PermissionPolicy(defaultPolicy));
}
