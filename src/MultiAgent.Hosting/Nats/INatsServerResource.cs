using Aspire.Hosting.ApplicationModel;

namespace MultiAgent.Hosting.Nats;

/// <summary>
/// A nats-server with users (<see cref="NatsUsers"/>): its own connection string is the <c>admin</c> user's;
/// <see cref="ConnectionStringFor"/> gives any other user's.
/// </summary>
public interface INatsServerResource : IResourceWithConnectionString
{
    EndpointReference PrimaryEndpoint { get; }

    /// <summary>The password parameter (secret) of every user, by user name.</summary>
    IReadOnlyDictionary<string, ParameterResource> Passwords { get; }

    /// <summary><c>nats://user:password@host:port</c> of one user; the password stays a secret parameter.</summary>
    ReferenceExpression ConnectionStringFor(string user) => ReferenceExpression.Create(
        $"nats://{user}:{PasswordOf(user)}@{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}");

    /// <summary>The password parameter of <paramref name="user"/>.</summary>
    /// <exception cref="ArgumentException">The server has no such user.</exception>
    ParameterResource PasswordOf(string user) =>
        Passwords.TryGetValue(user, out var password)
            ? password
            : throw new ArgumentException($"NATS has no user '{user}'.", nameof(user));
}
