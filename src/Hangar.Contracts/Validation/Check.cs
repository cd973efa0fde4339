namespace Hangar.Contracts.Validation;

/// <summary>
/// The checks request records run in their <c>Validate</c>/<c>To…</c> methods, with messages that
/// start with the field's path so a client can find what to fix.
/// </summary>
public static class Check
{
    public static string Path(string prefix, string name) => prefix.Length == 0 ? name : $"{prefix}.{name}";

    public static string Required(string? value, string path, int maxLength)
    {
        if (value is null)
        {
            throw new InvalidRequestException($"{path}: Field required.");
        }
        if (value.Length == 0)
        {
            throw new InvalidRequestException($"{path}: must not be empty.");
        }
        return Length(value, path, maxLength)!;
    }

    public static T Required<T>(T? value, string path) where T : class =>
        value ?? throw new InvalidRequestException($"{path}: Field required.");

    public static string? Length(string? value, string path, int maxLength) =>
        value is { Length: var length } && length > maxLength
            ? throw new InvalidRequestException($"{path}: must be at most {maxLength} characters (got {length}).")
            : value;

    /// <summary>A string that null or "" clears (stored as null).</summary>
    public static string? Clearable(string? value, string path, int maxLength) =>
        string.IsNullOrEmpty(Length(value, path, maxLength)) ? null : value;

    public static long? Range(long? value, string path, long min, long max) =>
        value is { } number && (number < min || number > max)
            ? throw new InvalidRequestException($"{path}: must be between {min} and {max} (got {number}).")
            : value;

    public static IReadOnlyList<T> Count<T>(IReadOnlyList<T>? items, string path, int maxItems) =>
        items is { Count: var count } && count > maxItems
            ? throw new InvalidRequestException($"{path}: at most {maxItems} items are allowed (got {count}).")
            : items ?? [];

    public static string OneOf(string? value, string path, params string[] allowed)
    {
        if (value is null)
        {
            throw new InvalidRequestException($"{path}: Field required.");
        }
        return allowed.Contains(value, StringComparer.Ordinal)
            ? value
            : throw new InvalidRequestException($"{path}: expected one of {string.Join(", ", allowed)} (got '{value}').");
    }
}
