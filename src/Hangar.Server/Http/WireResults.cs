using System.Text.Json.Nodes;

namespace Hangar.Server.Http;

/// <summary>Responses whose body is already wire JSON.</summary>
public static class WireResults
{
    public static IResult Json(JsonNode body, int status = StatusCodes.Status200OK) =>
        Results.Content(body.ToJsonString(WireJson.Options), "application/json", statusCode: status);

    /// <summary>A list page: <c>{"data":[…],"next_page":…}</c>, plus any extra keys (e.g. <c>prev_page</c>).</summary>
    public static IResult Page(IEnumerable<JsonNode> items, string? nextPage, params (string Key, JsonNode? Value)[] extra)
    {
        var body = new JsonObject
        {
            ["data"] = new JsonArray([.. items]),
            ["next_page"] = nextPage,
        };
        foreach (var (key, value) in extra)
        {
            body[key] = value;
        }
        return Json(body);
    }

    /// <summary>The body of a delete: <c>{"id":…,"type":"…_deleted"}</c>.</summary>
    public static IResult Deleted(string id, string type) =>
        Json(new JsonObject { ["id"] = id, ["type"] = type });
}
