using Reelay.Server.Features.Admin;
using Reelay.Server.Features.Assets;
using Reelay.Server.Features.Auth;
using Reelay.Server.Features.Blobs;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Docs;
using Reelay.Server.Features.Health;
using Reelay.Server.Features.Organizations;
using Reelay.Server.Features.Outputs;
using Reelay.Server.Features.Portal;
using Reelay.Server.Features.Queue;
using Reelay.Server.Features.Relays;
using Reelay.Server.Features.RequestLog;
using Reelay.Server.Features.RunBlob;
using Reelay.Server.Features.Runway;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Features.Telemetry;
using Reelay.Server.Features.Uploads;
using Reelay.Server.Features.Webhooks;
using Reelay.Server.Features.Workers;
using Reelay.Server.Infrastructure;

var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
    builder.WebHost.UseUrls("http://127.0.0.1:8080");
// One line per event by default; Logging:Console:FormatterName=json gives structured JSON logs.
if (string.IsNullOrEmpty(builder.Configuration["Logging:Console:FormatterName"]))
    builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.IncludeScopes = true; o.TimestampFormat = "HH:mm:ss "; });

var options = ReelayOptions.From(builder.Configuration);
var startup = Startup.Prepare(options);
builder.Services.AddSingleton(options);
builder.Services.AddSingleton(startup.Db);
builder.Services.AddSingleton(startup.Catalog);
builder.Services.AddSingleton(startup.Signer);
builder.Services.AddSingleton(BlobStores.Create(builder.Configuration, options));
builder.Services.AddSingleton(AssetOptions.From(builder.Configuration, options.TempDirectory));
builder.Services.AddSingleton<AssetFetcher>();
builder.Services.AddSingleton<UploadStore>();
builder.Services.AddSingleton<AssetIntake>();
builder.Services.AddSingleton<PublicUrls>();
builder.Services.AddSingleton<TaskSignal>();
builder.Services.AddSingleton(_ => new KeyCache(lifetime: builder.Configuration.GetValue<double?>("Auth:KeyCacheSeconds") is { } seconds ? TimeSpan.FromSeconds(seconds) : null));
builder.Services.AddSingleton<TaskRunner>();
builder.Services.AddSingleton<Submission>();
builder.Services.AddSingleton<WorkerRegistry>();
builder.Services.AddHostedService<WorkerPool>();
builder.Services.AddHostedService<QueueUpkeep>();
builder.Services.AddHostedService<TaskNotifications>();
builder.Services.AddWebhooks();
builder.Services.AddRelays(builder.Configuration);
builder.Services.AddRequestLog(builder.Configuration);
builder.Services.AddRazorComponents(); // the portal's pages (static server rendering)
builder.AddTelemetry();
builder.Services.AddOpenApi(openApi => openApi.AddDocumentTransformer<CatalogOpenApi>());
builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never);

var app = builder.Build();
app.UseTrustedProxies(options);
app.UseRequestIds();
app.UseRequestBodyErrors();
app.UseRequestLog();
app.UseJsonErrors();

app.MapRunway(startup.Catalog);
app.MapRunwayRouter(startup.Catalog);
app.MapUploads();
app.MapAssetChecks();
app.MapRunBlob();
app.MapOrganization();
app.MapRequestHistory();
app.MapOutputs();
app.MapWorkers(options);
app.MapWorkerAdmin(options);
app.MapAdmin(options);
app.MapWebhookAdmin(options);
app.MapTaskWebhooks(options);
app.MapMetrics(options);
app.MapRelays(options);
app.MapDocs();
app.MapPortal();
app.MapHealth();
// Only the documents that exist: another name is the API's JSON 404, not the framework's text/plain one.
app.MapOpenApi("/openapi/{documentName:regex(^v1$)}.json");

await startup.BootstrapAsync(app);
app.Run();

/// <summary>Lets tests reference the server assembly's entry point.</summary>
public partial class Program;
