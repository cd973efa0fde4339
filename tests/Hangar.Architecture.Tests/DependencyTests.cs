using System.Reflection;
using System.Xml.Linq;

namespace Hangar.Architecture.Tests;

/// <summary>
/// The dependency arrows of docs/architecture.md, checked on what the projects declare and on what the
/// compiled assemblies really reference: Contracts ← {Storage, Tools} ← Harness/Sandbox/Vault ← Server ← Cli.
/// </summary>
public sealed class DependencyTests
{
    /// <summary>Each project and the Hangar projects it may depend on (directly or not).</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Hangar.Contracts"] = [],
        ["Hangar.Storage"] = ["Hangar.Contracts"],
        // The toolset also runs inside every sandbox: nothing of ours but (at most) the wire types.
        ["Hangar.Tools"] = ["Hangar.Contracts"],
        ["Hangar.Sandbox.ToolRunner"] = ["Hangar.Tools"],
        ["Hangar.Harness"] = ["Hangar.Contracts", "Hangar.Storage", "Hangar.Tools"],
        // The sandbox ships the in-sandbox runner (built and copied, not referenced as an assembly).
        ["Hangar.Sandbox"] = ["Hangar.Contracts", "Hangar.Storage", "Hangar.Tools", "Hangar.Sandbox.ToolRunner"],
        // Known exception: VaultCredentials implements the harness's IMcpCredentials (Hangar.Harness.Mcp).
        ["Hangar.Vault"] = ["Hangar.Contracts", "Hangar.Storage", "Hangar.Tools", "Hangar.Harness"],
        ["Hangar.Server"] = ["Hangar.Contracts", "Hangar.Storage", "Hangar.Tools", "Hangar.Harness", "Hangar.Sandbox", "Hangar.Vault"],
        ["Hangar.Cli"] = ["Hangar.Contracts", "Hangar.Storage", "Hangar.Tools", "Hangar.Harness", "Hangar.Sandbox", "Hangar.Vault", "Hangar.Server"],
    };

    /// <summary>The assembly each project builds (the CLI is <c>hangar</c>).</summary>
    private static string AssemblyOf(string project) => project == "Hangar.Cli" ? "hangar" : project;

    private static string ProjectOf(string assembly) => assembly == "hangar" ? "Hangar.Cli" : assembly;

    public static TheoryData<string> Projects => [.. Allowed.Keys];

    [Theory]
    [MemberData(nameof(Projects))]
    public void Each_assembly_references_only_the_projects_below_it(string project)
    {
        var references = Assembly.Load(AssemblyOf(project)).GetReferencedAssemblies()
            .Select(r => ProjectOf(r.Name!))
            .Where(Allowed.ContainsKey);
        Assert.Empty(references.Except(Allowed[project]));
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Each_project_file_references_only_the_projects_below_it(string project)
    {
        var declared = ProjectFile(project).Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension((string)r.Attribute("Include")!.Value.Replace('\\', '/')))
            .ToList();
        Assert.Empty(declared.Except(Allowed[project]));
    }

    [Fact]
    public void The_sandbox_does_not_reference_the_harness()
    {
        var sandbox = Assembly.Load("Hangar.Sandbox").GetReferencedAssemblies().Select(r => r.Name);
        Assert.DoesNotContain("Hangar.Harness", sandbox);
        Assert.Contains("Hangar.Tools", sandbox);
        Assert.DoesNotContain("Hangar.Harness", Transitively("Hangar.Sandbox"));
    }

    /// <summary>The sandbox has the shared runtime (Microsoft.NETCore.App) and the two dlls SandboxStore copies; nothing else.</summary>
    [Theory]
    [InlineData("Hangar.Tools")]
    [InlineData("Hangar.Sandbox.ToolRunner")]
    public void What_runs_inside_the_sandbox_needs_nothing_but_the_shared_runtime_and_the_toolset(string project)
    {
        var runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var outside = Assembly.Load(project).GetReferencedAssemblies()
            .Select(r => r.Name!)
            .Where(name => name != "Hangar.Tools" && !File.Exists(Path.Join(runtime, name + ".dll")));
        Assert.Empty(outside);
    }

    [Theory]
    [InlineData("Hangar.Contracts")]
    [InlineData("Hangar.Storage")]
    [InlineData("Hangar.Tools")]
    [InlineData("Hangar.Sandbox.ToolRunner")]
    [InlineData("Hangar.Harness")]
    [InlineData("Hangar.Vault")]
    public void Nothing_below_the_server_references_aspnet_core(string project)
    {
        Assert.DoesNotContain(Transitively(project), name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }

    /// <summary>
    /// The sandbox's one use of ASP.NET Core: the per-sandbox git credential proxy is Kestrel on a unix socket
    /// (Git/). Anything else in the sandbox that wants HTTP serving should come through here first.
    /// </summary>
    [Fact]
    public void In_the_sandbox_only_the_git_credential_proxy_uses_aspnet_core()
    {
        var sandbox = Path.Join(RepositoryRoot(), "src", "Hangar.Sandbox");
        var users = Directory.EnumerateFiles(sandbox, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f).Contains("Microsoft.AspNetCore", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(sandbox, f).Replace('\\', '/'));
        Assert.Equal(["Git/GitCredentialProxy.cs"], users);
    }

    /// <summary>Every assembly <paramref name="project"/> pulls in at run time, by name.</summary>
    private static HashSet<string> Transitively(string project)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<AssemblyName>([new AssemblyName(AssemblyOf(project))]);
        while (pending.TryPop(out var name))
        {
            if (!seen.Add(name.Name!))
                continue;
            Assembly assembly;
            try
            {
                assembly = Assembly.Load(name);
            }
            catch (FileNotFoundException)
            {
                continue; // a facade the runtime resolves elsewhere
            }
            foreach (var reference in assembly.GetReferencedAssemblies())
                pending.Push(reference);
        }
        return seen;
    }

    private static XDocument ProjectFile(string project)
    {
        var path = Path.Join(RepositoryRoot(), "src", project, project + ".csproj");
        return XDocument.Load(path);
    }

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Join(directory.FullName, "Hangar.slnx")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"no Hangar.slnx above {AppContext.BaseDirectory}");
    }
}
