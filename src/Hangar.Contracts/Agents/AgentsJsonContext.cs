using System.Text.Json;
using System.Text.Json.Serialization;
using Hangar.Contracts.Serialization;

namespace Hangar.Contracts.Agents;

/// <summary>
/// Source-generated metadata of the agents family. Types wrapped in <see cref="Optional{T}"/> are
/// listed explicitly: the generator cannot see through the Optional converter.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, AllowOutOfOrderMetadataProperties = true)]
[JsonSerializable(typeof(Agent))]
[JsonSerializable(typeof(ListPage<Agent>))]
[JsonSerializable(typeof(CreateAgentParams))]
[JsonSerializable(typeof(UpdateAgentParams))]
[JsonSerializable(typeof(ModelConfigParams))]
[JsonSerializable(typeof(TypeParams))]
[JsonSerializable(typeof(UrlSourceFields))]
[JsonSerializable(typeof(UrlSources))]
[JsonSerializable(typeof(JsonElement?))]
[JsonSerializable(typeof(ModelParams))]
[JsonSerializable(typeof(ExecutionIdentity))]
[JsonSerializable(typeof(IReadOnlyList<AgentTool>))]
[JsonSerializable(typeof(IReadOnlyList<McpServer>))]
[JsonSerializable(typeof(IReadOnlyList<AgentSkill>))]
[JsonSerializable(typeof(ModelConfig))]
[JsonSerializable(typeof(ToolDefinition))]
[JsonSerializable(typeof(IReadOnlyList<AgentToolParams?>))]
[JsonSerializable(typeof(IReadOnlyList<McpServerParams?>))]
[JsonSerializable(typeof(IReadOnlyList<AgentSkillParams?>))]
public sealed partial class AgentsJsonContext : JsonSerializerContext;
