using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

/// <summary>Bad input of every kind gets a clear JSON error in the Runway shape, never a 500.</summary>
public class RequestShapeTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    [Theory]
    [InlineData("{not json", "The request body is not valid JSON")]
    [InlineData("[1,2]", "The request body must be a JSON object.")]
    [InlineData("\"text\"", "The request body must be a JSON object.")]
    [InlineData("", "The request body is empty.")]
    public async Task Bodies_that_are_not_a_json_object_are_400_with_a_clear_error(string body, string error)
    {
        var tenant = await _api.NewTenantAsync();
        var reply = await _api.SendAsync(HttpMethod.Post, "/v1/image_to_video", tenant.Key, rawBody: body);
        Assert.Equal(400, reply.Status);
        Assert.StartsWith(error, reply.Error);
    }

    [Fact]
    public async Task Validation_errors_list_every_issue_with_a_doc_url_served_by_this_server()
    {
        var tenant = await _api.NewTenantAsync();
        var reply = await _api.PostAsync("/v1/image_to_video", tenant.Key, new
        {
            model = "gen4_turbo", promptImage = "data:image/png;base64,AAAA", ratio = "999:1", duration = 30, extra = true,
            contentModeration = new { publicFigureThreshold = 7 },
        });
        Assert.Equal(400, reply.Status);
        Assert.Equal("Validation of body failed", reply.Error);
        var issues = reply.Body.GetProperty("issues").EnumerateArray()
            .Select(i => $"{string.Join(".", i.GetProperty("path").EnumerateArray().Select(p => p.ToString()))}:{i.GetProperty("code").GetString()}").ToList();
        Assert.Equal([":unrecognized_keys", "ratio:invalid_enum_value", "contentModeration.publicFigureThreshold:invalid_type", "duration:too_big", "promptImage:custom"], issues);

        var docUrl = reply.Body.GetProperty("docUrl").GetString()!;
        Assert.StartsWith(_api.BaseUrl.ToString().TrimEnd('/') + "/docs/errors#validation", docUrl);
        var docs = await ReelayApi.Client.GetStringAsync(docUrl);
        Assert.Contains("id=\"validation\"", docs);
        Assert.Contains("Invalid asset aspect ratio.", docs);
        Assert.Contains("X-Reelay-Simulate", docs);
    }

    [Fact]
    public async Task Task_ids_that_are_not_uuids_are_a_path_validation_error_and_unknown_ones_are_not_found()
    {
        var tenant = await _api.NewTenantAsync();
        var bad = await _api.GetTaskAsync(tenant.Key, "not-a-uuid");
        Assert.Equal(400, bad.Status);
        Assert.Equal("id", bad.Body.GetProperty("issues")[0].GetProperty("path")[0].GetString());
        var missing = await _api.GetTaskAsync(tenant.Key, Guid.NewGuid().ToString());
        Assert.Equal((404, "Could not find Task"), (missing.Status, missing.Error));
        Assert.Equal(404, (await _api.DeleteTaskAsync(tenant.Key, Guid.NewGuid().ToString())).Status);
    }

    [Fact]
    public async Task Unknown_routes_and_wrong_methods_answer_json_and_every_response_has_a_request_id()
    {
        var tenant = await _api.NewTenantAsync();
        var unknown = await _api.SendAsync(HttpMethod.Get, "/v1/nothing-here", tenant.Key);
        Assert.Equal(404, unknown.Status);
        Assert.NotNull(unknown.Error);
        var wrongMethod = await _api.SendAsync(HttpMethod.Put, "/v1/image_to_video", tenant.Key, new { });
        Assert.Equal(405, wrongMethod.Status);
        Assert.NotNull(wrongMethod.Error);
        Assert.True(wrongMethod.Response.Headers.Contains("X-Request-Id"));
        var echoed = await _api.SendAsync(HttpMethod.Get, "/healthz", null, configure: r => r.Headers.Add("X-Request-Id", "client-chosen-1"));
        Assert.Equal("client-chosen-1", echoed.Response.Headers.GetValues("X-Request-Id").Single());
    }

    [Fact]
    public async Task A_bad_simulate_header_is_a_400_and_a_broken_admin_body_is_a_clear_400()
    {
        var tenant = await _api.NewTenantAsync();
        var reply = await _api.PostAsync("/v1/text_to_video", tenant.Key,
            new { model = "gen4.5", promptText = "x", ratio = "1280:720", duration = 2 }, simulate: "explode");
        Assert.Equal(400, reply.Status);
        Assert.StartsWith("Invalid X-Reelay-Simulate header", reply.Error);

        var admin = await _api.SendAsync(HttpMethod.Post, "/admin/v1/organizations", ServerProcess.AdminToken, rawBody: "{oops");
        Assert.Equal(400, admin.Status);
        Assert.NotNull(admin.Error);
    }
}
