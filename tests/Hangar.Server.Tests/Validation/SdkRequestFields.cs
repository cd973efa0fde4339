using System.Reflection;
using System.Text.Json;

namespace Hangar.Server.Tests.Validation;

/// <summary>One body field a request type of the official SDK can send, and the C# type it is declared with.</summary>
public sealed record SdkField(string Name, Type Type)
{
    /// <summary>A JSON value of the wrong kind for this field: a string for numbers and booleans, a number otherwise.</summary>
    public string WrongTypedJson
    {
        get
        {
            var type = Nullable.GetUnderlyingType(Type) ?? Type;
            return type == typeof(bool) ? "\"not-a-boolean\""
                : type.IsPrimitive || type == typeof(decimal) ? "\"not-a-number\""
                : "12345";
        }
    }
}

/// <summary>
/// The body fields of the SDK's request (<c>*Params</c>) types, found by reflection over the official
/// <c>Anthropic</c> assembly rather than written down, so an SDK upgrade that adds a field adds a test case.
/// The SDK keeps a request's body in <c>RawBodyData</c> (JSON name → value) and each property's setter
/// writes its key there, so setting each property on a fresh instance and diffing the keys gives the exact
/// wire name; properties that write nothing there (path ids, headers such as <c>Betas</c>) are not body fields.
/// Nothing here names an SDK property, so renamed or added ones keep working.
/// </summary>
public static class SdkRequestFields
{
    public static Assembly Sdk => typeof(Anthropic.AnthropicClient).Assembly;

    /// <summary>The SDK type whose full name ends with <paramref name="suffix"/> (e.g. <c>Agents.AgentCreateParams</c>).</summary>
    public static Type ParamsType(string suffix) =>
        LoadableTypes().SingleOrDefault(t => t.FullName is { } name && name.EndsWith("." + suffix, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"The Anthropic SDK {Sdk.GetName().Version} has no request type *.{suffix}.");

    /// <summary>Every body field of <paramref name="type"/>, including constants the SDK always sends (a <c>type</c>).</summary>
    public static IReadOnlyList<SdkField> BodyFields(Type type) => Fields(type, "RawBodyData");

    /// <summary>
    /// Every field of a nested model type the SDK sends inside a body (an agent's <c>model</c>, a <c>tools</c>
    /// item, a credential's <c>auth</c>): model classes keep their JSON in <c>RawData</c> the way request
    /// types keep theirs in <c>RawBodyData</c>, so the same probe finds their wire names.
    /// </summary>
    public static IReadOnlyList<SdkField> ModelFields(Type type) => Fields(type, "RawData");

    private static IReadOnlyList<SdkField> Fields(Type type, string rawProperty)
    {
        var rawBody = type.GetProperty(rawProperty, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
            ?? throw new InvalidOperationException($"{type.FullName} has no {rawProperty}; the SDK's model shape changed.");
        var fresh = Keys(rawBody, Activator.CreateInstance(type)!);
        var fields = new Dictionary<string, SdkField>(StringComparer.Ordinal);
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
        {
            if (property.SetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0)
            {
                continue;
            }
            if (Probe(type, rawBody, fresh, property) is { } name)
            {
                fields[name] = new SdkField(name, property.PropertyType);
            }
            else if (property.PropertyType != typeof(string) && !IsHeaderOrPath(property))
            {
                // A union the probe could not build a value for: its wire name is the snake_case property name.
                var snake = SnakeCase(property.Name);
                fields[snake] = new SdkField(snake, property.PropertyType);
            }
        }
        foreach (var constant in fresh.Where(k => !fields.ContainsKey(k)))
        {
            fields[constant] = new SdkField(constant, typeof(JsonElement));
        }
        return [.. fields.Values.OrderBy(f => f.Name, StringComparer.Ordinal)];
    }

    /// <summary>The key a property's setter adds to the body: tried with null, then with a built sample value.</summary>
    private static string? Probe(Type type, PropertyInfo rawBody, HashSet<string> fresh, PropertyInfo property)
    {
        foreach (var make in new Func<object?>[] { () => null, () => Sample(property.PropertyType, depth: 0) })
        {
            try
            {
                var instance = Activator.CreateInstance(type)!;
                property.SetValue(instance, make());
                var added = Keys(rawBody, instance).Where(k => !fresh.Contains(k)).ToList();
                if (added.Count == 1)
                {
                    return added[0];
                }
            }
            catch (Exception e) when (e is TargetInvocationException or ArgumentException or InvalidOperationException or NotSupportedException)
            {
                // This value was refused by the setter; try the next.
            }
        }
        return null;
    }

    private static bool IsHeaderOrPath(PropertyInfo property) =>
        property.Name is "Betas" || property.Name.EndsWith("ID", StringComparison.Ordinal);

    private static HashSet<string> Keys(PropertyInfo rawBody, object instance) =>
        ((IEnumerable<KeyValuePair<string, JsonElement>>)rawBody.GetValue(instance)!).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);

    /// <summary>Some non-null value of <paramref name="type"/>: enough to make its setter write the key.</summary>
    private static object? Sample(Type type, int depth)
    {
        if (depth > 3)
        {
            return null;
        }
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Activator.CreateInstance(underlying);
        }
        if (type.IsValueType)
        {
            return type == typeof(JsonElement) ? JsonDocument.Parse("\"x\"").RootElement.Clone() : Activator.CreateInstance(type);
        }
        if (type == typeof(string))
        {
            return "x";
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            return Array.CreateInstance(type.GetGenericArguments()[0], 0);
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))
        {
            return Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(type.GetGenericArguments()));
        }
        if (type.GetConstructor(Type.EmptyTypes) is { } parameterless)
        {
            return parameterless.Invoke(null);
        }
        foreach (var constructor in type.GetConstructors())
        {
            var parameters = constructor.GetParameters();
            if (parameters.Length == 0 || parameters[0].ParameterType == type || parameters.Skip(1).Any(p => !p.IsOptional))
            {
                continue;
            }
            try
            {
                if (Sample(parameters[0].ParameterType, depth + 1) is { } argument)
                {
                    return constructor.Invoke([argument, .. parameters.Skip(1).Select(_ => Type.Missing)]);
                }
            }
            catch (Exception e) when (e is TargetInvocationException or ArgumentException)
            {
                // Try the next constructor.
            }
        }
        return null;
    }

    private static string SnakeCase(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);

    private static IEnumerable<Type> LoadableTypes()
    {
        try
        {
            return Sdk.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>();
        }
    }
}
