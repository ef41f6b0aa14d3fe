using Reelay.Server.Features.Engines;

namespace Reelay.Tests.Unit;

public class SimulationTests
{
    [Fact]
    public void Options_combine_with_commas_or_semicolons()
    {
        var (sim, error) = Simulation.Parse("delay=2.5; fail=SAFETY.INPUT.IMAGE, throttle");
        Assert.Null(error);
        Assert.Equal(new Simulation("SAFETY.INPUT.IMAGE", 2.5, Simulation.DefaultThrottleSeconds), sim);
    }

    [Theory]
    [InlineData("fail")]
    [InlineData("fail=lowercase.code")]
    [InlineData("delay=-1")]
    [InlineData("delay=abc")]
    [InlineData("delay=601")]
    [InlineData("throttle=x")]
    [InlineData("explode=1")]
    public void Invalid_options_are_refused_with_a_message_naming_the_header(string header)
    {
        var (sim, error) = Simulation.Parse(header);
        Assert.Null(sim);
        Assert.StartsWith("Invalid X-Reelay-Simulate header", error);
    }

    [Fact]
    public void No_header_means_no_simulation()
    {
        Assert.Equal((null, null), Simulation.Parse(null));
        Assert.Equal((null, null), Simulation.Parse("  "));
    }

    [Fact]
    public void Every_documented_failure_code_has_its_own_text_and_unknown_codes_name_themselves()
    {
        string[] codes = ["SAFETY.INPUT.IMAGE", "SAFETY.INPUT.TEXT", "SAFETY.OUTPUT.VIDEO", "INTERNAL.BAD_OUTPUT.CODE01",
            "INPUT_PREPROCESSING.SAFETY.TEXT", "INPUT_PREPROCESSING.INTERNAL", "ASSET.INVALID", "THIRD_PARTY.UNAVAILABLE", "INTERNAL"];
        Assert.Equal(codes.Length, codes.Select(Simulation.FailureText).Distinct().Count());
        Assert.Contains("CUSTOM.CODE", Simulation.FailureText("CUSTOM.CODE"));
    }

    [Fact]
    public void A_simulation_survives_the_round_trip_through_the_database_column()
    {
        var sim = new Simulation("INTERNAL", 3, 4);
        Assert.Equal(sim, Simulation.FromJson(sim.ToJson()));
    }
}
