using MultiAgent.Nats;

namespace MultiAgent.UnitTests.Nats;

public sealed class NatsConnectionStringTests
{
    [Theory]
    [InlineData("localhost", "nats://localhost:4222")]
    [InlineData("nats://10.0.0.5", "nats://10.0.0.5:4222")]
    [InlineData("tls://nats.example.com", "tls://nats.example.com:4222")]
    [InlineData("nats://localhost:4333", "nats://localhost:4333")]
    [InlineData("wss://nats.example.com", "wss://nats.example.com:443")]
    [InlineData("ws://nats.example.com", "ws://nats.example.com:80")]
    [InlineData("wss://nats.example.com:8443", "wss://nats.example.com:8443")]
    [InlineData("nats://a:4222, nats://b", "nats://a:4222,nats://b:4222")]
    public void Each_scheme_gets_its_own_default_port(string connectionString, string url) =>
        Assert.Equal(url, NatsConnectionString.ToOptions(connectionString).Url);

    [Fact]
    public void Credentials_leave_the_url_and_become_auth_options()
    {
        var options = NatsConnectionString.ToOptions("wss://agent:s3cret@nats.example.com");

        Assert.Equal("wss://nats.example.com:443", options.Url);
        Assert.Equal(("agent", "s3cret"), (options.AuthOpts.Username, options.AuthOpts.Password));
    }

    [Fact]
    public void A_user_reads_replies_on_inboxes_of_its_own_and_without_a_user_name_the_default_inboxes_stay()
    {
        var fromUrl = NatsConnectionString.ToOptions("nats://coder:pw-123456@localhost:4222");
        var fromTemplate = NatsConnectionString.ToOptions(
            "nats://localhost:4222", NATS.Client.Core.NatsOpts.Default with { AuthOpts = NATS.Client.Core.NatsAuthOpts.Default with { Username = "viewer" } });
        var token = NatsConnectionString.ToOptions("nats://some-token@localhost:4222");
        var oddName = NatsConnectionString.ToOptions("nats://a.b:pw@localhost:4222");

        Assert.Equal("_INBOX_coder", fromUrl.InboxPrefix);
        Assert.Equal("_INBOX_viewer", fromTemplate.InboxPrefix);
        Assert.Equal("_INBOX", token.InboxPrefix);
        Assert.Equal("_INBOX", oddName.InboxPrefix);
    }

    [Theory]
    [InlineData("http://localhost:4222", "the scheme must be nats, tls, ws or wss, not http")]
    [InlineData("https://user:pw@nats.example.com", "the scheme must be nats, tls, ws or wss, not https")]
    [InlineData("nats://", "is not a NATS URL (expected nats://host:port)")]
    public void Anything_but_a_NATS_url_is_refused_without_its_credentials(string connectionString, string reason)
    {
        var error = Assert.Throws<FormatException>(() => NatsConnectionString.ToOptions(connectionString));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pw", error.Message, StringComparison.Ordinal);
    }
}
