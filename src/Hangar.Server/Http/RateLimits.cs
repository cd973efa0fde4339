using System.Globalization;
using System.Threading.RateLimiting;
using Hangar.Server.Work;
using Microsoft.AspNetCore.RateLimiting;

namespace Hangar.Server.Http;

/// <summary>
/// Per-workspace request rates (behaviour.md §8) on ASP.NET Core's rate limiter: each workspace has
/// a token bucket for creates, one for everything else its API keys call, and one for its
/// self-hosted workers' environment keys and sessions tokens. The partition is the authenticated
/// workspace, never the client address: tenants behind one NAT don't share a budget, and one
/// tenant cannot spend another's. Unauthenticated requests never reach the limiter (401 first).
/// </summary>
public static class RateLimits
{
    /// <summary>
    /// The routes that create a resource (POST to a collection). Sending events, updates, archives
    /// and deletes are "other", as on the hosted service, whose create class is agents, sessions, vaults.
    /// </summary>
    public static readonly IReadOnlySet<string> CreateRoutes = new HashSet<string>(StringComparer.Ordinal)
    {
        "/v1/agents",
        "/v1/environments",
        "/v1/files",
        "/v1/sessions",
        "/v1/sessions/{id}/resources",
        "/v1/vaults",
        "/v1/vaults/{vaultId}/credentials",
    };

    public enum Bucket
    {
        Create,
        Read,
        Work,
    }

    public static IServiceCollection AddHangarRateLimits(this IServiceCollection services, RequestLimits limits) =>
        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, (Bucket, string)>(context => Partition(context, limits));
            options.OnRejected = (rejected, _) => RejectAsync(rejected, limits);
        });

    /// <summary>Which budget a request spends: a worker credential's, a create route's, or the rest.</summary>
    public static Bucket Classify(HttpContext context)
    {
        if (WorkCaller.Of(context) is not null)
        {
            return Bucket.Work;
        }
        return HttpMethods.IsPost(context.Request.Method) && RouteOf(context) is { } route && CreateRoutes.Contains(route)
            ? Bucket.Create
            : Bucket.Read;
    }

    /// <summary>The matched route's template, e.g. <c>/v1/vaults/{vaultId}/credentials</c>; null when none matched.</summary>
    public static string? RouteOf(HttpContext context) =>
        context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } raw } ? "/" + raw.Trim('/') : null;

    private static RateLimitPartition<(Bucket, string)> Partition(HttpContext context, RequestLimits limits)
    {
        if (ApiKeyAuthentication.WorkspaceOrNull(context) is not { } workspaceId)
        {
            return RateLimitPartition.GetNoLimiter((Bucket.Read, ""));
        }
        var bucket = Classify(context);
        return PerMinute(limits, bucket) is { } perMinute
            ? RateLimitPartition.GetTokenBucketLimiter((bucket, workspaceId), _ => TokenBucket(perMinute))
            : RateLimitPartition.GetNoLimiter((bucket, ""));
    }

    private static int? PerMinute(RequestLimits limits, Bucket bucket) => bucket switch
    {
        Bucket.Create => limits.CreatePerMinute,
        Bucket.Work => limits.WorkPerMinute,
        _ => limits.ReadPerMinute,
    };

    /// <summary>
    /// A full minute's allowance may be spent at once (a burst of N), then it refills steadily: one
    /// token every 60/N seconds for small limits, N/60 tokens a second for large ones.
    /// </summary>
    private static TokenBucketRateLimiterOptions TokenBucket(int perMinute) => new()
    {
        TokenLimit = perMinute,
        QueueLimit = 0,
        TokensPerPeriod = perMinute <= 60 ? 1 : (int)Math.Round(perMinute / 60.0),
        ReplenishmentPeriod = perMinute <= 60 ? TimeSpan.FromMinutes(1) / perMinute : TimeSpan.FromSeconds(1),
        AutoReplenishment = false, // The partitioned limiter's own timer replenishes every partition.
    };

    private static async ValueTask RejectAsync(OnRejectedContext rejected, RequestLimits limits)
    {
        var context = rejected.HttpContext;
        var bucket = Classify(context);
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
        var kind = bucket switch
        {
            Bucket.Create => "create",
            Bucket.Work => "worker (environment key and sessions token)",
            _ => "read and other",
        };
        var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        await ApiErrorMiddleware.WriteAsync(context, new RateLimitedException(
            $"Rate limit exceeded: this workspace may make {PerMinute(limits, bucket)} {kind} requests per minute. Retry after {seconds} s.",
            retryAfter));
    }
}
