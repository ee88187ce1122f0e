using System.CommandLine;
using MultiAgent.Cli.Output;
using MultiAgent.Contracts;

namespace MultiAgent.Cli.Commands;

/// <summary><c>notify test [--channel slack|discord|email] [--json]</c>: a test notification through the running system.</summary>
internal static class NotifyCommand
{
    public static Command Create(CliContext cli)
    {
        var channel = new Option<string?>("--channel")
        {
            Description = "Only this channel (default: every channel that is set up)",
        };
        channel.AcceptOnlyFromAmong([.. Subjects.NotificationChannels]);
        var json = CliContext.JsonOption();
        var test = new Command("test", "Send a test notification through the notification channels the Repo Manager has set up, and print what each answered")
        {
            channel, json,
        };
        test.SetAction((parseResult, cancellationToken) => cli.RunAsync(async ct =>
        {
            var reply = await cli.AskAsync(parseResult, json, "Sending a test notification…",
                (queries, token) => queries.NotifyTestAsync(parseResult.GetValue(channel), token), ShowResults, ct);
            return reply.Channels.Count > 0 && reply.Channels.All(r => r.Sent) ? ExitCodes.Ok : ExitCodes.Failure;
        }, cancellationToken));
        return new Command("notify", "Notifications (Slack, Discord, email)") { test };
    }

    private static void ShowResults(Terminal output, NotifyTestReply reply)
    {
        if (reply.Channels.Count == 0)
        {
            output.WriteLine("No notification channel is set up (MultiAgent:Notifications; see docs/notifications.md).");
            return;
        }

        foreach (var result in reply.Channels)
        {
            output.WriteLine($"{result.Channel}: {(result.Sent ? "sent" : "not sent: " + result.Answer)}");
        }
    }
}
