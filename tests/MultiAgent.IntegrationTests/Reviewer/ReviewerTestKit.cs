using System.Text.Json;
using Agents.Reviewer;
using Microsoft.Extensions.Options;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;
using MultiAgent.Llm;
using MultiAgent.Repositories;
using MultiAgent.Secrets;
using MultiAgent.IntegrationTests.Fakes.OpenAI;
using MultiAgent.IntegrationTests.Llm;
using Npgsql;

namespace MultiAgent.IntegrationTests.Reviewer;

/// <summary>Runs the Reviewer's handler the way its agent does: one delivery of a review task, the model behind the OpenAI fake.</summary>
internal static class ReviewerTestKit
{
    /// <summary>A model reply: the verdict JSON with the given comments.</summary>
    public static string Verdict(string decision, string summary, params (string File, int Line, string Severity, string Body)[] comments) =>
        JsonSerializer.Serialize(new
        {
            decision,
            summary,
            comments = comments.Select(c => new { file = c.File, line = c.Line, severity = c.Severity, body = c.Body }),
        });

    /// <summary>
    /// Handles <paramref name="request"/> as delivery <paramref name="attempt"/> of the task <c>request.TaskId</c> with a new
    /// handler (as a restarted Reviewer would); the outcome and the ReviewResult it sends.
    /// </summary>
    public static async Task<(TaskResult Outcome, ReviewResult Result)> RunAsync(
        FakeOpenAIServer fake, NpgsqlDataSource dataSource, IRepositoryHost host, ReviewerOptions options, ReviewRequest request, int attempt = 1)
    {
        var redactor = new SecretRedactor();
        var sessions = new LlmSessionFactory(LlmTestKit.Factory(LlmTestKit.Configuration(fake), redactor), new TranscriptStore(dataSource), redactor);
        var handler = new ReviewHandler(new RepositoryHostResolver([host]), new LlmTaskModelProvider(sessions), Options.Create(options));
        var envelope = MessageSerializer.Wrap(request, AgentType.Reviewer, request.JobId, id: request.TaskId);
        var outcome = await handler.HandleAsync(new TaskContext(envelope, attempt, false), MessageSerializer.Unwrap<ReviewRequest>(envelope), CancellationToken.None);
        return (outcome, MessageSerializer.Unwrap<ReviewResult>(Assert.Single(outcome.FollowUps)));
    }
}
