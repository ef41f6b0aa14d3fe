using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Reelay.Server.Features.Engines;

/// <summary>
/// Sandbox controls from the <c>X-Reelay-Simulate</c> header, e.g. <c>fail=SAFETY.INPUT.IMAGE</c>,
/// <c>delay=5</c>, <c>throttle=10</c>, combined with commas or semicolons.
/// </summary>
public sealed partial record Simulation(string? FailureCode = null, double DelaySeconds = 0, double ThrottleSeconds = 0)
{
    public const string Header = "X-Reelay-Simulate";
    public const double DefaultThrottleSeconds = 10;
    public const double MaxSeconds = 600;

    [GeneratedRegex("^[A-Z0-9_]+(\\.[A-Z0-9_]+)*\\z")]
    private static partial Regex FailureCodeShape();

    /// <summary>A failure code's shape (SAFETY.INPUT.IMAGE, INTERNAL): capitals, digits and '_' in dot-separated parts.</summary>
    public static bool IsFailureCode(string code) => FailureCodeShape().IsMatch(code);

    public static (Simulation? Simulation, string? Error) Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header)) return (null, null);
        var result = new Simulation();
        foreach (var part in header.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            var name = (eq < 0 ? part : part[..eq]).Trim().ToLowerInvariant();
            var value = eq < 0 ? null : part[(eq + 1)..].Trim();
            switch (name)
            {
                case "fail":
                    if (value is null || !FailureCodeShape().IsMatch(value))
                        return (null, $"Invalid {Header} header: 'fail' needs a failure code such as fail=SAFETY.INPUT.IMAGE.");
                    result = result with { FailureCode = value };
                    break;
                case "delay":
                    if (!TryParseSeconds(value, out var delay)) return (null, $"Invalid {Header} header: 'delay' needs seconds between 0 and {MaxSeconds}, e.g. delay=5.");
                    result = result with { DelaySeconds = delay };
                    break;
                case "throttle":
                    var throttle = DefaultThrottleSeconds;
                    if (value is not null && !TryParseSeconds(value, out throttle)) return (null, $"Invalid {Header} header: 'throttle' takes optional seconds between 0 and {MaxSeconds}, e.g. throttle=10.");
                    result = result with { ThrottleSeconds = throttle };
                    break;
                default:
                    return (null, $"Invalid {Header} header: unknown option '{name}'. Known options: fail=<failureCode>, delay=<seconds>, throttle[=<seconds>].");
            }
        }
        return (result, null);
    }

    private static bool TryParseSeconds(string? value, out double seconds) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds) && seconds >= 0 && seconds <= MaxSeconds;

    public string ToJson() => JsonSerializer.Serialize(this);

    public static Simulation? FromJson(string? json) => json is null ? null : JsonSerializer.Deserialize<Simulation>(json);

    /// <summary>The human text a real API gives with each failure code.</summary>
    public static string FailureText(string code) => code switch
    {
        "SAFETY.INPUT.IMAGE" => "The input image did not pass our content moderation. Please try a different image.",
        "SAFETY.INPUT.TEXT" => "The prompt text did not pass our content moderation. Please modify your prompt and try again.",
        "SAFETY.OUTPUT.VIDEO" => "The generated video did not pass our content moderation.",
        "INTERNAL.BAD_OUTPUT.CODE01" => "The model produced an unusable output. Please try again.",
        "INPUT_PREPROCESSING.SAFETY.TEXT" => "The prompt text was rejected while preprocessing the inputs. Please modify your prompt and try again.",
        "INPUT_PREPROCESSING.INTERNAL" => "An internal error occurred while preprocessing the inputs. Please try again.",
        "ASSET.INVALID" => "An input asset could not be used. Check that it is a valid, supported file.",
        "THIRD_PARTY.UNAVAILABLE" => "An upstream service is temporarily unavailable. Please try again later.",
        "INTERNAL" => "An internal error occurred. Please try again.",
        _ => $"The task failed ({code}).",
    };
}
