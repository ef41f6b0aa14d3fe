using System.Net.Http.Headers;
using Reelay.Client;

namespace Reelay.Tests.Client;

/// <summary>Construction, key checks and the retry rules, without a server.</summary>
[Trait("Database", "independent")] // the C# client against a server: what it checks is the client's side, the same on either database
public class ClientConfigurationTests
{
    private static readonly string GoodKey = "key_" + new string('a', 128);

    [Fact]
    public void A_key_with_a_trailing_newline_fails_fast_and_says_so()
    {
        var error = Assert.Throws<ArgumentException>(() => new ReelayClient(GoodKey + "\n", "http://127.0.0.1:1"));
        Assert.Contains("trailing whitespace", error.Message);
        Assert.DoesNotContain(GoodKey, error.Message); // a secret never goes into a message
        Assert.Contains("leading whitespace", Assert.Throws<ArgumentException>(() => new ReelayClient(" " + GoodKey)).Message);
    }

    [Theory]
    [InlineData("sk_abc", "must start with 'key_'")]
    [InlineData("key_abc", "this one has 3 characters")]
    [InlineData("key_ABCDEF", "this one has 6 characters")]
    public void A_malformed_key_fails_fast_with_the_reason(string key, string expected)
    {
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => new ReelayClient(key)).Message);
        Assert.Contains("lowercase", Assert.Throws<ArgumentException>(() => new ReelayClient("key_" + new string('A', 128))).Message);
        Assert.Contains("hex digits", Assert.Throws<ArgumentException>(() => new ReelayClient("key_" + new string('g', 128))).Message);
        var both = Assert.Throws<ArgumentException>(() => new ReelayClient("key_abc\n")).Message;
        Assert.Contains("3 characters", both);
        Assert.Contains("trailing whitespace", both);
    }

    [Fact]
    public void Key_and_base_url_come_from_the_environment_when_not_given()
    {
        // Only these tests read the variables; set and restore them within one test to avoid races.
        var (savedKey, savedUrl) = (Environment.GetEnvironmentVariable(ReelayClient.ApiKeyVariable), Environment.GetEnvironmentVariable(ReelayClient.BaseUrlVariable));
        try
        {
            Environment.SetEnvironmentVariable(ReelayClient.ApiKeyVariable, null);
            Environment.SetEnvironmentVariable(ReelayClient.BaseUrlVariable, null);
            Assert.Contains("REELAY_API_SECRET", Assert.Throws<InvalidOperationException>(() => new ReelayClient()).Message);

            Environment.SetEnvironmentVariable(ReelayClient.ApiKeyVariable, GoodKey);
            using (var client = new ReelayClient()) Assert.Equal(ReelayClientOptions.DefaultBaseUrl, client.BaseUrl);

            Environment.SetEnvironmentVariable(ReelayClient.BaseUrlVariable, "http://10.1.2.3:9000/reelay");
            using (var client = new ReelayClient()) Assert.Equal(new Uri("http://10.1.2.3:9000/reelay/"), client.BaseUrl);
            using (var client = new ReelayClient(baseUrl: "http://127.0.0.1:7000")) Assert.Equal(new Uri("http://127.0.0.1:7000/"), client.BaseUrl);

            Environment.SetEnvironmentVariable(ReelayClient.ApiKeyVariable, GoodKey + "\r\n");
            var error = Assert.Throws<InvalidOperationException>(() => new ReelayClient());
            Assert.Contains("REELAY_API_SECRET", error.Message);
            Assert.Contains("trailing whitespace", error.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ReelayClient.ApiKeyVariable, savedKey);
            Environment.SetEnvironmentVariable(ReelayClient.BaseUrlVariable, savedUrl);
        }
    }

    [Fact]
    public void A_base_url_that_is_not_http_fails_fast()
    {
        Assert.Throws<ArgumentException>(() => new ReelayClient(GoodKey, "ftp://example.com"));
        Assert.Throws<ArgumentException>(() => new ReelayClient(GoodKey, "not a url"));
    }

    private static HttpResponseHeaders Headers(params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage();
        foreach (var (name, value) in headers) response.Headers.TryAddWithoutValidation(name, value);
        return response.Headers;
    }

    [Theory]
    [InlineData(408, true)]
    [InlineData(409, true)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(404, false)]
    [InlineData(422, false)]
    public void Transient_statuses_are_retried_and_x_should_retry_overrules(int status, bool retried)
    {
        Assert.Equal(retried, RetryPolicy.IsRetryable(status, Headers()));
        Assert.False(RetryPolicy.IsRetryable(status, Headers(("x-should-retry", "false"))));
        Assert.True(RetryPolicy.IsRetryable(status, Headers(("x-should-retry", "true"))));
    }

    [Fact]
    public void Server_delays_are_read_from_retry_after_ms_then_retry_after()
    {
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(TimeSpan.FromMilliseconds(1500), RetryPolicy.ServerDelay(Headers(("retry-after-ms", "1500"), ("Retry-After", "9")), now));
        Assert.Equal(TimeSpan.FromSeconds(9), RetryPolicy.ServerDelay(Headers(("Retry-After", "9")), now));
        Assert.Equal(TimeSpan.FromSeconds(2.5), RetryPolicy.ServerDelay(Headers(("Retry-After", "2.5")), now));
        var date = RetryPolicy.ServerDelay(Headers(("Retry-After", now.AddSeconds(30).ToString("R"))), now)!.Value;
        Assert.InRange(date.TotalSeconds, 28, 31);
        Assert.Null(RetryPolicy.ServerDelay(Headers(), now));
        Assert.Null(RetryPolicy.ServerDelay(Headers(("retry-after-ms", "soon")), now));
    }

    [Fact]
    public void Backoff_doubles_with_jitter_up_to_the_cap_and_long_server_delays_are_not_slept_through()
    {
        var options = new ReelayClientOptions { InitialRetryDelay = TimeSpan.FromSeconds(0.5), MaxRetryDelay = TimeSpan.FromSeconds(8) };
        Assert.Equal(TimeSpan.FromSeconds(0.5), RetryPolicy.Delay(0, null, options, random: 0));
        Assert.Equal(TimeSpan.FromSeconds(1), RetryPolicy.Delay(1, null, options, random: 0));
        Assert.Equal(TimeSpan.FromSeconds(0.75), RetryPolicy.Delay(1, null, options, random: 1)); // at most 25 % less
        Assert.Equal(TimeSpan.FromSeconds(8), RetryPolicy.Delay(10, null, options, random: 0));
        Assert.Equal(TimeSpan.FromSeconds(3), RetryPolicy.Delay(0, TimeSpan.FromSeconds(3), options, random: 0.5));
        Assert.Null(RetryPolicy.Delay(0, TimeSpan.FromHours(20), options, random: 0));
    }
}
