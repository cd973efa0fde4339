using System.Collections.Concurrent;
using System.Diagnostics;

namespace Hangar.Sandbox.Bubblewrap;

/// <summary>
/// Starts sandbox processes from one dedicated thread that lives as long as the process. bwrap's
/// <c>--die-with-parent</c> is PR_SET_PDEATHSIG, and Linux treats the THREAD that forked a child as its
/// parent: a bwrap started from a thread-pool or test-runner thread was SIGKILLed (exit 137) as soon as that
/// thread retired (traced with the signal_generate tracepoint: sender = the exiting ".NET Long Running"
/// thread). Forking from a thread that never exits keeps the intended meaning: the sandbox dies with the server.
/// </summary>
internal static class LauncherThread
{
    private static readonly BlockingCollection<(ProcessStartInfo Start, TaskCompletionSource<Process?> Started)> Requests = new();

    static LauncherThread()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "hangar-sandbox-launcher" };
        thread.Start();
    }

    /// <summary><see cref="Process.Start(ProcessStartInfo)"/>, run on the launcher thread.</summary>
    public static Process? Start(ProcessStartInfo start)
    {
        var started = new TaskCompletionSource<Process?>(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add((start, started));
        return started.Task.GetAwaiter().GetResult();
    }

    private static void Run()
    {
        foreach (var (start, started) in Requests.GetConsumingEnumerable())
        {
            try
            {
                started.SetResult(Process.Start(start));
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        }
    }
}
