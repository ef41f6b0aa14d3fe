namespace Reelay.Server.Features.Portal;

public static class PortalEndpoints
{
    public static void MapPortal(this IEndpointRouteBuilder app)
    {
        app.MapGet("/portal", () => Results.Text("The portal is being built.")).ExcludeFromDescription();
    }
}
