using System.Buffers.Text;
using System.Text;
using Hangar.Contracts;

namespace Hangar.Server.Http;

/// <summary>
/// Opaque <c>page</c> cursors. A token names the list it belongs to (so a cursor from one list
/// is refused by another) and the position to continue after: the last id or seq served.
/// </summary>
public static class PageToken
{
    public static string Encode(string list, string after) =>
        "page_" + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(list + "\n" + after));

    /// <summary>The position in the request's <c>page</c> parameter, or null on the first page.</summary>
    public static string? Decode(HttpRequest request, string list)
    {
        var token = QueryParameters.Single(request, "page");
        if (token is null)
        {
            return null;
        }
        try
        {
            if (token.StartsWith("page_", StringComparison.Ordinal))
            {
                var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.AsSpan(5)));
                var parts = text.Split('\n');
                if (parts.Length == 2 && parts[0] == list && parts[1].Length > 0)
                {
                    return parts[1];
                }
            }
        }
        catch (FormatException)
        {
            // Falls through to the error below.
        }
        throw new InvalidRequestException("page: not a valid cursor for this list; pass the next_page value from a previous response.");
    }
}
