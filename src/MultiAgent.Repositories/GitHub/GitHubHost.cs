using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MultiAgent.Contracts;
using Octokit.Internal;
using Octo = Octokit;

namespace MultiAgent.Repositories.GitHub;

/// <summary>
/// <see cref="IRepositoryHost"/> for github.com and GitHub Enterprise Server, on Octokit's REST client. Requests go
/// through <see cref="ResilientGitHubHttpClient"/> (timeouts, retries of 5xx/408/timeouts with back-off, waiting out
/// short rate limits); every failure becomes a <see cref="RepositoryHostException"/> whose message never holds the token.
/// </summary>
public sealed class GitHubHost : IRepositoryHost, IDisposable
{
    private const string MissingTokenMessage =
        "No GitHub token is configured: set MultiAgent:GitHub:Token (environment variable MultiAgent__GitHub__Token).";

    private const string JsonMediaType = "application/vnd.github+json";

    /// <summary>The first line of a comment review that carries an approval GitHub refused.</summary>
    private const string ApproveVerdictLine = "**Verdict: approve**";

    /// <summary>The first line of a comment review that carries a request for changes GitHub refused.</summary>
    private const string ChangesVerdictLine = "**Verdict: changes requested**";

    private readonly GitHubOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly GitHubTokenRedactor _redactor;
    private readonly ResilientGitHubHttpClient? _http;
    private readonly Octo.GitHubClient? _client;
    private readonly bool _apiIsGitHubDotCom;
    private readonly SemaphoreSlim _identityGate = new(1, 1);
    private string? _identity;

    public GitHubHost(GitHubOptions options, ILogger<GitHubHost>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _redactor = new GitHubTokenRedactor(options.Token);
        ApiBaseAddress = ParseApiBaseUrl(options.ApiBaseUrl);
        _apiIsGitHubDotCom = string.Equals(ApiBaseAddress.Host, "api.github.com", StringComparison.OrdinalIgnoreCase);

        if (options.HasToken)
        {
            _http = new ResilientGitHubHttpClient(
                new HttpClientAdapter(ResilientGitHubHttpClient.CreatePrimaryHandler), options, _logger, _time);
            var connection = new Octo.Connection(
                new Octo.ProductHeaderValue("MultiAgent", typeof(GitHubHost).Assembly.GetName().Version?.ToString(2) ?? "1.0"),
                ApiBaseAddress,
                new Octo.Internal.InMemoryCredentialStore(new Octo.Credentials(options.Token!.Trim(), Octo.AuthenticationType.Bearer)),
                _http,
                new SimpleJsonSerializer());
            _client = new Octo.GitHubClient(connection);
        }
    }

    public RepositoryHostKind Kind => RepositoryHostKind.GitHub;

    /// <summary>The REST API root requests go to (always ends with '/').</summary>
    public Uri ApiBaseAddress { get; }

