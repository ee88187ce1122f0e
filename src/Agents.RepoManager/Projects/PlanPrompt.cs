using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using MultiAgent.Contracts;

namespace Agents.RepoManager.Projects;

/// <summary>What the planner model is told: the system prompt, the plan's JSON schema, the requirements, the repair request.</summary>
public static class PlanPrompt
{
    public const string System =
        """
        You are a senior engineer planning work for a team of coding agents. Each feature you plan becomes one pull request,
        implemented by a coder and reviewed before it is merged into the base branch. Split the requirements into features
        that are small enough for one pull request each, and say which features must be merged before another can start
        (dependsOn: the ids of those features). Features that do not depend on each other are built at the same time, so
        only name a dependency when the later feature really needs the earlier one's code.
        Reply with ONLY one JSON object, no prose and no code fences, of this shape:
        {"features":[{"id":"short-slug","title":"...","description":"...","acceptanceCriteria":["..."],"dependsOn":["other-slug"]}]}
        "id" is a unique slug of lower-case letters, digits and '-'; dependencies must not form a cycle.
        """;

    /// <summary>The plan's JSON schema (the response format of every planning call).</summary>
    public static JsonElement Schema { get; } = JsonDocument.Parse(
        """
        {
          "type": "object",
          "properties": {
            "features": {
              "type": "array",
              "items": {
                "type": "object",
                "properties": {
                  "id": { "type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,39}$" },
                  "title": { "type": "string" },
                  "description": { "type": "string" },
                  "acceptanceCriteria": { "type": "array", "items": { "type": "string" } },
                  "dependsOn": { "type": "array", "items": { "type": "string" } }
                },
                "required": ["id", "title", "description", "acceptanceCriteria", "dependsOn"],
                "additionalProperties": false
              }
            }
          },
          "required": ["features"],
          "additionalProperties": false
        }
        """).RootElement.Clone();

    public static ChatOptions Options() => new()
    {
        ResponseFormat = ChatResponseFormat.ForJsonSchema(Schema, "plan", "Features with dependencies, each one pull request."),
    };

    public static string User(ProjectRequest request, int maxFeatures) =>
        string.Create(CultureInfo.InvariantCulture,
            $"Repository: {request.Repository} (base branch {request.BaseBranch ?? "the default branch"}).\nPlan at most {maxFeatures} features.\n\nRequirements:\n{request.Requirements.Trim()}\n");

    public static string Repair(string error) =>
        $"Your plan was not valid: {error}. Reply again with ONLY the corrected JSON object of the required shape, nothing else.";
}
