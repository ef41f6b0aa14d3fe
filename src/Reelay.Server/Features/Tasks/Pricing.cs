using System.Text.Json;
using System.Text.Json.Nodes;
using Reelay.Server.Features.Catalog;

namespace Reelay.Server.Features.Tasks;

/// <summary>What a task holds when created and what it is charged when it succeeds (equal unless a duration was "auto").</summary>
public sealed record TaskPrice(long HoldCredits, long ChargeCredits);

/// <summary>The catalog's price of a request (pure): rate × units, rounded up to whole credits.</summary>
public static class Pricing
{
    public static TaskPrice For(EndpointDefinition endpoint, JsonObject options, OutputPlan plan)
    {
        var price = endpoint.Price;
        var rate = price.Rate(options, (long)plan.Width * plan.Height);
        if (price.PerSecond is not null)
        {
            // "auto": the largest length the model allows is held; the length rendered is charged.
            var auto = options["duration"] is JsonValue v && v.GetValueKind() == JsonValueKind.String;
            var heldSeconds = auto ? endpoint.Fields.GetValueOrDefault("duration")?.LargestNumber() ?? plan.Seconds : plan.Seconds;
            return new TaskPrice(Credits(rate, (decimal)Math.Max(heldSeconds, plan.Seconds)), Credits(rate, (decimal)plan.Seconds));
        }
        if (price.PerCharacter is not null)
        {
            // Text-to-speech: the words spoken, counted as the SDK counts promptText (UTF-16 code units).
            var characters = options["promptText"] is JsonValue t && t.GetValueKind() == JsonValueKind.String ? t.GetValue<string>().Length : 0;
            var spoken = Credits(rate, characters);
            return new TaskPrice(spoken, spoken);
        }
        var count = price.CountField is { } field ? JsonNumbers.Decimal(options[field]) ?? 1 : 1;
        var credits = Credits(rate, price.PerImage is not null ? count : 1);
        return new TaskPrice(credits, credits);
    }

    private static long Credits(decimal rate, decimal units) => (long)Math.Ceiling(rate * units);
}
