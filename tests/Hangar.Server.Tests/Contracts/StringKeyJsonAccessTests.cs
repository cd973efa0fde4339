using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Hangar.Server.Tests.Contracts;

/// <summary>
/// The wire contract lives in Hangar.Contracts records; code elsewhere must not pick JSON apart by
/// string keys. The rule, per C# file under src/ that uses System.Text.Json (Hangar.Contracts's
/// Serialization/ folder is the one place allowed): no string-literal indexer (<c>node["type"]</c>,
/// <c>new JsonObject { ["type"] = … }</c>; HTTP <c>Headers</c>/<c>Items</c>/<c>Query</c>/<c>Form</c>
/// lookups excepted), no <c>TryGetPropertyValue("…")</c>/<c>GetProperty("…")</c>/<c>TryGetProperty("…")</c>,
/// and no <c>JsonFields.…</c> helper (string-key reads in disguise).
/// Files not yet converted are listed below; the list may only shrink: a listed file that is
/// clean fails the test until it is removed, so the list always tells the truth.
/// </summary>
public sealed partial class StringKeyJsonAccessTests
{
    private static readonly string[] NotYetConverted =
    [
        "src/Hangar.Cli/ApiClient.cs",
        "src/Hangar.Cli/Commands/DemoCommand.cs",
        "src/Hangar.Cli/Commands/DoctorCommand.cs",
        "src/Hangar.Cli/Commands/EnvKeysCommand.cs",
        "src/Hangar.Cli/Commands/ResourceCommands.cs",
        "src/Hangar.Cli/Commands/SessionCommands.cs",
        "src/Hangar.Cli/Commands/WorkCommand.cs",
        "src/Hangar.Cli/EventRenderer.cs",
        "src/Hangar.Cli/ResourceView.cs",
        "src/Hangar.Cli/Runner/RunnerApi.cs",
        "src/Hangar.Cli/Runner/SessionCalls.cs",
        "src/Hangar.Cli/Runner/SessionFollower.cs",
        "src/Hangar.Cli/Runner/WorkItemRunner.cs",
        "src/Hangar.Cli/Runner/WorkRunner.cs",
        "src/Hangar.Cli/Runner/WorkSecret.cs",
        "src/Hangar.Contracts/Work/WorkRequests.cs",
        "src/Hangar.Harness/Context/AgentTools.cs",
        "src/Hangar.Harness/Context/AutoPermission.cs",
        "src/Hangar.Harness/Context/ContextBuilder.cs",
        "src/Hangar.Harness/Context/MessageList.cs",
        "src/Hangar.Harness/Context/ToolPermission.cs",
        "src/Hangar.Harness/Context/TranscriptAssembler.cs",
        "src/Hangar.Harness/Log/HarnessEvents.cs",
        "src/Hangar.Harness/Mcp/McpConnection.cs",
        "src/Hangar.Harness/Mcp/McpOutput.cs",
        "src/Hangar.Harness/Mcp/McpSessionServers.cs",
        "src/Hangar.Harness/Mcp/McpToolCatalog.cs",
        "src/Hangar.Harness/Models/Anthropic/AnthropicModelClient.cs",
        "src/Hangar.Harness/Models/Anthropic/MessageStreamAssembler.cs",
        "src/Hangar.Harness/Models/IModelClient.cs",
        "src/Hangar.Harness/Models/ModelSettings.cs",
        "src/Hangar.Harness/Models/OpenAi/ChatRequestMapper.cs",
        "src/Hangar.Harness/Models/OpenAi/ChatStreamAssembler.cs",
        "src/Hangar.Harness/Models/Scripted/ScriptedConversation.cs",
        "src/Hangar.Harness/Models/Scripted/ScriptedModelClient.cs",
        "src/Hangar.Harness/Turns/Compactor.cs",
        "src/Hangar.Harness/Turns/ModelTurn.cs",
        "src/Hangar.Harness/Turns/ResponseEvents.cs",
        "src/Hangar.Harness/Turns/SelfHostedSession.cs",
        "src/Hangar.Harness/Turns/SessionFiles.cs",
        "src/Hangar.Harness/Turns/SessionOutputs.cs",
        "src/Hangar.Harness/Turns/SessionRepositories.cs",
        "src/Hangar.Harness/Turns/SessionRow.cs",
        "src/Hangar.Harness/Turns/StepExecutor.cs",
        "src/Hangar.Harness/Turns/ToolOutput.cs",
        "src/Hangar.Sandbox.ToolRunner/Program.cs",
        "src/Hangar.Sandbox/Bubblewrap/BubblewrapSandbox.cs",
        "src/Hangar.Sandbox/Bubblewrap/SandboxStore.cs",
        "src/Hangar.Sandbox/Bubblewrap/ToolRunnerProcess.cs",
        "src/Hangar.Sandbox/Network/HttpWebFetcher.cs",
        "src/Hangar.Sandbox/Network/NetworkPolicy.cs",
        "src/Hangar.Sandbox/Packages/PackageLayer.cs",
        "src/Hangar.Sandbox/Packages/PackagesSpec.cs",
        "src/Hangar.Server/Endpoints/EnvironmentEndpoints.cs",
        "src/Hangar.Server/Endpoints/SessionEndpoints.cs",
        "src/Hangar.Server/Endpoints/SessionEventEndpoints.cs",
        "src/Hangar.Server/Endpoints/SessionPreviews.cs",
        "src/Hangar.Server/Endpoints/SessionResourceEndpoints.cs",
        "src/Hangar.Server/Endpoints/SessionStream.cs",
        "src/Hangar.Server/Endpoints/VaultCredentialEndpoints.cs",
        "src/Hangar.Server/Endpoints/VaultEndpoints.cs",
        "src/Hangar.Server/Endpoints/VaultOAuthValidateEndpoints.cs",
        "src/Hangar.Server/Http/JsonBody.cs",
        "src/Hangar.Server/Http/Metadata.cs",
        "src/Hangar.Server/Http/WireResults.cs",
        "src/Hangar.Server/Resources/Environments/EnvironmentConfig.cs",
        "src/Hangar.Server/Resources/Environments/EnvironmentRequest.cs",
        "src/Hangar.Server/Resources/Environments/SelfHostedRules.cs",
        "src/Hangar.Server/Resources/Files/FileListing.cs",
        "src/Hangar.Server/Resources/Files/FileObject.cs",
        "src/Hangar.Server/Resources/Sessions/ContentBlocks.cs",
        "src/Hangar.Server/Resources/Sessions/EventJson.cs",
        "src/Hangar.Server/Resources/Sessions/SessionAgentSnapshot.cs",
        "src/Hangar.Server/Resources/Sessions/SessionBudget.cs",
        "src/Hangar.Server/Resources/Sessions/SessionObject.cs",
        "src/Hangar.Server/Resources/Sessions/SessionRequest.cs",
        "src/Hangar.Server/Resources/Sessions/SessionResourceParams.cs",
        "src/Hangar.Server/Resources/Sessions/SessionUpdate.cs",
        "src/Hangar.Server/Resources/Sessions/StoredSession.cs",
        "src/Hangar.Server/Resources/Sessions/ToolResultCheck.cs",
        "src/Hangar.Server/Resources/Sessions/UserEvents.cs",
        "src/Hangar.Server/Resources/Vaults/CredentialAuth.cs",
        "src/Hangar.Server/Resources/Vaults/CredentialAuthUpdate.cs",
        "src/Hangar.Server/Resources/Vaults/VaultObjects.cs",
        "src/Hangar.Server/Work/HeartbeatPreconditionFailedException.cs",
        "src/Hangar.Storage/Postgres/DeltaWire.cs",
        "src/Hangar.Storage/Sql/ResourceRows.cs",
        "src/Hangar.Tools/Definitions/BuiltInTools.cs",
        "src/Hangar.Tools/Output/ToolOutputSpill.cs",
        "src/Hangar.Tools/Sandboxes/ISandbox.cs",
        "src/Hangar.Tools/Web/IWebFetcher.cs",
        "src/Hangar.Vault/ResourceTokens.cs",
        "src/Hangar.Vault/TokenRefresher.cs",
        "src/Hangar.Vault/VaultCredentials.cs",
        "src/Hangar.Vault/VaultSandboxSecrets.cs",
    ];

