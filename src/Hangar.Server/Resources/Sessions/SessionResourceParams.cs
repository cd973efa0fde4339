using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;
using Hangar.Server.Resources.Files;
using Hangar.Storage;

namespace Hangar.Server.Resources.Sessions;

/// <summary>
/// Session resources (§8): files mounted read-only and GitHub repositories cloned into the
/// sandbox. They live inside the session object; a repository's token is kept privately.
/// </summary>
public static class SessionResourceParams
{
    public const int MaxResources = 1000;
    public const int MaxFiles = 999;
    private const int MaxPathLength = 1024;

    /// <summary>A validated resource: its wire object and the token to keep privately, if any.</summary>
    public sealed record Parsed(JsonObject Wire, string? Token);

    /// <summary>
    /// Parses one resource param. Referenced files must exist in the workspace (404 otherwise).
    /// </summary>
    public static async Task<Parsed> ParseAsync(
        IHangarStore store, string workspaceId, JsonNode? node, string at, DateTimeOffset now, CancellationToken ct)
    {
        var item = node as JsonObject
            ?? throw new InvalidRequestException($"{at}: expected a resource object, got {JsonFields.Describe(node)}.");
        var type = JsonFields.OptionalString(item, "type", 64, at)
            ?? throw new InvalidRequestException($"{at}.type: Field required.");
        var stamp = WireJson.Timestamp(now);
        switch (type)
        {
            case "file":
                JsonFields.RejectUnknown(item, at, "type", "file_id", "mount_path");
                var fileId = JsonFields.RequiredString(item, "file_id", 100, at);
                if (!Ids.IsWellFormed(fileId, Ids.File)
                    || await store.Resources.GetAsync(ResourceKind.File, workspaceId, fileId, ct) is not { } file)
                {
                    throw new NotFoundException($"{at}.file_id: no file with id '{fileId}' in this workspace.");
                }
                if (FileObject.IsExpired(ResourceLookup.Parse(file), now))
                {
                    // A mount of bytes that are about to vanish would fail later, inside the session.
                    throw new InvalidRequestException($"{at}.file_id: the file '{fileId}' has expired and cannot be attached.", "file_expired");
                }
                return new Parsed(new JsonObject
                {
                    ["type"] = "file",
                    ["id"] = Ids.New(Ids.SessionResource),
                    ["file_id"] = fileId,
                    ["mount_path"] = MountPath(item, at) ?? $"/mnt/session/uploads/{fileId}",
                    ["created_at"] = stamp,
                    ["updated_at"] = stamp,
                }, null);
            case "github_repository":
                JsonFields.RejectUnknown(item, at, "type", "url", "authorization_token", "checkout", "mount_path");
                var url = JsonFields.RequiredString(item, "url", 2048, at);
                var repo = RepositoryName(url, at);
                return new Parsed(new JsonObject
                {
                    ["type"] = "github_repository",
                    ["id"] = Ids.New(Ids.SessionResource),
                    ["url"] = url,
                    ["mount_path"] = MountPath(item, at) ?? $"/workspace/{repo}",
                    ["checkout"] = Checkout(item, at),
                    ["created_at"] = stamp,
                    ["updated_at"] = stamp,
                }, JsonFields.OptionalString(item, "authorization_token", 4096, at, minLength: 1));
            case "memory_store":
                throw new InvalidRequestException($"{at}.type: memory_store resources are not supported yet.");
            default:
                throw new InvalidRequestException(
                    $"{at}.type: unknown type '{type}'; expected one of: file, github_repository, memory_store.");
        }
    }

    /// <summary>Refuses a resource list that would exceed the limits or mount two things at one path.</summary>
    public static void CheckSet(JsonArray resources, string at)
    {
        if (resources.Count > MaxResources)
        {
            throw new InvalidRequestException($"{at}: at most {MaxResources} resources are allowed.");
        }
        if (resources.Count(r => (string?)r?["type"] == "file") > MaxFiles)
        {
            throw new InvalidRequestException($"{at}: at most {MaxFiles} file resources are allowed.");
        }
        var duplicate = resources.Select(r => (string?)r?["mount_path"])
            .GroupBy(p => p, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidRequestException($"{at}: two resources use the mount_path '{duplicate.Key}'.");
        }
    }

    private static string? MountPath(JsonObject item, string at)
    {
        var path = JsonFields.OptionalString(item, "mount_path", MaxPathLength, at, minLength: 1);
        if (path is null)
        {
            return null;
        }
        // Control characters (NUL, newlines) would break the sandbox's mount arguments and any listing of them.
        if (!path.StartsWith('/') || path.Split('/').Any(part => part is "." or "..") || path.Any(char.IsControl))
        {
            throw new InvalidRequestException($"{at}.mount_path: must be an absolute path without '.' or '..' segments or control characters.");
        }
        return path;
    }

    private static string RepositoryName(string url, string at)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "https")
        {
            throw new InvalidRequestException($"{at}.url: expected an https URL such as https://github.com/owner/repo.");
        }
        var parts = uri.AbsolutePath.Trim('/').Split('/');
        if (parts.Length != 2 || parts.Any(p => p.Length == 0))
        {
            throw new InvalidRequestException($"{at}.url: expected a repository URL of the form https://<host>/owner/repo.");
        }
        var name = parts[1].EndsWith(".git", StringComparison.Ordinal) ? parts[1][..^4] : parts[1];
        return name.Length > 0 ? name : throw new InvalidRequestException($"{at}.url: the repository name is empty.");
    }

    private static JsonObject? Checkout(JsonObject item, string at)
    {
        var checkoutAt = JsonFields.Path(at, "checkout");
        var checkout = JsonFields.OptionalObject(item, "checkout", at);
        if (checkout is null)
        {
            return null;
        }
        var isBranch = JsonFields.Discriminator(checkout, checkoutAt, "branch", "commit") == "branch";
        JsonFields.RejectUnknown(checkout, checkoutAt, "type", isBranch ? "name" : "sha");
        return isBranch
            ? new JsonObject { ["type"] = "branch", ["name"] = JsonFields.RequiredString(checkout, "name", 255, checkoutAt) }
            : new JsonObject { ["type"] = "commit", ["sha"] = Sha(checkout, checkoutAt) };
    }

    private static string Sha(JsonObject checkout, string at)
    {
        var sha = JsonFields.RequiredString(checkout, "sha", 64, at, minLength: 4);
        return sha.All(Uri.IsHexDigit)
            ? sha
            : throw new InvalidRequestException($"{at}.sha: expected a hexadecimal commit sha.");
    }
}
