using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;

namespace Hangar.Server.Resources.Environments;

/// <summary>Create and update bodies of <c>/v1/environments</c>, turned into the stored Environment JSON.</summary>
public static class EnvironmentRequest
{
    public const int MaxNameLength = 256;
    public const int MaxDescriptionLength = 2048;
    // The SDK's values are organization and account ("visible to the owning account only").
    // Hangar's owning account is the workspace an API key belongs to, and every resource is
    // already confined to its workspace, so both read back as given and behave alike;
    // "workspace" is kept for clients of earlier Hangar releases.
    private static readonly string[] Scopes = ["organization", "account", "workspace"];
    private static readonly string[] Fields = ["name", "config", "description", "metadata", "scope"];

    public static JsonObject Create(JsonObject body, string id, DateTimeOffset now)
    {
        JsonFields.RejectUnknown(body, "", Fields);
        var timestamp = WireJson.Timestamp(now);
        return new JsonObject
        {
            ["type"] = "environment",
            ["id"] = id,
            ["name"] = JsonFields.RequiredString(body, "name", MaxNameLength),
            ["description"] = JsonFields.OptionalString(body, "description", MaxDescriptionLength),
            ["config"] = EnvironmentConfig.Parse(body, current: null),
            ["metadata"] = Metadata.Create(body),
            ["scope"] = Scope(body) ?? "organization",
            ["created_at"] = timestamp,
            ["updated_at"] = timestamp,
            ["archived_at"] = null,
        };
    }

    /// <summary>The environment after a partial update; <c>updated_at</c> is left for the caller to set on change.</summary>
    public static JsonObject Update(JsonObject current, JsonObject body)
    {
        JsonFields.RejectUnknown(body, "", Fields);
        var next = (JsonObject)current.DeepClone();
        if (JsonFields.Has(body, "name"))
        {
            next["name"] = JsonFields.OptionalString(body, "name", MaxNameLength, minLength: 1)
                ?? throw new InvalidRequestException("name: cannot be cleared; give a new name or omit the field.");
        }
        if (JsonFields.Has(body, "description"))
        {
            // null clears; "" is stored as given (the hosted API keeps it).
            next["description"] = JsonFields.OptionalString(body, "description", MaxDescriptionLength);
        }
        next["config"] = EnvironmentConfig.Parse(body, (JsonObject)current["config"]!);
        next["metadata"] = Metadata.Patch((JsonObject)current["metadata"]!, body);
        if (Scope(body) is { } scope)
        {
            next["scope"] = scope;
        }
        return next;
    }

    private static string? Scope(JsonObject body)
    {
        var scope = JsonFields.OptionalString(body, "scope", 32);
        return scope is null || Scopes.Contains(scope, StringComparer.Ordinal)
            ? scope
            : throw new InvalidRequestException($"scope: expected one of {string.Join(", ", Scopes)} (got '{scope}').");
    }
}
