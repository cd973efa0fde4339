using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;

namespace Hangar.Server.Resources.Agents;

/// <summary>
/// Create and update bodies of <c>/v1/agents</c>, validated and turned into the stored Agent JSON
/// (which is exactly the response body, every R/R? key present).
/// </summary>
public static class AgentRequest
{
    public const int MaxNameLength = 256;
    public const int MaxDescriptionLength = 2048;
    public const int MaxSystemLength = 100_000;

    private static readonly string[] Fields =
        ["name", "model", "description", "system", "tools", "mcp_servers", "skills", "multiagent", "execution_identity", "metadata"];

    public static JsonObject Create(JsonObject body, string id, DateTimeOffset now)
    {
        JsonFields.RejectUnknown(body, "", Fields);
        var name = JsonFields.RequiredString(body, "name", MaxNameLength);
        var model = ModelConfig.Parse(body["model"]);
        var tools = AgentTools.NormaliseTools(body["tools"]);
        var servers = AgentTools.NormaliseMcpServers(body["mcp_servers"]);
        AgentTools.CheckMcpReferences(tools, servers);
        var timestamp = WireJson.Timestamp(now);
        return new JsonObject
        {
            ["type"] = "agent",
            ["id"] = id,
            ["version"] = 1,
            ["name"] = name,
            ["description"] = Clearable(body, "description", MaxDescriptionLength),
            ["system"] = Clearable(body, "system", MaxSystemLength),
            ["model"] = model,
            ["tools"] = tools,
            ["mcp_servers"] = servers,
            ["skills"] = AgentSkills.Normalise(body["skills"]),
            ["multiagent"] = Multiagent(body),
            ["execution_identity"] = ExecutionIdentity(body["execution_identity"]),
            ["metadata"] = Metadata.Create(body),
            ["created_at"] = timestamp,
            ["updated_at"] = timestamp,
            ["archived_at"] = null,
        };
    }

    /// <summary>
    /// The agent after applying <paramref name="body"/> to <paramref name="current"/>: omitted fields
    /// kept, lists replaced, metadata patched. <c>version</c> and <c>updated_at</c> are left as they
    /// were so the caller can tell a no-op update (equal JSON) from a change.
    /// </summary>
    public static JsonObject Update(JsonObject current, JsonObject body)
    {
        JsonFields.RejectUnknown(body, "", [.. Fields, "version"]);
        var next = (JsonObject)current.DeepClone();
        if (JsonFields.Has(body, "name"))
        {
            next["name"] = JsonFields.OptionalString(body, "name", MaxNameLength, minLength: 1)
                ?? throw new InvalidRequestException("name: cannot be cleared; give a new name or omit the field.");
        }
        if (JsonFields.Has(body, "model"))
        {
            next["model"] = JsonFields.IsNull(body, "model")
                ? throw new InvalidRequestException("model: cannot be cleared; give a model or omit the field.")
                : ModelConfig.Parse(body["model"], current["model"] as JsonObject);
        }
        foreach (var (field, max) in new[] { ("description", MaxDescriptionLength), ("system", MaxSystemLength) })
        {
            if (JsonFields.Has(body, field))
            {
                next[field] = Clearable(body, field, max);
            }
        }
        if (JsonFields.Has(body, "tools"))
        {
            next["tools"] = AgentTools.NormaliseTools(body["tools"]);
        }
        if (JsonFields.Has(body, "mcp_servers"))
        {
            next["mcp_servers"] = AgentTools.NormaliseMcpServers(body["mcp_servers"]);
        }
        AgentTools.CheckMcpReferences((JsonArray)next["tools"]!, (JsonArray)next["mcp_servers"]!);
        if (JsonFields.Has(body, "skills"))
        {
            next["skills"] = AgentSkills.Normalise(body["skills"]);
        }
        if (JsonFields.Has(body, "multiagent"))
        {
            next["multiagent"] = Multiagent(body);
        }
        if (JsonFields.Has(body, "execution_identity"))
        {
            next["execution_identity"] = ExecutionIdentity(body["execution_identity"]);
        }
        next["metadata"] = Metadata.Patch((JsonObject)current["metadata"]!, body);
        return next;
    }

    /// <summary>A string that null or "" clears (stored as null).</summary>
    private static string? Clearable(JsonObject body, string name, int maxLength)
    {
        var text = JsonFields.OptionalString(body, name, maxLength);
        return string.IsNullOrEmpty(text) ? null : text;
    }

    private static JsonNode? Multiagent(JsonObject body) =>
        body["multiagent"] is null
            ? null
            : throw new InvalidRequestException("multiagent: multi-agent rosters are not supported by this server yet; omit the field or send null.");

    /// <summary>Null or omitted means the default service account: the C# SDK requires a non-null identity.</summary>
    private static JsonObject ExecutionIdentity(JsonNode? node)
    {
        if (node is null)
        {
            return new JsonObject { ["type"] = "service_account" };
        }
        var identity = node as JsonObject
            ?? throw new InvalidRequestException($"execution_identity: expected an object or null, got {JsonFields.Describe(node)}.");
        var type = JsonFields.Discriminator(identity, "execution_identity", "service_account", "aws_role");
        if (type == "service_account")
        {
            JsonFields.RejectUnknown(identity, "execution_identity", "type");
            return new JsonObject { ["type"] = type };
        }
        JsonFields.RejectUnknown(identity, "execution_identity", "type", "role_arn");
        var arn = JsonFields.RequiredString(identity, "role_arn", 2048, "execution_identity");
        if (!arn.StartsWith("arn:", StringComparison.Ordinal))
        {
            throw new InvalidRequestException($"execution_identity.role_arn: expected an IAM role ARN starting with 'arn:' (got '{arn}').");
        }
        return new JsonObject { ["type"] = type, ["role_arn"] = arn };
    }
}
