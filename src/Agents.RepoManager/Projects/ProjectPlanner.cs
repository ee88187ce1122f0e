using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using MultiAgent.AgentRuntime.Tasks;
using MultiAgent.Contracts;
using MultiAgent.Llm;
using MultiAgent.Persistence;

namespace Agents.RepoManager.Projects;

/// <summary>A plan, or why there is none; and what asking for it used.</summary>
public sealed record PlanOutcome(IReadOnlyList<PlannedFeature>? Features, string? Error, TokenUsage Usage);

/// <summary>
/// Asks the Repo Manager's model (<c>MultiAgent:Llm:Agents:repomanager</c>) for a project's plan as structured output
/// (<see cref="PlanPrompt.Schema"/>), checks it (<see cref="PlanReader"/>), and sends an invalid plan back once with what
/// was wrong. A model call that fails throws as the LLM layer classified it.
/// </summary>
public sealed class ProjectPlanner(ITaskModelProvider models, IOptions<ProjectOptions> options)
{
    /// <summary>How many answers the model may give: the first and one repair.</summary>
    public const int ModelAttempts = 2;

    public async Task<PlanOutcome> PlanAsync(TaskContext context, ProjectRequest request, JobBudget? budget, CancellationToken ct)
    {
        var maxFeatures = options.Value.MaxFeatures;
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, PlanPrompt.System),
            new(ChatRole.User, PlanPrompt.User(request, maxFeatures)),
        };
        var usage = TokenUsage.Zero;
        await using var model = models.Open(AgentType.RepoManager, context.TaskId, request.ProjectId, budget, budget is null ? null : TokenUsage.Zero);
        try
        {
            string error = "";
            for (var attempt = 1; attempt <= ModelAttempts; attempt++)
            {
                var response = await model.Client.GetResponseAsync(messages, PlanPrompt.Options(), ct);
                usage += new TokenUsage(response.Usage?.InputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0);
                if (PlanReader.Read(response.Text, maxFeatures, out error) is { } features)
                {
                    return new PlanOutcome(features, null, model.Priced(usage));
                }

                messages.Add(new ChatMessage(ChatRole.Assistant, response.Text));
                messages.Add(new ChatMessage(ChatRole.User, PlanPrompt.Repair(error)));
            }

            return new PlanOutcome(null, $"the model's plan was not valid after {ModelAttempts} answers: {error}", model.Priced(usage));
        }
        finally
        {
            context.Spent.Report(model.Used);
        }
    }
}
