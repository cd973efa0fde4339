using Hangar.Server.Http;
namespace Hangar.Server.Endpoints;

/// <summary>The route table: one file per resource under Endpoints/.</summary>
public static class HangarApi
{
    public static IEndpointRouteBuilder MapHangarApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(ApiKeyAuthentication.HealthPath, () => Results.Text("ok"));
        var v1 = routes.MapGroup("/v1");
        // Each resource adds its Map… call here.
        v1.MapAgents();
        v1.MapEnvironments();
        v1.MapFiles();
        v1.MapSessions();
        v1.MapSessionEvents();
        v1.MapSessionResources();
        v1.MapVaults();
        v1.MapVaultOAuthValidate();
        v1.MapWork();
        return routes;
    }
}
