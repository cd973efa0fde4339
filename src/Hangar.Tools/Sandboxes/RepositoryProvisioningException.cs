namespace Hangar.Tools;

/// <summary>
/// A session's <c>github_repository</c> resource could not be placed in the sandbox. <see cref="ErrorType"/> is the
/// <c>session.error</c> type the API names for it: <c>repository_authentication_error</c> (the remote answered 401),
/// <c>repository_forbidden_error</c> (403), <c>repository_not_found_error</c> (404), <c>repository_checkout_error</c>
/// (cloned, but the branch or commit is not there) or <c>repository_clone_error</c> (anything else).
/// </summary>
public sealed class RepositoryProvisioningException(string errorType, string repositoryUrl, string message)
    : SandboxProvisioningException(message)
{
    public const string Authentication = "repository_authentication_error";
    public const string Forbidden = "repository_forbidden_error";
    public const string NotFound = "repository_not_found_error";
    public const string Checkout = "repository_checkout_error";
    public const string Clone = "repository_clone_error";

    public string ErrorType { get; } = errorType;

    public string RepositoryUrl { get; } = repositoryUrl;
}
