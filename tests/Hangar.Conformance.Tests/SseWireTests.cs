using System.Net.Http.Headers;
using Hangar.Conformance.Tests.Hosting;

namespace Hangar.Conformance.Tests;

/// <summary>Checklist item 2 (api.md §18): SSE framing, read strictly off the wire.</summary>
[Collection(HangarCollection.Name)]
public sealed class SseWireTests(HangarServers servers)
{
    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task Every_SSE_frame_names_its_type_in_event_and_idle_streams_send_pings(StoreKind store)
    {
        var ct = Timeouts.Test();
        var hangar = await servers.For(store);
        var session = await hangar.Client().FreshSessionAsync(ct);
        using var http = hangar.Raw();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/sessions/{session.ID}/events/stream");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json")); // what the TS SDK sends

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoCache == true, "Cache-Control: no-cache");
        Assert.StartsWith("req_", response.Headers.TryGetValues("request-id", out var ids) ? ids.First() : null);
        var sent = Messages.Stored(await hangar.Client().Beta.Sessions.Events.Send(session.ID, Messages.Send("ping me"), ct));

        var frames = new List<SseFrame>();
        using var enough = CancellationTokenSource.CreateLinkedTokenSource(ct);
        enough.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await foreach (var frame in SseFrames.ReadAsync(await response.Content.ReadAsStreamAsync(ct), enough.Token))
            {
                frames.Add(frame);
                if (frames.Any(f => f.Event == "user.message") && frames.Count(f => f.Event == "ping") >= 2)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // fall through to the assertions, which say what was missing
        }

        Assert.All(frames, f => Assert.True(f.Event is not null, $"frame without event: line: {f.Data}"));
        Assert.All(frames, f => Assert.Equal(f.DataType, f.Event));
        Assert.Contains(frames, f => f.Event == "user.message" && f.Data.Contains(sent[0].ID, StringComparison.Ordinal));
        Assert.True(frames.Count(f => f.Event == "ping") >= 2, $"expected pings every {RunningHangar.Heartbeat}; got {frames.Count} frames");
    }
}
