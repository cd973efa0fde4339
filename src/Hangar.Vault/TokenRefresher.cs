using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hangar.Vault;

/// <summary>
/// The OAuth 2.0 refresh-token grant (RFC 6749 §6) against a credential's <c>token_endpoint</c>, with
/// client authentication per <c>token_endpoint_auth</c>: <c>none</c> (client_id in the body),
/// <c>client_secret_basic</c> (HTTP Basic) or <c>client_secret_post</c> (both in the body).
/// Errors name the endpoint's status and OAuth <c>error</c> code, never a token.
/// </summary>
internal sealed class TokenRefresher(HttpClient http)
{
    /// <summary>A token response is a few hundred bytes; a hostile or broken endpoint must not make the host buffer more.</summary>
    public const int MaxResponseBytes = 64 * 1024;

    /// <summary>The whole exchange, body included (the client's own timeout stops at the headers once they are streamed).</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public sealed record Refreshed(string AccessToken, string? RefreshToken, TimeSpan? ExpiresIn);

    /// <summary>The refresh config of a credential (its wire <c>auth.refresh</c>) plus its sealed fields.</summary>
    public async Task<Refreshed> RefreshAsync(JsonObject refresh, IReadOnlyDictionary<string, string> secrets, CancellationToken ct)
    {
        var endpoint = (string?)refresh["token_endpoint"] ?? throw new RefreshException("it has no token_endpoint");
        var clientId = (string?)refresh["client_id"] ?? "";
        var authType = (string?)refresh["token_endpoint_auth"]?["type"] ?? "none";
        if (!secrets.TryGetValue("refresh_token", out var refreshToken) || refreshToken.Length == 0)
        {
            throw new RefreshException("it has no refresh token");
        }
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "refresh_token"),
            new("refresh_token", refreshToken),
        };
        if ((string?)refresh["scope"] is { Length: > 0 } scope)
        {
            form.Add(new("scope", scope));
        }
        if ((string?)refresh["resource"] is { Length: > 0 } resource)
        {
            form.Add(new("resource", resource));
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        secrets.TryGetValue("client_secret", out var clientSecret);
        switch (authType)
        {
            case "client_secret_basic":
                var pair = Uri.EscapeDataString(clientId) + ":" + Uri.EscapeDataString(clientSecret ?? "");
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
                break;
            case "client_secret_post":
                form.Add(new("client_id", clientId));
                form.Add(new("client_secret", clientSecret ?? ""));
                break;
            default:
                form.Add(new("client_id", clientId));
                break;
        }
        request.Content = new FormUrlEncodedContent(form);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Deadline);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        }
        catch (HttpRequestException e)
        {
            throw new RefreshException($"the token endpoint {Describe(endpoint)} could not be reached: {e.Message}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new RefreshException($"the token endpoint {Describe(endpoint)} did not answer in time");
        }
        using (response)
        {
            var body = await ReadBoundedAsync(response, endpoint, deadline.Token, ct);
            var fields = Parse(body, response.Content.Headers.ContentType?.MediaType);
            if (!response.IsSuccessStatusCode || fields.ContainsKey("error"))
            {
                var code = fields.TryGetValue("error", out var error) ? $" ({Truncate(error)})" : "";
                throw new RefreshException($"the token endpoint {Describe(endpoint)} answered HTTP {(int)response.StatusCode}{code}");
            }
            if (!fields.TryGetValue("access_token", out var accessToken) || accessToken.Length == 0)
            {
                throw new RefreshException($"the token endpoint {Describe(endpoint)} answered without an access_token");
            }
            TimeSpan? expiresIn = fields.TryGetValue("expires_in", out var seconds) && long.TryParse(seconds, out var s) && s > 0
                ? TimeSpan.FromSeconds(s)
                : null;
            return new Refreshed(accessToken, fields.GetValueOrDefault("refresh_token") is { Length: > 0 } next ? next : null, expiresIn);
        }
    }

    /// <summary>The body as text, refused past <see cref="MaxResponseBytes"/> or <see cref="Deadline"/> (a slow drip counts too).</summary>
    private static async Task<string> ReadBoundedAsync(HttpResponseMessage response, string endpoint, CancellationToken deadline, CancellationToken ct)
    {
        if (response.Content.Headers.ContentLength > MaxResponseBytes)
        {
            throw new RefreshException($"the token endpoint {Describe(endpoint)} answered with more than {MaxResponseBytes / 1024} KiB");
        }
        var buffer = new byte[MaxResponseBytes + 1];
        var length = 0;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(deadline);
            int read;
            while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), deadline)) > 0)
            {
                length += read;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new RefreshException($"the token endpoint {Describe(endpoint)} did not finish its answer in time");
        }
        catch (IOException e)
        {
            throw new RefreshException($"the token endpoint {Describe(endpoint)} broke off its answer: {e.Message}");
        }
        return length > MaxResponseBytes
            ? throw new RefreshException($"the token endpoint {Describe(endpoint)} answered with more than {MaxResponseBytes / 1024} KiB")
            : Encoding.UTF8.GetString(buffer, 0, length);
    }

    /// <summary>JSON (the standard) or form encoding (what GitHub answers without an Accept header).</summary>
    private static Dictionary<string, string> Parse(string body, string? mediaType)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (mediaType == "application/x-www-form-urlencoded")
        {
            foreach (var part in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = part.IndexOf('=');
                if (eq > 0)
                {
                    fields[Uri.UnescapeDataString(part[..eq])] = Uri.UnescapeDataString(part[(eq + 1)..].Replace('+', ' '));
                }
            }
            return fields;
        }
        try
        {
            if (JsonNode.Parse(body) is JsonObject json)
            {
                foreach (var (key, value) in json)
                {
                    if (value is JsonValue v)
                    {
                        fields[key] = v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString();
                    }
                }
            }
        }
        catch (JsonException)
        {
            // No fields: reported as a missing access_token or by the status.
        }
        return fields;
    }

    private static string Describe(string endpoint) => Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Path) : "(invalid URL)";

    private static string Truncate(string text) => text.Length > 64 ? text[..64] : text;
}

/// <summary>A refresh failed; the message says why without any secret.</summary>
internal sealed class RefreshException(string reason) : Exception(reason);
