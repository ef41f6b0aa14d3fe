namespace Reelay.Server.Features.RequestLog;

/// <summary>RequestLog:* settings: what is kept, for how long, and how much may wait in memory to be written.</summary>
public sealed record RequestLogOptions
{
    public bool Enabled { get; init; } = true;
    public int RetentionDays { get; init; } = 30;
    /// <summary>Entries waiting for the writer; beyond this new entries are dropped (and counted), never waited for.</summary>
    public int QueueCapacity { get; init; } = 10_000;
    /// <summary>Captured request bodies waiting for the writer, in bytes; beyond this an entry is kept without its body.</summary>
    public long QueueBodyBytes { get; init; } = 64L << 20;
    /// <summary>Request bodies larger than this are not captured at all (only their size is recorded).</summary>
    public int CaptureBytes { get; init; } = 16 << 20;
    /// <summary>What is stored of a (redacted) request body or an error response body.</summary>
    public int StoredBodyBytes { get; init; } = 64 * 1024;
    public int BatchSize { get; init; } = 500;
    /// <summary>How long the writer waits after a write before the next one, so that entries arriving meanwhile share a commit.</summary>
    public TimeSpan FlushDelay { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan PruneInterval { get; init; } = TimeSpan.FromHours(1);
    public int PruneBatch { get; init; } = 5000;
    public TimeSpan DropWarningInterval { get; init; } = TimeSpan.FromSeconds(10);

    public static RequestLogOptions From(IConfiguration config)
    {
        var options = new RequestLogOptions
        {
            Enabled = config.GetValue("RequestLog:Enabled", true),
            RetentionDays = config.GetValue("RequestLog:RetentionDays", 30),
            QueueCapacity = config.GetValue("RequestLog:QueueCapacity", 10_000),
            QueueBodyBytes = config.GetValue("RequestLog:QueueBodyBytes", 64L << 20),
            CaptureBytes = config.GetValue("RequestLog:CaptureBytes", 16 << 20),
            StoredBodyBytes = config.GetValue("RequestLog:StoredBodyBytes", 64 * 1024),
            BatchSize = config.GetValue("RequestLog:BatchSize", 500),
            FlushDelay = TimeSpan.FromMilliseconds(config.GetValue("RequestLog:FlushMilliseconds", 100.0)),
            PruneInterval = TimeSpan.FromSeconds(config.GetValue("RequestLog:PruneIntervalSeconds", 3600.0)),
            PruneBatch = config.GetValue("RequestLog:PruneBatch", 5000),
            DropWarningInterval = TimeSpan.FromSeconds(config.GetValue("RequestLog:DropWarningSeconds", 10.0)),
        };
        if (options.RetentionDays < 1) throw new InvalidOperationException("RequestLog:RetentionDays must be 1 or more.");
        if (options.QueueCapacity < 1 || options.BatchSize < 1 || options.PruneBatch < 1)
            throw new InvalidOperationException("RequestLog:QueueCapacity, BatchSize and PruneBatch must be 1 or more.");
        return options;
    }
}
