using Reelay.Server.Features.Auth;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Runway;

/// <summary>Authentication and X-Runway-Version checks shared by every Runway-surface route.</summary>
public static class RunwayFilters
{
    public static RouteGroupBuilder RequireRunwayCaller(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var (caller, failure) = await Caller.AuthenticateAsync(http);
            if (caller is null)
                return RunwayErrors.Error(http, 401, AuthFailureMessages.For(failure!.Value), "authentication");
            Caller.Set(http, caller);

            var version = http.Request.Headers[RunwayErrors.VersionHeader].ToString();
            if (version.Length == 0)
                return RunwayErrors.Error(http, 400,
                    $"The {RunwayErrors.VersionHeader} header is required. Send '{RunwayErrors.VersionHeader}: {RunwayErrors.SupportedVersion}'.", "api-version");
            if (version != RunwayErrors.SupportedVersion)
                return RunwayErrors.Error(http, 400, "The API version that was provided in the X-Runway-Version header is not valid.", "api-version");
            return await next(context);
        });
        return group;
    }
}
