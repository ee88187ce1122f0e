using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MultiAgent.Notifications.Channels;
using MultiAgent.Notifications.Delivery;
using MultiAgent.Persistence;
using MultiAgent.Secrets;
using NATS.Client.JetStream;

namespace MultiAgent.Notifications;

public static class NotificationsServiceCollectionExtensions
{
    /// <summary>
    /// Notifications from <c>MultiAgent:Notifications</c>: a <see cref="ChannelWorker"/> for each channel that is set up
    /// (Slack or Discord with a webhook URL, email with a host and recipients), the delivery records' table, and nothing
    /// at all when none is. Needs an <c>INatsJSContext</c>, an <c>NpgsqlDataSource</c> and the <see cref="JobStore"/>.
    /// </summary>
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(NotificationOptions.SectionName).Get<NotificationOptions>() ?? new NotificationOptions();
        services.AddSingleton(options);
        services.AddMigrations(DeliveryStore.Migrations);
        services.AddSingleton<DeliveryStore>();
        services.AddSingleton(provider => new NotificationComposer(provider.GetRequiredService<JobStore>()));
        services.AddHttpClient(nameof(WebhookPoster));
        services.AddSingleton(provider => new WebhookPoster(
            provider.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(WebhookPoster)), options,
            provider.GetService<SecretRedactor>() ?? new SecretRedactor()));

        foreach (var channel in Channels(options))
        {
            services.AddSingleton(channel);
        }

        services.AddSingleton<NotificationTester>();
        foreach (var index in Enumerable.Range(0, Channels(options).Count()))
        {
            services.AddSingleton<Microsoft.Extensions.Hosting.IHostedService>(provider => new ChannelWorker(
                provider.GetServices<INotificationChannel>().ElementAt(index),
                provider.GetRequiredService<INatsJSContext>(),
                provider.GetRequiredService<NotificationComposer>(),
                provider.GetRequiredService<DeliveryStore>(),
                options,
                provider.GetRequiredService<ILogger<ChannelWorker>>()));
        }

        return services;
    }

    /// <summary>The channels that are set up, as factories.</summary>
    private static IEnumerable<Func<IServiceProvider, INotificationChannel>> Channels(NotificationOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.Slack.WebhookUrl))
        {
            yield return provider => new SlackChannel(options.Slack, provider.GetRequiredService<WebhookPoster>());
        }

        if (!string.IsNullOrWhiteSpace(options.Discord.WebhookUrl))
        {
            yield return provider => new DiscordChannel(options.Discord, provider.GetRequiredService<WebhookPoster>());
        }

        if (!string.IsNullOrWhiteSpace(options.Email.Host) && options.Email.To.Count > 0)
        {
            yield return provider => new EmailChannel(options.Email, options, provider.GetService<SecretRedactor>() ?? new SecretRedactor());
        }
    }
}
