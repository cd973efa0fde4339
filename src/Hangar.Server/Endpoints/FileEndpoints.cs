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
        // The bytes are the uploader's: a browser must never sniff them into HTML or script on the API's origin.
        // Set when the response starts, so error answers (the error middleware clears headers) carry it too.
        context.Response.OnStarting(() =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            return Task.CompletedTask;
        });
        var workspace = ApiKeyAuthentication.WorkspaceOf(context);
        var record = await ResourceLookup.GetAsync(store, ResourceKind.File, workspace, id, context.RequestAborted);
        var file = FileObject.EnsureLive(ResourceLookup.Parse(record), time.GetUtcNow());
        if ((bool?)file["downloadable"] != true)
        {
            throw new InvalidRequestException($"The file '{id}' cannot be downloaded.", "file_not_downloadable");
        }
        var bytes = await store.FileContents.GetAsync(workspace, id, context.RequestAborted)
            ?? throw new NotFoundException($"The content of file '{id}' is missing.");
        context.Response.Headers.ContentDisposition = DownloadDisposition.Attachment((string)file["filename"]!);
        return Results.File(bytes, (string)file["mime_type"]!);
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

    /// <summary>Newest first; expired files are left out (<see cref="FileListing"/>).</summary>
    private static async Task<IResult> ListAsync(HttpContext context, IHangarStore store, TimeProvider time) =>
        (await FileListing.ReadAsync(context.Request, store, ApiKeyAuthentication.WorkspaceOf(context), time.GetUtcNow(),
            context.RequestAborted)).ToResult();
}
