namespace Reelay.Client;

/// <summary>
/// A client for a Reelay server's Runway-compatible API. Thread-safe; create one and reuse it.
/// Every call retries what is transient (see <see cref="ReelayClientOptions.MaxRetries"/>) and throws an
/// <see cref="ApiException"/> subclass for each failure status.
/// </summary>
/// <example>
/// <code>
/// using var client = new ReelayClient(); // REELAY_API_SECRET, REELAY_BASE_URL
/// var created = await client.CreateTextToVideoAsync(new TextToVideoRequest
///     { Model = ReelayModels.Gen45, PromptText = "a lighthouse at dusk", Ratio = "1280:720", Duration = 5 });
/// var task = await client.WaitForTaskOutputAsync(created.Id);
/// Console.WriteLine(task.Output![0]);
/// </code>
/// </example>
public sealed partial class ReelayClient : IDisposable
{
    /// <summary>The environment variable read when no API key is given.</summary>
    public const string ApiKeyVariable = "REELAY_API_SECRET";

    /// <summary>The environment variable read when no base URL is given.</summary>
    public const string BaseUrlVariable = "REELAY_BASE_URL";

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly ReelayClientOptions _options;
    private readonly string _apiKey;
    private readonly Uri _baseUrl;
    private bool _disposed;

    /// <summary>Creates a client; unset arguments come from <c>REELAY_API_SECRET</c> and <c>REELAY_BASE_URL</c>.</summary>
    /// <param name="apiKey">The API key, <c>key_</c> + 128 lowercase hex digits.</param>
    /// <param name="baseUrl">The server, e.g. <c>http://127.0.0.1:8080</c>.</param>
    /// <param name="httpClient">An HttpClient to send with (not disposed by this client); null to make one.</param>
    /// <exception cref="ArgumentException">The given key or base URL is malformed.</exception>
    /// <exception cref="InvalidOperationException">No key was given and the environment has none, or its key or URL is malformed.</exception>
    public ReelayClient(string? apiKey = null, string? baseUrl = null, HttpClient? httpClient = null)
        : this(new ReelayClientOptions { ApiKey = apiKey, BaseUrl = ParseBaseUrl(baseUrl, nameof(baseUrl)) }, httpClient)
    {
    }

