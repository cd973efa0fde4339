using System.Runtime.CompilerServices;
using Hangar.Server.Endpoints;
using Hangar.Server.Http;
using Hangar.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Hangar.Server.Tests.OpenApi;

/// <summary>
/// docs/openapi.json is generated from the typed endpoints (their <c>Body&lt;T&gt;</c> parameters and
/// <c>Wire&lt;T&gt;</c> results); this test fails when the committed copy no longer matches, so a
/// change to the wire contract is always visible in review.
/// </summary>
public sealed class OpenApiDocumentTests
{
    private const string UpdateVariable = "HANGAR_UPDATE_OPENAPI";

    [Fact]
    public async Task The_committed_document_matches_the_endpoints()
    {
        var generated = await GenerateAsync();
        var path = Path.Combine(RepositoryRoot(), "docs", "openapi.json");
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            await File.WriteAllTextAsync(path, generated);
        }
        var committed = File.Exists(path) ? await File.ReadAllTextAsync(path) : "(missing)";
        Assert.True(committed == generated,
            $"docs/openapi.json differs from the document the endpoints generate. If the API change is intended, regenerate it with "
            + $"`{UpdateVariable}=1 dotnet test tests/Hangar.Server.Tests --filter FullyQualifiedName~OpenApi` and commit the result.");
    }

    [Fact]
    public async Task Typed_routes_document_their_request_and_response_records()
    {
        var document = await GenerateAsync();
        Assert.Contains("\"CreateAgentParams\"", document);
        Assert.Contains("\"Agent\"", document);
        Assert.Contains("\"mcp_servers\"", document);
    }

    /// <summary>
    /// Boots the routes on a throwaway host with the OpenAPI generator. Services are registered but
    /// never built: the generator needs to know only that they are services, not request bodies.
    /// </summary>
    private static async Task<string> GenerateAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.ConfigureHttpJsonOptions(json => WireJson.Configure(json.SerializerOptions));
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Hangar (Claude Managed Agents API, beta managed-agents-2026-04-01)";
            document.Info.Version = "v1";
            document.Servers = [];
            return Task.CompletedTask;
        }));
        builder.Services.AddSingleton<IHangarStore>(_ => throw new NotSupportedException());
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<HangarServerOptions>(_ => throw new NotSupportedException());
        builder.Services.AddSingleton<Hangar.Vault.CredentialSecrets>(_ => throw new NotSupportedException());
        await using var app = builder.Build();
        app.MapHangarApi();
        app.MapOpenApi();
        await app.StartAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            var text = await client.GetStringAsync("/openapi/v1.json");
            return text.ReplaceLineEndings("\n").TrimEnd() + "\n";
        }
        finally
        {
            await app.StopAsync();
        }
    }

    private static string RepositoryRoot([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", ".."));
}