    private static readonly HashSet<string> HttpCollections = new(["Headers", "Items", "Query", "Form", "Cookies", "RouteValues", "Configuration"], StringComparer.Ordinal);

    [Fact]
    public void Only_listed_files_read_json_by_string_key()
    {
        var offenders = Count().Where(f => f.Value > 0 && !NotYetConverted.Contains(f.Key)).Select(f => $"{f.Key} ({f.Value})").ToList();
        Assert.True(offenders.Count == 0,
            "These files read or build JSON by string key; use the records in Hangar.Contracts instead (see src/Hangar.Contracts/README.md):\n"
            + string.Join("\n", offenders));
    }

    [Fact]
    public void The_list_of_unconverted_files_only_shrinks()
    {
        var counts = Count();
        var clean = NotYetConverted.Where(f => counts.GetValueOrDefault(f) == 0).ToList();
        Assert.True(clean.Count == 0, "These files no longer read JSON by string key; remove them from NotYetConverted:\n" + string.Join("\n", clean));
    }

    /// <summary>String-key lookups per file (repository-relative path).</summary>
    public static Dictionary<string, int> Count()
    {
        var root = RepositoryRoot();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal)
                || relative.StartsWith("src/Hangar.Contracts/Serialization/", StringComparison.Ordinal))
            {
                continue;
            }
            var text = File.ReadAllText(file);
            if (!text.Contains("System.Text.Json", StringComparison.Ordinal))
            {
                continue;
            }
            var hits = StringKeyAccess().Matches(text).Count(m => !HttpCollections.Contains(m.Groups[1].Value));
            if (hits > 0)
            {
                counts[relative] = hits;
            }
        }
        return counts;
    }

    [GeneratedRegex("""(?<![A-Za-z_])(?:(\w+)\s*\??)?\[\s*"[^"]*"\s*\]|\b(?:TryGetPropertyValue|GetProperty|TryGetProperty)\(\s*"|\bJsonFields\.\w+\(""")]
    private static partial Regex StringKeyAccess();

    private static string RepositoryRoot([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", ".."));
}