    /// <summary>The value of the <c>Authorization: Basic</c> header git sends: base64 of <c>x-access-token:TOKEN</c>.</summary>
    internal static string BasicCredential(string token) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes("x-access-token:" + token));

    public Task<RepositoryInfo> GetRepositoryAsync(RepositoryReference repository, CancellationToken cancellationToken = default) =>
        Call(repository, "get repository", cancellationToken, async (client, owner, name) =>
        {
            var repo = await client.Repository.Get(owner, name).ConfigureAwait(false);
            return ToInfo(repository, repo);
        });

    public async Task<CloneSource> GetCloneSourceAsync(RepositoryReference repository, CancellationToken cancellationToken = default)
    {
        var info = await GetRepositoryAsync(repository, cancellationToken).ConfigureAwait(false);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (Uri.TryCreate(info.CloneUrl, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp))
        {
            headers["Authorization"] = "Basic " + BasicCredential(_options.Token!.Trim());
        }

        return new CloneSource(info.CloneUrl, headers);
    }

    public Task<PullRequestInfo> CreateOrUpdatePullRequestAsync(RepositoryReference repository, PullRequestSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Call(repository, $"create or update the pull request from {spec.HeadBranch}", cancellationToken, async (client, owner, name) =>
        {
            var existing = await FindOpenPullRequest(client, owner, name, spec.HeadBranch).ConfigureAwait(false);
            if (existing is null)
            {
                try
                {
                    var created = await client.PullRequest.Create(owner, name, new Octo.NewPullRequest(spec.Title, spec.HeadBranch, spec.BaseBranch) { Body = spec.Body })
                        .ConfigureAwait(false);
                    _logger.LogInformation("Opened pull request #{Number} on {Repository} from {Head}", created.Number, repository.Key, spec.HeadBranch);
                    return ToInfo(created);
                }
                catch (Octo.ApiValidationException ex) when (GitHubErrors.Describe(ex).Contains("already exists", StringComparison.OrdinalIgnoreCase))
                {
                    // An earlier attempt created it (its answer was lost); update that one instead.
                    existing = await FindOpenPullRequest(client, owner, name, spec.HeadBranch).ConfigureAwait(false);
                    if (existing is null)
                    {
                        throw;
                    }
                }
            }

            var update = new Octo.PullRequestUpdate { Title = spec.Title, Body = spec.Body };
            if (!string.Equals(existing.Base?.Ref, spec.BaseBranch, StringComparison.Ordinal))
            {
                update.Base = spec.BaseBranch;
            }

            var updated = await client.PullRequest.Update(owner, name, existing.Number, update).ConfigureAwait(false);
            _logger.LogInformation("Updated pull request #{Number} on {Repository} from {Head}", updated.Number, repository.Key, spec.HeadBranch);
            return ToInfo(updated);
        });
    }

    public Task<PullRequestInfo> GetPullRequestAsync(RepositoryReference repository, int number, CancellationToken cancellationToken = default) =>
        Call(repository, $"get pull request #{number}", cancellationToken, async (client, owner, name) =>
            ToInfo(await client.PullRequest.Get(owner, name, number).ConfigureAwait(false)));

    public Task<PullRequestDiff> GetDiffAsync(RepositoryReference repository, int number, CancellationToken cancellationToken = default) =>
        Call(repository, $"get the diff of pull request #{number}", cancellationToken, async (client, owner, name) =>
        {
            var pr = await client.PullRequest.Get(owner, name, number).ConfigureAwait(false);
            var files = await client.PullRequest.Files(owner, name, number, new Octo.ApiOptions { PageSize = 100 }).ConfigureAwait(false);
            var changed = files
                .Select(file =>
                {
                    var status = UnifiedDiff.ParseStatus(file.Status);
                    return new ChangedFile(
                        file.FileName,
                        status,
                        file.Additions,
                        file.Deletions,
                        file.Patch ?? string.Empty,
                        status == FileChangeStatus.Renamed ? file.PreviousFileName : null);
                })
                .ToList();
            return new PullRequestDiff(number, pr.Head?.Sha ?? string.Empty, pr.Base?.Sha ?? string.Empty, UnifiedDiff.Assemble(changed), changed);
        });

    public Task PostReviewAsync(RepositoryReference repository, int number, ReviewSubmission review, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(review);
        return Call(repository, $"post a review on pull request #{number}", cancellationToken, async (client, owner, name) =>
        {
            var uri = new Uri($"repos/{Uri.EscapeDataString(owner)}/{Uri.EscapeDataString(name)}/pulls/{number}/reviews", UriKind.Relative);
            var asComment = false;
            var foldLineComments = false;
            while (true)
            {
                var body = ReviewBody(review, asComment, foldLineComments);
                try
                {
                    await client.Connection.Post<object>(uri, body, JsonMediaType, "application/json", cancellationToken: GitHubCallContext.Cancellation)
                        .ConfigureAwait(false);
                    _logger.LogInformation(
                        "Posted review {Decision} on pull request #{Number} of {Repository}{Fallback}",
                        review.Decision, number, repository.Key, asComment ? " (as a comment review: GitHub refuses verdicts on one's own pull request)" : string.Empty);
                    return true;
                }
                catch (Octo.ApiValidationException ex) when (!asComment && GitHubErrors.Describe(ex).Contains("own pull request", StringComparison.OrdinalIgnoreCase))
                {
                    // The token that opened the pull request may not approve it or request changes on it: the verdict
                    // still goes on record, in the body of a COMMENT review.
                    asComment = true;
                }
                catch (Octo.ApiValidationException ex) when (!foldLineComments && review.Comments.Any(c => c.Line is not null) && IsLineRejection(GitHubErrors.Describe(ex)))
                {
                    // A line outside the diff makes GitHub refuse the whole review; keep those comments in the body.
                    foldLineComments = true;
                }
            }
        });
    }

    public Task<IReadOnlyList<PostedReview>> ListReviewsAsync(RepositoryReference repository, int number, CancellationToken cancellationToken = default) =>
        Call(repository, $"list the reviews of pull request #{number}", cancellationToken, async (client, owner, name) =>
        {
            // GetAll follows the Link header through every page.
            var reviews = await client.PullRequest.Review.GetAll(owner, name, number, new Octo.ApiOptions { PageSize = 100 }).ConfigureAwait(false);
            return (IReadOnlyList<PostedReview>)[.. reviews.Select(ToPosted)];
        });

    /// <summary>
    /// The login of the token's account (<c>GET /user</c>), asked once and kept for the life of this host (one token);
    /// a failure is not kept, so the next call asks again. A GitHub App installation token cannot read <c>/user</c>
    /// (403, PermissionDenied).
    /// </summary>
    public async Task<string?> GetIdentityAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _identity) is { } known)
        {
            return known;
        }

        await _identityGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_identity is { } cached)
            {
                return cached;
            }

            var login = await Send("read the token's account (GET /user)", cancellationToken, async client =>
            {
                var user = await client.User.Current().ConfigureAwait(false);
                return string.IsNullOrWhiteSpace(user?.Login)
                    ? throw new RepositoryHostException(RepositoryErrorKind.Validation, "GitHub named no login for the token's account.")
                    : user.Login;
            }).ConfigureAwait(false);
            _logger.LogInformation("The GitHub token at {ApiBaseUrl} acts as {Login}", ApiBaseAddress, login);
            Volatile.Write(ref _identity, login);
            return login;
        }
        finally
        {
            _identityGate.Release();
        }
    }

    public Task<MergeResult> MergeAsync(RepositoryReference repository, int number, string expectedHeadSha, MergeMethod method, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(expectedHeadSha);
        return Call(repository, $"merge pull request #{number}", cancellationToken, async (client, owner, name) =>
        {
            Octo.PullRequestMerge merged;
            try
            {
                merged = await client.PullRequest.Merge(owner, name, number, new Octo.MergePullRequest
                {
                    Sha = expectedHeadSha,
                    MergeMethod = method == MergeMethod.Squash ? Octo.PullRequestMergeMethod.Squash : Octo.PullRequestMergeMethod.Merge,
                }).ConfigureAwait(false);
            }
            catch (Octo.ApiException ex) when ((int)ex.StatusCode is 405 or 409)
            {
                // What happened? Already merged at that head (an earlier attempt whose answer was lost), a moved head,
                // or a real refusal.
                var current = await TryGetPullRequest(client, owner, name, number).ConfigureAwait(false);
                if (current is not null && IsMerged(current) && current.Head?.Sha == expectedHeadSha)
                {
                    _logger.LogInformation("Pull request #{Number} of {Repository} was already merged at {Sha}", number, repository.Key, expectedHeadSha);
                    return new MergeResult(number, current.MergeCommitSha ?? string.Empty, method);
                }

                if (current?.Head?.Sha is { Length: > 0 } head && head != expectedHeadSha)
                {
                    throw new RepositoryHostException(
                        RepositoryErrorKind.HeadChanged,
                        $"the head moved from {expectedHeadSha} to {head} since it was reviewed; nothing was merged ({GitHubErrors.Describe(ex)}).");
                }

                if ((int)ex.StatusCode == 409 && current is not null)
                {
                    throw new RepositoryHostException(RepositoryErrorKind.MergeConflict, $"{GitHubErrors.Describe(ex)}; nothing was merged.");
                }

                throw;
            }

            if (!merged.Merged)
            {
                throw new RepositoryHostException(RepositoryErrorKind.MergeConflict, $"GitHub did not merge: {merged.Message}");
            }

            _logger.LogInformation("Merged pull request #{Number} of {Repository} ({Method}) as {Sha}", number, repository.Key, method, merged.Sha);
            return new MergeResult(number, merged.Sha, method);
        });
    }

    public Task ClosePullRequestAsync(RepositoryReference repository, int number, CancellationToken cancellationToken = default) =>
        Call(repository, $"close pull request #{number}", cancellationToken, async (client, owner, name) =>
        {
            await client.PullRequest.Update(owner, name, number, new Octo.PullRequestUpdate { State = Octo.ItemState.Closed }).ConfigureAwait(false);
            _logger.LogInformation("Closed pull request #{Number} of {Repository}", number, repository.Key);
            return true;
        });

    public Task CommentAsync(RepositoryReference repository, int number, string body, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(body);
        return Call(repository, $"comment on pull request #{number}", cancellationToken, async (client, owner, name) =>
        {
            await client.Issue.Comment.Create(owner, name, number, body).ConfigureAwait(false);
            return true;
        });
    }

    public void Dispose()
    {
        _http?.Dispose();
        _identityGate.Dispose();
    }

    public override string ToString() => $"GitHubHost({ApiBaseAddress})";

    /// <summary>
    /// Runs one operation: checks the token and the reference, hands the caller's cancellation token to the pipeline,
    /// and maps every failure to a <see cref="RepositoryHostException"/>.
    /// </summary>
    private async Task<T> Call<T>(RepositoryReference repository, string operation, CancellationToken cancellationToken, Func<Octo.GitHubClient, string, string, Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(repository);
        if (_client is null)
        {
            throw new RepositoryHostException(RepositoryErrorKind.Unauthorized, MissingTokenMessage);
        }

        var (owner, name) = Target(repository);
        return await Send($"{operation} of {repository.Key}", cancellationToken, client => action(client, owner, name)).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends one operation <paramref name="what"/> (repository or not): hands the caller's cancellation token to the
    /// pipeline and maps every failure to a <see cref="RepositoryHostException"/>.
    /// </summary>
    private async Task<T> Send<T>(string what, CancellationToken cancellationToken, Func<Octo.GitHubClient, Task<T>> action)
    {
        if (_client is null)
        {
            throw new RepositoryHostException(RepositoryErrorKind.Unauthorized, MissingTokenMessage);
        }

        cancellationToken.ThrowIfCancellationRequested();
        GitHubCallContext.Set(cancellationToken);
        try
        {
            return await action(_client).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            var mapped = GitHubErrors.Map(ex, what, _redactor, _time);
            _logger.LogDebug("{Message} ({Kind})", mapped.Message, mapped.Kind);
            throw mapped;
        }
    }

    private (string Owner, string Name) Target(RepositoryReference repository)
    {
        if (repository.Kind != RepositoryHostKind.GitHub || string.IsNullOrWhiteSpace(repository.Owner))
        {
            throw new RepositoryHostException(RepositoryErrorKind.InvalidReference, $"'{repository}' is not a GitHub repository.");
        }

        if (_apiIsGitHubDotCom && repository.WebHost is { } host && host is not ("github.com" or "www.github.com"))
        {
            throw new RepositoryHostException(
                RepositoryErrorKind.InvalidReference,
                $"'{repository}' is on {host}, but MultiAgent:GitHub:ApiBaseUrl points at api.github.com; for GitHub Enterprise set it to https://{host}/api/v3/.");
        }

        return (repository.Owner, repository.Name);
    }

    private static async Task<Octo.PullRequest?> FindOpenPullRequest(Octo.GitHubClient client, string owner, string name, string headBranch)
    {
        var open = await client.PullRequest.GetAllForRepository(owner, name, new Octo.PullRequestRequest
        {
            State = Octo.ItemStateFilter.Open,
            Head = $"{owner}:{headBranch}",
        }).ConfigureAwait(false);

        // GitHub filters by head already; checking again guards against a server that ignores the filter.
        return open.FirstOrDefault(pr => string.Equals(pr.Head?.Ref, headBranch, StringComparison.Ordinal));
    }

    private static async Task<Octo.PullRequest?> TryGetPullRequest(Octo.GitHubClient client, string owner, string name, int number)
    {
        try
        {
            return await client.PullRequest.Get(owner, name, number).ConfigureAwait(false);
        }
        catch (Octo.ApiException)
        {
            return null;
        }
        catch (RepositoryHostException)
        {
            return null;
        }
    }

    private static bool IsMerged(Octo.PullRequest pr) => pr.Merged || pr.MergedAt is not null;

    private static RepositoryInfo ToInfo(RepositoryReference reference, Octo.Repository repo)
    {
        var cloneUrl = string.IsNullOrWhiteSpace(repo.CloneUrl)
            ? $"https://{reference.WebHost ?? "github.com"}/{reference.Owner}/{reference.Name}.git"
            : repo.CloneUrl;
        var webUrl = string.IsNullOrWhiteSpace(repo.HtmlUrl)
            ? $"https://{reference.WebHost ?? "github.com"}/{reference.Owner}/{reference.Name}"
            : repo.HtmlUrl;
        return new RepositoryInfo(reference, repo.DefaultBranch ?? "main", cloneUrl, webUrl);
    }

    private static PullRequestInfo ToInfo(Octo.PullRequest pr)
    {
        var merged = IsMerged(pr);
        var state = merged
            ? PullRequestState.Merged
            : string.Equals(pr.State.StringValue, "closed", StringComparison.OrdinalIgnoreCase) ? PullRequestState.Closed : PullRequestState.Open;
        return new PullRequestInfo(
            pr.Number,
            pr.HtmlUrl ?? string.Empty,
            state,
            pr.Head?.Ref ?? string.Empty,
            pr.Base?.Ref ?? string.Empty,
            pr.Head?.Sha ?? string.Empty,
            pr.Title ?? string.Empty,
            merged ? pr.MergeCommitSha : null);
    }

    /// <summary>
    /// A listed review: the verdict from its state, or, for a comment review, from the verdict line this host writes
    /// at the top of the body when GitHub refuses a verdict (see <see cref="ReviewBody"/>).
    /// </summary>
    internal static PostedReview ToPosted(Octo.PullRequestReview review)
    {
        var body = review.Body ?? string.Empty;
        ReviewDecision? decision = review.State.StringValue?.ToUpperInvariant() switch
        {
            "APPROVED" => ReviewDecision.Approve,
            "CHANGES_REQUESTED" => ReviewDecision.RequestChanges,
            "COMMENTED" when body.StartsWith(ApproveVerdictLine, StringComparison.Ordinal) => ReviewDecision.Approve,
            "COMMENTED" when body.StartsWith(ChangesVerdictLine, StringComparison.Ordinal) => ReviewDecision.RequestChanges,
            _ => null,
        };
        return new PostedReview(
            review.Id, decision, body, string.IsNullOrEmpty(review.CommitId) ? null : review.CommitId,
            string.IsNullOrEmpty(review.User?.Login) ? null : review.User.Login);
    }

    /// <summary>
    /// The review request body: event, summary, and line comments as path/line/side/body. Comments without a file or
    /// line (and, when folding, all of them) go into the body as a list.
    /// </summary>
    internal static string ReviewBody(ReviewSubmission review, bool asComment, bool foldLineComments)
    {
        var lineComments = foldLineComments
            ? []
            : review.Comments.Where(c => c.Line is > 0 && !string.IsNullOrWhiteSpace(c.File)).ToList();
        var general = review.Comments.Except(lineComments).ToList();

        var body = new StringBuilder();
        if (asComment)
        {
            body.Append(review.Decision == ReviewDecision.Approve ? ApproveVerdictLine : ChangesVerdictLine).Append("\n\n");
        }

        body.Append(string.IsNullOrWhiteSpace(review.Summary)
            ? review.Decision == ReviewDecision.Approve ? "Approved." : "Changes requested."
            : review.Summary.Trim());
        if (general.Count > 0)
        {
            body.Append("\n\n");
            foreach (var comment in general)
            {
                body.Append("- ").Append(SeverityLabel(comment.Severity)).Append(' ');
                if (!string.IsNullOrWhiteSpace(comment.File))
                {
                    body.Append('`').Append(comment.File);
                    if (comment.Line is > 0)
                    {
                        body.Append(':').Append(comment.Line.Value.ToString(CultureInfo.InvariantCulture));
                    }

                    body.Append("`: ");
                }

                body.Append(comment.Body.Trim()).Append('\n');
            }
        }

        var json = new JsonObject
        {
            ["event"] = asComment ? "COMMENT" : review.Decision == ReviewDecision.Approve ? "APPROVE" : "REQUEST_CHANGES",
            ["body"] = body.ToString().TrimEnd(),
        };
        if (!string.IsNullOrWhiteSpace(review.CommitSha))
        {
            json["commit_id"] = review.CommitSha;
        }

        if (lineComments.Count > 0)
        {
            var comments = new JsonArray();
            foreach (var comment in lineComments)
            {
                comments.Add(new JsonObject
                {
                    ["path"] = comment.File,
                    ["line"] = comment.Line!.Value,
                    ["side"] = "RIGHT",
                    ["body"] = $"{SeverityLabel(comment.Severity)} {comment.Body.Trim()}",
                });
            }

            json["comments"] = comments;
        }

        return json.ToJsonString();
    }

    private static string SeverityLabel(ReviewCommentSeverity severity) => severity switch
    {
        ReviewCommentSeverity.Blocking => "**[blocking]**",
        ReviewCommentSeverity.Suggestion => "**[suggestion]**",
        _ => "**[info]**",
    };

    private static bool IsLineRejection(string message) =>
        message.Contains("line", StringComparison.OrdinalIgnoreCase)
        || message.Contains("diff", StringComparison.OrdinalIgnoreCase)
        || message.Contains("position", StringComparison.OrdinalIgnoreCase);

    private static Uri ParseApiBaseUrl(string? value)
    {
        if (!Uri.TryCreate(value?.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || !string.IsNullOrEmpty(uri.UserInfo)
            || !string.IsNullOrEmpty(uri.Query))
        {
            throw new InvalidOperationException(
                "MultiAgent:GitHub:ApiBaseUrl must be an absolute http(s) URL without credentials or query, e.g. https://api.github.com/ or https://ghe.example.com/api/v3/.");
        }

        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.GetLeftPart(UriPartial.Path) + "/");
    }
}
