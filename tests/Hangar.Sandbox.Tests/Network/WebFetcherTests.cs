using System.Net;
using System.Text.Json.Nodes;
using Hangar.Sandbox.Network;
using Hangar.Tools;

namespace Hangar.Sandbox.Tests.Network;

/// <summary>The host-side web_fetch against a real loopback site; made-up names resolve through a test resolver.</summary>
public sealed class WebFetcherTests : IAsyncLifetime
{
    private WebPagesServer site = null!;

    public async Task InitializeAsync() => site = await WebPagesServer.StartAsync();

    public async Task DisposeAsync() => await site.DisposeAsync();

    private static Task<IPAddress[]> Resolve(string host, CancellationToken ct) => host switch
    {
        "docs.example.test" or "www.docs.example.test" or "other.test" => Task.FromResult(new[] { IPAddress.Loopback }),
        "metadata.test" => Task.FromResult(new[] { IPAddress.Parse("169.254.169.254") }),
        _ => Task.FromResult(Array.Empty<IPAddress>()),
    };

    private static HttpWebFetcher Fetcher(bool allowPrivate = true) =>
        new(new WebFetchOptions { AllowPrivateEgress = allowPrivate, Resolver = Resolve, Timeout = TimeSpan.FromSeconds(10) });

    private static async Task<(string Text, bool IsError)> FetchAsync(HttpWebFetcher fetcher, string url, WebToolConfig? config = null)
    {
        var result = await fetcher.FetchAsync(new JsonObject { ["url"] = url }, config ?? WebToolConfig.Default, CancellationToken.None);
        return ((string)result.Content[0]!["text"]!, result.IsError);
    }

    [Fact]
    public async Task Html_comes_back_as_readable_text_without_scripts_styles_or_comments()
    {
        using var fetcher = Fetcher();
        var (text, isError) = await FetchAsync(fetcher, $"http://docs.example.test:{site.Port}/page");

        Assert.False(isError, text);
        Assert.Contains("Hangar & Friends", text);
        Assert.Contains("Welcome\n", text);
        Assert.Contains("First paragraph with bold text.", text);
        Assert.Contains("- one\n- two", text);
        Assert.DoesNotContain("secret", text);
        Assert.DoesNotContain("hidden comment", text);
        Assert.DoesNotContain("<b>", text);
        Assert.DoesNotContain("enable js", text);
    }

    [Fact]
    public async Task A_domain_outside_allowed_domains_is_url_not_allowed_and_never_requested()
    {
        using var fetcher = Fetcher();
        var config = new WebToolConfig(["example.test"], null, null);

        var allowed = await FetchAsync(fetcher, $"http://www.docs.example.test:{site.Port}/plain", config); // subdomain covered
        var before = site.Requests;
        var refused = await FetchAsync(fetcher, $"http://other.test:{site.Port}/plain", config);
        var literal = await FetchAsync(fetcher, $"http://127.0.0.1:{site.Port}/plain", config);

        Assert.Contains("just text", allowed.Text);
        Assert.True(refused.IsError);
        Assert.StartsWith("url_not_allowed", refused.Text);
        Assert.StartsWith("url_not_allowed", literal.Text);
        Assert.Equal(before, site.Requests);
    }

    [Fact]
    public async Task Blocked_domains_cover_subdomains_and_redirects_into_them()
    {
        using var fetcher = Fetcher();
        var config = new WebToolConfig(null, ["docs.example.test"], null);
        var before = site.Requests;

        var direct = await FetchAsync(fetcher, $"http://www.docs.example.test:{site.Port}/plain", config);
        var redirected = await FetchAsync(fetcher, $"http://other.test:{site.Port}/redirect?to=http://docs.example.test:{site.Port}/plain", config);
        var followed = await FetchAsync(fetcher, $"http://other.test:{site.Port}/redirect?to=/plain", config);

        Assert.StartsWith("url_not_allowed", direct.Text);
        Assert.StartsWith("url_not_allowed", redirected.Text);
        Assert.Contains("just text", followed.Text);
        Assert.Equal(before + 3, site.Requests); // the two redirects and the followed page; never the blocked host
    }

    [Fact]
    public async Task Loopback_is_refused_without_private_egress_and_metadata_always()
    {
        using var guarded = Fetcher(allowPrivate: false);
        using var open = Fetcher(allowPrivate: true);
        var before = site.Requests;

        var loopback = await FetchAsync(guarded, $"http://docs.example.test:{site.Port}/plain");
        var literal = await FetchAsync(guarded, $"http://[::ffff:127.0.0.1]:{site.Port}/plain");
        var metadata = await FetchAsync(open, "http://metadata.test/latest/meta-data/");
        var metadataLiteral = await FetchAsync(open, "http://169.254.169.254/latest/meta-data/");

        Assert.StartsWith("url_not_allowed", loopback.Text);
        Assert.Contains("--allow-private-egress", loopback.Text);
        Assert.StartsWith("url_not_allowed", literal.Text);
        Assert.StartsWith("url_not_allowed", metadata.Text);
        Assert.StartsWith("url_not_allowed", metadataLiteral.Text);
        Assert.Equal(before, site.Requests);
    }

    [Fact]
    public async Task Max_content_tokens_truncates_and_errors_are_results()
    {
        using var fetcher = Fetcher();
        var (text, isError) = await FetchAsync(fetcher, $"http://docs.example.test:{site.Port}/long", new WebToolConfig(null, null, 100));
        var missing = await FetchAsync(fetcher, $"http://docs.example.test:{site.Port}/missing");
        var binary = await FetchAsync(fetcher, $"http://docs.example.test:{site.Port}/binary");
        var scheme = await FetchAsync(fetcher, "file:///etc/passwd");

        Assert.False(isError);
        Assert.Contains(new string('x', 400) + "\n[content truncated to max_content_tokens=100]", text);
        Assert.DoesNotContain(new string('x', 401), text);
        Assert.True(missing.IsError);
        Assert.Contains("HTTP 404", missing.Text);
        Assert.True(binary.IsError);
        Assert.Contains("not text", binary.Text);
        Assert.True(scheme.IsError);
        Assert.Contains("http or https", scheme.Text);
    }

    [Theory]
    [InlineData("example.com", "example.com", true)]
    [InlineData("example.com", "api.EXAMPLE.com.", true)]
    [InlineData("example.com", "notexample.com", false)]
    [InlineData("bücher.de", "xn--bcher-kva.de", true)]
    public void Allowed_domains_match_the_host_and_its_subdomains(string domain, string host, bool allowed)
    {
        Assert.Equal(allowed, WebDomainRules.Allows(new WebToolConfig([domain], null, null), host));
        Assert.Equal(!allowed, WebDomainRules.Allows(new WebToolConfig(null, [domain], null), host));
    }

    [Fact]
    public void Html_text_keeps_structure_and_decodes_entities()
    {
        var text = HtmlText.Convert("<div>a&lt;b</div><script>x()</script><p>c<br>d</p>");
        Assert.Equal("a<b\nc\nd", text);
    }
}
