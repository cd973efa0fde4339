using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Hangar.Server;

public static class ServerAddresses
{
    /// <summary>The base URL a started app listens on, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public static Uri Of(WebApplication app)
    {
        var addresses = app.Services.GetService(typeof(IServer)) is IServer server
            ? server.Features.Get<IServerAddressesFeature>()?.Addresses
            : null;
        var first = addresses?.FirstOrDefault()
            ?? throw new InvalidOperationException("The server has no address yet; start it first.");
        return new Uri(first);
    }
}
