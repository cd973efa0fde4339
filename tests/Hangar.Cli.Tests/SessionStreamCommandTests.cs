using Hangar.Testing;
using Xunit;

namespace Hangar.Cli.Tests;

public sealed class SessionStreamCommandTests
{
    [Fact]
    public async Task Stream_prints_a_sent_message_and_exits_when_the_session_is_deleted()
    {
        using var data = new TempDirectory();
        var key = "hgr_stream_" + Guid.NewGuid().ToString("N");
        await using var server = await RunningServer.StartAsync(["--data", data.Path], key, bootstrapKey: key);
        using var http = server.Client(key);
        var (_, _, session) = await http.CreateSessionAsync("stream");
        var client = new[] { "--url", server.Url.ToString(), "--api-key", key };

        await using var stream = HangarProcess.Start(["sessions", "stream", session, .. client]);
        // The stream carries only events appended after it connected: wait for the connection.
        await stream.WaitForOutputAsync("Streaming events of", TimeSpan.FromSeconds(30));

        var (exit, stdout, stderr) = await HangarProcess.RunAsync(["sessions", "send", session, "Where is my order #1234?", .. client]);
        Assert.True(exit == 0, $"sessions send failed ({exit}): {stderr}");
        Assert.StartsWith("sevt_", stdout.Trim());

        await stream.WaitForOutputAsync(@"user:.*Where is my order #1234\?", TimeSpan.FromSeconds(15));

        using var deleted = await http.DeleteAsync($"/v1/sessions/{session}");
        Assert.True(deleted.IsSuccessStatusCode, await deleted.Content.ReadAsStringAsync());
        await stream.WaitForOutputAsync("session deleted", TimeSpan.FromSeconds(15));
        var exitCode = await stream.WaitForExitAsync(TimeSpan.FromSeconds(15));
        Assert.True(exitCode == 0, $"stream should exit 0 after session.deleted\n{stream.Transcript}");
    }
}
