using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hangar.Contracts.Work;

/// <summary><c>POST …/work/{id}/stop</c>: <c>{force?: bool}</c>; an empty body is a graceful stop.</summary>
public sealed record WorkStopRequest(bool Force)
{
    public static WorkStopRequest Parse(JsonNode? body)
    {
        if (body is null)
        {
            return new WorkStopRequest(false);
        }
        if (body is not JsonObject fields)
        {
            throw new InvalidRequestException("The body must be a JSON object: {\"force\": true|false}.");
        }
        foreach (var (key, value) in fields)
        {
            if (key != "force")
            {
                throw new InvalidRequestException($"{key}: Extra inputs are not permitted.");
            }
            if (value is not null && value.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                throw new InvalidRequestException("force: expected a boolean.");
            }
        }
        return new WorkStopRequest((bool?)fields["force"] ?? false);
    }
}

/// <summary>
/// <c>POST …/work/{id}</c>: <c>{metadata}</c>, a patch (a string upserts, null deletes; limits as
/// resource metadata: ≤16 keys of ≤64 chars, values ≤512).
/// </summary>
public sealed record WorkUpdateRequest(IReadOnlyDictionary<string, string?> Metadata)
{
    public const int MaxKeys = 16;
    public const int MaxKeyLength = 64;
    public const int MaxValueLength = 512;

    public static WorkUpdateRequest Parse(JsonNode? body)
    {
        if (body is not JsonObject fields)
        {
            throw new InvalidRequestException("The body must be a JSON object: {\"metadata\": {…}}.");
        }
        foreach (var (key, _) in fields)
        {
            if (key != "metadata")
            {
                throw new InvalidRequestException($"{key}: Extra inputs are not permitted.");
            }
        }
        if (fields["metadata"] is not JsonObject metadata)
        {
            throw new InvalidRequestException("metadata: Field required (an object of string values or nulls).");
        }
        var patch = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in metadata)
        {
            if (key.Length is 0 or > MaxKeyLength)
            {
                throw new InvalidRequestException($"metadata: keys must be 1–{MaxKeyLength} characters.", "invalid_metadata");
            }
            if (value is not null && value.GetValueKind() != JsonValueKind.String)
            {
                throw new InvalidRequestException($"metadata.{key}: expected a string or null.", "invalid_metadata");
            }
            var text = (string?)value;
            if (text is { Length: > MaxValueLength })
            {
                throw new InvalidRequestException($"metadata.{key}: values are at most {MaxValueLength} characters.", "invalid_metadata");
            }
            patch[key] = text;
        }
        return new WorkUpdateRequest(patch);
    }

    /// <summary>The stored metadata with the patch applied; more than <see cref="MaxKeys"/> keys is a 400.</summary>
    public Dictionary<string, string> ApplyTo(IReadOnlyDictionary<string, string> current)
    {
        var next = new Dictionary<string, string>(current, StringComparer.Ordinal);
        foreach (var (key, value) in Metadata)
        {
            if (string.IsNullOrEmpty(value))
            {
                next.Remove(key);
            }
            else
            {
                next[key] = value;
            }
        }
        return next.Count > MaxKeys
            ? throw new InvalidRequestException($"metadata: at most {MaxKeys} keys are allowed.", "invalid_metadata")
            : next;
    }
}
