using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Hangar.Server.Http;
using Hangar.Server.Resources.Sessions;
using Hangar.Storage;

namespace Hangar.Bench.Micro;

/// <summary>
/// The server's per-event work: a stored event to its SSE frame (<see cref="EventJson.ToWire"/>
/// then <see cref="SseWriter"/>, done once per subscriber per event), and the body of
/// <c>POST …/events</c> to the events it appends (<see cref="UserEvents.ParseSend"/>).
/// </summary>
[BenchmarkCategory("events")]
public class EventFrameBenchmarks
{
    private readonly MemoryStream _sink = new();
    private SseWriter _writer = null!;
    private EventRecord _message = null!;
    private EventRecord _toolResult = null!;
    private string _postBody = "";

    [GlobalSetup]
    public void Setup()
    {
        var log = SessionLogData.Records(17);
        _message = log.Last(e => e.Type == "agent.message");
        _toolResult = log.Last(e => e.Type == "agent.tool_result");
        _writer = new SseWriter(_sink);
        _postBody = SessionLogData.UserMessageBody(1);
    }

    [Benchmark(Description = "SSE frame: agent.message (≈0.4 KB)")]
    public Task MessageFrame() => Frame(_message);

    [Benchmark(Description = "SSE frame: agent.tool_result (≈3 KB)")]
    public Task ToolResultFrame() => Frame(_toolResult);

    [Benchmark(Description = "POST events body → 1 user.message")]
    public int ParsePost()
    {
        var events = (JsonArray)JsonNode.Parse(_postBody)!["events"]!;
        return UserEvents.ParseSend(events, new UserEvents.Context(SelfHosted: false), DateTimeOffset.UtcNow).Count;
    }

    private Task Frame(EventRecord record)
    {
        _sink.SetLength(0);
        return _writer.WriteEventAsync(record.Type, record.Id, EventJson.ToWire(record), CancellationToken.None);
    }
}
