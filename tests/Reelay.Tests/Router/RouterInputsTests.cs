using System.Text.Json.Nodes;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Router;

namespace Reelay.Tests.Router;

/// <summary>How a router input becomes a request to one catalog model (pure), against the default catalog.</summary>
public class RouterInputsTests
{
    private static readonly ModelCatalog Catalog = ModelCatalog.Load(null);

    private static RoutedRequest Map(string kind, string input, string model) =>
        RouterInputs.Map(kind, (JsonObject)JsonNode.Parse(input)!, Catalog.Find(model)!);

    [Fact]
    public void A_speech_input_with_a_preset_becomes_a_text_to_speech_request_with_a_runway_preset()
    {
        var routed = Map("audio", """{"type":"speech","promptText":"Hi","voice":{"type":"preset","presetId":"Maya"}}""", "eleven_v3");
        Assert.Null(routed.Unsupported);
        Assert.Equal("text_to_speech", routed.Endpoint);
        Assert.Equal("""{"model":"eleven_v3","promptText":"Hi","voice":{"type":"runway-preset","presetId":"Maya"}}""", routed.Body.ToJsonString());
    }

    [Fact]
    public void An_audio_input_becomes_a_sound_effect_with_reference_clips_as_strings_whose_issues_name_the_input_field()
    {
        var routed = Map("audio", """{"type":"audio","promptText":"rain","referenceAudios":[{"uri":"https://a.test/x.mp3"}]}""", "seed_audio");
        Assert.Equal("sound_effect", routed.Endpoint);
        Assert.Equal("""["https://a.test/x.mp3"]""", routed.Body["referenceAudios"]!.ToJsonString());
        Assert.Equal(new object[] { "input", "referenceAudios", 0, "uri" }, routed.InputPath(["referenceAudios", 0]).ToArray());
        Assert.Equal(new object[] { "input", "voice", "audioUri" }, routed.InputPath(["voice", "audioUri"]).ToArray());
    }

    [Fact]
    public void A_model_without_the_endpoint_is_unsupported()
    {
        var routed = Map("audio", """{"type":"audio","promptText":"rain"}""", "eleven_v3");
        Assert.Equal("does not serve /v1/sound_effect", routed.Unsupported);
    }

    [Fact]
    public void A_video_aspect_and_tier_pick_the_models_pixel_ratio_and_a_missing_tier_is_unsupported()
    {
        var portrait = Map("video", """{"promptText":"a cat","aspectRatio":"9:16"}""", "gen4.5");
        Assert.Equal("text_to_video", portrait.Endpoint);
        Assert.Equal("720:1280", portrait.Body["ratio"]!.GetValue<string>());
        var hd = Map("video", """{"promptText":"a cat","aspectRatio":"16:9","resolution":"1080p"}""", "seedance2");
        Assert.Equal("1920:1080", hd.Body["ratio"]!.GetValue<string>());
        Assert.Equal("no ratio of aspect 16:9 at 1080p", Map("video", """{"promptText":"a cat","resolution":"1080p"}""", "seedance2_fast").Unsupported);
    }

    [Fact]
    public void A_first_frame_makes_an_image_to_video_request_and_a_source_video_a_video_to_video_one()
    {
        var i2v = Map("video", """{"referenceImages":[{"role":"first","uri":"https://a.test/f.png"},{"role":"last","uri":"https://a.test/l.png"}]}""", "veo3.1");
        Assert.Equal("image_to_video", i2v.Endpoint);
        Assert.Equal("""[{"uri":"https://a.test/f.png","position":"first"},{"uri":"https://a.test/l.png","position":"last"}]""", i2v.Body["promptImage"]!.ToJsonString());
        var v2v = Map("video", """{"promptText":"x","referenceVideos":[{"role":"source","uri":"https://a.test/v.mp4"}]}""", "aleph2");
        Assert.Equal("video_to_video", v2v.Endpoint);
        Assert.Equal("https://a.test/v.mp4", v2v.Body["videoUri"]!.GetValue<string>());
        Assert.Equal(new object[] { "input", "referenceVideos" }, v2v.InputPath(["videoUri"]).ToArray());
        Assert.Equal("does not serve /v1/video_to_video", Map("video", """{"referenceVideos":[{"role":"source","uri":"https://a.test/v.mp4"}]}""", "gen4.5").Unsupported);
    }

    [Fact]
    public void The_default_catalog_has_router_configs_for_video_and_audio_and_one_that_leaves_out_eleven_v3()
    {
        Assert.Contains(Catalog.Routers.Configs, c => c.Kind == "audio");
        Assert.Contains(Catalog.Routers.Configs, c => c.Kind == "video");
        var budget = Catalog.Routers.Find("audio-budget")!;
        Assert.DoesNotContain("eleven_v3", budget.Models);
        Assert.Equal(2, budget.PriceCeiling);
    }

    [Fact]
    public void A_router_config_naming_an_unknown_model_or_kind_stops_the_catalog_with_its_name()
    {
        var root = JsonNode.Parse("""
            {"models":[{"id":"m","engine":"preview","endpoints":{"sound_effect":{"output":"audio","fields":{"promptText":{"type":"string"}},"price":{"perSecond":1}}}}],
             "routers":{"models":{"m":{"provider":"p","quality":1,"latency":1}},"inputs":{"audio":{"type":"object","properties":{}}},
                        "configs":[{"configId":"c","kind":"sound","models":["m","ghost"],"optimizeFor":"speed"}]}}
            """);
        var (models, problems) = ModelCatalog.Parse(root);
        ModelCatalog.ParseRouters(root, models, problems);
        Assert.Contains("router config 'c': kind must be video, image or audio", problems);
        Assert.Contains("router config 'c': optimizeFor must be cost, latency or quality", problems);
        Assert.Contains("router config 'c': model 'ghost' has no entry in routers.models", problems);
    }
}
