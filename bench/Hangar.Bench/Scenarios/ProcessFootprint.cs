using System.Diagnostics;
using System.Runtime;

namespace Hangar.Bench.Scenarios;

/// <summary>
/// What this process holds at one moment: the managed heap after a full blocking, compacting GC
/// (what is really retained, not garbage waiting for a collection), the resident set (VmRSS: heap
/// the GC has not given back, native memory, thread stacks), open file descriptors (sockets,
/// pipes, files) and its descendant processes, bubblewrap ones apart. Linux only (reads /proc).
/// </summary>
public sealed record ProcessFootprint(long ManagedBytes, long ResidentBytes, int OpenFiles, int Descendants, int Bwraps)
{
    /// <summary>Takes a snapshot; the subtree of <paramref name="excludedChild"/> (e.g. the fake model) is not counted.</summary>
    public static ProcessFootprint Take(int? excludedChild)
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var managed = GC.GetTotalMemory(forceFullCollection: true);
        var (descendants, bwraps) = CountDescendants(Environment.ProcessId, excludedChild);
        return new ProcessFootprint(managed, ResidentBytesOf(Environment.ProcessId), CountOpenFiles(), descendants, bwraps);
    }

    /// <summary>VmRSS of a process in bytes; 0 when it cannot be read.</summary>
    public static long ResidentBytesOf(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>Share of one core this process used over <paramref name="window"/> (e.g. 0.05 = 5 % of a core).</summary>
    public static async Task<double> CpuShareAsync(TimeSpan window, CancellationToken ct)
    {
        using var self = Process.GetCurrentProcess();
        var before = self.TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        await Task.Delay(window, ct);
        self.Refresh();
        return (self.TotalProcessorTime - before).TotalSeconds / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static int CountOpenFiles()
    {
        try
        {
            return Directory.GetFileSystemEntries("/proc/self/fd").Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    /// <summary>All processes below <paramref name="root"/>, and how many of them are <c>bwrap</c>.</summary>
    private static (int Descendants, int Bwraps) CountDescendants(int root, int? excluded)
    {
        var children = new Dictionary<int, List<int>>();
        var names = new Dictionary<int, string>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Join(directory, "stat"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // It exited meanwhile.
            }
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
            var close = stat.LastIndexOf(')');
            names[pid] = stat[(stat.IndexOf('(') + 1)..close];
            var parent = int.Parse(stat[(close + 2)..].Split(' ')[1]);
            if (!children.TryGetValue(parent, out var list))
            {
                children[parent] = list = [];
            }
            list.Add(pid);
        }
        var (count, bwraps) = (0, 0);
        var pending = new Stack<int>([root]);
        while (pending.TryPop(out var pid))
        {
            foreach (var child in children.GetValueOrDefault(pid) ?? [])
            {
                if (child == excluded)
                {
                    continue;
                }
                count++;
                bwraps += names[child] == "bwrap" ? 1 : 0;
                pending.Push(child);
            }
        }
        return (count, bwraps);
    }
}
