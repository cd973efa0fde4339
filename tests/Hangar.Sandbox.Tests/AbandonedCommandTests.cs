using System.Diagnostics;

namespace Hangar.Sandbox.Tests;

/// <summary>
/// A bash call whose caller gives up (a user.interrupt, or a worker that lost its lease, after which the next
/// worker retries the same tool call on the same cached sandbox). The shell used to be kept with the abandoned
/// call's stdout read still pending; that read then swallowed the retried command's output and end marker, so the
/// retry of a fresh sandbox's first `echo hi` hung until bash's 120 s timeout (found by the footprint bench).
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class AbandonedCommandTests(SandboxFixture fixture)
{
    /// <summary>How long the abandoned command would run (seconds): far longer than any call of the test may take.</summary>
    private const string Abandoned = "347";

    /// <summary>Matches the abandoned command's process but not the grep looking for it.</summary>
    private const string AbandonedPattern = "sleep 34[7]";

    [Fact]
    public async Task First_commands_retried_after_their_callers_gave_up_all_answer()
    {
        // Many fresh sandboxes at once, as a busy server starts them: their shells are still starting when the
        // first call is abandoned, so the abandoned read is pending when the retry writes its command.
        const int Sandboxes = 50;
        var results = await Task.WhenAll(Enumerable.Range(0, Sandboxes).Select(_ => Task.Run(async () =>
        {
            var sessionId = SandboxFixture.NewSessionId();
            var sandbox = await fixture.Provider.AcquireAsync(SandboxFixture.Request(sessionId), CancellationToken.None);
            try
            {
                using (var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(20)))
                {
                    try
                    {
                        await sandbox.ExecuteAsync(Tools.Bash("echo hi"), giveUp.Token);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
                var watch = Stopwatch.StartNew();
                var (text, isError) = await sandbox.RunAsync(Tools.Bash("echo hi", timeoutMs: 15_000));
                return (Text: text, IsError: isError, Ms: watch.ElapsedMilliseconds);
            }
            finally
            {
                await fixture.Provider.ReleaseAsync(sessionId, CancellationToken.None);
            }
        })));

        var wrong = results.Where(r => r.IsError || r.Text != "hi").Select(r => $"after {r.Ms} ms: {r.Text}").ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count}/{Sandboxes} retried first commands failed:\n{string.Join("\n", wrong.Take(5))}");
    }

    [Fact]
    public async Task An_abandoned_command_dies_with_its_shell_and_the_next_call_starts_clean()
    {
        var sessionId = SandboxFixture.NewSessionId();
        var sandbox = await fixture.Provider.AcquireAsync(SandboxFixture.Request(sessionId), CancellationToken.None);
        try
        {
            Assert.Equal(("ready", false), await sandbox.RunAsync(Tools.Bash("echo ready")));
            using (var interrupt = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                    sandbox.ExecuteAsync(Tools.Bash($"sleep {Abandoned}; echo late > late.txt; echo late"), interrupt.Token));
            }

            // Had it waited for the abandoned command (minutes), this call would have hit its own timeout:
            // no wall-clock bound needed, however loaded the machine.
            Assert.Equal(("hi", false), await sandbox.RunAsync(Tools.Bash("echo hi", timeoutMs: 30_000)));
            // The abandoned command went with its shell: no process in the sandbox runs it any more
            // (polled: the kill is asynchronous; the pattern's brackets keep grep from finding itself).
            var probe = $"for i in $(seq 300); do cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' ' | grep -q '{AbandonedPattern}' || break; sleep 0.1; done; "
                + $"cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' ' | grep -q '{AbandonedPattern}' && echo kept-running || echo gone";
            Assert.Equal(("gone", false), await sandbox.RunAsync(Tools.Bash(probe, timeoutMs: 60_000)));
            Assert.Equal(("absent", false), await sandbox.RunAsync(Tools.Bash("test -e late.txt && echo present || echo absent")));
        }
        finally
        {
            await fixture.Provider.ReleaseAsync(sessionId, CancellationToken.None);
        }
    }
}
