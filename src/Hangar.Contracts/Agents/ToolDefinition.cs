using System.Text.Json;

namespace Hangar.Contracts.Agents;

/// <summary>A tool as a model request offers it: <c>{name, description?, input_schema}</c>.</summary>
public sealed record ToolDefinition(string Name, string? Description, JsonElement InputSchema);
