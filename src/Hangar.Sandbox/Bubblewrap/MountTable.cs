using System.Text;

namespace Hangar.Sandbox.Bubblewrap;

/// <summary>This process's mount points, from <c>/proc/self/mountinfo</c> (field 5; octal escapes such as <c>\040</c> decoded).</summary>
internal static class MountTable
{
    public static bool IsMountPoint(string directory)
    {
        var full = Path.GetFullPath(directory).TrimEnd('/');
        return MountPoints().Any(m => m == full);
    }

    /// <summary>Mount points strictly below <paramref name="root"/>.</summary>
    public static IReadOnlyList<string> MountPointsUnder(string root)
    {
        var prefix = Path.GetFullPath(root).TrimEnd('/') + "/";
        return [.. MountPoints().Where(m => m.StartsWith(prefix, StringComparison.Ordinal)).Distinct()];
    }

    /// <summary>Loop-mounted filesystems: mount point and the loop device's backing file (as the kernel reports it).</summary>
    public static IReadOnlyList<(string MountPoint, string BackingFile)> LoopMounts()
    {
        var found = new List<(string, string)>();
        foreach (var line in File.ReadAllLines("/proc/self/mountinfo"))
        {
            var halves = line.Split(" - ");
            var fields = halves[0].Split(' ');
            var source = halves.Length == 2 ? halves[1].Split(' ').ElementAtOrDefault(1) : null;
            if (fields.Length <= 4 || source is null || !source.StartsWith("/dev/loop", StringComparison.Ordinal))
                continue;
            var backing = Path.Join("/sys/block", Path.GetFileName(source), "loop", "backing_file");
            if (File.Exists(backing))
                found.Add((Unescape(fields[4]), File.ReadAllText(backing).TrimEnd('\n')));
        }
        return found;
    }

    private static IEnumerable<string> MountPoints() =>
        File.ReadAllLines("/proc/self/mountinfo")
            .Select(line => line.Split(' '))
            .Where(fields => fields.Length > 4)
            .Select(fields => Unescape(fields[4]));

    private static string Unescape(string field)
    {
        if (!field.Contains('\\'))
            return field;
        var text = new StringBuilder();
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && field.AsSpan(i + 1, 3).ToString() is var octal && octal.All(c => c is >= '0' and <= '7'))
            {
                text.Append((char)Convert.ToInt32(octal, 8));
                i += 3;
            }
            else
            {
                text.Append(field[i]);
            }
        }
        return text.ToString();
    }
}
