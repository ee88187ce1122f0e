using Aspire.Hosting.ApplicationModel;

namespace MultiAgent.Hosting.Nats;

/// <summary>
/// A nats-server with users (<see cref="NatsUsers"/>), or the first node of a cluster of them: its own connection string
/// is the <c>admin</c> user's; <see cref="ConnectionStringFor"/> gives any other user's.
/// </summary>
public interface INatsServerResource : IResourceWithConnectionString
{
    EndpointReference PrimaryEndpoint { get; }

    /// <summary>
    /// Where clients connect: this server's client endpoint, then those of the cluster's other nodes. A client given
    /// every one reaches the cluster whichever node is down.
    /// </summary>
    IReadOnlyList<EndpointReference> ClientEndpoints => [PrimaryEndpoint];

    /// <summary>The password parameter (secret) of every user, by user name.</summary>
    IReadOnlyDictionary<string, ParameterResource> Passwords { get; }

    /// <summary>
    /// <c>nats://user:password@host:port</c> of one user, one such URL per client endpoint separated by commas; the
    /// password stays a secret parameter.
    /// </summary>
    ReferenceExpression ConnectionStringFor(string user)
    {
        var password = PasswordOf(user);
        var expression = new ReferenceExpressionBuilder();
        foreach (var endpoint in ClientEndpoints)
        {
            if (!expression.IsEmpty)
            {
                expression.AppendLiteral(",");
            }

            expression.Append($"nats://{user}:{password}@{endpoint.Property(EndpointProperty.HostAndPort)}");
        }

        return expression.Build();
    }

    /// <summary>The password parameter of <paramref name="user"/>.</summary>
    /// <exception cref="ArgumentException">The server has no such user.</exception>
    ParameterResource PasswordOf(string user) =>
        Passwords.TryGetValue(user, out var password)
            ? password
            : throw new ArgumentException($"NATS has no user '{user}'.", nameof(user));
}
