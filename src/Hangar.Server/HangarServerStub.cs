// TEMPORARY stub so the CLI builds before the real HangarServer lands on main. Delete on merge.

namespace Hangar.Server;

public static class HangarServer
{
    public static Task<WebApplication> BuildAsync(HangarServerOptions options, CancellationToken ct) =>
        throw new NotImplementedException("The Hangar server has not landed yet.");
}
