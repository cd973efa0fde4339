using System.Diagnostics;

namespace Hangar.Testing;

/// <summary>
/// Finds initdb/pg_ctl and runs them. initdb refuses to run as root, so as root the binaries
/// run as the <c>postgres</c> OS user (via runuser) on a directory handed over to it.
/// </summary>
internal sealed class PostgresBinaries(string directory, bool asPostgresUser)
{
    private const string InstallHint =
        "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or in /usr/lib/postgresql/*/bin. "
        + "Install them, e.g. `apt-get install postgresql` (Debian/Ubuntu), `dnf install postgresql-server` (Fedora) "
        + "or `brew install postgresql` (macOS), or put their bin directory on PATH.";

    public static PostgresBinaries Find()
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin"))
                : []);
        var directory = candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
            ?? throw new InvalidOperationException(InstallHint);
        return new PostgresBinaries(directory, Environment.UserName == "root");
    }

    /// <summary>Makes the server's OS user own the cluster directory when it is not us.</summary>
    public void GiveToServerUser(string root)
    {
        if (asPostgresUser)
        {
            RunAsync("chown", ["-R", "postgres:postgres", root], asIs: true).GetAwaiter().GetResult();
        }
    }

    public Task RunAsync(string tool, IReadOnlyList<string> arguments) => RunAsync(tool, arguments, asIs: false);

    private async Task RunAsync(string tool, IReadOnlyList<string> arguments, bool asIs)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var path = asIs ? tool : Path.Combine(directory, tool);
        if (asPostgresUser && !asIs)
        {
            start.FileName = "runuser";
            foreach (var argument in (string[])["-u", "postgres", "--", path])
            {
                start.ArgumentList.Add(argument);
            }
        }
        else
        {
            start.FileName = path;
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {tool}.");
        // The server pg_ctl starts may inherit our pipes, so never wait for their end unbounded.
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            var all = Task.WhenAll(error, output);
            await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(2)));
            var text = all.IsCompletedSuccessfully ? error.Result + output.Result : "(no output)";
            throw new InvalidOperationException($"{tool} failed with exit code {process.ExitCode}: {text}");
        }
    }
}
