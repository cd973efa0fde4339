using System.Reflection;
using Hangar.Contracts.Serialization;
using Microsoft.AspNetCore.Http.Metadata;

namespace Hangar.Server.Http;

/// <summary>
/// A JSON request body bound to its wire record: <c>CreateAsync(Body&lt;CreateAgentParams&gt; body, …)</c>.
/// Binding enforces the server's body limit and turns every syntax, type and unknown-field error
/// into the API's 400 naming the field (<see cref="RequestJson"/>); it also tells the OpenAPI
/// document what the route accepts.
/// </summary>
public sealed class Body<T>(T value) : IEndpointParameterMetadataProvider
    where T : class
{
    public T Value { get; } = value;

    public static async ValueTask<Body<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var bytes = await JsonBody.ReadBytesAsync(context);
        return new Body<T>(RequestJson.Read<T>(bytes.Span));
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        builder.Metadata.Add(new AcceptsJson(typeof(T)));

    private sealed class AcceptsJson(Type type) : IAcceptsMetadata
    {
        public IReadOnlyList<string> ContentTypes { get; } = ["application/json"];
        public Type? RequestType => type;
        public bool IsOptional => false;
    }
}
