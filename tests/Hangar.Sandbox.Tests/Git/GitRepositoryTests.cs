using System.Text.Json.Nodes;
using Hangar.Tools;

namespace Hangar.Sandbox.Tests.Git;

/// <summary>
/// <c>github_repository</c> resources at the provider level: cloned inside the sandbox through the host-side
/// credential proxy, pushable from bash, and the token nowhere the sandbox can see.
/// </summary>
public sealed class GitRepositoryTests(GitRepositoryFixture fixture) : IClassFixture<GitRepositoryFixture>
{
    private SandboxRepository Repository(string? token, RepositoryCheckout? checkout = null, string mountPath = "/workspace/repo") =>
        new("sesrsc_" + Guid.NewGuid().ToString("N")[..12], fixture.Server.UrlOf("repo.git"), mountPath, checkout, token);

    [Fact]
    public async Task Clones_the_requested_branch_and_pushes_through_the_proxy()
    {
        await using var sandbox = await fixture.Provider.AcquireAsync(
            fixture.Request(SandboxFixture.NewSessionId(), Repository(GitRepositoryFixture.Token, new RepositoryCheckout("branch", "feature"))),
            CancellationToken.None);

        var (branch, _) = await sandbox.RunAsync(Tools.Bash("git -C /workspace/repo rev-parse --abbrev-ref HEAD && cat /workspace/repo/feature.txt && stat -c %u /workspace/repo/.git"));
        Assert.Equal("feature\nfeature work\n1000", branch.Trim());

        var (push, pushFailed) = await sandbox.RunAsync(Tools.Bash(
            "cd /workspace/repo && echo pushed > pushed.txt && git add pushed.txt && git -c user.name=a -c user.email=a@b commit -qm 'from the sandbox' && git push -q origin feature 2>&1"));
        Assert.False(pushFailed, push);
        Assert.Equal("from the sandbox", await GitHttpServer.RunGitAsync(fixture.Server.Root, "--git-dir", "repo.git", "log", "-1", "--format=%s", "feature"));
    }

    [Fact]
    public async Task The_token_appears_nowhere_inside_the_sandbox()
    {
        await using var sandbox = await fixture.Provider.AcquireAsync(
            fixture.Request(SandboxFixture.NewSessionId(), Repository(GitRepositoryFixture.Token, mountPath: "/srv/code")), CancellationToken.None);
        var basic = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("x-access-token:" + GitRepositoryFixture.Token));

        var (fetch, fetchFailed) = await sandbox.RunAsync(Tools.Bash("cd /srv/code && git fetch -q origin 2>&1 && git rev-parse --abbrev-ref HEAD && git remote get-url origin"));
        Assert.False(fetchFailed, fetch);
        Assert.StartsWith("main\nhttp://127.0.0.1:3129/sesrsc_", fetch);

        foreach (var secret in new[] { GitRepositoryFixture.Token, basic })
        {
            var (hits, _) = await sandbox.RunAsync(Tools.Bash(
                $"{{ grep -rlaF '{secret}' /workspace /srv/code /tmp /etc /run 2>/dev/null; env | grep -F '{secret}'; " +
                $"for f in /proc/[0-9]*/environ /proc/[0-9]*/cmdline; do grep -laF '{secret}' $f 2>/dev/null; done; }} | head; echo checked"));
            Assert.Equal("checked", hits.Trim());
        }
    }

    [Fact]
    public async Task Without_the_token_the_clone_fails_with_a_clear_error()
    {
        var e = await Assert.ThrowsAnyAsync<SandboxProvisioningException>(() => fixture.Provider.AcquireAsync(
            fixture.Request(SandboxFixture.NewSessionId(), Repository(token: null)), CancellationToken.None));
        Assert.Contains("401", e.Message);
        Assert.Contains("needs an authorization_token", e.Message);
        Assert.Contains(fixture.Server.UrlOf("repo.git"), e.Message);
    }

    [Fact]
    public async Task A_private_remote_is_refused_unless_the_operator_allows_private_egress()
    {
        var data = Path.Join("/tmp", "hangar-git-refuse-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(data);
        try
        {
            await using var provider = await Bubblewrap.BubblewrapSandboxProvider.CreateAsync(
                new Bubblewrap.SandboxOptions { DataDirectory = data, Limits = SandboxFixture.TestLimits, AllowPrivateEgress = false },
                Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, egress: null, CancellationToken.None);
            var e = await Assert.ThrowsAnyAsync<SandboxProvisioningException>(() => provider.AcquireAsync(
                fixture.Request(SandboxFixture.NewSessionId(), Repository(GitRepositoryFixture.Token)), CancellationToken.None));
            Assert.Contains("Refused to connect to 127.0.0.1", e.Message);
            Assert.Contains("--allow-private-egress", e.Message);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task File_tools_refuse_git_hooks_and_shell_startup_files()
    {
        await using var sandbox = await fixture.Provider.AcquireAsync(
            fixture.Request(SandboxFixture.NewSessionId(), Repository(GitRepositoryFixture.Token)), CancellationToken.None);
        JsonObject Write(string path) => new() { ["file_path"] = path, ["content"] = "#!/bin/sh\necho pwned\n" };

        var (hook, hookRefused) = await sandbox.RunAsync(Tools.Call("write", Write("/workspace/repo/.git/hooks/pre-commit")));
        Assert.True(hookRefused);
        Assert.Contains("git hook", hook);
        var (edit, editRefused) = await sandbox.RunAsync(Tools.Call("edit", new JsonObject
        {
            ["file_path"] = "repo/.git/hooks/pre-push.sample",
            ["old_string"] = "#!/bin/sh",
            ["new_string"] = "#!/bin/sh\necho pwned",
        }));
        Assert.True(editRefused);
        Assert.Contains("git hook", edit);
        foreach (var rc in new[] { ".bashrc", "/workspace/.profile", ".bash_profile" })
        {
            var (text, refused) = await sandbox.RunAsync(Tools.Call("write", Write(rc)));
            Assert.True(refused, rc);
            Assert.Contains("shell start-up file", text);
        }
        var (_, ordinaryFailed) = await sandbox.RunAsync(Tools.Call("write", Write("repo/scripts/.bashrc")));
        Assert.False(ordinaryFailed);
        var (listing, _) = await sandbox.RunAsync(Tools.Bash("ls -A /workspace /workspace/repo/.git/hooks"));
        Assert.Contains("pre-push.sample", listing);
        Assert.DoesNotContain("pre-commit\n", listing);
        Assert.DoesNotContain(".bashrc", listing);
    }
}
