using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MultiAgent.IntegrationTests.Fakes.GitHub;

/// <summary>A repository the fake serves.</summary>
public sealed class FakeRepository(string owner, string name, string defaultBranch, string webHost)
{
    public string Owner { get; } = owner;

    public string Name { get; } = name;

    public string DefaultBranch { get; set; } = defaultBranch;

    /// <summary>The web host in <c>clone_url</c> and <c>html_url</c> (github.com, or an Enterprise host).</summary>
    public string WebHost { get; set; } = webHost;

    /// <summary>What the API reports as <c>clone_url</c>; null means <see cref="GitDirectory"/> or else <c>https://WebHost/owner/name.git</c>, empty sends an empty one.</summary>
    public string? CloneUrl { get; set; }

    /// <summary>
    /// A bare git repository behind this one (git accepts its path as a clone URL): when set, it is the
    /// <c>clone_url</c>, branch heads and pull requests' files are read from it on every request, a pull request needs
    /// its head branch there, and a merge really merges into the base branch there.
    /// </summary>
    public string? GitDirectory { get; init; }

    /// <summary>Branch name → head commit. Branches a pull request names but that are not here get a made-up head.</summary>
    public Dictionary<string, string> Branches { get; } = new(StringComparer.Ordinal);

    public List<FakePullRequest> PullRequests { get; } = [];

    internal int NextNumber { get; set; } = 1;

    public string EffectiveCloneUrl => CloneUrl ?? GitDirectory ?? $"https://{WebHost}/{Owner}/{Name}.git";

    public string HtmlUrl => $"https://{WebHost}/{Owner}/{Name}";

    public string BranchSha(string branch)
    {
        if (!Branches.TryGetValue(branch, out var sha))
        {
            sha = FakeSha.Of($"{Owner}/{Name}:{branch}");
            Branches[branch] = sha;
        }

        return sha;
    }
}

/// <summary>A pull request the fake holds, with its files, reviews and comments.</summary>
public sealed class FakePullRequest
{
    public required int Number { get; init; }

    public required string Title { get; set; }

    public string Body { get; set; } = string.Empty;

    public required string HeadRef { get; init; }

    public required string HeadSha { get; set; }

    public required string BaseRef { get; set; }

    public required string BaseSha { get; set; }

    /// <summary>"open" or "closed".</summary>
    public string State { get; set; } = "open";

    public bool Merged { get; set; }

    public string? MergeCommitSha { get; set; }

    public string? MergeMethod { get; set; }

    /// <summary>False: a merge answers 405 "Pull Request is not mergeable" (a conflict).</summary>
    public bool Mergeable { get; set; } = true;

    /// <summary>When set, a merge answers 405 with this message (e.g. branch protection).</summary>
    public string? MergeRefusal { get; set; }

    public string AuthorLogin { get; set; } = "someone-else";

    public List<FakeFile> Files { get; } = [];

    public List<FakeReview> Reviews { get; } = [];

    public List<string> Comments { get; } = [];
}

/// <summary>One file of a pull request as the files endpoint reports it.</summary>
public sealed record FakeFile(string Filename, string Status, int Additions, int Deletions, string? Patch, string? PreviousFilename = null)
{
    /// <summary>Whether <paramref name="line"/> is a new-side line of one of the patch's hunks.</summary>
    public bool HasLine(int line)
    {
        foreach (var raw in (Patch ?? string.Empty).Split('\n'))
        {
            if (!raw.StartsWith("@@", StringComparison.Ordinal))
            {
                continue;
            }

            var plus = raw.IndexOf('+', StringComparison.Ordinal);
            var end = raw.IndexOf(' ', plus);
            var range = raw[(plus + 1)..end].Split(',');
            var start = int.Parse(range[0], CultureInfo.InvariantCulture);
            var count = range.Length > 1 ? int.Parse(range[1], CultureInfo.InvariantCulture) : 1;
            if (line >= start && line < start + count)
            {
                return true;
            }
        }

        return false;
    }
}

public sealed record FakeReviewComment(string Path, int? Line, string? Side, string Body);

/// <summary>A review on a pull request: <paramref name="Event"/> as posted (APPROVE, REQUEST_CHANGES, COMMENT).</summary>
public sealed record FakeReview(long Id, string Event, string Body, string? CommitId, IReadOnlyList<FakeReviewComment> Comments)
{
    /// <summary>Who posted it (the token's user for reviews posted through the API).</summary>
    public string AuthorLogin { get; init; } = "someone-else";
}

/// <summary>A scripted answer the fake gives instead of the normal one.</summary>
/// <param name="Delay">How long the fake waits before answering (a slow server).</param>
public sealed record FakeFault(int Status, IReadOnlyDictionary<string, string>? Headers = null, string? Body = null, TimeSpan Delay = default)
{
    /// <summary>A GitHub-style error: <c>{"message": ..., "errors": [{"message": ...}]}</c>.</summary>
    public static FakeFault Error(int status, string message, params string[] errors)
    {
        var json = new JsonObject { ["message"] = message, ["documentation_url"] = "https://docs.github.com/rest" };
        if (errors.Length > 0)
        {
            json["errors"] = new JsonArray(errors.Select(e => (JsonNode)new JsonObject { ["resource"] = "PullRequest", ["code"] = "custom", ["message"] = e }).ToArray());
        }

        return new FakeFault(status, Body: json.ToJsonString());
    }

    /// <summary>403 from the primary rate limit: <c>X-RateLimit-Remaining: 0</c> and the reset as epoch seconds.</summary>
    public static FakeFault PrimaryRateLimit(long resetEpochSeconds, int status = 403) => new(
        status,
        new Dictionary<string, string>
        {
            ["X-RateLimit-Limit"] = "5000",
            ["X-RateLimit-Remaining"] = "0",
            ["X-RateLimit-Used"] = "5000",
            ["X-RateLimit-Reset"] = resetEpochSeconds.ToString(CultureInfo.InvariantCulture),
        },
        """{"message":"API rate limit exceeded for user ID 1.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}""");

    /// <summary>A secondary rate limit: 403 or 429 with <c>Retry-After</c>.</summary>
    public static FakeFault SecondaryRateLimit(int retryAfterSeconds, int status = 429) => new(
        status,
        new Dictionary<string, string> { ["Retry-After"] = retryAfterSeconds.ToString(CultureInfo.InvariantCulture) },
        """{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}""");

    public static FakeFault ServerError(int status = 503) => new(status, Body: """{"message":"Service Unavailable"}""");

    public static FakeFault Slow(TimeSpan delay) => new(0, Delay: delay);
}

/// <summary>One request as the fake received it.</summary>
/// <param name="Path">The full path, base path included (e.g. <c>/api/v3/repos/o/r</c>).</param>
/// <param name="RelativePath">The path below the fake's base path (e.g. <c>/repos/o/r</c>).</param>
public sealed record RecordedRequest(
    DateTimeOffset At,
    string Method,
    string Path,
    string RelativePath,
    string Query,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    int Status)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public JsonElement Json() => JsonDocument.Parse(Body).RootElement.Clone();

    public override string ToString() => $"{At:HH:mm:ss.fff} {Method} {Path}{Query} -> {Status}";
}

internal static class FakeSha
{
    public static string Of(string seed) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(seed)));
}
