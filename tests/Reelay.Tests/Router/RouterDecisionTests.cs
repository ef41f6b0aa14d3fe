using Reelay.Server.Features.Router;

namespace Reelay.Tests.Router;

/// <summary>The router's pick as the pure function it is: exclusion, the price ceiling, ranking and the capacity fallback.</summary>
public class RouterDecisionTests
{
    private static readonly RoutedModel Best = new("best", "acme", Quality: 9, Latency: 60);
    private static readonly RoutedModel Fast = new("fast", "acme", Quality: 6, Latency: 10);
    private static readonly RoutedModel Cheap = new("cheap", "other", Quality: 5, Latency: 30);

    private static RouterConfig Config(string optimizeFor = "quality", long? ceiling = null, bool onCapacity = true) =>
        new("test", "audio", ["best", "fast", "cheap"], optimizeFor, ceiling, onCapacity);

    private static RouteCandidate C(RoutedModel m, long credits, bool atCapacity = false, string? unsupported = null) => new(m, credits, atCapacity, unsupported);

    [Theory]
    [InlineData("quality", "best")]
    [InlineData("latency", "fast")]
    [InlineData("cost", "cheap")]
    public void Each_optimization_ranks_its_own_measure_first(string optimizeFor, string expected)
    {
        var decision = RouterDecision.Decide(Config(optimizeFor), [C(Best, 30), C(Fast, 20), C(Cheap, 5)]);
        Assert.Equal(expected, decision.Chosen!.Model.Model);
        Assert.Null(decision.Fallback);
    }

    [Fact]
    public void A_model_that_cannot_take_the_input_is_never_picked_however_good()
    {
        var decision = RouterDecision.Decide(Config(), [C(Best, 30, unsupported: "input.loop: Unrecognized key"), C(Fast, 20)]);
        Assert.Equal("fast", decision.Chosen!.Model.Model);
    }

    [Fact]
    public void When_no_model_takes_the_input_the_refusal_says_why_for_each()
    {
        var decision = RouterDecision.Decide(Config(), [C(Best, 0, unsupported: "does not serve /v1/sound_effect"), C(Fast, 0, unsupported: "input.voice: Required")]);
        Assert.Null(decision.Chosen);
        Assert.Equal("No model of router config 'test' supports this input: best: does not serve /v1/sound_effect; fast: input.voice: Required.", decision.Refusal);
    }

    [Fact]
    public void Models_above_the_price_ceiling_are_out_and_the_best_affordable_one_is_picked()
    {
        var decision = RouterDecision.Decide(Config(ceiling: 20), [C(Best, 30), C(Fast, 20), C(Cheap, 5)]);
        Assert.Equal("fast", decision.Chosen!.Model.Model);
    }

    [Fact]
    public void A_price_ceiling_below_every_model_refuses_and_names_the_cheapest()
    {
        var decision = RouterDecision.Decide(Config(ceiling: 4), [C(Best, 30), C(Fast, 20), C(Cheap, 5)]);
        Assert.Null(decision.Chosen);
        Assert.Equal("No model of router config 'test' can run this request within its price ceiling of 4 credits (the cheapest, cheap, costs 5 credits).", decision.Refusal);
    }

    [Fact]
    public void A_model_at_its_concurrency_limit_is_skipped_for_the_next_best_and_named()
    {
        var decision = RouterDecision.Decide(Config(), [C(Best, 30, atCapacity: true), C(Fast, 20), C(Cheap, 5, atCapacity: true)]);
        Assert.Equal("fast", decision.Chosen!.Model.Model);
        Assert.False(decision.Fallback!.AllExhausted);
        // cheap ranks below the pick: it was not passed over because of its capacity.
        Assert.Equal(["best"], decision.Fallback.Skipped);
    }

    [Fact]
    public void When_every_model_is_at_its_limit_the_best_is_used_and_all_exhausted_is_said()
    {
        var decision = RouterDecision.Decide(Config(), [C(Best, 30, atCapacity: true), C(Fast, 20, atCapacity: true)]);
        Assert.Equal("best", decision.Chosen!.Model.Model);
        Assert.True(decision.Fallback!.AllExhausted);
        Assert.Equal(["fast"], decision.Fallback.Skipped);
    }

    [Fact]
    public void Without_the_capacity_fallback_capacity_does_not_change_the_pick()
    {
        var decision = RouterDecision.Decide(Config(onCapacity: false), [C(Best, 30, atCapacity: true), C(Fast, 20)]);
        Assert.Equal("best", decision.Chosen!.Model.Model);
        Assert.Null(decision.Fallback);
    }

    [Fact]
    public void Equal_models_keep_the_order_the_config_lists_them_in()
    {
        var twin = Fast with { Model = "cheap" };
        var decision = RouterDecision.Decide(Config("latency"), [C(twin, 20), C(Fast, 20)]);
        Assert.Equal("fast", decision.Chosen!.Model.Model);
    }
}
