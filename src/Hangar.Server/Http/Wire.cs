using System.Reflection;
using System.Text;
using Hangar.Contracts;
using Microsoft.AspNetCore.Http.Metadata;

namespace Hangar.Server.Http;

/// <summary>
/// A 200 whose body is wire JSON of <typeparamref name="T"/> already serialized, usually the stored
/// resource itself ("stored JSON is the response"): it is written as is, never parsed again. The
/// type parameter is the route's documented response (OpenAPI).
/// </summary>
public sealed class Wire<T> : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IContentTypeHttpResult
{
    private readonly string _json;

    private Wire(string json) => _json = json;

    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => "application/json";

    /// <summary>JSON that is known to be a <typeparamref name="T"/> (stored by this server from the record).</summary>
    public static Wire<T> Of(string json) => new(json);

    /// <summary>Serializes the record once.</summary>
    public static Wire<T> Of(T value) => new(Contracts.Serialization.WireJson.Serialize(value));

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = ContentType;
        return httpContext.Response.WriteAsync(_json, Encoding.UTF8, httpContext.RequestAborted);
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));

    public override string ToString() => _json;
}

/// <summary>Pages assembled from stored JSON items without parsing them.</summary>
public static class WirePage
{
    public static Wire<ListPage<T>> Of<T>(IEnumerable<string> items, string? nextPage)
    {
        var json = new StringBuilder("{\"data\":[");
        var first = true;
        foreach (var item in items)
        {
            json.Append(first ? "" : ",").Append(item);
            first = false;
        }
        json.Append("],\"next_page\":")
            .Append(nextPage is null ? "null" : Contracts.Serialization.WireJson.Serialize(nextPage))
            .Append('}');
        return Wire<ListPage<T>>.Of(json.ToString());
    }
}
