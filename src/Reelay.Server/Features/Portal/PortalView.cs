using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Reelay.Server.Features.Portal.Pages;

namespace Reelay.Server.Features.Portal;

/// <summary>
/// Portal answers: Razor components rendered on the server (static SSR), so every value is HTML-encoded by Razor
/// itself, plus the 303 that follows a form post.
/// </summary>
public static class PortalView
{
    public const string ContentType = "text/html; charset=utf-8";

    /// <summary>A page: the component with its parameters (an anonymous object or a dictionary).</summary>
    public static IResult Page<TComponent>(object? parameters = null, int status = 200) where TComponent : IComponent =>
        new RazorComponentResult<TComponent>(parameters ?? new Dictionary<string, object?>()) { StatusCode = status, ContentType = ContentType };

    public static IResult NotFound(PortalSession session, string what) =>
        Page<Message>(new { Title = "Not found", Text = $"{what} does not exist in this organization.", Session = session }, 404);

    public static IResult OrganizationOnly(PortalSession session) =>
        Page<Message>(new
        {
            Title = "Organizations only", HeadingText = "For organizations", Session = session,
            Text = "This page belongs to an organization; sign in with one of its API keys. The operator sees the request history of every organization.",
        }, 403);

    public static IResult OperatorOnly(PortalSession session) =>
        Page<Message>(new { Title = "Operator only", HeadingText = "For the operator", Session = session,
            Text = "This page is the operator's: sign in with the server's admin token." }, 403);

    public static IResult FormRefused(PortalSession session) =>
        Page<Message>(new
        {
            Title = "Form refused", Session = session,
            Text = "This form did not come from a page of this portal, or it has expired. Go back, reload the page and try again.",
        }, 403);

    public static string ErrorTitle(int status) => status switch
    {
        400 => "Bad request",
        404 => "Not found",
        405 => "Method not allowed",
        413 => "Request too large",
        >= 500 => "Server error",
        _ => $"Error {status}",
    };

    /// <summary>The answer to a form that cannot be read (no session needed).</summary>
    public static IResult ErrorPage(int status, string message) => Page<Message>(new { Title = ErrorTitle(status), Text = message }, status);

    /// <summary>
    /// A whole error page written outside an endpoint (the error handler, after routing failed or the request broke):
    /// rendered with HtmlRenderer, the same component and encoding as every other page.
    /// </summary>
    public static async Task WriteErrorPageAsync(HttpContext http, int status, string message)
    {
        var services = http.RequestServices;
        await using var renderer = new HtmlRenderer(services, services.GetRequiredService<ILoggerFactory>());
        var html = await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var root = await renderer.RenderComponentAsync<Message>(ParameterView.FromDictionary(new Dictionary<string, object?>
            {
                ["Title"] = ErrorTitle(status), ["Text"] = message,
            }));
            return root.ToHtmlString();
        });
        http.Response.ContentType = ContentType;
        await http.Response.WriteAsync(html);
    }

    /// <summary>A 303 so the browser follows a form post with a GET (reloading then does not post again).</summary>
    public static IResult SeeOther(string location) => new SeeOtherResult(location);

    private sealed class SeeOtherResult(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }
}

/// <summary>The navigation: what an organization sees, and what the operator sees.</summary>
public static class PortalNav
{
    public sealed record Item(string Href, string Label, bool Organization, bool Operator);

    /// <summary>New portal pages add their entry here (webhooks, dashboards).</summary>
    public static readonly List<Item> Items =
    [
        new("/portal/history", "Request history", true, true),
        new("/portal/tasks", "Tasks", true, false),
        new("/portal/keys", "API keys", true, false),
        new("/portal/usage", "Usage and balance", true, false),
        new("/portal/assets", "Asset checker", true, false),
        new("/portal/webhooks", "Webhooks", true, false),
        new("/portal/organizations", "Organizations", false, true),
        new("/portal/operator", "Dashboard", false, true),
        new("/portal/operator/margin", "Relay margin", false, true),
    ];

    public static IEnumerable<Item> For(PortalSession session) => Items.Where(i => session.IsOperator ? i.Operator : i.Organization);
}
