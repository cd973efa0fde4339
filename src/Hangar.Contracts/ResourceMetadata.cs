namespace Hangar.Contracts;

/// <summary>Metadata maps: string → string, at most 16 keys (≤64 chars) with values ≤512 chars.</summary>
public static class ResourceMetadata
{
    public const int MaxKeys = 16;
    public const int MaxKeyLength = 64;
    public const int MaxValueLength = 512;

    public static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();

    /// <summary>The metadata given at creation; missing or null gives an empty map.</summary>
    public static IReadOnlyDictionary<string, string> Create(IReadOnlyDictionary<string, string?>? request, string name = "metadata") =>
        Patch(Empty, request, name);

    /// <summary>
    /// Applies an update: keys with a string value are set, keys with null (or "") are deleted,
    /// omitted keys kept; a missing or null <c>metadata</c> changes nothing. Kept keys keep their order.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Patch(
        IReadOnlyDictionary<string, string> current, IReadOnlyDictionary<string, string?>? patch, string name = "metadata")
    {
        if (patch is null)
        {
            return current;
        }
        foreach (var (key, value) in patch)
        {
            if (key.Length is 0 or > MaxKeyLength)
            {
                throw Invalid($"{name}: keys must be 1 to {MaxKeyLength} characters (got '{Truncate(key)}').");
            }
            if (value is { Length: > MaxValueLength })
            {
                throw new InvalidRequestException($"{name}.{key}: must be at most {MaxValueLength} characters (got {value.Length}).");
            }
        }
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in current)
        {
            if (!patch.ContainsKey(key))
            {
                result[key] = value;
            }
            else if (patch[key] is { Length: > 0 } replaced)
            {
                result[key] = replaced;
            }
        }
        foreach (var (key, value) in patch)
        {
            if (!current.ContainsKey(key) && value is { Length: > 0 })
            {
                result[key] = value;
            }
        }
        if (result.Count > MaxKeys)
        {
            throw Invalid($"{name}: at most {MaxKeys} keys are allowed (would have {result.Count}).");
        }
        return result;
    }

    private static InvalidRequestException Invalid(string message) => new(message, "invalid_metadata");

    private static string Truncate(string key) => key.Length > 20 ? key[..20] + "…" : key;
}
