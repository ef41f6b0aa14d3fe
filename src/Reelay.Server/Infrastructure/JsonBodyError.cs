using System.Text.Json;
using System.Text.Json.Serialization;

namespace Reelay.Server.Infrastructure;

/// <summary>
/// Why <see cref="JsonBody"/> refused a body: a sentence, and for strings that are not text, each of them with its path.
/// It converts to its sentence wherever a string is expected; the Runway surface turns <see cref="InvalidText"/> into
/// "issues" (RunwayErrors.Error), and serialized as is — RunBlob's {"detail": …} — it is RunBlob's pydantic-style list.
/// </summary>
[JsonConverter(typeof(JsonBodyErrorConverter))]
public sealed record JsonBodyError(string Message, IReadOnlyList<InvalidJsonText> InvalidText)
{
    public const string InvalidTextMessage = "The request body contains strings that are not valid Unicode text.";

    public JsonBodyError(string message) : this(message, []) { }

    public static JsonBodyError ForInvalidText(IReadOnlyList<InvalidJsonText> invalid) => new(InvalidTextMessage, invalid);

    /// <summary>Zod-style text of one finding, as the Runway surface reports it.</summary>
    public static string IssueMessage(InvalidJsonText text) => (text.IsPropertyName ? "Invalid key: " : "Invalid string: ") + text.Problem;

    public static implicit operator string(JsonBodyError error) => error.Message;

    public override string ToString() => Message;
}

/// <summary>The sentence, or for invalid text the list FastAPI gives for undecodable strings ("string_unicode").</summary>
public sealed class JsonBodyErrorConverter : JsonConverter<JsonBodyError>
{
    public const string PydanticMessage = "Input should be a valid string, unable to parse raw data as a unicode string";

    public override JsonBodyError Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("JsonBodyError is written, never read.");

    public override void Write(Utf8JsonWriter writer, JsonBodyError value, JsonSerializerOptions options)
    {
        if (value.InvalidText.Count == 0)
        {
            writer.WriteStringValue(value.Message);
            return;
        }
        writer.WriteStartArray();
        foreach (var text in value.InvalidText)
        {
            writer.WriteStartObject();
            writer.WriteString("type", "string_unicode");
            writer.WriteStartArray("loc");
            writer.WriteStringValue("body");
            foreach (var part in text.Path)
                if (part is int index) writer.WriteNumberValue(index);
                else writer.WriteStringValue(part.ToString());
            writer.WriteEndArray();
            writer.WriteString("msg", PydanticMessage);
            writer.WriteString("input", text.Text);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }
}
