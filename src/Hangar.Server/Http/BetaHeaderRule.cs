using Hangar.Contracts;

namespace Hangar.Server.Http;

/// <summary>
/// The <c>anthropic-beta</c> rule of api.md §1: the header is a comma list, and by default a missing
/// or different value is accepted (the current SDKs do not always send it). An operator who wants the
/// hosted service's strictness turns on <see cref="HangarServerOptions.RequireBetaHeader"/>: then every
/// managed-agents route needs <c>managed-agents-2026-04-01</c> in the list. Files are not a beta route
/// (the SDKs send no beta header there), nor is the health probe.
/// </summary>
public sealed class BetaHeaderRule(RequestDelegate next, HangarServerOptions options)
{
    public const string ManagedAgentsBeta = "managed-agents-2026-04-01";

    public Task InvokeAsync(HttpContext context)
    {
        if (options.RequireBetaHeader && NeedsBeta(context.Request.Path) && !Lists(context.Request.Headers["anthropic-beta"]))
        {
            throw new InvalidRequestException(
                $"This server requires the beta header: send 'anthropic-beta: {ManagedAgentsBeta}' (the SDKs add it for you on managed-agents routes).");
        }
        return next(context);
    }

    private static bool NeedsBeta(PathString path) =>
        path.StartsWithSegments("/v1", StringComparison.Ordinal) && !path.StartsWithSegments("/v1/files", StringComparison.Ordinal);

    private static bool Lists(Microsoft.Extensions.Primitives.StringValues headers) =>
        headers.Any(header => header is not null && header
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Contains(ManagedAgentsBeta, StringComparer.OrdinalIgnoreCase));
}
