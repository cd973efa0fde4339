using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;

namespace Hangar.Server.Resources.Agents;

/// <summary>An agent's <c>skills</c>: ≤20 of <c>{type:"anthropic"|"custom", skill_id, version?}</c>; version defaults to "latest".</summary>
public static class AgentSkills
{
    public const int MaxSkills = 20;

    /// <param name="pathPrefix">Prefix of error paths (sessions pass "agent").</param>
    public static JsonArray Normalise(JsonNode? node, string pathPrefix = "")
    {
        var skills = AgentTools.ReadArray(node, JsonFields.Path(pathPrefix, "skills"), MaxSkills);
        var result = new JsonArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < skills.Count; i++)
        {
            var path = JsonFields.Path(pathPrefix, $"skills[{i}]");
            var skill = skills[i] as JsonObject
                ?? throw new InvalidRequestException($"{path}: expected an object, got {JsonFields.Describe(skills[i])}.");
            JsonFields.RejectUnknown(skill, path, "type", "skill_id", "version");
            var type = JsonFields.Discriminator(skill, path, "anthropic", "custom");
            var id = JsonFields.RequiredString(skill, "skill_id", 256, path);
            if (!seen.Add(type + ":" + id))
            {
                throw new InvalidRequestException($"{path}.skill_id: the skill '{id}' is listed twice.");
            }
            var version = skill["version"] switch
            {
                null => "latest",
                JsonValue v when v.TryGetValue<long>(out var number) => number.ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => JsonFields.RequiredString(skill, "version", 64, path),
            };
            result.Add(new JsonObject { ["type"] = type, ["skill_id"] = id, ["version"] = version });
        }
        return result;
    }
}
