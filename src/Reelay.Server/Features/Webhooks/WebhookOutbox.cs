using System.Data.Common;

namespace Reelay.Server.Features.Webhooks;

/// <summary>Placeholder until the webhook feature lands: the hook the task lifecycle calls when a task ends.</summary>
public static class WebhookOutbox
{
    /// <summary>Writes the delivery row for a finished task that has a callback_url, inside the transaction that ended it.</summary>
    public static Task EnqueueAsync(DbConnection connection, DbTransaction tx, string taskId) => Task.CompletedTask;
}
