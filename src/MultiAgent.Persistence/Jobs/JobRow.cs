using System.Text.Json;
using MultiAgent.Contracts;
using MultiAgent.Persistence.Internal;
using MultiAgent.Persistence.Sql;
using Npgsql;

namespace MultiAgent.Persistence;

/// <summary>The <c>jobs</c> columns the store selects, and how a row becomes a <see cref="JobRecord"/>.</summary>
internal static class JobRow
{
    public const string Columns =
        "id, repository, title, description, requirements, base_branch, status, priority, iteration, max_iterations, " +
        "require_approval, pull_request_number, pull_request_url, branch, head_sha, merge_commit_sha, error, " +
        "input_tokens, output_tokens, cost, budget_tokens, budget_cost, conflict_rounds, created_at, updated_at, completed_at";

    public static JobRecord Read(NpgsqlDataReader reader) => new()
    {
        Id = reader.Get<string>("id"),
        Repository = reader.Get<string>("repository"),
        Title = reader.Get<string>("title"),
        Description = reader.Get<string>("description"),
        Requirements = ReadRequirements(reader.Get<string>("requirements")),
        BaseBranch = reader.GetNullableString("base_branch"),
        Status = WireName<JobStatus>.Parse(reader.Get<string>("status")),
        Priority = WireName<TaskPriority>.Parse(reader.Get<string>("priority")),
        Iteration = reader.Get<int>("iteration"),
        MaxIterations = reader.Get<int>("max_iterations"),
        RequireApproval = reader.Get<bool>("require_approval"),
        PullRequestNumber = reader.GetNullable<int>("pull_request_number"),
        PullRequestUrl = reader.GetNullableString("pull_request_url"),
        Branch = reader.GetNullableString("branch"),
        HeadSha = reader.GetNullableString("head_sha"),
        MergeCommitSha = reader.GetNullableString("merge_commit_sha"),
        Error = reader.GetNullableString("error"),
        ConflictRounds = reader.Get<int>("conflict_rounds"),
        Tokens = new TokenUsage(reader.Get<long>("input_tokens"), reader.Get<long>("output_tokens"), reader.GetNullable<decimal>("cost")),
        Budget = new JobBudget(reader.GetNullable<long>("budget_tokens"), reader.GetNullable<decimal>("budget_cost")) is { IsSet: true } budget ? budget : null,
        CreatedAt = reader.Get<DateTimeOffset>("created_at"),
        UpdatedAt = reader.Get<DateTimeOffset>("updated_at"),
        CompletedAt = reader.GetNullable<DateTimeOffset>("completed_at"),
    };

    public static string WriteRequirements(IReadOnlyList<string> requirements) =>
        JsonSerializer.Serialize([.. requirements], PersistenceJsonContext.Default.StringArray);

    public static async Task<List<JobRecord>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var jobs = new List<JobRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(Read(reader));
        }

        return jobs;
    }

    private static string[] ReadRequirements(string json) =>
        JsonSerializer.Deserialize(json, PersistenceJsonContext.Default.StringArray) ?? [];
}
