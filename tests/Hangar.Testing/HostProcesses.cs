using Xunit;

namespace Hangar.Testing;

/// <summary>
/// Processes on this host by their command line (/proc), sandboxed ones included: a test can wait
/// until a tool's command really runs instead of sleeping and hoping it started. Test projects run
/// side by side, so each test waits for a command line no other test uses (e.g. its own sleep length).
/// </summary>
public static class HostProcesses
{
    /// <summary>Whether a process runs with exactly these arguments (zombies have an empty command line).</summary>
    public static bool Running(params string[] argv)
    {
        var wanted = string.Join('\0', argv) + '\0';
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (int.TryParse(Path.GetFileName(directory), out _) && File.ReadAllText(Path.Combine(directory, "cmdline")) == wanted)
                {
                    return true;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked.
            }
        }
        return false;
    }

    /// <summary>Polls (generously: a loaded machine may take long to start a sandbox) until the process runs.</summary>
    public static async Task WaitUntilRunningAsync(CancellationToken ct, params string[] argv)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!Running(argv))
        {
            Assert.True(DateTime.UtcNow < deadline, $"'{string.Join(' ', argv)}' never started.");
            await Task.Delay(20, ct);
        }
    }
}
