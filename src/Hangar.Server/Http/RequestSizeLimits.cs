using Hangar.Contracts;
using Microsoft.AspNetCore.Http.Features;

namespace Hangar.Server.Http;

/// <summary>
/// Caps each request's body before anything reads it: file uploads at the file limit (plus the
/// multipart framing), every other route at the JSON body limit (32 MB, behaviour.md §8). A declared
/// <c>Content-Length</c> over the cap is refused with 413 without reading a byte; a chunked body is
/// cut off by Kestrel when it passes the cap (the read fails with 413, which the error middleware
/// writes in the API's shape). Nothing is stored on refusal: handlers store only after a full read.
/// </summary>
public sealed class RequestSizeLimits(RequestDelegate next, HangarServerOptions options)
{
    /// <summary>Room for multipart boundaries, part headers and the small <c>expires_in_seconds</c> field around the file.</summary>
    public const long MultipartAllowance = 64 * 1024;

    public Task InvokeAsync(HttpContext context)
    {
        var limit = LimitFor(context);
        if (context.Request.ContentLength > limit)
        {
            throw new RequestTooLargeException(
                $"The request body is {context.Request.ContentLength} bytes; this route accepts at most {limit} bytes.");
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }
        return next(context);
    }

    private long LimitFor(HttpContext context) =>
        HttpMethods.IsPost(context.Request.Method) && RateLimits.RouteOf(context) == "/v1/files"
            ? options.MaxFileBytes + MultipartAllowance
            : options.MaxRequestBodyBytes;
}
