using System.Text;
using System.Text.Json;

namespace Hangar.Conformance.Tests.Hosting;

/// <summary>A response as a client library sees it: status, headers and the parsed JSON body.</summary>
public sealed record RawResponse(HttpResponseMessage Message, JsonElement Body)
{
    public int Status => (int)Message.StatusCode;

    public string? Header(string name) =>
        Message.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()
        : Message.Content.Headers.TryGetValues(name, out var contentValues) ? contentValues.FirstOrDefault()
        : null;
}

/// <summary>Plain HTTP calls for the wire details the SDK does not surface.</summary>
public static class RawApi
{
    public static Task<RawResponse> GetJsonAsync(this HttpClient http, string path, CancellationToken ct) =>
        http.SendJsonAsync(new HttpRequestMessage(HttpMethod.Get, path), ct);

    public static Task<RawResponse> PostJsonAsync(this HttpClient http, string path, string json, CancellationToken ct) =>
        http.SendJsonAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") }, ct);

    public static async Task<RawResponse> SendJsonAsync(this HttpClient http, HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        {
            var message = await http.SendAsync(request, ct);
            var text = await message.Content.ReadAsStringAsync(ct);
            JsonElement body;
            try
            {
                body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new Xunit.Sdk.XunitException($"{request.Method} {request.RequestUri} → {(int)message.StatusCode}: body is not JSON ({e.Message}): {text}");
            }
            return new RawResponse(message, body);
        }
    }

    /// <summary>The value of a key that must be present (null is a present value).</summary>
    public static JsonElement Required(this JsonElement obj, string key) =>
        obj.TryGetProperty(key, out var value)
            ? value
            : throw new Xunit.Sdk.XunitException($"missing key \"{key}\" in {obj}");

    /// <summary>Asserts the <c>{"type":"error","error":{type,message},"request_id"}</c> envelope.</summary>
    public static void AssertErrorEnvelope(this RawResponse response, int status, string errorType)
    {
        Assert.Equal(status, response.Status);
        Assert.Equal("error", response.Body.Required("type").GetString());
        var error = response.Body.Required("error");
        Assert.Equal(errorType, error.Required("type").GetString());
        Assert.Equal(JsonValueKind.String, error.Required("message").ValueKind);
        var requestId = response.Body.Required("request_id");
        Assert.True(requestId.ValueKind is JsonValueKind.String or JsonValueKind.Null, $"request_id is {requestId.ValueKind}");
        if (error.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Object)
        {
            Assert.Equal(JsonValueKind.String, details.Required("error_code").ValueKind);
        }
        Assert.StartsWith("req_", response.Header("request-id"));
    }
}
