using System.Text.Json;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Hangar.Harness.Context;
using Hangar.Harness.Models;
using Hangar.Harness.Models.Anthropic;
using Hangar.Harness.Turns;
using Hangar.Tools;

namespace Hangar.Bench.Micro;

/// <summary>
/// One streamed Messages response, from the stream events the SDK hands over (already parsed, as
/// <see cref="JsonElement"/>s) to the log events the harness appends: <see cref="MessageStreamAssembler"/>
/// folds about 80 events (a 960-character answer in 60 text deltas, then a <c>bash</c> call whose input
/// arrives in 12 pieces) and <see cref="ResponseEvents.From"/> turns the response into events.
/// The SDK's own SSE reading and JSON parsing are not ours and are not measured.
/// </summary>
[BenchmarkCategory("model stream")]
public class ModelStreamBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 4, 8, 12, 0, 0, TimeSpan.Zero);
    private JsonElement[] _stream = [];
    private AgentTools _tools = null!;

    [GlobalSetup]
    public void Setup()
    {
        _tools = new AgentTools(SessionLogData.Agent(), BuiltInTools.Definitions());
        var frames = new List<JsonObject>
        {
            new() { ["type"] = "message_start", ["message"] = new JsonObject { ["id"] = "msg_01", ["usage"] = new JsonObject { ["input_tokens"] = 12_000, ["output_tokens"] = 1 } } },
            new() { ["type"] = "content_block_start", ["index"] = 0, ["content_block"] = SessionLogData.Text("") },
        };
        for (var i = 0; i < 60; i++)
        {
            frames.Add(Delta(0, new JsonObject { ["type"] = "text_delta", ["text"] = $"word {i:00} of it " }));
        }
        frames.Add(new JsonObject { ["type"] = "content_block_stop", ["index"] = 0 });
        frames.Add(new JsonObject
        {
            ["type"] = "content_block_start",
            ["index"] = 1,
            ["content_block"] = new JsonObject { ["type"] = "tool_use", ["id"] = "toolu_01", ["name"] = "bash", ["input"] = new JsonObject() },
        });
        var input = """{"command": "cd /workspace && dotnet test tests/Hangar.Storage.Tests --filter Migrations 2>&1 | tail -40"}""";
        foreach (var piece in input.Chunk(9))
        {
            frames.Add(Delta(1, new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = new string(piece) }));
        }
        frames.Add(new JsonObject { ["type"] = "content_block_stop", ["index"] = 1 });
        frames.Add(new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = "tool_use" },
            ["usage"] = new JsonObject { ["output_tokens"] = 180 },
        });
        frames.Add(new JsonObject { ["type"] = "message_stop" });
        _stream = [.. frames.Select(f => JsonDocument.Parse(f.ToJsonString()).RootElement.Clone())];
    }

    [Benchmark(Description = "fold stream + response → log events")]
    public int Fold()
    {
        var assembler = new MessageStreamAssembler(NullModelStreamObserver.Instance);
        foreach (var e in _stream)
        {
            assembler.Add(e);
        }
        return ResponseEvents.From(assembler.Build(), _tools, Now).Count;
    }

    private static JsonObject Delta(int index, JsonObject delta) =>
        new() { ["type"] = "content_block_delta", ["index"] = index, ["delta"] = delta };
}
