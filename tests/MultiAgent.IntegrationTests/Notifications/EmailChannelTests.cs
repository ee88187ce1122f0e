using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using MultiAgent.Contracts;
using MultiAgent.Notifications;
using MultiAgent.Notifications.Channels;
using MultiAgent.Secrets;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace MultiAgent.IntegrationTests.Notifications;

/// <summary>The email channel against a real SMTP server in the test process (SmtpServer): authentication, recipients, bodies, failures.</summary>
public sealed class EmailChannelTests : IAsyncDisposable
{
    private const string Password = "smtp-password-for-the-test-0451";
    private readonly ConcurrentQueue<MimeMessage> _received = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly int _port = FreePort();
    private readonly Task _server;

    public EmailChannelTests()
    {
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, _port)).AllowUnsecureAuthentication(true).AuthenticationRequired(true))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(_received));
        services.Add(new DelegatingUserAuthenticator((user, password) => user == "multiagent" && password == Password));
        _server = new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
        // StartAsync binds the port on its way, not before it returns: a send right away was refused once under load.
        _listening = Infrastructure.Eventually.ReturnsAsync(
            async ct =>
            {
                using var probe = new TcpClient();
                try
                {
                    await probe.ConnectAsync(IPAddress.Loopback, _port, ct);
                    return true;
                }
                catch (SocketException)
                {
                    return false;
                }
            },
            listening => listening, TimeSpan.FromSeconds(30), "the SMTP server to listen");
    }

    private readonly Task<bool> _listening;

    private static readonly Notification Failed = new(
        "job-event-9", JobEventTypes.JobFailed, NotificationLevel.Error, "Job failed: Add a greeting", "the check failed", DateTimeOffset.UtcNow,
        "job-1", "https://github.com/acme/widgets/pull/7", [new NotificationField("Repository", "https://github.com/acme/widgets")]);

    [Fact]
    public async Task A_notification_is_one_authenticated_message_to_every_recipient_with_text_and_html()
    {
        await _listening;
        var channel = Channel(Password);

        await channel.SendAsync(Failed, CancellationToken.None);

        var message = Assert.Single(_received);
        Assert.Equal("[MultiAgent] Job failed: Add a greeting", message.Subject);
        Assert.Equal(["ops@example.test", "dev@example.test"], message.To.Mailboxes.Select(m => m.Address));
        Assert.Equal("multiagent@example.test", message.From.Mailboxes.Single().Address);
        Assert.Contains("the check failed", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://github.com/acme/widgets/pull/7\">", message.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_fails_retryably_without_the_password_in_the_error_and_a_server_that_is_not_there_too()
    {
        await _listening;
        var refused = await Assert.ThrowsAsync<NotificationDeliveryException>(() => Channel("not-the-password-7731").SendAsync(Failed, CancellationToken.None));
        var unreachable = await Assert.ThrowsAsync<NotificationDeliveryException>(() =>
            new EmailChannel(new EmailChannelOptions { Host = "127.0.0.1", Port = FreePort(), Security = "None", To = ["ops@example.test"] },
                new NotificationOptions { RequestTimeout = TimeSpan.FromSeconds(5) }, new SecretRedactor()).SendAsync(Failed, CancellationToken.None));

        Assert.True(refused.Retryable);
        Assert.DoesNotContain("not-the-password-7731", refused.Message, StringComparison.Ordinal);
        Assert.True(unreachable.Retryable);
        Assert.Empty(_received);
    }

    private EmailChannel Channel(string password)
    {
        var options = new EmailChannelOptions
        {
            Host = "127.0.0.1", Port = _port, Security = "None", User = "multiagent", Password = password,
            From = "multiagent@example.test", To = ["ops@example.test", "dev@example.test"],
        };
        var redactor = new SecretRedactor();
        redactor.Register(password);
        return new EmailChannel(options, new NotificationOptions { RequestTimeout = TimeSpan.FromSeconds(10) }, redactor);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _server;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private sealed class Store(ConcurrentQueue<MimeMessage> received) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(
            SmtpServer.ISessionContext context, SmtpServer.IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            received.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }
}
