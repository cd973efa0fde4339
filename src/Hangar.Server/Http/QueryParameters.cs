using System.Globalization;
using Hangar.Contracts;

namespace Hangar.Server.Http;

/// <summary>
/// Query-string reads as the SDKs encode them: arrays as <c>name[]=v</c> (or repeated
/// <c>name=v</c>), literal keys such as <c>created_at[gte]</c>, booleans <c>true</c>/<c>false</c>.
/// </summary>
public static class QueryParameters
{
    public static int Limit(HttpRequest request, int defaultLimit, int maxLimit)
    {
        var text = Single(request, "limit");
        if (text is null)
        {
            return defaultLimit;
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit < 1 || limit > maxLimit)
        {
            throw new InvalidRequestException($"limit: must be an integer from 1 to {maxLimit} (got '{text}').");
        }
        return limit;
    }

    public static bool Bool(HttpRequest request, string name, bool defaultValue = false) =>
        Single(request, name) switch
        {
            null => defaultValue,
            "true" or "True" or "1" => true,
            "false" or "False" or "0" => false,
            var other => throw new InvalidRequestException($"{name}: expected true or false (got '{other}')."),
        };

    public static int? Integer(HttpRequest request, string name, int min, int max)
    {
        var text = Single(request, name);
        if (text is null)
        {
            return null;
        }
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new InvalidRequestException($"{name}: must be an integer from {min} to {max} (got '{text}').");
        }
        return value;
    }

    public static DateTimeOffset? Timestamp(HttpRequest request, string name)
    {
        var text = Single(request, name);
        if (text is null)
        {
            return null;
        }
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
        {
            throw new InvalidRequestException($"{name}: expected an RFC 3339 timestamp such as 2026-04-08T12:00:00Z (got '{text}').");
        }
        return value;
    }

    /// <summary>The values of an array parameter, or null when absent.</summary>
    public static IReadOnlyList<string>? Array(HttpRequest request, string name)
    {
        var values = request.Query[name + "[]"].Concat(request.Query[name])
            .Where(v => !string.IsNullOrEmpty(v))
            .Select(v => Checked(name, v!))
            .ToList();
        return values.Count == 0 ? null : values;
    }

    /// <summary>One of <paramref name="allowed"/>, or the default when absent.</summary>
    public static string Choice(HttpRequest request, string name, string defaultValue, params string[] allowed)
    {
        var text = Single(request, name) ?? defaultValue;
        return allowed.Contains(text, StringComparer.Ordinal)
            ? text
            : throw new InvalidRequestException($"{name}: expected one of {string.Join(", ", allowed)} (got '{text}').");
    }

    public static string? Single(HttpRequest request, string name)
    {
        var values = request.Query[name];
        if (values.Count > 1)
        {
            throw new InvalidRequestException($"{name}: give it once (got {values.Count} values).");
        }
        var value = values.ToString();
        return string.IsNullOrEmpty(value) ? null : Checked(name, value);
    }

    /// <summary>NUL (<c>%00</c>) is no part of any id, time or choice, and PostgreSQL cannot compare text holding it.</summary>
    private static string Checked(string name, string value) =>
        value.Contains('\0', StringComparison.Ordinal)
            ? throw new InvalidRequestException($"{name}: may not contain NUL (%00).")
            : value;
}
