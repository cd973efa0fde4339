using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Hangar.Contracts.Serialization;

/// <summary>
/// A request value the API accepts either as a bare string or as its object form (a model id or
/// <c>{id,…}</c>; a policy <c>"always_ask"</c> or <c>{"type":"always_ask"}</c>). The object form is
/// read as <typeparamref name="TBody"/>, a plain record, so unknown fields and types are refused
/// the same way as everywhere else.
/// </summary>
public abstract class ShorthandConverter<T, TBody> : JsonConverter<T>
    where TBody : class
{
    /// <summary>What the field accepts, for the error message ("a model id string or an object").</summary>
    protected abstract string Expected { get; }

    protected abstract T FromString(string value);

    protected abstract T FromBody(TBody body);

    protected abstract TBody ToBody(T value);

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => FromString(reader.GetString()!),
        JsonTokenType.StartObject => FromBody(NestedJson.Deserialize<TBody>(ref reader, options)!),
        _ => throw new JsonException($"expected {Expected}, got {Describe(reader.TokenType)}."),
    };

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, ToBody(value), (JsonTypeInfo<TBody>)options.GetTypeInfo(typeof(TBody)));

    public static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.String => "a string",
        JsonTokenType.StartObject => "an object",
        _ => "a value",
    };
}
