using System.Text.Json;
using System.Text.Json.Nodes;
using Hangar.Tools;
using ModelContextProtocol.Protocol;

namespace Hangar.Harness.Mcp;

/// <summary>
/// An MCP tool result as <c>agent.mcp_tool_result</c> content. The output is untrusted data: text
/// blocks are passed through as text (never parsed or acted on), other block kinds are named but not
/// forwarded, and the whole is kept under the tool-output limit (<see cref="ToolOutputSpill"/>'s head and
/// tail, like sandbox tools; there is no sandbox file to spill to on the host side).
/// </summary>
public static class McpOutput
{
    public static ToolResult From(CallToolResult result, int limit)
    {
        var texts = new List<string>();
        foreach (var block in result.Content)
        {
            texts.Add(block switch
            {
                TextContentBlock text => text.Text,
                EmbeddedResourceBlock { Resource: TextResourceContents resource } => resource.Text,
                _ => $"[{block.Type} content from the MCP server omitted]",
            });
        }
        if (texts.Count == 0 && result.StructuredContent is { } structured)
        {
            texts.Add(JsonSerializer.Serialize(structured));
        }
        var isError = result.IsError == true;
        if (texts.Sum(t => t.Length) > limit)
        {
            return ToolOutputSpill.Preview(string.Join("\n", texts), isError, limit, "MCP output is not saved anywhere");
        }
        return new ToolResult(new JsonArray([.. texts.Select(t => (JsonNode)new JsonObject { ["type"] = "text", ["text"] = t })]), isError);
    }
}
