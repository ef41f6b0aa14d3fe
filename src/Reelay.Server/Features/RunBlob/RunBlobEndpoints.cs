using Reelay.Server.Features.Auth;
using Reelay.Server.Features.Credits;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.RunBlob;

/// <summary>The RunBlob-compatible surface: every model family, a thin adapter over the same core tasks, credits and intake.</summary>
public static class RunBlobEndpoints
{
    /// <summary>The families, one file each; their routes, rules and shapes are theirs, the rest is <see cref="RunBlobRoutes"/>.</summary>
    public static readonly IReadOnlyList<RunBlobFamily> Families =
    [
        new RunBlobSora(), new RunBlobVeo(), new RunBlobKling(), new RunBlobKlingO1Video(), new RunBlobKlingO3Video(),
        new RunBlobKlingO1Photo(), new RunBlobKlingO3Photo(), new RunBlobNanoBanana(), new RunBlobChatGptImages(),
    ];

    public static void MapRunBlob(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("RunBlob");
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var (caller, failure) = await Caller.AuthenticateAsync(http);
            if (caller is null) return RunBlobRoutes.Detail(401, Unauthorized(failure!.Value));
            Caller.Set(http, caller);
            return await next(context);
        });
        foreach (var family in Families) group.MapFamily(family);
        group.MapGet("/data/balance", async (HttpContext http, Db db) =>
        {
            await using var connection = await db.OpenAsync();
            return Results.Json(new { balance = RunBlobMapping.Usd(await Ledger.BalanceAsync(connection, Caller.From(http).OrgId)) });
        }).WithSummary("The organization's balance in USD, as a string with four decimals").Produces<RunBlobDetail>(401);
    }

    /// <summary>
    /// 401 details: the Kling pages' "Missing credentials", the "Invalid API key" RunBlob answers for a wrong key, the
    /// authentication page's text for a header without Bearer; Reelay's own words for disabled keys and suspensions.
    /// </summary>
    public static string Unauthorized(AuthFailure failure) => failure switch
    {
        AuthFailure.MissingHeader => "Missing credentials",
        AuthFailure.NotBearer => "Invalid authorization format. Use: Bearer YOUR_API_KEY",
        AuthFailure.Malformed or AuthFailure.UnknownKey => "Invalid API key",
        _ => AuthFailureMessages.For(failure),
    };
}
