using System.Net;
using System.Text;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using MultiAgent.Secrets;

namespace MultiAgent.Notifications.Channels;

/// <summary>
/// Email over SMTP with MailKit: TLS as <see cref="EmailChannelOptions.Security"/> says, authentication when a user is
/// set, one message to all recipients with a plain-text and an HTML body. A connection or server failure is retryable;
/// a refused recipient or sender is not.
/// </summary>
public sealed class EmailChannel(EmailChannelOptions options, NotificationOptions notifications, SecretRedactor redactor) : INotificationChannel
{
    public string Name => "email";

    public ChannelOptions Options => options;

    public async Task SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        var message = Message(notification);
        using var client = new SmtpClient { Timeout = (int)notifications.RequestTimeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(options.Host ?? throw new NotificationDeliveryException("email: no SMTP host is set", retryable: false), options.Port, SecurityOf(options.Security), cancellationToken);
            if (!string.IsNullOrEmpty(options.User))
            {
                await client.AuthenticateAsync(new NetworkCredential(options.User, options.Password), cancellationToken);
            }

            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (Exception ex) when (ex is SmtpCommandException or SmtpProtocolException or AuthenticationException or IOException
            or System.Net.Sockets.SocketException or SslHandshakeException or ServiceNotConnectedException or TimeoutException)
        {
            // A refused sender, recipient or message will be refused again; anything else may pass later.
            var retryable = ex is not SmtpCommandException { ErrorCode: SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.SenderNotAccepted or SmtpErrorCode.MessageNotAccepted };
            throw new NotificationDeliveryException($"email: {redactor.Redact(ex.Message)}", retryable, ex);
        }
    }

    /// <summary>The message sent for <paramref name="notification"/>.</summary>
    public MimeMessage Message(Notification notification)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.From));
        foreach (var recipient in options.To)
        {
            message.To.Add(MailboxAddress.Parse(recipient));
        }

        message.Subject = $"[MultiAgent] {notification.Title}";
        message.Date = notification.Timestamp;
        var text = new StringBuilder().Append(notification.Title).Append("\n\n").Append(notification.Text).Append("\n\n");
        var html = new StringBuilder()
            .Append("<h2>").Append(WebUtility.HtmlEncode(notification.Title)).Append("</h2><p>")
            .Append(WebUtility.HtmlEncode(notification.Text)).Append("</p><table>");
        foreach (var field in notification.Fields)
        {
            text.Append(field.Name).Append(": ").Append(field.Value).Append('\n');
            html.Append("<tr><th align=\"left\">").Append(WebUtility.HtmlEncode(field.Name)).Append("</th><td>")
                .Append(WebUtility.HtmlEncode(field.Value)).Append("</td></tr>");
        }

        html.Append("</table>");
        if (notification.Link is { } link)
        {
            text.Append("\nPull request: ").Append(link).Append('\n');
            html.Append("<p><a href=\"").Append(WebUtility.HtmlEncode(link)).Append("\">Open the pull request</a></p>");
        }

        text.Append('\n').Append(notification.Level.ToString().ToLowerInvariant()).Append(" · ").Append(notification.EventType).Append('\n');
        message.Body = new BodyBuilder { TextBody = text.ToString(), HtmlBody = html.ToString() }.ToMessageBody();
        return message;
    }

    private static SecureSocketOptions SecurityOf(string security) => security.ToLowerInvariant() switch
    {
        "none" => SecureSocketOptions.None,
        "auto" => SecureSocketOptions.StartTlsWhenAvailable,
        "sslonconnect" => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.StartTls,
    };
}
