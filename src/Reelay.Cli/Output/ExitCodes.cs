namespace Reelay.Cli.Output;

/// <summary>What `reelay` exits with; documented in --help so scripts can branch on it.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Usage = 1;
    public const int RequestRejected = 2;   // 4xx: validation, auth, not found, credits, limits
    public const int TaskFailed = 3;        // the task ended FAILED or CANCELLED
    public const int TimedOut = 4;          // waiting for the task took longer than --timeout
    public const int Unreachable = 5;       // no connection to the server
    public const int ServerError = 6;       // 5xx

    public const string Help = """
        Exit codes: 0 success · 1 usage error · 2 request rejected (4xx: validation, key, credits, limits)
                    3 task failed or cancelled · 4 timed out waiting · 5 server unreachable · 6 server error (5xx)
        Environment: REELAY_BASE_URL or RUNWAYML_BASE_URL (default http://127.0.0.1:8080), REELAY_API_SECRET or
                     RUNWAYML_API_SECRET, REELAY_ADMIN_TOKEN
        """;
}
