using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Hangar.Tools;

/// <summary>
/// grep{pattern, path?}: regex search under path (default the workspace), printed as
/// <c>path:line:text</c> with paths relative to the workspace. Uses ripgrep when it is installed
/// (<c>rg -n --no-heading</c>, so its ignore rules apply); otherwise a .NET regex walk that skips
/// binary files and lines over 2000 characters. Output stops at 100 KiB.
/// </summary>
internal static class GrepTool
{
    private const int MaxLineChars = 2000;
    private const string NoMatches = "No matches found";

    public static async Task<ToolResult> RunAsync(WorkspacePaths paths, ToolInput input, string? ripgrep, CancellationToken ct)
    {
        var pattern = input.RequiredString("pattern");
        if (pattern.Length == 0)
            throw new ToolInputException("grep: pattern must not be empty");
        var target = paths.Resolve(input.OptionalString("path") ?? WorkspacePaths.SandboxRoot);
        if (!Path.Exists(target))
            throw new ToolInputException($"grep: {paths.ToSandboxPath(target)} does not exist");
        return ripgrep is null
            ? Walk(paths, pattern, target, ct)
            : await RipgrepAsync(paths, ripgrep, pattern, target, ct);
    }

    private static async Task<ToolResult> RipgrepAsync(WorkspacePaths paths, string ripgrep, string pattern, string target, CancellationToken ct)
    {
        var start = new ProcessStartInfo(ripgrep)
        {
            WorkingDirectory = paths.HostRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        CleanEnvironment.Apply(start.Environment, paths.HostRoot);
        foreach (var arg in new[] { "-n", "--no-heading", "--with-filename", "--color=never", $"--max-columns={MaxLineChars}", "-e", pattern })
            start.ArgumentList.Add(arg);
        // Always name the path: with none, rg would search its (empty) stdin instead of the cwd.
        start.ArgumentList.Add(Path.GetRelativePath(paths.HostRoot, target));

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start ripgrep");
        process.StandardInput.Close();
        await using var kill = ct.Register(() => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } });
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var output = new MemoryStream();
        var buffer = new byte[64 * 1024];
        var truncated = false;
        int read;
        while ((read = await process.StandardOutput.BaseStream.ReadAsync(buffer, CancellationToken.None)) > 0)
        {
            var room = ToolLimits.MaxCommandOutputBytes - (int)output.Length;
            output.Write(buffer, 0, Math.Min(room, read));
            if (read > room)
            {
                truncated = true;
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                break;
            }
        }
        await process.WaitForExitAsync(CancellationToken.None);
        ct.ThrowIfCancellationRequested();
        var text = Encoding.UTF8.GetString(output.GetBuffer(), 0, (int)output.Length);
        if (truncated)
            return ToolResult.Text(WithoutDotSlash(text[..(text.LastIndexOf('\n') + 1)]) + ToolLimits.TruncationMarker);
        if (process.ExitCode == 1 && text.Length == 0)
            return ToolResult.Text(NoMatches);
        if (process.ExitCode >= 2 && text.Length == 0)
            return ToolResult.Text($"grep: ripgrep failed: {(await stderr).Trim()}", isError: true);
        return ToolResult.Text(WithoutDotSlash(text.TrimEnd('\n')));
    }

    /// <summary>rg prints "./a.txt" when searching "."; the fallback and other paths print "a.txt".</summary>
    private static string WithoutDotSlash(string text) =>
        string.Join('\n', text.Split('\n').Select(line => line.StartsWith("./", StringComparison.Ordinal) ? line[2..] : line));

    private static ToolResult Walk(WorkspacePaths paths, string pattern, string target, CancellationToken ct)
    {
        Regex regex;
        try
        {
            regex = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(2));
        }
        catch (ArgumentException e)
        {
            throw new ToolInputException($"grep: invalid regex '{pattern}': {e.Message}");
        }
        var files = File.Exists(target) ? [new FileInfo(target)] : new WorkspaceWalk(target).Files(ct);
        var output = new StringBuilder();
        var bytes = 0;
        foreach (var file in files)
        {
            var shown = Path.GetRelativePath(paths.HostRoot, file.FullName);
            foreach (var (number, line) in TextLines(file, ct))
            {
                if (line.Length > MaxLineChars || !regex.IsMatch(line))
                    continue;
                var hit = $"{shown}:{number}:{line}\n";
                bytes += Encoding.UTF8.GetByteCount(hit);
                if (bytes > ToolLimits.MaxCommandOutputBytes)
                    return ToolResult.Text(output.ToString() + ToolLimits.TruncationMarker);
                output.Append(hit);
            }
        }
        return ToolResult.Text(output.Length == 0 ? NoMatches : output.ToString().TrimEnd('\n'));
    }

    /// <summary>A file's lines, or nothing for binary (a NUL in the first 8000 bytes) or unreadable files.</summary>
    private static IEnumerable<(int Number, string Line)> TextLines(FileInfo file, CancellationToken ct)
    {
        if (file.Length == 0)
            yield break;
        StreamReader reader;
        try
        {
            var stream = file.OpenRead();
            var probe = new byte[8000];
            var probed = stream.ReadAtLeast(probe, probe.Length, throwOnEndOfStream: false);
            if (Array.IndexOf(probe, (byte)0, 0, probed) >= 0)
            {
                stream.Dispose();
                yield break;
            }
            stream.Position = 0;
            reader = new StreamReader(stream, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }
        using (reader)
        {
            var number = 0;
            while (reader.ReadLine() is { } line)
            {
                ct.ThrowIfCancellationRequested();
                yield return (++number, line);
            }
        }
    }
}