    /// <summary>Creates a client with full settings; unset key and base URL come from the environment.</summary>
    /// <param name="options">The settings (copied: later changes do not affect this client).</param>
    /// <param name="httpClient">An HttpClient to send with (not disposed by this client); null to make one.</param>
    /// <exception cref="ArgumentException">The given key or base URL is malformed.</exception>
    /// <exception cref="InvalidOperationException">No key was given and the environment has none, or its key or URL is malformed.</exception>
    public ReelayClient(ReelayClientOptions options, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        _apiKey = ResolveApiKey(options.ApiKey);
        _baseUrl = WithTrailingSlash(options.BaseUrl ?? ParseBaseUrl(Environment.GetEnvironmentVariable(BaseUrlVariable), null)
            ?? ReelayClientOptions.DefaultBaseUrl);
        _ownsHttp = httpClient is null;
        // Our own client has no overall timeout: the per-attempt timeout is enforced per request instead,
        // so a long upload and a quick GET can have different limits.
        _http = httpClient ?? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>The server this client talks to (always ending in '/').</summary>
    public Uri BaseUrl => _baseUrl;

    /// <summary>Starts a video from an image: <c>POST /v1/image_to_video</c>. Retries reuse one Idempotency-Key.</summary>
    /// <returns>The new task's id and held price; follow it with <see cref="WaitForTaskOutputAsync"/>.</returns>
    public Task<CreatedTask> CreateImageToVideoAsync(ImageToVideoRequest request, RequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendJsonAsync<CreatedTask>(new ApiCall(HttpMethod.Post, ApiUri("v1/image_to_video"))
            { Content = JsonBody(request), IsCreate = true, Options = options }, cancellationToken);
    }

    /// <summary>Starts a video from text: <c>POST /v1/text_to_video</c>. Retries reuse one Idempotency-Key.</summary>
    /// <returns>The new task's id and held price; follow it with <see cref="WaitForTaskOutputAsync"/>.</returns>
    public Task<CreatedTask> CreateTextToVideoAsync(TextToVideoRequest request, RequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendJsonAsync<CreatedTask>(new ApiCall(HttpMethod.Post, ApiUri("v1/text_to_video"))
            { Content = JsonBody(request), IsCreate = true, Options = options }, cancellationToken);
    }

    /// <summary>Reads a task: <c>GET /v1/tasks/{id}</c>. Each read signs fresh output URLs.</summary>
    /// <exception cref="NotFoundException">No such task for this organization, or it was deleted.</exception>
    public Task<ReelayTask> GetTaskAsync(string taskId, RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        SendJsonAsync<ReelayTask>(new ApiCall(HttpMethod.Get, TaskUri(taskId)) { Options = options }, cancellationToken);

    /// <summary>
    /// <c>DELETE /v1/tasks/{id}</c>: cancels a pending, throttled or running task (it then reads
    /// <see cref="ReelayTaskStatus.Cancelled"/> and its held credits are released), or deletes a finished one
    /// with its files (it is then not found).
    /// </summary>
    public async Task CancelTaskAsync(string taskId, RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        await SendAsync(new ApiCall(HttpMethod.Delete, TaskUri(taskId)) { Options = options }, cancellationToken).ConfigureAwait(false);

    /// <summary>The organization's credit balance, limits and last-24-hours usage: <c>GET /v1/organization</c>.</summary>
    public Task<Organization> GetOrganizationAsync(RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        SendJsonAsync<Organization>(new ApiCall(HttpMethod.Get, ApiUri("v1/organization")) { Options = options }, cancellationToken);

    /// <summary>Charged credits per day and model: <c>POST /v1/organization/usage</c>; no range means the last 30 days.</summary>
    public Task<UsageResponse> GetUsageAsync(UsageRequest? request = null, RequestOptions? options = null, CancellationToken cancellationToken = default) =>
        SendJsonAsync<UsageResponse>(new ApiCall(HttpMethod.Post, ApiUri("v1/organization/usage"))
            { Content = JsonBody(request ?? new UsageRequest()), Options = options }, cancellationToken);

    /// <summary>
    /// Runs task intake's checks on an asset without creating a task or charging: <c>POST /v1/assets/check</c>.
    /// A rejected asset is a normal answer (see <see cref="AssetReport.Reason"/>), not an exception.
    /// </summary>
    public Task<AssetReport> CheckAssetAsync(AssetCheckRequest request, RequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendJsonAsync<AssetReport>(new ApiCall(HttpMethod.Post, ApiUri("v1/assets/check"))
            { Content = JsonBody(request), Options = options }, cancellationToken);
    }

    /// <summary>Disposes the HttpClient if this client made it.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_ownsHttp) _http.Dispose();
    }

    private Uri TaskUri(string taskId)
    {
        // An empty id would address the collection, a different route; say so instead of sending it.
        ArgumentException.ThrowIfNullOrWhiteSpace(taskId);
        return ApiUri("v1/tasks/" + Uri.EscapeDataString(taskId));
    }

    private static string ResolveApiKey(string? given)
    {
        if (given is not null)
            return ApiKeyCheck.Problem(given) is { } problem ? throw new ArgumentException(problem, "apiKey") : given;
        var fromEnvironment = Environment.GetEnvironmentVariable(ApiKeyVariable);
        if (string.IsNullOrEmpty(fromEnvironment))
            throw new InvalidOperationException($"No API key: pass one to the ReelayClient constructor or set {ApiKeyVariable}.");
        return ApiKeyCheck.Problem(fromEnvironment) is { } envProblem
            ? throw new InvalidOperationException($"{ApiKeyVariable}: {envProblem}")
            : fromEnvironment;
    }

    private static Uri? ParseBaseUrl(string? value, string? parameter)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https") return uri;
        var message = $"The base URL must be an absolute http(s) URL such as http://127.0.0.1:8080; got '{value}'.";
        throw parameter is null ? new InvalidOperationException($"{BaseUrlVariable}: {message}") : new ArgumentException(message, parameter);
    }

    /// <summary>Relative paths resolve under the base URL, so a server behind a path prefix (/reelay/) works.</summary>
    private static Uri WithTrailingSlash(Uri uri)
    {
        if (!uri.IsAbsoluteUri || uri.Scheme is not ("http" or "https"))
            throw new ArgumentException($"The base URL must be an absolute http(s) URL; got '{uri}'.", "options");
        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.GetLeftPart(UriPartial.Path) + "/");
    }
}
