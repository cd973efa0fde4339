using Anthropic;
using Anthropic.Models.Beta.Files;
using Hangar.Conformance.Tests.Hosting;
using Hangar.FakeModel;

namespace Hangar.Conformance.Tests.Harness.Sandboxed;

/// <summary>
/// Files the agent writes under <c>/mnt/session/outputs/</c> in a bubblewrap sandbox become Files scoped to the
/// session, listed with <c>scope_id</c> and downloaded byte for byte through the official SDK; links, files over
/// the limit and unchanged files add nothing.
/// </summary>
[Collection(SandboxVaultHangarCollection.Name)]
public sealed class SessionOutputTests(SandboxVaultHangar hangar)
{
    [Fact]
    public async Task Outputs_become_session_files_with_exact_bytes_and_links_and_oversized_files_are_skipped()
    {
        var ct = Timeouts.Test(180);
        var client = hangar.Client();
        var script = hangar.Scripts.New().Then(
            SandboxedHangar.Bash(
                "cd /mnt/session/outputs && mkdir -p charts && printf 'total,3\\n' > report.csv"
                + " && head -c 3000 /dev/urandom > charts/plot.bin && ln -s /etc/shadow secrets.txt && ln -s / root"
                + $" && head -c {SandboxVaultHangar.MaxOutputFileBytes + 1} /dev/zero > huge.bin && sha256sum charts/plot.bin"),
            FakeReply.Text("written"),
            FakeReply.Text("nothing new"));
        var sessionId = await hangar.SessionAsync(script, ct);
        await client.SendAsync(sessionId, ct, Turns.Message("write outputs"));
        var events = await client.WaitForIdleAsync(sessionId, ct);
        var plotHash = SandboxedHangar.Text(Turns.All<Anthropic.Models.Beta.Sessions.Events.BetaManagedAgentsAgentToolResultEvent>(events)[0]);

        var files = await WaitForOutputsAsync(client, sessionId, 2, ct);

        Assert.Equal(["charts/plot.bin", "report.csv"], files.Select(f => f.Filename).Order(StringComparer.Ordinal));
        Assert.All(files, f => Assert.Equal(sessionId, f.Scope!.ID));
        Assert.All(files, f => Assert.True(f.Downloadable));
        Assert.Equal("text/csv", files.Single(f => f.Filename == "report.csv").MimeType);
        Assert.Equal("total,3\n"u8.ToArray(), await DownloadAsync(client, files.Single(f => f.Filename == "report.csv").ID, ct));
        var plot = await DownloadAsync(client, files.Single(f => f.Filename == "charts/plot.bin").ID, ct);
        Assert.Equal(3000, plot.Length);
        Assert.Contains(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(plot)), plotHash);

        // A second turn that changes nothing stores nothing new.
        await client.SendAsync(sessionId, ct, Turns.Message("again"));
        await client.WaitForIdleAsync(sessionId, ct, idles: 2);
        await Task.Delay(1000, ct);
        Assert.Equal(2, (await ListAsync(client, sessionId, ct)).Count);

        // Other sessions' listings do not see them.
        var other = await hangar.SessionAsync(hangar.Scripts.New(), ct);
        Assert.Empty(await ListAsync(client, other, ct));
    }

    private static async Task<List<BetaFileMetadata>> ListAsync(AnthropicClient client, string sessionId, CancellationToken ct) =>
        await (await client.Beta.Files.List(new FileListParams { ScopeID = sessionId }, ct)).Paginate(ct).ToListAsync(ct);

    /// <summary>Outputs are captured just after the idle event is written: poll briefly.</summary>
    private static async Task<List<BetaFileMetadata>> WaitForOutputsAsync(AnthropicClient client, string sessionId, int count, CancellationToken ct)
    {
        while (true)
        {
            var files = await ListAsync(client, sessionId, ct);
            if (files.Count >= count)
            {
                return files;
            }
            await Task.Delay(100, ct);
        }
    }

    private static async Task<byte[]> DownloadAsync(AnthropicClient client, string fileId, CancellationToken ct)
    {
        using var download = await client.Beta.Files.Download(fileId, cancellationToken: ct);
        using var content = new MemoryStream();
        await (await download.ReadAsStream(ct)).CopyToAsync(content, ct);
        return content.ToArray();
    }
}
