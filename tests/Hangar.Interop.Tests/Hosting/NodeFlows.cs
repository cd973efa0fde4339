using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Hangar.Interop.Tests.Hosting;

/// <summary>
/// The TypeScript flows in tests/interop-ts: installed from its lock file (<c>npm ci</c>, only when
/// the installed tree is missing or older than the lock), compiled with the pinned <c>tsc</c> (so
/// the SDK's own types check the flows), and run one <c>node</c> process per flow.
/// </summary>
public sealed class NodeFlows
{
    private const int MinimumNodeMajor = 20;
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);

    private NodeFlows(string folder) => Folder = folder;

    /// <summary>tests/interop-ts of this checkout.</summary>
    public string Folder { get; }

    public static async Task<NodeFlows> PrepareAsync(CancellationToken ct)
    {
        var directory = Path.Combine(RepositoryRoot(), "tests", "interop-ts");
        string version;
        try
        {
            version = (await RunAsync("node", ["--version"], directory, null, TimeSpan.FromSeconds(30), ct)).Stdout.Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException(
                "The interop tests need Node.js 20+ and npm on PATH (scripts/test.sh installs the nodejs and npm packages).");
        }
        // The SDK supports Node.js 20 LTS and later; an older node fails in ways that look like Hangar bugs.
        if (!int.TryParse(version.TrimStart('v').Split('.')[0], System.Globalization.CultureInfo.InvariantCulture, out var major) || major < MinimumNodeMajor)
        {
            throw new InvalidOperationException($"The interop tests need Node.js {MinimumNodeMajor}+ (the SDK's minimum); node --version says '{version}'.");
        }
        var installed = Path.Combine(directory, "node_modules", ".package-lock.json");
        if (!File.Exists(installed) || File.GetLastWriteTimeUtc(installed) < File.GetLastWriteTimeUtc(Path.Combine(directory, "package-lock.json")))
        {
            // The cache lives beside the project so a second run (and CI's) installs offline.
            await Checked("npm", ["ci", "--no-audit", "--no-fund", "--prefer-offline", "--cache", Path.Combine(directory, ".npm-cache")], directory, ct);
        }
        if (!IsBuilt(directory))
        {
            await Checked("node", [Path.Combine("node_modules", "typescript", "bin", "tsc"), "-p", "."], directory, ct);
        }
        return new NodeFlows(directory);
    }

    /// <summary>Runs dist/<paramref name="flow"/>.js; its result is the line it prints as <c>RESULT {json}</c>.</summary>
    public async Task<FlowResult> RunAsync(string flow, IReadOnlyDictionary<string, string> env, CancellationToken ct)
    {
        var (exit, stdout, stderr) = await RunAsync("node", [Path.Combine("dist", flow + ".js")], Folder, env, TimeSpan.FromMinutes(2), ct);
        var line = stdout.Split('\n').LastOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        if (exit != 0 || line is null)
        {
            throw new InvalidOperationException($"The {flow} flow failed (exit {exit}).\nstdout:\n{stdout}\nstderr:\n{stderr}");
        }
        return new FlowResult(JsonNode.Parse(line["RESULT ".Length..])!.AsObject(), stdout, stderr);
    }

    /// <summary>dist/ is newer than every source, the compiler settings and the installed packages.</summary>
    private static bool IsBuilt(string directory)
    {
        var dist = Path.Combine(directory, "dist");
        if (!Directory.Exists(dist) || Directory.GetFiles(dist, "*.js").Length == 0)
        {
            return false;
        }
        var built = Directory.GetFiles(dist, "*.js").Min(File.GetLastWriteTimeUtc);
        var inputs = Directory.GetFiles(Path.Combine(directory, "src"), "*.ts")
            .Append(Path.Combine(directory, "tsconfig.json"))
            .Append(Path.Combine(directory, "node_modules", ".package-lock.json"));
        return inputs.All(input => File.GetLastWriteTimeUtc(input) < built);
    }

    private static async Task Checked(string file, string[] args, string directory, CancellationToken ct)
    {
        var (exit, stdout, stderr) = await RunAsync(file, args, directory, null, InstallTimeout, ct);
        if (exit != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed (exit {exit}) in {directory}.\n{stdout}\n{stderr}");
        }
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(
        string file, string[] args, string directory, IReadOnlyDictionary<string, string>? env, TimeSpan timeout, CancellationToken ct)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (name, value) in env ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout}.\nstdout:\n{stdout}\nstderr:\n{stderr}");
        }
        process.WaitForExit(); // drains the redirected streams
        return (process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Hangar.slnx")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"No Hangar.slnx above {AppContext.BaseDirectory}.");
    }
}

/// <summary>What a flow printed: its result object, and its whole output for failure messages.</summary>
public sealed record FlowResult(JsonObject Json, string Stdout, string Stderr)
{
    public IReadOnlyList<string> Strings(string name) =>
        [.. Json[name]!.AsArray().Select(n => n!.GetValue<string>())];

    public string? String(string name) => (string?)Json[name];
}
