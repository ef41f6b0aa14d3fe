using Reelay.Server.Features.Auth;

namespace Reelay.Tests.Unit;

public class ApiKeysTests
{
    [Fact]
    public void A_generated_key_is_key_underscore_and_128_lowercase_hex_digits_and_never_repeats()
    {
        var keys = Enumerable.Range(0, 100).Select(_ => ApiKeys.Generate()).ToList();
        Assert.All(keys, k => Assert.Matches("^key_[0-9a-f]{128}$", k));
        Assert.Equal(100, keys.Distinct().Count());
    }

    [Fact]
    public void The_hash_is_deterministic_and_does_not_contain_the_key()
    {
        var key = ApiKeys.Generate();
        Assert.Equal(ApiKeys.Hash(key), ApiKeys.Hash(key));
        Assert.Equal(32, ApiKeys.Hash(key).Length);
        Assert.NotEqual(ApiKeys.Hash(key), ApiKeys.Hash(ApiKeys.Generate()));
    }

    [Theory]
    [InlineData(null, AuthFailure.MissingHeader)]
    [InlineData("", AuthFailure.MissingHeader)]
    [InlineData("Basic dXNlcjpwYXNz", AuthFailure.NotBearer)]
    [InlineData("key_abc", AuthFailure.NotBearer)]
    [InlineData("Bearer key_abc", AuthFailure.Malformed)]
    [InlineData("Bearer KEY_ABC", AuthFailure.Malformed)]
    public void Authorization_headers_are_parsed_into_a_precise_failure(string? header, AuthFailure expected)
    {
        var (key, failure) = ApiKeys.ParseAuthorization(header);
        Assert.Null(key);
        Assert.Equal(expected, failure);
    }

    [Theory]
    [InlineData(" ")]
    [InlineData("\t")]
    [InlineData("\u00a0")]
    public void A_valid_key_preceded_by_more_whitespace_is_reported_as_leading_whitespace(string prefix)
    {
        var (_, failure) = ApiKeys.ParseAuthorization("Bearer " + prefix + ApiKeys.Generate());
        Assert.Equal(AuthFailure.MalformedLeadingWhitespace, failure);
        Assert.Contains("leading whitespace", AuthFailureMessages.For(failure!.Value));
    }

    [Fact]
    public void A_json_syntax_error_reads_in_plain_words_with_its_line_and_column()
    {
        var (_, status, error) = Reelay.Server.Infrastructure.JsonBody.Parse(System.Text.Encoding.UTF8.GetBytes("{\"model\" \"gen4.5\"}"));
        Assert.Equal(400, status);
        Assert.Equal("The request body is not valid JSON: '\"' is invalid after a property name. Expected a ':' (line 1, column 10).", error!.Message);
        Assert.DoesNotContain("BytePositionInLine", error.Message);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\t")]
    [InlineData("\u00a0")]
    [InlineData(" trailing")]
    public void A_valid_key_followed_by_whitespace_is_reported_as_trailing_whitespace(string suffix)
    {
        var (_, failure) = ApiKeys.ParseAuthorization("Bearer " + ApiKeys.Generate() + suffix);
        Assert.Equal(AuthFailure.MalformedTrailingWhitespace, failure);
        Assert.Contains("trailing whitespace", AuthFailureMessages.For(failure!.Value));
    }

    [Fact]
    public void A_well_formed_bearer_key_is_accepted_and_the_scheme_is_case_insensitive()
    {
        var key = ApiKeys.Generate();
        Assert.Equal(key, ApiKeys.ParseAuthorization("bearer " + key).Key);
        Assert.Equal(key[..12], ApiKeys.DisplayPrefix(key));
    }
}
