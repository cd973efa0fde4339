using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;

namespace Hangar.Server.Resources.Sessions;

/// <summary><c>POST /v1/sessions/{id}</c>: title, metadata (patch), budget, and agent tools/MCP servers.</summary>
public static class SessionUpdate
{
    /// <summary>
    /// Validates <paramref name="body"/> against the current session and applies it to
    /// <c>session.Json</c>. Returns the changed keys with their new values (for <c>session.updated</c>).
    /// </summary>
    public static JsonObject Apply(StoredSession session, JsonObject body)
    {
        foreach (var (key, _) in body)
        {
            if (key == "vault_ids")
            {
                throw new InvalidRequestException("vault_ids: cannot be changed after a session is created.");
            }
            if (key is not ("title" or "metadata" or "budget" or "agent"))
            {
                throw new InvalidRequestException($"{key}: Extra inputs are not permitted.");
            }
        }
        var json = session.Json;
        var changes = new JsonObject();
        // Validate every field before refusing on state, so a malformed request says what is malformed.
        var title = JsonFields.OptionalString(body, "title", SessionRequest.MaxTitleLength);
        var metadata = Metadata.Patch((JsonObject)json["metadata"]!, body);
        var agentUpdate = JsonFields.OptionalObject(body, "agent");
        SessionRules.RefuseIfEnded(session, "updating it");

        if (JsonFields.Has(body, "title") && (string?)json["title"] != title)
        {
            json["title"] = title;
            changes["title"] = title;
        }
        if (!JsonNode.DeepEquals(metadata, json["metadata"]))
        {
            json["metadata"] = metadata;
            changes["metadata"] = metadata.DeepClone();
        }
        if (JsonFields.Has(body, "budget") && SessionBudget.Update(json, body["budget"]))
        {
            changes["budget"] = json["budget"]?.DeepClone();
        }
        if (agentUpdate is not null)
        {
            var agent = (JsonObject)json["agent"]!;
            var candidate = (JsonObject)agent.DeepClone();
            if (SessionAgentSnapshot.ApplyUpdate(candidate, agentUpdate))
            {
                SessionRules.RefuseWhileRunning(session, "reconfigured");
                json["agent"] = candidate;
                changes["agent"] = candidate.DeepClone();
            }
        }
        return changes;
    }
}
