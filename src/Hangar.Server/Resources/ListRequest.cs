using Hangar.Server.Http;
using Hangar.Storage;

namespace Hangar.Server.Resources;

/// <summary>
/// The common list query of agents, environments and files: <c>limit</c>, <c>page</c>,
/// <c>include_archived</c>, <c>created_at[gte|gt|lte|lt]</c>. Newest first, keyset on the id.
/// </summary>
public static class ListRequest
{
    public static ResourceQuery Read(HttpRequest request, string list, int defaultLimit, int maxLimit) =>
        new(QueryParameters.Limit(request, defaultLimit, maxLimit), PageToken.Decode(request, list), Descending: true,
            IncludeArchived: QueryParameters.Bool(request, "include_archived"))
        {
            CreatedGte = QueryParameters.Timestamp(request, "created_at[gte]"),
            CreatedGt = QueryParameters.Timestamp(request, "created_at[gt]"),
            CreatedLte = QueryParameters.Timestamp(request, "created_at[lte]"),
            CreatedLt = QueryParameters.Timestamp(request, "created_at[lt]"),
        };

    /// <summary>The cursor for the page after <paramref name="page"/>, or null on the last page.</summary>
    public static string? NextPage(string list, Page<ResourceRecord> page) =>
        page.HasMore && page.Items.Count > 0 ? PageToken.Encode(list, page.Items[^1].Id) : null;
}
