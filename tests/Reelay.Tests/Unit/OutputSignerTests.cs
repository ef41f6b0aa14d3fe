using Reelay.Server.Features.Outputs;

namespace Reelay.Tests.Unit;

public class OutputSignerTests
{
    private readonly OutputSigner _signer = new(new byte[32]);
    private const string TaskId = "6f1e8a7c-6a55-4c1a-9d0e-4f8d2a3b1c00";

    [Fact]
    public void A_fresh_signature_is_valid_until_it_expires()
    {
        var sig = _signer.Sign(TaskId, 1000);
        Assert.Equal(OutputUrlCheck.Valid, _signer.Check(TaskId, "1000", sig, 999));
        Assert.Equal(OutputUrlCheck.Expired, _signer.Check(TaskId, "1000", sig, 1001));
    }

    [Fact]
    public void Changing_the_expiry_the_task_or_the_signature_invalidates_the_url()
    {
        var sig = _signer.Sign(TaskId, 1000);
        Assert.Equal(OutputUrlCheck.Invalid, _signer.Check(TaskId, "2000", sig, 999));
        Assert.Equal(OutputUrlCheck.Invalid, _signer.Check(Guid.NewGuid().ToString(), "1000", sig, 999));
        Assert.Equal(OutputUrlCheck.Invalid, _signer.Check(TaskId, "1000", sig[..^1] + (sig[^1] == '0' ? '1' : '0'), 999));
        Assert.Equal(OutputUrlCheck.Invalid, _signer.Check(TaskId, null, sig, 999));
        Assert.Equal(OutputUrlCheck.Invalid, new OutputSigner(new byte[] { 1 }).Check(TaskId, "1000", sig, 999));
    }

    [Theory]
    [InlineData("6f1e8a7c-6a55-4c1a-9d0e-4f8d2a3b1c00", 1000)]
    [InlineData("6f1e8a7c-6a55-4c1a-9d0e-4f8d2a3b1c00/2", 1_900_000_000)]
    [InlineData("ünïcode-id", -5)]
    public void A_signature_is_the_hex_hmac_sha256_of_the_resource_a_newline_and_the_expiry(string resource, long expires)
    {
        // The definition, so URLs signed before an upgrade keep opening after it.
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(new byte[32], System.Text.Encoding.UTF8.GetBytes($"{resource}\n{expires}")));
        Assert.Equal(expected, _signer.Sign(resource, expires));
    }
}
