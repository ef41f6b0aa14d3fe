using Reelay.Server.Features.Credits;
using Reelay.Server.Features.Tasks;

namespace Reelay.Tests.Unit;

public class CreditRulesTests
{
    [Theory]
    [InlineData("succeeded", null, true)]
    [InlineData("failed", "SAFETY.INPUT.IMAGE", true)]
    [InlineData("failed", "INPUT_PREPROCESSING.SAFETY.TEXT", true)]
    [InlineData("failed", "INTERNAL", false)]
    [InlineData("failed", "THIRD_PARTY.UNAVAILABLE", false)]
    [InlineData("failed", null, false)]
    [InlineData("cancelled", null, false)]
    public void Success_and_moderation_failures_are_charged_and_everything_else_is_released(string status, string? code, bool charged) =>
        Assert.Equal(charged, Ledger.ChargesFor(status, code));

    [Theory]
    [InlineData("queued", "PENDING", DeleteAction.Cancel)]
    [InlineData("throttled", "THROTTLED", DeleteAction.Cancel)]
    [InlineData("running", "RUNNING", DeleteAction.Cancel)]
    [InlineData("succeeded", "SUCCEEDED", DeleteAction.Delete)]
    [InlineData("failed", "FAILED", DeleteAction.Delete)]
    [InlineData("cancelled", "CANCELLED", DeleteAction.Delete)]
    public void Core_states_map_to_runway_names_and_decide_what_delete_does(string core, string runway, DeleteAction action)
    {
        Assert.Equal(runway, Reelay.Server.Features.Runway.RunwayTaskMapping.Status(core));
        Assert.Equal(action, TaskStates.OnDelete(core));
    }
}
