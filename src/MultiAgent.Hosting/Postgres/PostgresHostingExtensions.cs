using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MultiAgent.Hosting.Local;
using MultiAgent.Hosting.Logs;
using MultiAgent.Hosting.Restarts;

namespace MultiAgent.Hosting.Postgres;

public static class PostgresHostingExtensions
{
    /// <summary>
    /// Adds a PostgreSQL database named <paramref name="databaseResourceName"/> (its connection-string name) on a
    /// server named <paramref name="serverName"/>: a local server process in run mode, the Aspire PostgreSQL
    /// container with a data volume in publish mode.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddPostgresDatabase(
        this IDistributedApplicationBuilder builder, string serverName, string databaseResourceName, string databaseName,
        LocalInfrastructureOptions options)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return builder.AddPostgres(serverName)
                // A fixed name: a generated one carries a hash of the AppHost's path, so a manifest made from another
                // checkout would name another volume (and another Azure Files share).
                .WithDataVolume("postgres-data")
                .AddDatabase(databaseResourceName, databaseName);
        }

        var binDirectory = LocalToolchain.FindPostgresBinDirectory(options);
        if (options.UseFixedPorts)
        {
            PortGuard.EnsureFree(options.PostgresPort, "PostgreSQL port", nameof(options.PostgresPort));
        }

        var account = ServiceAccount.ForPostgres();
        var cluster = new PostgresCluster(options, binDirectory, account);
        var password = builder.AddParameter($"{serverName}-password", cluster.ReadOrCreatePassword(), secret: true);

        var postgresBinary = Path.Combine(binDirectory, "postgres");
        var server = new PostgresServerProcessResource(
            serverName, account.Command(postgresBinary), options.DataRoot, password.Resource);
        var database = new PostgresDatabaseProcessResource(databaseResourceName, databaseName, server);
        server.Databases.Add(database);

        var serverCheck = $"{serverName}_connect";
        var databaseCheck = $"{databaseResourceName}_connect";
        builder.Services.AddHealthChecks()
            .Add(new HealthCheckRegistration(serverCheck, _ => new PostgresConnectionHealthCheck(server), null, null))
            .Add(new HealthCheckRegistration(databaseCheck, _ => new PostgresConnectionHealthCheck(database), null, null));

        var serverBuilder = builder.AddResource(server)
            .WithEndpoint(port: options.UseFixedPorts ? options.PostgresPort : null, name: PostgresServerProcessResource.PrimaryEndpointName, scheme: "tcp")
            .WithArgs(context =>
            {
                foreach (var argument in account.Prefix(postgresBinary))
                {
                    context.Args.Add(argument);
                }

                context.Args.Add("-D");
                context.Args.Add(options.PostgresDataDirectory);
                context.Args.Add("-p");
                context.Args.Add(server.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("-c");
                context.Args.Add("listen_addresses=localhost");
                context.Args.Add("-c");
                context.Args.Add($"unix_socket_directories={options.PostgresDataDirectory}");
            })
            .WithHealthCheck(serverCheck)
            // A postmaster that dies is started again (MultiAgent:Restart); the agents' pools reconnect on their own.
            .WithRestartPolicy()
            .WithLogFiles(options.DataRoot)
            .OnBeforeResourceStarted(async (resource, @event, cancellationToken) =>
            {
                var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(resource);
                await cluster.InitializeIfMissingAsync(await password.Resource.GetValueAsync(cancellationToken) ?? string.Empty, logger, cancellationToken);
            })
            .OnResourceReady(async (resource, @event, cancellationToken) =>
            {
                var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(resource);
                var connectionString = await resource.ConnectionStringExpression.GetValueAsync(cancellationToken)
                    ?? throw new InvalidOperationException($"'{resource.Name}' has no connection string.");
                await PostgresCluster.CreateDatabasesAsync(connectionString, resource.Databases.Select(d => d.DatabaseName), logger, cancellationToken);

                // A database is no process of its own: it runs once it exists, and its health check takes it from there.
                var notifications = @event.Services.GetRequiredService<ResourceNotificationService>();
                foreach (var created in resource.Databases)
                {
                    await notifications.PublishUpdateAsync(created, snapshot => snapshot with
                    {
                        State = KnownResourceStates.Running,
                        StartTimeStamp = DateTime.UtcNow,
                    });
                }
            });

        return builder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = KnownResourceStates.Waiting,
                Properties = [new(CustomResourceKnownProperties.Source, databaseName)],
            })
            .WithParentRelationship(serverBuilder)
            .WithHealthCheck(databaseCheck);
    }
}
