using System.Security.Cryptography;
using System.Text;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Telemetry;

public static class TelemetrySetup
{
    /// <summary>
    /// OpenTelemetry metrics (ASP.NET Core, HttpClient, runtime and Reelay's own meter) for the Prometheus exporter,
    /// and traces when they have somewhere to go. Logs get the trace and span ids in their scopes.
    /// </summary>
    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        var options = TelemetryOptions.From(builder.Configuration);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<OperationsSampler>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<OperationsSampler>());
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        // ASP.NET Core's "Request starting/finished" lines print the full URL, and an output URL's query is its
        // signature: they stay off at any configured level (the request log records requests without secrets).
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        // JSON logs (Logging:Console:FormatterName=json) carry the scopes: request id, organization id, task id.
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.JsonConsoleFormatterOptions>(o => o.IncludeScopes = true);

        var otel = builder.Services.AddOpenTelemetry().ConfigureResource(r => r.AddService("reelay"));
        otel.WithMetrics(metrics =>
        {
            metrics.AddMeter(ReelayMetrics.MeterName).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddRuntimeInstrumentation();
            if (options.Exposure == MetricsExposure.Admin) metrics.AddPrometheusExporter();
            if (options.Exposure == MetricsExposure.Port)
                metrics.AddPrometheusHttpListener(listener => { listener.Host = options.Host; listener.Port = options.Port; });
            if (options.OtlpEndpoint is not null) metrics.AddOtlpExporter();
        });
        if (options.Tracing)
        {
            otel.WithTracing(tracing =>
            {
                tracing.AddSource(ReelayTracing.SourceName)
                    // Health probes and scrapes would drown the traces that matter.
                    .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/metrics") && !http.Request.Path.StartsWithSegments("/health"))
                    .AddHttpClientInstrumentation();
                if (options.OtlpEndpoint is not null) tracing.AddOtlpExporter();
            });
        }
        return builder;
    }

    /// <summary>GET /metrics on the main port behind Admin:Token (Metrics:Exposure=admin), and the gauges' data source.</summary>
    public static void MapMetrics(this WebApplication app, ReelayOptions reelay)
    {
        var options = app.Services.GetRequiredService<TelemetryOptions>();
        var sampler = app.Services.GetRequiredService<OperationsSampler>();
        QueueGauges.ReadFrom(() => sampler.Latest);
        var catalog = app.Services.GetRequiredService<Catalog.ModelCatalog>();
        TaskTelemetry.UseEngines(model => catalog.Find(model)?.Engine);
        app.MapDashboard(reelay);
        if (options.Exposure == MetricsExposure.Port)
            app.Logger.LogInformation("Metrics: Prometheus format at http://{Host}:{Port}/metrics", options.Host, options.Port);
        if (options.Exposure != MetricsExposure.Admin) return;
        if (reelay.AdminToken is null)
        {
            app.Logger.LogInformation("Metrics: no /metrics (Metrics:Exposure=admin needs Admin:Token; or set Metrics:Exposure=port)");
            return;
        }
        // The scrape endpoint is a plain request delegate, which endpoint filters (RequireBearer) do not reach: the
        // same constant-time check runs as middleware in front of it instead.
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes("Bearer " + reelay.AdminToken));
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.Equals(MetricsPath, StringComparison.OrdinalIgnoreCase)
                && !CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(context.Request.Headers.Authorization.ToString())), expected))
            {
                await BearerToken.AdminRefusal().ExecuteAsync(context);
                return;
            }
            await next(context);
        });
        app.MapPrometheusScrapingEndpoint(MetricsPath).ExcludeFromDescription();
    }

    public const string MetricsPath = "/metrics";
}
