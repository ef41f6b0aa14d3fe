using Reelay.Server.Features.Assets;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Unit;

/// <summary>Data URIs through the real intake: parse checks, then the content checks every input gets.</summary>
public class DataUriTests
{
    private static readonly AssetIntake Intake = TestIntake.Create();

    private static async Task<(CheckedAsset? Asset, AssetReport Report)> CheckAsync(string uri, AssetKind kind = AssetKind.Image) =>
        await Intake.CheckAsync(uri, kind, null, "org_none", CancellationToken.None);

    private static async Task<string?> ReasonAsync(string uri) => (await CheckAsync(uri)).Report.Reason;

    [Fact]
    public async Task A_valid_png_data_uri_yields_a_stored_file_with_its_dimensions()
    {
        var (asset, report) = await CheckAsync(Media.DataUri(640, 360));
        Assert.Equal("accepted", report.Verdict);
        Assert.Equal(("image/png", 640, 360), (asset!.MediaType, asset.Width, asset.Height));
        Assert.Equal(Media.Image(640, 360), await File.ReadAllBytesAsync(asset.FilePath));
        asset.DeleteIfTemporary();
        Assert.False(File.Exists(asset.FilePath));
    }

    [Theory]
    [InlineData("data:image/png,abc")]
    [InlineData("data:image/png;base64")]
    [InlineData("data:image/png;base64,")]
    [InlineData("data:image/png;base64,@@@not base64@@@")]
    public async Task Malformed_data_uris_are_invalid(string uri) => Assert.Equal(AssetRules.InvalidDataUri, await ReasonAsync(uri));

    [Theory]
    [InlineData("data:;base64,iVBORw0KGgo=")]
    [InlineData("data:application/octet-stream;base64,iVBORw0KGgo=")]
    [InlineData("data:image/gif;base64,R0lGODlh")]
    [InlineData("data:video/mp4;base64,AAAA")]
    public async Task Data_uris_without_an_approved_image_type_are_unsupported(string uri) => Assert.Equal(AssetRules.UnsupportedDataUriType, await ReasonAsync(uri));

    [Fact]
    public async Task Bytes_that_are_not_the_declared_type_cannot_be_read()
    {
        var jpeg = Convert.ToBase64String(Media.Image(64, 64, "jpg"));
        Assert.Equal("Invalid asset. The content could not be read as image/png.", await ReasonAsync("data:image/png;base64," + jpeg));
        Assert.Equal("Invalid asset. The content could not be read as image/webp.", await ReasonAsync("data:image/webp;base64,aGVsbG8gd29ybGQ="));
        Assert.Null(await ReasonAsync("data:image/jpg;base64," + jpeg));
    }

    [Fact]
    public async Task A_data_uri_longer_than_five_megabytes_is_too_large()
    {
        var uri = "data:image/png;base64," + new string('A', 5 * 1024 * 1024);
        Assert.Equal("Asset size exceeds 5.0MB.", await ReasonAsync(uri));
    }

    [Fact]
    public async Task Images_outside_the_aspect_bounds_report_the_ratio_with_three_decimals()
    {
        Assert.Equal("Invalid asset aspect ratio. width / height ratio must be between 0.5 and 2. Got 0.462.", await ReasonAsync(Media.DataUri(120, 260)));
        Assert.Equal("Invalid asset aspect ratio. width / height ratio must be between 0.5 and 2. Got 3.", await ReasonAsync(Media.DataUri(300, 100)));
        Assert.Null(await ReasonAsync(Media.DataUri(200, 100)));
    }

    [Fact]
    public void Geometry_rules_reject_sides_over_8000_pixels_before_the_aspect_ratio()
    {
        Assert.Equal("Invalid asset dimensions. Height and width must not exceed 8000px. Got 9000x600.", AssetRules.CheckImageGeometry(9000, 600, 0.5, 2));
        Assert.Null(AssetRules.CheckImageGeometry(8000, 8000, 0.5, 2));
    }

    [Fact]
    public async Task Rejected_data_uris_leave_no_temporary_file_behind()
    {
        var options = new AssetOptions { TempDirectory = TestPaths.NewTempDirectory("reelay-intake-tmp") };
        var intake = TestIntake.Create(options);
        await intake.CheckAsync(Media.DataUri(300, 100), AssetKind.Image, null, "org_none", CancellationToken.None);
        Assert.Empty(Directory.GetFiles(options.TempDirectory));
    }
}
