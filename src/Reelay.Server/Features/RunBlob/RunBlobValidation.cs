using System.Text.Json;
using System.Text.Json.Serialization;

namespace Reelay.Server.Features.RunBlob;

/// <summary>One item of a 422 body, in the pydantic vocabulary FastAPI services use.</summary>
public sealed record PydanticError(string Type, IReadOnlyList<object> Loc, string Msg)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public JsonElement? Input { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, object>? Ctx { get; init; }
}

public sealed record RunBlobRequest(string Prompt, string Orientation, int Width, int Height, int Duration, string? CallbackUrl, string? ImageBase64, string? ImageUrl)
{
    public string Ratio => $"{Width}:{Height}";
}

/// <summary>The body rules of POST /v1/sora/generate (pure). Extra fields are ignored, as pydantic models do by default.</summary>
public static class RunBlobValidation
{
    public const string BothImages = "Cannot provide both image_base64 and image_url";
    public const int MaxPromptLength = 4000;
    public const int MaxCallbackUrlLength = 2048;

    public static (RunBlobRequest? Request, List<PydanticError> Errors, string? BadRequest) Validate(JsonElement body)
    {
        var errors = new List<PydanticError>();
        string? prompt = null;
        if (!body.TryGetProperty("prompt", out var p) || p.ValueKind == JsonValueKind.Null)
            errors.Add(new PydanticError("missing", ["body", "prompt"], "Field required") { Input = body.Clone() });
        else if (p.ValueKind != JsonValueKind.String)
            errors.Add(new PydanticError("string_type", ["body", "prompt"], "Input should be a valid string") { Input = p.Clone() });
        else if (p.GetString()!.Length < 1)
            errors.Add(new PydanticError("string_too_short", ["body", "prompt"], "String should have at least 1 character") { Input = p.Clone(), Ctx = new() { ["min_length"] = 1 } });
        else if (p.GetString()!.Length > MaxPromptLength)
            errors.Add(new PydanticError("string_too_long", ["body", "prompt"], $"String should have at most {MaxPromptLength} characters") { Input = p.Clone(), Ctx = new() { ["max_length"] = MaxPromptLength } });
        else prompt = p.GetString();

        var orientation = "9:16";
        if (body.TryGetProperty("orientation", out var o) && o.ValueKind != JsonValueKind.Null)
        {
            if (o.ValueKind == JsonValueKind.String && o.GetString() is "9:16" or "16:9") orientation = o.GetString()!;
            else errors.Add(new PydanticError("enum", ["body", "orientation"], "Input should be '9:16' or '16:9'") { Input = o.Clone(), Ctx = new() { ["expected"] = "'9:16' or '16:9'" } });
        }

        var duration = 10;
        if (body.TryGetProperty("duration", out var d) && d.ValueKind != JsonValueKind.Null)
        {
            if (!TryInteger(d, out var n)) errors.Add(new PydanticError("int_type", ["body", "duration"], "Input should be a valid integer") { Input = d.Clone() });
            else if (n is not (10 or 15)) errors.Add(new PydanticError("enum", ["body", "duration"], "Input should be 10 or 15") { Input = d.Clone(), Ctx = new() { ["expected"] = "10 or 15" } });
            else duration = (int)n;
        }

        var callback = OptionalString(body, "callback_url", errors);
        if (callback is not null && !(Uri.TryCreate(callback, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && callback.Length <= MaxCallbackUrlLength))
        {
            errors.Add(new PydanticError("url_scheme", ["body", "callback_url"], "URL scheme should be 'https'") { Input = body.GetProperty("callback_url").Clone() });
            callback = null;
        }
        var imageBase64 = OptionalString(body, "image_base64", errors);
        var imageUrl = OptionalString(body, "image_url", errors);

        if (errors.Count > 0 || prompt is null) return (null, errors, null);
        if (imageBase64 is not null && imageUrl is not null) return (null, errors, BothImages);
        var (width, height) = orientation == "16:9" ? (1280, 720) : (720, 1280);
        return (new RunBlobRequest(prompt, orientation, width, height, duration, callback, imageBase64, imageUrl), errors, null);
    }

    private static string? OptionalString(JsonElement body, string name, List<PydanticError> errors)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.String) return value.GetString();
        errors.Add(new PydanticError("string_type", ["body", name], "Input should be a valid string") { Input = value.Clone() });
        return null;
    }

    /// <summary>Pydantic's lax int: 10 and 10.0 are integers, "10" is too (strings of digits).</summary>
    private static bool TryInteger(JsonElement value, out long result)
    {
        result = 0;
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (value.TryGetInt64(out result)) return true;
            if (value.TryGetDouble(out var d) && d == Math.Floor(d) && Math.Abs(d) < 1e15) { result = (long)d; return true; }
            return false;
        }
        return value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), out result);
    }

    /// <summary>Query parameters limit (1–100, default 20) and offset (≥ 0, default 0), with pydantic errors.</summary>
    public static (int Limit, int Offset, List<PydanticError> Errors) Page(string? limit, string? offset)
    {
        var errors = new List<PydanticError>();
        int l = 20, o = 0;
        if (limit is not null)
        {
            if (!int.TryParse(limit, out l)) errors.Add(new PydanticError("int_parsing", ["query", "limit"], "Input should be a valid integer, unable to parse string as an integer") { Input = JsonSerializer.SerializeToElement(limit) });
            else if (l < 1) errors.Add(new PydanticError("greater_than_equal", ["query", "limit"], "Input should be greater than or equal to 1") { Input = JsonSerializer.SerializeToElement(limit), Ctx = new() { ["ge"] = 1 } });
            else if (l > 100) errors.Add(new PydanticError("less_than_equal", ["query", "limit"], "Input should be less than or equal to 100") { Input = JsonSerializer.SerializeToElement(limit), Ctx = new() { ["le"] = 100 } });
        }
        if (offset is not null)
        {
            if (!int.TryParse(offset, out o)) errors.Add(new PydanticError("int_parsing", ["query", "offset"], "Input should be a valid integer, unable to parse string as an integer") { Input = JsonSerializer.SerializeToElement(offset) });
            else if (o < 0) errors.Add(new PydanticError("greater_than_equal", ["query", "offset"], "Input should be greater than or equal to 0") { Input = JsonSerializer.SerializeToElement(offset), Ctx = new() { ["ge"] = 0 } });
        }
        return (l, o, errors);
    }
}
