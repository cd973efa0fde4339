using System.Net.Http.Headers;
using System.Text;

namespace Hangar.Server.Tests.Compatibility;

/// <summary>
/// Keeps docs/api-compatibility.md true: every route it marks done or partial exists on a live
/// server, and every route it marks not yet does not. "Exists" is told apart by the error body:
/// an unknown route answers Hangar's "No such route" (or "does not accept that HTTP method"),
/// while a known route with an id that matches nothing answers a not_found_error about the id.
/// </summary>
public sealed class CompatibilityTableTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static readonly IReadOnlyList<CompatibilityRoute> Routes = CompatibilityTable.Read(CompatibilityTable.DocumentPath());

    [Fact]
    public void The_table_lists_the_managed_agents_surface()
    {
        // A broken table (renamed headings, lost rows) must not pass as "nothing to check".
        Assert.True(Routes.Count >= 100, $"only {Routes.Count} routes parsed");
        Assert.Contains(Routes, r => r is { Method: "GET", Path: "/v1/sessions/{session_id}/events/stream", Served: true });
        Assert.Contains(Routes, r => r is { Method: "GET", Path: "/v1/environments/{environment_id}/work/poll", Served: true });
        Assert.Contains(Routes, r => r is { Path: "/v1/skills", Served: false });
        var duplicates = Routes.GroupBy(r => (r.Method, r.Path)).Where(g => g.Count() > 1).Select(g => g.First().ToString());
        Assert.Empty(duplicates);
    }

    [Fact]
    public async Task Every_route_marked_done_or_partial_exists()
    {
        var missing = new List<string>();
        foreach (var route in Routes.Where(r => r.Served))
        {
            var (exists, answer) = await ProbeAsync(route);
            if (!exists)
            {
                missing.Add($"{route}: {answer}");
            }
        }
        Assert.True(missing.Count == 0, "Marked as served but the server has no such route:\n" + string.Join('\n', missing));
    }

    [Fact]
    public async Task Every_route_marked_not_yet_is_missing()
    {
        var present = new List<string>();
        foreach (var route in Routes.Where(r => !r.Served))
        {
            var (exists, answer) = await ProbeAsync(route);
            if (exists)
            {
                present.Add($"{route}: {answer}");
            }
        }
        Assert.True(present.Count == 0, "Marked 'not yet' but the route exists (update the table):\n" + string.Join('\n', present));
    }

    private async Task<(bool Exists, string Answer)> ProbeAsync(CompatibilityRoute route)
    {
        using var request = new HttpRequestMessage(new HttpMethod(route.Method), CompatibilityTable.Concrete(route.Path));
        if (route.Method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        }
        // Headers only: a stream route that exists must not hold the test open.
        using var response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var status = (int)response.StatusCode;
        if (status is not (404 or 400 or 405))
        {
            return (true, status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        var body = ServerFixture.TryParse(await response.Content.ReadAsStringAsync());
        var message = (string?)body?["error"]?["message"] ?? "";
        var answer = $"{status} {body?.ToJsonString()}";
        var unknownRoute = status == 405
            || (status == 404 && message.StartsWith("No such route", StringComparison.Ordinal))
            || (status == 400 && message.StartsWith("This route does not accept that HTTP method", StringComparison.Ordinal));
        return (!unknownRoute, answer);
    }
}
