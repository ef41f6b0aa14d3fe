namespace Reelay.Server.Features.Tasks;

/// <summary>
/// The daily cap's count: an organization's creates of one model in the rolling 24 hours before now. Creates are
/// counted per hour in task_counts, in the create's own transaction (<see cref="IncrementSql"/>), so the count
/// costs at most 25 counter rows plus the tasks of the one hour that straddles the window's start (read from the
/// tasks table, over ix_tasks_org_model_created), whatever the organization created before. Exact, not an estimate:
/// hours wholly inside the window come from the counters, the straddling hour from the tasks themselves.
/// </summary>
public static class TaskCounts
{
    public const long HourMs = 3_600_000;
    private const long DayMs = 24 * HourMs;

    public static long Hour(long atMs) => atMs / HourMs;

    /// <summary>The parameters of <see cref="TodaySql"/> at <paramref name="now"/>: the window's start and the hour it falls in.</summary>
    public static (long DayAgo, long FirstHour, long FirstHourEnd) Window(long now)
    {
        var dayAgo = now - DayMs;
        var first = Hour(dayAgo);
        return (dayAgo, first, (first + 1) * HourMs);
    }

    /// <summary>Creates of @orgId and @model after @dayAgo, as an SQL expression; @firstHour and @firstHourEnd from <see cref="Window"/>.</summary>
    public const string TodaySql =
        """
        ((SELECT CAST(COALESCE(SUM(created), 0) AS BIGINT) FROM task_counts WHERE org_id = @orgId AND model = @model AND hour > @firstHour)
         + (SELECT COUNT(*) FROM tasks WHERE org_id = @orgId AND model = @model AND created_at > @dayAgo AND created_at < @firstHourEnd))
        """;

    /// <summary>
    /// The same count for every model @orgId created in the window, as (model, count) rows: the organization read's
    /// usage. ix_task_counts_org_hour finds the window's counters and ix_tasks_org_created the straddling hour's tasks,
    /// so the read no longer walks the organization's whole history (with 1,000,000 earlier tasks, SQLite: 167 ms per
    /// read before, 0.7 ms now; README, Performance).
    /// </summary>
    public const string TodayByModelSql =
        """
        SELECT model, CAST(SUM(n) AS BIGINT) FROM (
          SELECT model, created AS n FROM task_counts WHERE org_id = @orgId AND hour > @firstHour
          UNION ALL
          SELECT model, 1 AS n FROM tasks WHERE org_id = @orgId AND created_at > @dayAgo AND created_at < @firstHourEnd
        ) AS today GROUP BY model
        """;

    /// <summary>Counts one create of @orgId and @model in @hour; runs in the transaction that inserts the task.</summary>
    public const string IncrementSql =
        """
        INSERT INTO task_counts (org_id, model, hour, created) VALUES (@orgId, @model, @hour, 1)
        ON CONFLICT (org_id, model, hour) DO UPDATE SET created = task_counts.created + 1;
        """;
}
