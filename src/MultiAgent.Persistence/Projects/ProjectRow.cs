using System.Text.Json;
using MultiAgent.Contracts;
using MultiAgent.Persistence.Internal;
using MultiAgent.Persistence.Sql;
using Npgsql;

namespace MultiAgent.Persistence;

/// <summary>The columns the project store selects, and how rows become records.</summary>
internal static class ProjectRow
{
    /// <summary>The project's columns, and what its planning and its features' jobs have used (<c>used_*</c>).</summary>
    public const string Columns =
        """
        p.id, p.repository, p.title, p.requirements, p.base_branch, p.status, p.require_plan_approval, p.max_iterations,
        p.require_approval, p.budget_tokens, p.budget_cost, p.requested_by, p.error, p.created_at, p.updated_at, p.completed_at,
        u.used_input, u.used_output, u.used_cost
        """;

    /// <summary>The FROM clause of <see cref="Columns"/>: the project and the sums of its planning tasks' and its jobs' usage.</summary>
    public const string From =
        """
        projects p
        CROSS JOIN LATERAL (
            SELECT COALESCE(sum(x.input_tokens), 0)::bigint AS used_input, COALESCE(sum(x.output_tokens), 0)::bigint AS used_output,
                   sum(x.cost) AS used_cost
            FROM (
                SELECT t.input_tokens, t.output_tokens, t.cost FROM tasks t WHERE t.job_id = p.id
                UNION ALL
                SELECT j.input_tokens, j.output_tokens, j.cost FROM project_features f JOIN jobs j ON j.id = f.job_id WHERE f.project_id = p.id
            ) x
        ) u
        """;

    /// <summary>A feature's columns (prefixed <c>f_</c>) and its job's (<see cref="JobRow.Columns"/>, null until the job exists).</summary>
    public static readonly string FeatureColumns =
        "f.key AS f_key, f.position AS f_position, f.title AS f_title, f.description AS f_description, " +
        "f.acceptance_criteria AS f_acceptance_criteria, f.depends_on AS f_depends_on, f.job_id AS f_job_id, " +
        "f.status AS f_status, f.reason AS f_reason, " +
        string.Join(", ", JobRow.Columns.Split(", ").Select(column => "j." + column.Trim()));

    public const string FeaturesFrom = "project_features f LEFT JOIN jobs j ON j.id = f.job_id";

    public static ProjectRecord Read(NpgsqlDataReader reader) => new()
    {
        Id = reader.Get<string>("id"),
        Repository = reader.Get<string>("repository"),
        Title = reader.Get<string>("title"),
        Requirements = reader.Get<string>("requirements"),
        BaseBranch = reader.GetNullableString("base_branch"),
        Status = WireName<ProjectStatus>.Parse(reader.Get<string>("status")),
        RequirePlanApproval = reader.Get<bool>("require_plan_approval"),
        MaxIterations = reader.Get<int>("max_iterations"),
        RequireApproval = reader.Get<bool>("require_approval"),
        Budget = new JobBudget(reader.GetNullable<long>("budget_tokens"), reader.GetNullable<decimal>("budget_cost")) is { IsSet: true } budget ? budget : null,
        RequestedBy = reader.GetNullableString("requested_by"),
        Error = reader.GetNullableString("error"),
        Tokens = new TokenUsage(reader.Get<long>("used_input"), reader.Get<long>("used_output"), reader.GetNullable<decimal>("used_cost")),
        CreatedAt = reader.Get<DateTimeOffset>("created_at"),
        UpdatedAt = reader.Get<DateTimeOffset>("updated_at"),
        CompletedAt = reader.GetNullable<DateTimeOffset>("completed_at"),
    };

    public static FeatureRecord ReadFeature(NpgsqlDataReader reader) => new(
        reader.Get<string>("f_key"),
        reader.Get<int>("f_position"),
        reader.Get<string>("f_title"),
        reader.Get<string>("f_description"),
        ReadList(reader.Get<string>("f_acceptance_criteria")),
        ReadList(reader.Get<string>("f_depends_on")),
        WireName<FeatureStatus>.Parse(reader.Get<string>("f_status")),
        reader.GetNullableString("f_job_id"),
        reader.GetNullableString("f_reason"),
        reader.IsDBNull(reader.GetOrdinal("id")) ? null : JobRow.Read(reader));

    public static string WriteList(IReadOnlyList<string> items) =>
        JsonSerializer.Serialize([.. items], PersistenceJsonContext.Default.StringArray);

    private static string[] ReadList(string json) =>
        JsonSerializer.Deserialize(json, PersistenceJsonContext.Default.StringArray) ?? [];
}
