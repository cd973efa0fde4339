using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Harness.Context;
using Hangar.Harness.Log;
using Hangar.Harness.Mcp;
using Hangar.Harness.Models;
using Hangar.Storage;

namespace Hangar.Harness.Turns;

/// <summary>
/// A complete model response as log events, in block order: <c>agent.thinking</c> per thinking
/// block (no content on the wire; the block itself under <c>_hangar</c>), one buffered
/// <c>agent.message</c> per run of text blocks, one tool-use event per tool_use block — its event
/// id becomes the tool_use id the model sees from then on. Ids reserved while the response streamed
/// (<see cref="PreviewRelay.IdOf"/>: the id its previews carried) are kept; other events get fresh ones.
/// </summary>
public static class ResponseEvents
{
    public static List<NewEvent> From(ModelResponse response, AgentTools tools, DateTimeOffset now, Func<int, string?>? reservedId = null)
    {
        string IdFor(int index) => reservedId?.Invoke(index) ?? Ids.New(Ids.Event);
        var events = new List<NewEvent>();
        var text = new JsonArray();
        var textIndexes = new JsonArray();
        void FlushText()
        {
            if (text.Count > 0)
            {
                var content = text;
                var indexes = textIndexes;
                events.Add(HarnessEvents.Build(IdFor((int)indexes[0]!), "agent.message", now, e =>
                {
                    e["content"] = content;
                    e[HarnessEvents.PrivateKey] = new JsonObject { ["index"] = indexes };
                }));
                text = [];
                textIndexes = [];
            }
        }
        for (var index = 0; index < response.Content.Count; index++)
        {
            var block = response.Content[index];
            var at = index;
            switch ((string?)block["type"])
            {
                case "text":
                    if ((string?)block["text"] is { Length: > 0 } value)
                    {
                        text.Add(new JsonObject { ["type"] = "text", ["text"] = value });
                        textIndexes.Add(at);
                    }
                    break;
                case "thinking" or "redacted_thinking":
                    FlushText();
                    events.Add(HarnessEvents.Build(IdFor(at), "agent.thinking", now, e =>
                        e[HarnessEvents.PrivateKey] = new JsonObject { ["index"] = new JsonArray(at), ["block"] = block.DeepClone() }));
                    break;
                case "tool_use":
                    FlushText();
                    events.Add(ToolUse(block, at, tools, now));
                    break;
            }
        }
        FlushText();
        return events;
    }

    private static NewEvent ToolUse(JsonObject block, int index, AgentTools tools, DateTimeOffset now)
    {
        var name = (string?)block["name"] ?? "";
        var input = block["input"]?.DeepClone() as JsonObject ?? [];
        var hidden = new JsonObject { ["index"] = new JsonArray(index) };
        if (tools.IsCustom(name))
        {
            return HarnessEvents.Build("agent.custom_tool_use", now, e =>
            {
                e["name"] = name;
                e["input"] = input;
                e[HarnessEvents.PrivateKey] = hidden;
            });
        }
        if (tools.ResolveMcp(name) is { } mcp)
        {
            hidden["model_name"] = name;
            var mcpPermission = mcp.Permission.ForMcpCall(mcp.Tool);
            return HarnessEvents.Build("agent.mcp_tool_use", now, e =>
            {
                e["mcp_server_name"] = mcp.Server;
                e["name"] = mcp.Tool;
                e["input"] = input;
                e["evaluated_permission"] = mcpPermission.Evaluated;
                if (mcpPermission.Evaluation is not null)
                {
                    e["evaluation"] = mcpPermission.Evaluation;
                }
                e[HarnessEvents.PrivateKey] = hidden;
            });
        }
        if (name.StartsWith(McpToolNames.Prefix, StringComparison.Ordinal)
            && name.IndexOf("__", McpToolNames.Prefix.Length, StringComparison.Ordinal) is var split and > 0)
        {
            // An MCP-style name no toolset of this session offers: refused before any policy applies.
            hidden["model_name"] = name;
            return HarnessEvents.Build("agent.mcp_tool_use", now, e =>
            {
                e["mcp_server_name"] = name[McpToolNames.Prefix.Length..split];
                e["name"] = name[(split + 2)..];
                e["input"] = input;
                e["evaluated_permission"] = "deny";
                e[HarnessEvents.PrivateKey] = hidden;
            });
        }
        var permission = tools.Evaluate(name).ForBuiltInCall(name, input);
        return HarnessEvents.Build("agent.tool_use", now, e =>
        {
            e["name"] = name;
            e["input"] = input;
            e["evaluated_permission"] = permission.Evaluated;
            if (permission.Evaluation is not null)
            {
                e["evaluation"] = permission.Evaluation;
            }
            e[HarnessEvents.PrivateKey] = hidden;
        });
    }
}
