using Hangar.Tools;

namespace Hangar.Sandbox.Tests.Git;

/// <summary>
/// Each way a <c>github_repository</c> resource can fail maps to the API's <c>repository_*_error</c> type
/// (the harness turns it into a <c>session.error</c> with <c>repository_url</c>), against a real git server.
/// </summary>
public sealed class RepositoryErrorTests(GitRepositoryFixture fixture) : IClassFixture<GitRepositoryFixture>
{
    [Fact]
    public async Task A_missing_token_is_an_authentication_error()
    {
        var e = await FailAsync(fixture.Server.UrlOf("repo.git"), token: null);

        Assert.Equal(RepositoryProvisioningException.Authentication, e.ErrorType);
        Assert.Equal(fixture.Server.UrlOf("repo.git"), e.RepositoryUrl);
    }

    [Fact]
    public async Task A_repository_the_server_does_not_have_is_not_found()
    {
        var e = await FailAsync(fixture.Server.UrlOf("missing.git"), GitRepositoryFixture.Token);

        Assert.Equal(RepositoryProvisioningException.NotFound, e.ErrorType);
    }

    [Theory]
    [InlineData("branch", "no-such-branch")]
    [InlineData("commit", "0123456789abcdef0123456789abcdef01234567")]
    public async Task A_branch_or_commit_the_repository_lacks_is_a_checkout_error(string kind, string value)
    {
        var e = await FailAsync(fixture.Server.UrlOf("repo.git"), GitRepositoryFixture.Token, new RepositoryCheckout(kind, value));

        Assert.Equal(RepositoryProvisioningException.Checkout, e.ErrorType);
        Assert.Contains(value, e.Message);
    }

    [Fact]
    public async Task An_unreachable_remote_is_a_clone_error()
    {
        var e = await FailAsync("http://127.0.0.1:1/owner/app.git", GitRepositoryFixture.Token);

        Assert.Equal(RepositoryProvisioningException.Clone, e.ErrorType);
        Assert.Contains("could not be reached", e.Message);
    }

    private async Task<RepositoryProvisioningException> FailAsync(string url, string? token, RepositoryCheckout? checkout = null)
    {
        var repository = new SandboxRepository("sesrsc_" + Guid.NewGuid().ToString("N")[..12], url, "/workspace/repo", checkout, token);
        var e = await Assert.ThrowsAsync<RepositoryProvisioningException>(() => fixture.Provider.AcquireAsync(
            fixture.Request(SandboxFixture.NewSessionId(), repository), CancellationToken.None));
        Assert.DoesNotContain(GitRepositoryFixture.Token, e.Message);
        return e;
    }
}
