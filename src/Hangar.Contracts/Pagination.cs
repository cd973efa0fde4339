namespace Hangar.Contracts;

/// <summary>A list page: <c>{"data":[…],"next_page":…}</c>; <c>next_page</c> is always sent, null on the last page.</summary>
public sealed record ListPage<T>(IReadOnlyList<T> Data, string? NextPage);

/// <summary>The body of a delete: <c>{"id":…,"type":"…_deleted"}</c>.</summary>
public sealed record Deleted(string Id, string Type);

/// <summary>The error envelope every failure is answered with (api.md §2).</summary>
public sealed record ErrorEnvelope(ErrorBody Error, string? RequestId)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Type => "error";
}

public sealed record ErrorBody(string Type, string Message)
{
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public ErrorDetails? Details { get; init; }
}

public sealed record ErrorDetails
{
    public required string ErrorCode { get; init; }

    /// <summary>Fields beside <c>error_code</c> (e.g. a 412's <c>current_state</c>), written inline.</summary>
    // Settable: System.Text.Json cannot fill an init-only extension-data property.
    [System.Text.Json.Serialization.JsonExtensionData]
    public Dictionary<string, System.Text.Json.JsonElement>? More { get; set; }
}
