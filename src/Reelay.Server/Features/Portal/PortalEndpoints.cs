using System.Security.Cryptography;
using Reelay.Server.Features.Auth;
using Reelay.Server.Infrastructure;
using Reelay.Server.Features.Portal.Pages;
using static Reelay.Server.Features.Portal.PortalView;
using static Reelay.Server.Features.Portal.PortalFormat;

namespace Reelay.Server.Features.Portal;

/// <summary>
/// The developer portal at /portal: server-rendered HTML, a session cookie instead of the key in the
/// browser, a CSRF token in every form that changes something.
/// </summary>
public static class PortalEndpoints
{
    private const string SecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void MapPortal(this IEndpointRouteBuilder app)
    {
        var lifetime = TimeSpan.FromHours(app.ServiceProvider.GetRequiredService<IConfiguration>().GetValue("Portal:SessionHours", 12.0));
        var portal = app.MapGroup("/portal").ExcludeFromDescription().AddEndpointFilter(async (context, next) =>
        {
            var headers = context.HttpContext.Response.Headers;
            headers.ContentSecurityPolicy = SecurityPolicy;
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
            headers.CacheControl = "no-store"; // pages show keys once and private data; assets override this
            return await next(context);
        });
        portal.MapGet("/assets/{name}", (HttpContext http, string name) => PortalAssets.Serve(http, name));
        portal.MapGet("/sign-in", (HttpContext http, ReelayOptions options, string? next, string? signedOut) =>
            SignInPage(http, options, next, signedOut is null ? null : "You are signed out.", 200));
        portal.MapPost("/sign-in", (HttpContext http, Db db, ReelayOptions options) => SignInAsync(http, db, options, lifetime));

        var signedIn = portal.MapGroup("").AddEndpointFilter(RequireSessionAsync);
        signedIn.MapGet("", () => SeeOther("/portal/history"));
        signedIn.MapPost("/sign-out", async (HttpContext http, Db db, ReelayOptions options) =>
        {
            await PortalSessions.DeleteAsync(db, http.Request.Cookies[PortalSessions.CookieName]);
            http.Response.Cookies.Delete(PortalSessions.CookieName, PortalSessions.CookieOptionsFor(PortalSessions.IsSecure(http, options), null));
            return SeeOther("/portal/sign-in?signedOut=1");
        });
        signedIn.MapHistoryPages();
        signedIn.MapTaskPages();
        signedIn.MapKeyPages();
        signedIn.MapUsagePage();
        signedIn.MapAssetChecker();
        signedIn.MapOrganizationPages();
        signedIn.MapWebhookPages();
        signedIn.MapOperatorPage();
    }

    /// <summary>Every signed-in route: a live session, and on POST a matching CSRF token in the form.</summary>
    private static async ValueTask<object?> RequireSessionAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var db = http.RequestServices.GetRequiredService<Db>();
        var options = http.RequestServices.GetRequiredService<ReelayOptions>();
        var session = await PortalSessions.FindAsync(db, http.Request.Cookies[PortalSessions.CookieName], options.AdminToken);
        if (session is null)
        {
            var target = http.Request.Path + http.Request.QueryString;
            return SeeOther(HttpMethods.IsGet(http.Request.Method) ? "/portal/sign-in?next=" + Q(target) : "/portal/sign-in");
        }
        if (HttpMethods.IsPost(http.Request.Method))
        {
            var (form, refusal) = await PortalForms.ReadAsync(http);
            if (refusal is not null) return refusal;
            if (!PortalSessions.TokensMatch(session.CsrfToken, form?[PortalSessions.CsrfField]))
                return FormRefused(session);
        }
        PortalSession.Set(http, session);
        return await next(context);
    }

    private static IResult SignInPage(HttpContext http, ReelayOptions options, string? next, string? message, int status, bool failed = false)
    {
        // A fresh double-submit token for the sign-in form, which has no session to hold one.
        var token = PortalSessions.NewToken();
        http.Response.Cookies.Append(PortalSessions.SignInCookieName, token, PortalSessions.CookieOptionsFor(PortalSessions.IsSecure(http, options), null));
        return Page<SignIn>(new { Token = token, Next = next, Notice = message, Failed = failed }, status);
    }

    private static async Task<IResult> SignInAsync(HttpContext http, Db db, ReelayOptions options, TimeSpan lifetime)
    {
        var (form, refusal) = await PortalForms.ReadAsync(http);
        if (refusal is not null) return refusal;
        var next = SafeNext(form?["next"]);
        if (!PortalSessions.TokensMatch(http.Request.Cookies[PortalSessions.SignInCookieName], form?[PortalSessions.CsrfField]))
            return SignInPage(http, options, next, "The sign-in form expired or did not come from this portal. Try again.", 403, failed: true);
        // Pasted keys often carry a trailing newline or spaces; the API is strict about it, the form need not be.
        var key = (form?["key"].ToString() ?? "").Trim().Trim('\u00a0', '\u200b', '\ufeff');
        string? orgId = null, keyId = null, operatorToken = null;
        if (options.AdminToken is not null && CryptographicOperations.FixedTimeEquals(PortalSessions.Hash(key), PortalSessions.Hash(options.AdminToken)))
            operatorToken = options.AdminToken;
        else
        {
            var (caller, failure) = await Caller.AuthenticateAsync(db, "Bearer " + key);
            if (caller is null) return SignInPage(http, options, next, AuthFailureMessages.For(failure!.Value), 401, failed: true);
            (orgId, keyId) = (caller.OrgId, caller.KeyId);
        }
        var id = await PortalSessions.CreateAsync(db, orgId, keyId, operatorToken, lifetime);
        var secure = PortalSessions.IsSecure(http, options);
        http.Response.Cookies.Append(PortalSessions.CookieName, id, PortalSessions.CookieOptionsFor(secure, DateTimeOffset.UtcNow.Add(lifetime)));
        http.Response.Cookies.Delete(PortalSessions.SignInCookieName, PortalSessions.CookieOptionsFor(secure, null));
        return SeeOther(next ?? "/portal/history");
    }

    /// <summary>Only a path inside the portal: never another site (no open redirect).</summary>
    public static string? SafeNext(string? next) =>
        next is { Length: > 0 and < 2000 } && next.StartsWith("/portal", StringComparison.Ordinal) && !next.Contains("//") && !next.Contains('\\')
            && !next.StartsWith("/portal/sign-", StringComparison.Ordinal) ? next : null;
}
