using Reelay.Server.Features.Relays;
using Reelay.Server.Features.Telemetry;
using Reelay.Server.Infrastructure;
using Reelay.Server.Features.Portal.Pages;
using static Reelay.Server.Features.Portal.PortalView;

namespace Reelay.Server.Features.Portal;

/// <summary>
/// The operator dashboard: the same sample as GET /admin/v1/dashboard and the queue gauges; and the relay margin page
/// (GET /admin/v1/relays/margin as a table, with a date window). The page renders in full
/// on the server; its script (a file, as the CSP allows no inline script) re-reads the JSON every few seconds.
/// </summary>
public static class OperatorPage
{
    public const string RefreshSeconds = "5";

    public static void MapOperatorPage(this RouteGroupBuilder portal)
    {
        portal.MapGet("/operator", (HttpContext http, OperationsSampler sampler) =>
        {
            var session = PortalSession.From(http);
            if (!session.IsOperator) return OperatorOnly(session);
            return Page<OperatorDashboard>(new { Session = session, State = sampler.Latest });
        });
        portal.MapGet("/operator/margin", async (HttpContext http, Db db, string? from, string? to) =>
        {
            var session = PortalSession.From(http);
            if (!session.IsOperator) return OperatorOnly(session);
            var window = RelayMargin.Window(NullIfEmpty(from), NullIfEmpty(to), DateTime.UtcNow);
            if (window.Error is not null)
                return Page<RelayMarginPage>(new { Session = session, From = from ?? "", To = to ?? "", Problem = window.Error }, 400);
            return Page<RelayMarginPage>(new
            {
                Session = session, From = Date(window.From), To = Date(window.To), Days = await RelayMargin.ReportAsync(db, window.From, window.To),
            });
        });
        portal.MapGet("/operator/dashboard.json", (HttpContext http, OperationsSampler sampler) =>
            PortalSession.From(http).IsOperator ? Results.Json(DashboardEndpoints.Describe(sampler.Latest)) : Results.StatusCode(403));
        portal.MapGet("/operator/dashboard.js", (HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "public, max-age=3600";
            return Results.Text(Script, "text/javascript; charset=utf-8");
        });
    }

    // An empty date field of the form is submitted as "": the default, as when it is left out.
    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Re-renders the facts and the queue table from the JSON, with textContent only (no HTML from data).</summary>
    private const string Script =
        """
        (() => {
          const every = 5000;
          const set = (field, text) => { const el = document.querySelector(`[data-field="${field}"]`); if (el) el.textContent = text; };
          const cell = (text, num) => { const td = document.createElement('td'); td.textContent = text; if (num) td.className = 'num'; return td; };
          async function refresh() {
            try {
              const response = await fetch('/portal/operator/dashboard.json', { credentials: 'same-origin' });
              if (!response.ok) return;
              const d = await response.json();
              document.getElementById('sampled-at').textContent = new Date(d.sampledAt).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
              set('tasksPerMinute', String(d.recent.tasksPerMinute));
              set('errorRate', (d.recent.errorRate * 100).toFixed(2) + ' %');
              set('p95RunSeconds', d.recent.p95RunSeconds === null ? '—' : d.recent.p95RunSeconds + ' s');
              set('webhookBacklog', String(d.webhooks.backlog));
              set('workers', String(d.workers.seen));
              const body = document.querySelector('#dashboard-queues tbody');
              body.replaceChildren(...d.queues.filter(q => q.queued + q.throttled + q.running > 0).map(q => {
                const tr = document.createElement('tr');
                tr.append(cell(q.model), cell(q.queued, true), cell(q.throttled, true), cell(q.running, true), cell(q.oldestWaitingSeconds, true));
                return tr;
              }));
            } catch { /* the next tick tries again */ }
          }
          setInterval(refresh, every);
        })();
        """;
}
