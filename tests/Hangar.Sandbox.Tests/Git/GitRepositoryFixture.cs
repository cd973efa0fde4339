using Hangar.Sandbox.Bubblewrap;
using Hangar.Tools;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hangar.Sandbox.Tests.Git;

/// <summary>
/// A sandbox provider that may reach loopback git remotes (as <c>--allow-private-egress 127.0.0.1</c> would
/// allow) and a token-protected git server holding <c>repo.git</c>.
/// </summary>
public sealed class GitRepositoryFixture : IAsyncLifetime
{
    public const string Token = "ghp_TestTokenNeverInSandbox_5d9e21";

    public string DataDirectory { get; } = Path.Join("/tmp", "hangar-git-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public BubblewrapSandboxProvider Provider { get; private set; } = null!;

    public GitHttpServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(DataDirectory);
        Server = await GitHttpServer.StartAsync(Token);
        await Server.CreateRepositoryAsync("repo.git");
        Provider = await BubblewrapSandboxProvider.CreateAsync(
            new SandboxOptions { DataDirectory = DataDirectory, Limits = SandboxFixture.TestLimits, AllowPrivateEgress = true },
            NullLogger.Instance, egress: null, CancellationToken.None);
    }

    public SandboxRequest Request(string sessionId, params SandboxRepository[] repositories) =>
        SandboxFixture.Request(sessionId) with { Repositories = repositories };

    public async Task DisposeAsync()
    {
        await Provider.DisposeAsync();
        await Server.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }
}
