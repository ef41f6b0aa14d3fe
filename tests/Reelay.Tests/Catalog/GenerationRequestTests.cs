using System.Text.Json.Nodes;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Tasks;

namespace Reelay.Tests.Catalog;

/// <summary>The one generation record: stored and read back whole, and tasks stored in the old shape still run.</summary>
public class GenerationRequestTests
{
    [Fact]
    public void A_request_round_trips_through_its_stored_json()
    {
        var request = new GenerationRequest("image_to_video", "gen4.5", new JsonObject { ["promptImage"] = "input:0", ["duration"] = 5 },
            [new MediaInput(0, "image", "first", "promptImage", "inputs/t/0.png", "image/png", 640, 360)],
            new OutputPlan("video", 1280, 720, 5, true, "prores", "4444", 42));
        var back = GenerationRequest.FromJson(request.ToJson());
        Assert.Equal(request.Output, back.Output);
        Assert.Equal(request.Media, back.Media);
        Assert.Equal(request.Options.ToJsonString(), back.Options.ToJsonString());
    }

    [Fact]
    public void Tasks_stored_before_the_one_record_shape_are_read_as_one()
    {
        var old = """
            {"ratio":"1280:720","width":1280,"height":720,"duration":4,"seed":7,"promptText":"waves",
             "promptImages":[{"position":"first","blobKey":"inputs/t/first.png","mediaType":"image/png","width":640,"height":360},
                             {"position":"last","blobKey":"inputs/t/last.png","mediaType":"image/png","width":640,"height":360}],
             "publicFigureThreshold":null}
            """;
        var request = GenerationRequest.FromJson(old);
        Assert.Equal(("image_to_video", "waves"), (request.Endpoint, request.PromptText));
        Assert.Equal(new OutputPlan("video", 1280, 720, 4, false, "mp4", null, 7), request.Output);
        Assert.Equal(["first", "last"], request.Media.Select(m => m.Role));
        var video = GenerationRequest.FromJson("""{"ratio":"1280:720","width":1280,"height":720,"duration":3,"seed":1,"promptImages":[{"position":"video","blobKey":"inputs/t/video.mp4","mediaType":"video/mp4","width":320,"height":240}]}""");
        Assert.Equal(("video_to_video", "source", "video"), (video.Endpoint, video.Media[0].Role, video.Media[0].Kind));
    }

    [Fact]
    public void Auto_duration_holds_the_largest_length_and_charges_what_was_rendered()
    {
        var seedance = ModelCatalog.Load(null).Find("seedance2")!.Endpoints["text_to_video"];
        var options = new JsonObject { ["promptText"] = "x", ["duration"] = "auto" };
        var plan = OutputPlanner.Plan(seedance, options, [], 1);
        var price = Pricing.For(seedance, options, plan);
        Assert.True(price.HoldCredits > price.ChargeCredits, $"{price}");
        Assert.Equal(seedance.Fields["duration"].LargestNumber(), (double)price.HoldCredits / (double)seedance.Price.PerSecond!);
    }
}
