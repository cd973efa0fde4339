using Hangar.Contracts;
using Hangar.Server.Http;
using Hangar.Server.Resources;
using Hangar.Server.Resources.Files;
using Hangar.Storage;

namespace Hangar.Server.Endpoints;

/// <summary>
/// <c>/v1/files</c> (no beta header). An upload writes the content first and the metadata row
/// second: until the row exists the file is invisible, so a failure between the two never shows a
/// file without content (the orphaned content is removed on a best-effort basis).
/// </summary>
public static class FileEndpoints
{
    private const string ListName = "files";
    private const int MaxIds = 100;

    public static RouteGroupBuilder MapFiles(this RouteGroupBuilder v1)
    {
        var files = v1.MapGroup("/files");
        files.MapPost("", UploadAsync);
        files.MapGet("", ListAsync);
        files.MapGet("/{id}", GetAsync);
        files.MapGet("/{id}/content", ContentAsync);
        files.MapDelete("/{id}", DeleteAsync);
        return v1;
    }

    private static async Task<IResult> UploadAsync(
        HttpContext context, IHangarStore store, HangarServerOptions options, TimeProvider time)
    {
        var ct = context.RequestAborted;
        var upload = await FileUpload.ReadAsync(context.Request, options.MaxFileBytes, ct);
        var workspace = ApiKeyAuthentication.WorkspaceOf(context);
        var now = time.GetUtcNow();
        var id = Ids.New(Ids.File, now);
        var file = FileObject.ForUpload(id, upload, now);
        await store.FileContents.PutAsync(new FileContent(workspace, id, upload.Bytes), ct);
        try
        {
            await store.Resources.InsertAsync(
                new ResourceRecord(ResourceKind.File, workspace, id, file.ToJsonString(WireJson.Options), 1, now, null), ct);
        }
        catch
        {
            // Deleting a file also deletes its content, even when the row never made it.
            await store.Resources.DeleteAsync(ResourceKind.File, workspace, id, CancellationToken.None);
            throw;
        }
        return WireResults.Json(file);
    }

    private static async Task<IResult> GetAsync(HttpContext context, IHangarStore store, TimeProvider time, string id)
    {
        var record = await ResourceLookup.GetAsync(
            store, ResourceKind.File, ApiKeyAuthentication.WorkspaceOf(context), id, context.RequestAborted);
        return WireResults.Json(FileObject.EnsureLive(ResourceLookup.Parse(record), time.GetUtcNow()));
    }

    private static async Task<IResult> ContentAsync(HttpContext context, IHangarStore store, TimeProvider time, string id)
    {
        var workspace = ApiKeyAuthentication.WorkspaceOf(context);
        var record = await ResourceLookup.GetAsync(store, ResourceKind.File, workspace, id, context.RequestAborted);
        var file = FileObject.EnsureLive(ResourceLookup.Parse(record), time.GetUtcNow());
        if ((bool?)file["downloadable"] != true)
        {
            throw new InvalidRequestException($"The file '{id}' cannot be downloaded.", "file_not_downloadable");
        }
        var bytes = await store.FileContents.GetAsync(workspace, id, context.RequestAborted)
            ?? throw new NotFoundException($"The content of file '{id}' is missing.");
        return Results.File(bytes, (string)file["mime_type"]!, (string)file["filename"]!);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, IHangarStore store, string id)
    {
        var workspace = ApiKeyAuthentication.WorkspaceOf(context);
        var record = await ResourceLookup.GetAsync(store, ResourceKind.File, workspace, id, context.RequestAborted);
        if (!await store.Resources.DeleteAsync(ResourceKind.File, workspace, record.Id, context.RequestAborted))
        {
            throw new NotFoundException($"No file with id '{id}' exists in this workspace.");
        }
        return WireResults.Deleted(record.Id, "file_deleted");
    }

    /// <summary>Newest first; expired files are left out. <c>ids[]</c> answers in one page.</summary>
    private static async Task<IResult> ListAsync(HttpContext context, IHangarStore store, TimeProvider time)
    {
        var request = context.Request;
        var ids = QueryParameters.Array(request, "ids");
        if (ids?.Count > MaxIds)
        {
            throw new InvalidRequestException($"ids: at most {MaxIds} ids per request (got {ids.Count}).");
        }
        var limit = QueryParameters.Limit(request, 20, 1000);
        var query = new ResourceQuery(ids is null ? limit : ids.Count, ids is null ? PageToken.Decode(request, ListName) : null, Descending: true)
        {
            ScopeId = QueryParameters.Single(request, "scope_id"),
            Ids = ids,
        };
        var page = await store.Resources.ListAsync(
            ResourceKind.File, ApiKeyAuthentication.WorkspaceOf(context), query, context.RequestAborted);
        var now = time.GetUtcNow();
        var files = page.Items.Select(ResourceLookup.Parse).Where(f => !FileObject.IsExpired(f, now)).ToList();
        var next = ids is null ? ListRequest.NextPage(ListName, page) : null;
        return WireResults.Page(files, next,
            ("has_more", next is not null),
            ("first_id", files.Count > 0 ? (string?)files[0]["id"] : null),
            ("last_id", files.Count > 0 ? (string?)files[^1]["id"] : null));
    }
}
