namespace Hangar.Tools;

/// <summary>
/// One session <c>github_repository</c> resource. <paramref name="Key"/> (the resource id) names the repository
/// on the credential proxy, so the in-sandbox remote URL stays the same across rebuilds.
/// <paramref name="Token"/> is used only by the host-side proxy; <see cref="ToString"/> never shows it.
/// </summary>
public sealed record SandboxRepository(string Key, string Url, string MountPath, RepositoryCheckout? Checkout, string? Token)
{
    public override string ToString() => $"SandboxRepository {{ Key = {Key}, Url = {Url}, MountPath = {MountPath} }}";
}

/// <summary>What to check out after cloning: a branch (<c>"branch"</c>) or a commit (<c>"commit"</c>); null means the default branch.</summary>
public sealed record RepositoryCheckout(string Type, string Value);
