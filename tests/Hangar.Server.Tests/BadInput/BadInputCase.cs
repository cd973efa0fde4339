using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Hangar.Server.Tests.BadInput;

/// <summary>
/// One row of a bad-input table: a request that must be refused with <see cref="Status"/> and
/// <see cref="ErrorType"/> (and <see cref="ErrorCode"/> when set) and must change nothing.
/// <c>{name}</c> placeholders in <see cref="Path"/> and <see cref="Json"/> are filled from the
/// ids the test class created (so rows can be declared statically, before any resource exists).
/// </summary>
public sealed record BadInputCase(string Name, string Method, string Path, int Status, string ErrorType)
{
    /// <summary>A body sent as <c>application/json</c> (need not be valid JSON).</summary>
    public string? Json { get; init; }

    /// <summary>A raw body sent with <see cref="ContentType"/> instead of <see cref="Json"/>.</summary>
    public byte[]? RawBody { get; init; }

    public string? ContentType { get; init; }

    /// <summary>Any other body (e.g. multipart); called once per run.</summary>
    public Func<HttpContent>? Content { get; init; }

    public string? ErrorCode { get; init; }

    /// <summary>Send with the second workspace's key (the resource must look missing).</summary>
    public bool AsOtherWorkspace { get; init; }

    /// <summary>
    /// Send this raw <c>Authorization</c> value (placeholders filled, e.g. <c>Bearer {env_key}</c>)
    /// instead of the main workspace's key; an empty string sends no credential at all.
    /// </summary>
    public string? Authorization { get; init; }

    /// <summary>Extra request headers, sent unvalidated (placeholders filled).</summary>
    public (string Name, string Value)[] Headers { get; init; } = [];

    /// <summary>A "huge" row where a size cap may answer first: 413 <c>request_too_large</c> is accepted too.</summary>
    public bool Or413 { get; init; }

    public override string ToString() => $"{Name}: {Method} {Path} → {Status} {ErrorType}";

    /// <summary>
    /// Dumps the database and snapshots every state path (GETs with the main workspace's key),
    /// sends the row, checks the error envelope, then checks the dump and every state path are
    /// unchanged.
    /// </summary>
    public async Task RunAsync(ServerFixture server, IReadOnlyDictionary<string, string> ids, IEnumerable<string> statePaths)
    {
        var paths = statePaths.Select(p => Fill(p, ids)).ToList();
        var dumpBefore = await DatabaseDump.TakeAsync(server);
        var before = await SnapshotAsync(server, paths);

        using var request = new HttpRequestMessage(new HttpMethod(Method), Fill(Path, ids)) { Content = BuildContent(ids) };
        foreach (var (name, value) in Headers)
        {
            Assert.True(request.Headers.TryAddWithoutValidation(name, Fill(value, ids)), $"{this}: header {name} not addable");
        }
        using var bare = Authorization is null ? null : BareClient(server, Fill(Authorization, ids));
        using var response = await (bare ?? (AsOtherWorkspace ? server.OtherClient : server.Client)).SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        var status = (int)response.StatusCode;
        var errorType = ErrorType;
        if (Or413 && status == 413)
        {
            errorType = "request_too_large";
        }
        else
        {
            Assert.True(status == Status, $"{this}: got {status} {text}");
        }
        Assert.True(response.Headers.TryGetValues("request-id", out var requestIds), $"{this}: no request-id header");
        var envelope = Assert.IsType<JsonObject>(ServerFixture.TryParse(text));
        Assert.Equal("error", (string?)envelope["type"]);
        Assert.Equal(requestIds.Single(), (string?)envelope["request_id"]);
        var error = Assert.IsType<JsonObject>(envelope["error"]);
        Assert.True(errorType == (string?)error["type"], $"{this}: error.type was {error["type"]}: {text}");
        Assert.False(string.IsNullOrWhiteSpace((string?)error["message"]), $"{this}: empty message");
        if (ErrorCode is not null)
        {
            Assert.True(ErrorCode == (string?)error["details"]?["error_code"], $"{this}: error_code: {text}");
        }

        var after = await SnapshotAsync(server, paths);
        var dumpAfter = await DatabaseDump.TakeAsync(server);
        Assert.True(dumpBefore == dumpAfter, $"{this}: the database changed.\n{DatabaseDump.Diff(dumpBefore, dumpAfter)}");
        for (var i = 0; i < paths.Count; i++)
        {
            Assert.True(before[i] == after[i], $"{this}: state of {paths[i]} changed.\nbefore: {before[i]}\nafter:  {after[i]}");
        }
    }

    private static HttpClient BareClient(ServerFixture server, string authorization)
    {
        var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("anthropic-beta", "managed-agents-2026-04-01");
        if (authorization.Length > 0)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }
        return client;
    }

    private HttpContent? BuildContent(IReadOnlyDictionary<string, string> ids)
    {
        if (Content is not null)
        {
            return Content();
        }
        if (RawBody is not null)
        {
            var raw = new ByteArrayContent(RawBody);
            raw.Headers.ContentType = MediaTypeHeaderValue.Parse(ContentType ?? "application/json");
            return raw;
        }
        return Json is null ? null : new StringContent(Fill(Json, ids), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
    }

    private static async Task<List<string>> SnapshotAsync(ServerFixture server, List<string> paths)
    {
        var bodies = new List<string>(paths.Count);
        foreach (var path in paths)
        {
            using var response = await server.Client.GetAsync(path);
            bodies.Add($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        return bodies;
    }

    private static string Fill(string text, IReadOnlyDictionary<string, string> ids)
    {
        foreach (var (name, value) in ids)
        {
            text = text.Replace("{" + name + "}", value, StringComparison.Ordinal);
        }
        return text;
    }
}
