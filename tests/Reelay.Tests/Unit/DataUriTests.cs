using Reelay.Server.Features.Assets;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Unit;

public class DataUriTests
{
    private static string Reason(string uri) => DataUri.CheckImage(uri, 0.5, 2).Reason!;

    [Fact]
    public void A_valid_png_data_uri_yields_its_bytes_and_dimensions()
    {
        var (image, reason) = DataUri.CheckImage(Media.DataUri(640, 360), 0.5, 2);
        Assert.Null(reason);
        Assert.Equal(("image/png", 640, 360), (image!.MediaType, image.Width, image.Height));
    }

    [Theory]
    [InlineData("data:image/png,abc")]
    [InlineData("data:image/png;base64")]
    [InlineData("image/png;base64,iVBORw0KGgo=")]
    [InlineData("data:image/png;base64,@@@not base64@@@")]
    public void Malformed_data_uris_are_invalid(string uri) => Assert.Equal(AssetRules.InvalidDataUri, Reason(uri));

    [Theory]
    [InlineData("data:;base64,iVBORw0KGgo=")]
    [InlineData("data:application/octet-stream;base64,iVBORw0KGgo=")]
    [InlineData("data:image/gif;base64,R0lGODlh")]
    [InlineData("data:video/mp4;base64,AAAA")]
    public void Data_uris_without_an_approved_image_type_are_unsupported(string uri) => Assert.Equal(AssetRules.UnsupportedDataUriType, Reason(uri));

    [Fact]
    public void Bytes_that_are_not_the_declared_type_cannot_be_read()
    {
        var jpeg = Convert.ToBase64String(Media.Image(64, 64, "jpg"));
        Assert.Equal("Invalid asset. The content could not be read as image/png.", Reason("data:image/png;base64," + jpeg));
        Assert.Equal("Invalid asset. The content could not be read as image/webp.", Reason("data:image/webp;base64,aGVsbG8gd29ybGQ="));
    }

    [Fact]
    public void A_data_uri_longer_than_five_megabytes_is_too_large()
    {
        var uri = "data:image/png;base64," + new string('A', 5 * 1024 * 1024);
        Assert.Equal("Asset size exceeds 5.0MB.", Reason(uri));
    }

    [Fact]
    public void Images_outside_the_aspect_bounds_report_the_ratio_with_three_decimals()
    {
        Assert.Equal("Invalid asset aspect ratio. width / height ratio must be between 0.5 and 2. Got 0.462.", Reason(Media.DataUri(120, 260)));
        Assert.Equal("Invalid asset aspect ratio. width / height ratio must be between 0.5 and 2. Got 3.", Reason(Media.DataUri(300, 100)));
        Assert.Null(DataUri.CheckImage(Media.DataUri(200, 100), 0.5, 2).Reason);
    }

    [Fact]
    public void Geometry_rules_reject_sides_over_8000_pixels_before_the_aspect_ratio()
    {
        Assert.Equal("Invalid asset dimensions. Height and width must not exceed 8000px. Got 9000x600.", AssetRules.CheckImageGeometry(9000, 600, 0.5, 2));
        Assert.Null(AssetRules.CheckImageGeometry(8000, 8000, 0.5, 2));
    }
}
