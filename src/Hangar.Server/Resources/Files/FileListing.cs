using System.Text.Json.Nodes;
using Hangar.Contracts;
using Hangar.Server.Http;
using Hangar.Storage;

namespace Hangar.Server.Resources.Files;

/// <summary>
/// One page of <c>GET /v1/files</c>, newest first. Three cursors reach the same keyset on the id:
/// <c>page</c> (the opaque <c>next_page</c> the current SDKs follow), <c>after_id</c> (older than that
/// file, what older SDKs send with the previous page's <c>last_id</c>) and <c>before_id</c> (newer than
/// that file, the page right before it). Expired files are skipped without ending the walk early: a
/// page is filled from further rows, so a client that stops on an empty page still sees every live file.
/// </summary>
public sealed class FileListing
{
    public const string ListName = "files";
    private const int MaxIds = 100;

    private FileListing(List<JsonObject> files, bool hasMore, bool backwards)
    {
        Files = files;
        HasMore = hasMore;
        Backwards = backwards;
    }

    /// <summary>The live files of the page, newest first.</summary>
    public List<JsonObject> Files { get; }

    /// <summary>More files follow in the direction the request walked (older; newer for <c>before_id</c>).</summary>
    public bool HasMore { get; }

    private bool Backwards { get; }

    public static async Task<FileListing> ReadAsync(
        HttpRequest request, IHangarStore store, string workspaceId, DateTimeOffset now, CancellationToken ct)
    {
        var ids = QueryParameters.Array(request, "ids");
        if (ids?.Count > MaxIds)
        {
            throw new InvalidRequestException($"ids: at most {MaxIds} ids per request (got {ids.Count}).");
        }
        var scopeId = QueryParameters.Single(request, "scope_id");
        if (ids is not null)
        {
            var query = new ResourceQuery(ids.Count, Descending: true) { ScopeId = scopeId, Ids = ids };
            var page = await store.Resources.ListAsync(ResourceKind.File, workspaceId, query, ct);
            return new FileListing([.. Live(page.Items, now)], false, false);
        }
        var limit = QueryParameters.Limit(request, 20, 1000);
        var (cursor, backwards) = Cursor(request);
        var files = new List<JsonObject>();
        while (true)
        {
            // Keyset walk: descending (older) from an after-cursor, ascending (newer) from before_id.
            var query = new ResourceQuery(limit, cursor, Descending: !backwards) { ScopeId = scopeId };
            var page = await store.Resources.ListAsync(ResourceKind.File, workspaceId, query, ct);
            for (var i = 0; i < page.Items.Count; i++)
            {
                if (files.Count == limit)
                {
                    return Finish(files, hasMore: true, backwards);
                }
                if (ResourceLookup.Parse(page.Items[i]) is var file && !FileObject.IsExpired(file, now))
                {
                    files.Add(file);
                }
            }
            if (!page.HasMore || page.Items.Count == 0)
            {
                return Finish(files, hasMore: false, backwards);
            }
            if (files.Count == limit)
            {
                return Finish(files, hasMore: true, backwards);
            }
            cursor = page.Items[^1].Id;
        }
    }

    /// <summary>The wire page: <c>data</c>, <c>next_page</c>, and <c>has_more</c>/<c>first_id</c>/<c>last_id</c> for older SDKs.</summary>
    public IResult ToResult()
    {
        // next_page continues toward older files; a before_id walk goes the other way and pages by first_id.
        var next = HasMore && !Backwards && Files.Count > 0 ? PageToken.Encode(ListName, (string)Files[^1]["id"]!) : null;
        return WireResults.Page(Files, next,
            ("has_more", HasMore),
            ("first_id", Files.Count > 0 ? (string?)Files[0]["id"] : null),
            ("last_id", Files.Count > 0 ? (string?)Files[^1]["id"] : null));
    }

    private static FileListing Finish(List<JsonObject> files, bool hasMore, bool backwards)
    {
        if (backwards)
        {
            files.Reverse(); // Walked oldest to newest; every page is newest first.
        }
        return new FileListing(files, hasMore, backwards);
    }

    private static IEnumerable<JsonObject> Live(IEnumerable<ResourceRecord> records, DateTimeOffset now) =>
        records.Select(ResourceLookup.Parse).Where(f => !FileObject.IsExpired(f, now));

    private static (string? Cursor, bool Backwards) Cursor(HttpRequest request)
    {
        var page = PageToken.Decode(request, ListName);
        var afterId = FileId(request, "after_id");
        var beforeId = FileId(request, "before_id");
        if ((page is null ? 0 : 1) + (afterId is null ? 0 : 1) + (beforeId is null ? 0 : 1) > 1)
        {
            throw new InvalidRequestException("page, after_id and before_id: give at most one of them.");
        }
        return beforeId is not null ? (beforeId, true) : (page ?? afterId, false);
    }

    private static string? FileId(HttpRequest request, string name)
    {
        var id = QueryParameters.Single(request, name);
        return id is null || Ids.IsWellFormed(id, Ids.File)
            ? id
            : throw new InvalidRequestException($"{name}: '{id}' is not a file id (file_…).");
    }
}
