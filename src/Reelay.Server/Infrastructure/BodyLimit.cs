using Microsoft.AspNetCore.Http.Metadata;

namespace Reelay.Server.Infrastructure;

/// <summary>
/// A route's request body limit, as endpoint metadata: routing applies it to Kestrel's MaxRequestBodySize before the
/// handler binds the body, so a larger body is refused (413) while it is read instead of being parsed.
/// </summary>
public sealed class BodyLimit(long bytes) : IRequestSizeLimitMetadata
{
    /// <summary>Admin and worker JSON bodies: a few fields, never near this.</summary>
    public const long SmallJson = 1 << 20;

    public long? MaxRequestBodySize => bytes;
}

public static class BodyLimitExtensions
{
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, long bytes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodyLimit(bytes));
}
