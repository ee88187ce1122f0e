using Aspire.Hosting.ApplicationModel;

namespace MultiAgent.Hosting.Postgres;

/// <summary>
/// A local PostgreSQL server process (run mode): the Debian <c>postgres</c> binary on a cluster that the AppHost
/// creates with initdb on first start.
/// </summary>
public sealed class PostgresServerProcessResource(string name, string command, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";
    internal const string SuperUser = "postgres";

    private EndpointReference? _primaryEndpoint;

    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, PrimaryEndpointName);

    public ParameterResource PasswordParameter { get; } = password;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={SuperUser};Password={PasswordParameter}");

    /// <summary>Databases to create once the server is healthy.</summary>
    internal List<PostgresDatabaseProcessResource> Databases { get; } = [];
}
