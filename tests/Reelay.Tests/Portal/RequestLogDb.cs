using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Portal;

/// <summary>Reads the request log straight from a running server's database (entries are written behind, so it waits).</summary>
public static class RequestLogDb
{
    public sealed class Entry
    {
        public long Id { get; init; }
        public string? OrgId { get; init; }
        public string? KeyPrefix { get; init; }
        public string Endpoint { get; init; } = "";
        public long Status { get; init; }
        public string RequestId { get; init; } = "";
        public long RequestBytes { get; init; }
        public string? RequestBody { get; init; }
        public string? ResponseBody { get; init; }
    }

    public static async Task<Entry> WaitForAsync(ServerProcess server, string requestId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var entry = (await TestDatabase.QueryAsync<Entry>(server,
                """
                SELECT id AS Id, org_id AS OrgId, key_prefix AS KeyPrefix, endpoint AS Endpoint, status AS Status, request_id AS RequestId,
                       request_bytes AS RequestBytes, request_body AS RequestBody, response_body AS ResponseBody
                FROM request_log WHERE request_id = @requestid
                """, new { requestid = requestId })).SingleOrDefault();
            if (entry is not null) return entry;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Request {requestId} never appeared in the request log.\n{server.Output}");
            await Task.Delay(100);
        }
    }
}
