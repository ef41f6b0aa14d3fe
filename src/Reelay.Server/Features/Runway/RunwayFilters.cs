using Reelay.Server.Features.Auth;
using Reelay.Server.Features.Docs;
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
                return RunwayErrors.Error(http, 401, AuthFailureMessages.For(failure!.Value), DocAnchor.Authentication);
            Caller.Set(http, caller);

            var version = http.Request.Headers[RunwayErrors.VersionHeader].ToString();
            if (version.Length == 0)
                return RunwayErrors.Error(http, 400, RunwayErrors.MissingVersion, DocAnchor.ApiVersion);
            if (version != RunwayErrors.SupportedVersion)
                return RunwayErrors.Error(http, 400, RunwayErrors.InvalidVersion, DocAnchor.ApiVersion);
            return await next(context);
        });
        return group;
    }
}
