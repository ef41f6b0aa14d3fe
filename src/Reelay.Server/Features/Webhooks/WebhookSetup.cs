namespace Reelay.Server.Features.Webhooks;

public static class WebhookSetup
{
    /// <summary>The delivery settings (Webhooks:*), the sender and the background dispatcher.</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddSingleton(provider => WebhookOptions.From(provider.GetRequiredService<IConfiguration>()));
        services.AddSingleton<WebhookSender>();
        services.AddHostedService<WebhookDispatcher>();
        return services;
    }
}
