using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using MultiAgent.Contracts;
using MultiAgent.Hosting.Local;
using MultiAgent.Hosting.Nats;

namespace MultiAgent.Hosting.Join;

public static class JoinFileExtensions
{
    /// <summary>
    /// Writes the system's join file (<see cref="JoinFile.PathIn"/>, mode 0600) each time NATS is ready, run mode only:
    /// every node's address, the database's connection string, the agent users' and the AppHost user's NATS passwords,
    /// the local repository roots and the streams' replica count. An agent host started with it joins this system.
    /// </summary>
    public static IResourceBuilder<INatsServerResource> WithJoinFile(
        this IResourceBuilder<INatsServerResource> nats, IResourceWithConnectionString database, LocalInfrastructureOptions options)
    {
        ArgumentNullException.ThrowIfNull(nats);
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(options);
        if (!nats.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            return nats;
        }

        return nats.OnResourceReady(async (server, _, cancellationToken) =>
        {
            // The agent users' passwords and the AppHost user's, no other (not the CLI's, not admin's).
            var values = await NatsHostingExtensions.ResolvePasswordsAsync(server, cancellationToken);
            var passwords = AgentCatalogue.All.Select(agent => NatsUsers.ForAgent(agent.Type)).Append(NatsUsers.AppHost)
                .ToDictionary(user => user, user => values[user], StringComparer.Ordinal);
            var connectionString = await database.ConnectionStringExpression.GetValueAsync(cancellationToken)
                ?? throw new InvalidOperationException("The database has no connection string yet.");
            LocalSecret.WriteOwnerOnly(
                JoinFile.PathIn(options),
                new JoinFile(NatsHostingExtensions.ClientAddresses(server), connectionString, passwords, options.LocalRepositoryRoots, options.StreamReplicas).ToJson());
        });
    }
}
