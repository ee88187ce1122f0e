using Microsoft.Extensions.Configuration;
using MultiAgent.Contracts;

/// <summary>
/// One secret setting of a published system: an Aspire secret parameter (azd asks for its value and keeps it as a
/// Container Apps secret) given to the agents that need it as the environment variable of <see cref="Key"/>.
/// </summary>
/// <param name="Key">The agents' configuration key, e.g. <c>MultiAgent:GitHub:Token</c>.</param>
/// <param name="Parameter">The parameter's name in the manifest and in azd, e.g. <c>github-token</c>.</param>
/// <param name="Agents">The agent types that are given it.</param>
/// <param name="Section">
/// Null: always published. Otherwise the setting belongs to an optional part (a notification channel) and is
/// published when the AppHost is given any setting under this section at publish time.
/// </param>
internal sealed record SecretSetting(string Key, string Parameter, IReadOnlyList<AgentType> Agents, string? Section = null)
{
    /// <summary>The environment variable the agents read it from.</summary>
    public string EnvironmentName => AgentSettings.EnvironmentName(Key);
}

/// <summary>
/// The secrets of a published system. In run mode the agents get these settings from the AppHost's configuration (user
/// secrets, environment), like every other setting; a published manifest holds only references to parameters, never a
/// value (the NATS passwords are parameters of the NATS resource, see AddNatsJetStream).
/// </summary>
internal static class PublishedSecrets
{
    private static readonly AgentType[] EveryAgent = [.. AgentCatalogue.Types];

    public static readonly IReadOnlyList<SecretSetting> All =
    [
        new("MultiAgent:Llm:ApiKey", "llm-api-key", EveryAgent),
        new("MultiAgent:GitHub:Token", "github-token", EveryAgent),
        new("MultiAgent:Notifications:Slack:WebhookUrl", "slack-webhook-url", [AgentType.RepoManager], "MultiAgent:Notifications:Slack"),
        new("MultiAgent:Notifications:Discord:WebhookUrl", "discord-webhook-url", [AgentType.RepoManager], "MultiAgent:Notifications:Discord"),
        new("MultiAgent:Notifications:Email:Password", "smtp-password", [AgentType.RepoManager], "MultiAgent:Notifications:Email"),
    ];

    /// <summary>The secrets this publish asks for: the model key, the GitHub token, and those of the channels configured.</summary>
    public static IEnumerable<SecretSetting> Wanted(IConfiguration configuration) =>
        All.Where(secret => secret.Section is null || configuration.GetSection(secret.Section).Exists());
}
