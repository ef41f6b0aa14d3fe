using System.Security.Cryptography;
using System.Text;

namespace Reelay.Server.Infrastructure;

/// <summary>Guards a route group with one configured secret (Admin:Token, Workers:Token).</summary>
public static class BearerToken
{
    /// <summary>
    /// A constant-time compare of the whole Authorization header against "Bearer {token}" (hashed first, so the
    /// compare does not even leak the token's length); anything else gets the refusal.
    /// </summary>
    public static RouteGroupBuilder RequireBearer(this RouteGroupBuilder group, string token, Func<IResult> refusal)
    {
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes("Bearer " + token));
        group.AddEndpointFilter(async (context, next) =>
        {
            var given = SHA256.HashData(Encoding.UTF8.GetBytes(context.HttpContext.Request.Headers.Authorization.ToString()));
            return CryptographicOperations.FixedTimeEquals(given, expected) ? await next(context) : refusal();
        });
        return group;
    }

    public static IResult AdminRefusal() =>
        Results.Json(new { error = "A valid admin token is required: 'Authorization: Bearer <Admin:Token>'." }, statusCode: 401);
}
