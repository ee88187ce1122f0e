using MultiAgent.Contracts;
using MultiAgent.Persistence;

namespace Agents.RepoManager.Queries;

/// <summary>How stored projects and features become the query API's summaries.</summary>
internal static class ProjectSummaries
{
    public static ProjectSummary ToSummary(this ProjectRecord project, IReadOnlyList<FeatureRecord> features) => new(
        project.Id, project.Repository, project.Title, project.Status, project.CreatedAt, project.UpdatedAt,
        features.Count, features.Count(f => f.Status == FeatureStatus.Completed), project.BaseBranch, project.Error,
        project.CompletedAt, project.Tokens, project.Budget);

    public static FeatureSummary ToSummary(this FeatureRecord feature) => new(
        feature.Key, feature.Title, feature.Status, feature.Description, feature.AcceptanceCriteria, feature.DependsOn,
        feature.JobId, feature.Reason, feature.Job?.ToSummary());
}
