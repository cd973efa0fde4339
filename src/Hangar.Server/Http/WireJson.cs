using System.Text.Json;
using Contract = Hangar.Contracts.Serialization.WireJson;

namespace Hangar.Server.Http;

/// <summary>The server's view of <see cref="Contract"/>: the same options, for code still writing <c>JsonNode</c>s.</summary>
public static class WireJson
{
    public static JsonSerializerOptions Options => Contract.Options;

    public static JsonSerializerOptions Configure(JsonSerializerOptions options) => Contract.Configure(options);

    /// <summary>The wire form of a timestamp: <c>2026-04-08T12:00:00.123Z</c>.</summary>
    public static string Timestamp(DateTimeOffset value) => Contract.Timestamp(value);
}
