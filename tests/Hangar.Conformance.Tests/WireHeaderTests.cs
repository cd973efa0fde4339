using System.Net.Http.Headers;
using Hangar.Conformance.Tests.Hosting;

namespace Hangar.Conformance.Tests;

/// <summary>Checklist items 1 and 10 (api.md §18): auth headers, request ids, the error envelope.</summary>
[Collection(HangarCollection.Name)]
public sealed class WireHeaderTests(HangarServers servers)
{
    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task Both_x_api_key_and_bearer_authenticate_whatever_the_version_and_accept_headers(StoreKind store)
    {
        var ct = Timeouts.Test();
        var hangar = await servers.For(store);
        using var http = hangar.Raw(authenticated: false);

        // What curl and the docs send: x-api-key, an old anthropic-version, Accept: application/json.
        using var docsStyle = new HttpRequestMessage(HttpMethod.Get, "/v1/agents");
        docsStyle.Headers.Add("x-api-key", hangar.ApiKey);
        docsStyle.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var viaApiKey = await http.SendJsonAsync(docsStyle, ct);
        // What both SDKs send: Bearer, a future anthropic-version, no Accept, no beta header.
        using var sdkStyle = new HttpRequestMessage(HttpMethod.Get, "/v1/agents");
        sdkStyle.Headers.Authorization = new AuthenticationHeaderValue("Bearer", hangar.ApiKey);
        sdkStyle.Headers.Remove("anthropic-beta");
        sdkStyle.Headers.TryAddWithoutValidation("anthropic-version", "2099-01-01");
        var viaBearer = await http.SendJsonAsync(sdkStyle, ct);

        Assert.Equal(200, viaApiKey.Status);
        Assert.Equal(200, viaBearer.Status);
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task A_missing_or_unknown_key_is_a_401_in_the_error_envelope(StoreKind store)
    {
        var ct = Timeouts.Test();
        var hangar = await servers.For(store);
        using var anonymous = hangar.Raw(authenticated: false);
        using var wrongKey = hangar.Raw(authenticated: false);
        wrongKey.DefaultRequestHeaders.Add("x-api-key", "hgr_not_a_real_key");

        (await anonymous.GetJsonAsync("/v1/agents", ct)).AssertErrorEnvelope(401, "authentication_error");
        (await wrongKey.GetJsonAsync("/v1/agents", ct)).AssertErrorEnvelope(401, "authentication_error");
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task An_unknown_id_is_a_404_in_the_error_envelope(StoreKind store)
    {
        var ct = Timeouts.Test();
        using var http = (await servers.For(store)).Raw();

        (await http.GetJsonAsync("/v1/agents/agent_011CZkYpogX7uDKUyvBTophP", ct)).AssertErrorEnvelope(404, "not_found_error");
        (await http.GetJsonAsync("/v1/sessions/sesn_011CZkZAtmR3yMPDzynEDxu7", ct)).AssertErrorEnvelope(404, "not_found_error");
        (await http.GetJsonAsync("/v1/files/file_011CNha8iCJcU1wXNR6q4V8w", ct)).AssertErrorEnvelope(404, "not_found_error");
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task An_invalid_body_is_a_400_in_the_error_envelope(StoreKind store)
    {
        var ct = Timeouts.Test();
        using var http = (await servers.For(store)).Raw();

        (await http.PostJsonAsync("/v1/agents", "{\"name\":", ct)).AssertErrorEnvelope(400, "invalid_request_error");
        (await http.PostJsonAsync("/v1/agents", "{\"name\":\"no model\"}", ct)).AssertErrorEnvelope(400, "invalid_request_error");
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task Every_response_carries_a_request_id_header_success_or_error(StoreKind store)
    {
        var ct = Timeouts.Test();
        var hangar = await servers.For(store);
        using var http = hangar.Raw();
        using var anonymous = hangar.Raw(authenticated: false);

        var responses = new[]
        {
            await http.GetJsonAsync("/v1/agents", ct),
            await http.PostJsonAsync("/v1/environments", $"{{\"name\":\"{Arrange.Name("env")}\"}}", ct),
            await http.GetJsonAsync("/v1/agents/agent_011CZkYpogX7uDKUyvBTophP", ct),
            await anonymous.GetJsonAsync("/v1/agents", ct),
        };

        Assert.All(responses, r => Assert.StartsWith("req_", r.Header("request-id")));
        Assert.Equal(4, responses.Select(r => r.Header("request-id")).Distinct().Count());
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task A_duplicate_name_409_says_x_should_retry_false_in_the_error_envelope(StoreKind store)
    {
        var ct = Timeouts.Test();
        using var http = (await servers.For(store)).Raw();
        var body = $"{{\"name\":\"{Arrange.Name("dup")}\",\"config\":{{\"type\":\"cloud\"}}}}";
        Assert.Equal(200, (await http.PostJsonAsync("/v1/environments", body, ct)).Status);

        var conflict = await http.PostJsonAsync("/v1/environments", body, ct);

        conflict.AssertErrorEnvelope(409, "conflict_error");
        Assert.Equal("false", conflict.Header("x-should-retry"));
    }

    [Theory, MemberData(nameof(Stores.All), MemberType = typeof(Stores))]
    public async Task A_stale_agent_version_409_says_x_should_retry_false(StoreKind store)
    {
        var ct = Timeouts.Test();
        using var http = (await servers.For(store)).Raw();
        var agent = await http.PostJsonAsync("/v1/agents", "{\"name\":\"racer\",\"model\":\"claude-sonnet-4-6\"}", ct);
        var path = $"/v1/agents/{agent.Body.Required("id").GetString()}";
        Assert.Equal(200, (await http.PostJsonAsync(path, "{\"version\":1,\"system\":\"winner\"}", ct)).Status);

        var conflict = await http.PostJsonAsync(path, "{\"version\":1,\"system\":\"loser\"}", ct);

        conflict.AssertErrorEnvelope(409, "conflict_error");
        Assert.Equal("false", conflict.Header("x-should-retry"));
    }
}
