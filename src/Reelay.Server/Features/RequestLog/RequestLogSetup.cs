namespace Reelay.Server.Features.RequestLog;

public static class RequestLogSetup
{
    /// <summary>The RequestLog:* settings, the bounded queue, the batch writer and the retention pruner.</summary>
    public static IServiceCollection AddRequestLog(this IServiceCollection services, IConfiguration configuration)
    {
        var options = RequestLogOptions.From(configuration);
        services.AddSingleton(options);
        services.AddSingleton(new RequestLogQueue(options));
        if (options.Enabled)
        {
            services.AddHostedService<RequestLogWriter>();
            services.AddHostedService<RequestLogPruner>();
        }
        return services;
    }
}
